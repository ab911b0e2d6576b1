"""Entries of the page cache: their key, their lookup and keeping (this process's memory and Redis),
which answers may be kept, and the conditional answers (ETag, ``Last-Modified``) served from them."""

from __future__ import annotations

import base64
import hashlib
import json
import time

from flask import Response, current_app, g, request, session

from participation.core.pagecache.generations import _prefix, _redis, expand_tags, generation, local_pages

_REDIS_PAGE = "pagecache:page:"


def _enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE"))


def _page_generation(tags, vary) -> str:
    """The generation of the page's tags, and what its ``vary`` adds."""
    found = generation(expand_tags(tags))
    return found if vary is None else f"{found}\x1f{vary()}"


def _key(gen: str, variant: str = "") -> str:
    from flask_babel import get_locale

    # The language the page speaks (the session's choice, else a logged-in caller's account, else the default).
    locale = get_locale()
    raw = "\x1f".join([request.scheme, request.host, request.path, request.query_string.decode("latin-1"), str(locale), gen, variant])
    return hashlib.sha256(raw.encode()).hexdigest()


def etag_only(response: Response) -> Response:
    """This response's ``Last-Modified`` informs but validates nothing: ``If-Modified-Since`` gets the full answer.

    (An API list: an item taken out of it changes no date of those left; its ETag tells every change.)
    """
    response._page_cache_dated = False
    return response


def _conditional(response: Response, dated: bool) -> Response:
    """A 304 to ``If-None-Match`` (and to ``If-Modified-Since`` when the date validates), as the view answered."""
    if dated:
        return response.make_conditional(request)
    modified = response.headers.pop("Last-Modified", None)
    response = response.make_conditional(request)
    if modified is not None:
        response.headers["Last-Modified"] = modified
    return response


def _lookup(key: str):
    now = time.monotonic()
    entry = local_pages.get(key)
    if entry is not None and entry[3] > now:
        return entry
    client = _redis()
    if client is None:
        return None
    try:
        raw = client.get(_prefix() + _REDIS_PAGE + key)
    except Exception:
        return None
    if raw is None:
        return None
    # JSON, not pickle: what Redis holds is never run.
    stored = json.loads(raw)
    entry = (stored["status"], [tuple(h) for h in stored["headers"]], base64.b64decode(stored["body"]), now + stored["expires"] - time.time(),
             stored.get("dated", True))
    local_pages.set(key, entry, current_app.config["PAGE_CACHE_SIZE"])
    return entry


def _shareable(response: Response, everyone: bool) -> bool:
    from flask_login import current_user

    fit = (
        _complete(response)
        and not _shows_csrf_token(response.get_data())
        and not response.cache_control.no_store
    )
    if everyone:
        # Its answer reads no one's data; a cookie the request set (a session refreshed) is not stored with it.
        return fit
    return (
        fit
        and "Set-Cookie" not in response.headers
        # Building a form puts a CSRF token in the session; only a page that shows it is this visitor's.
        and set(session.keys()) <= {"csrf_token", "lang", "_fresh", "_id"}  # no user, no flashed message
        and not (current_user and current_user.is_authenticated)
    )


def _complete(response: Response) -> bool:
    """A whole 200 answer of a request that kept its changes, that no one marked private: what any entry may hold."""
    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and not g.get("rollback_only")
        and not response.cache_control.private
    )


def _keep(key: str, response: Response, body: bytes, max_age: int, dated: bool = True) -> None:
    """Keep an entry (``_lookup`` reads it) in this process's memory and in Redis."""
    headers = [(k, v) for k, v in response.headers.items() if _stored_header(k)]
    local_pages.set(key, (response.status_code, headers, body, time.monotonic() + max_age, dated), current_app.config["PAGE_CACHE_SIZE"])
    client = _redis()
    if client is not None:
        try:
            stored = {"status": response.status_code, "headers": headers, "body": base64.b64encode(body).decode(), "expires": time.time() + max_age,
                      "dated": dated}
            client.set(_prefix() + _REDIS_PAGE + key, json.dumps(stored), ex=max_age)
        except Exception:
            pass


def _stored_header(name: str) -> bool:
    """Headers that belong to one request, never kept in an entry (the rate limiter adds each answer's own)."""
    name = name.lower()
    return name not in ("content-length", "x-page-cache", "set-cookie", "retry-after") and not name.startswith("x-ratelimit-")


def _shows_csrf_token(content: bytes | str) -> bool:
    """Whether ``content`` (a response's body, a fragment's HTML) shows this session's CSRF token."""
    token = g.get("csrf_token")
    if not token:
        return False
    return (token.encode() if isinstance(content, bytes) else token) in content
