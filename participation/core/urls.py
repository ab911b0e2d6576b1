"""Absolute links for mail and feeds, built from ``BASE_URL``.

They work in a request, in the worker and on the command line alike.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "https", script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)
