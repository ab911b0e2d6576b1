"""Reading the API as a re-user does: every page of a list, by its ``next`` links."""

from __future__ import annotations

from urllib.parse import urlsplit


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def every_item(client, path: str, *, limit: int = 100, key: str = "id") -> list:
    """The ``key`` of every item of the list at ``path``, following ``next`` to the end."""
    separator = "&" if "?" in path else "?"
    url = f"{path}{separator}limit={limit}"
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += [item[key] for item in body["data"]]
        url = path_of(body["links"]["next"]) if body["links"]["next"] else None
    return seen
