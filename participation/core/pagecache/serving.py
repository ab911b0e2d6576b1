"""Serving and storing: ``@cached_page``, the request hook that serves an entry and the one that keeps the answer."""

from __future__ import annotations

from functools import wraps

from flask import Response, current_app, g, request, session

from participation.core.pagecache.entries import _conditional, _enabled, _keep, _key, _lookup, _page_generation, _shareable
from participation.core.pagecache.shared import SIGNED_IN, _render_shared, _serve_signed_in

# Serving and storing --------------------------------------------------------


def cached_page(view=None, *, max_age: int | None = None, tags=None, everyone: bool = False, vary=None):
    """Mark a public view whose anonymous ``GET`` may be served from the page cache.

    ``max_age``: seconds an entry lives at most (default ``PAGE_CACHE_SECONDS``),
    for pages whose state changes with time alone.
    ``tags``: what the page shows — domains ("forums"), tables ("consultations")
    or a callable returning them; ``None``: every event invalidates the page.
    ``everyone``: the answer is the same whoever asks (it reads neither the
    person nor the session: the API), so it is served and stored for logged-in
    callers too.
    ``vary``: a callable whose answer is added to the key, for a page that shows
    what no tag tells (the indicators count log-ins, which bump no tag).
    """

    def decorate(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            pending = g.get("page_cache")
            if pending and pending[2] == SIGNED_IN:
                return _render_shared(func, args, kwargs)
            return func(*args, **kwargs)

        wrapper._page_cache_max_age = max_age or 0
        wrapper._page_cache_tags = tags
        wrapper._page_cache_everyone = everyone
        wrapper._page_cache_vary = vary
        return wrapper

    return decorate(view) if view is not None else decorate


def _anonymous() -> bool:
    """No user in the session, no remember-me cookie, no flashed message waiting."""
    if "_user_id" in session or "_flashes" in session:
        return False
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies


def _policy():
    """``(max_age, tags, everyone, vary)`` of the view asked for, or None when it is not cached."""
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return None
    if "lang" in request.args:
        return None  # choosing a language writes it in the visitor's session: rendered each time
    view = current_app.view_functions.get(request.endpoint)
    max_age = getattr(view, "_page_cache_max_age", None)
    if max_age is None:
        return None
    return max_age, getattr(view, "_page_cache_tags", None), getattr(view, "_page_cache_everyone", False), getattr(view, "_page_cache_vary", None)


def _serve():
    # This request's own state (in tests, requests share one application context, hence one ``g``).
    for name in ("page_cache_person", "page_cache"):
        g.pop(name, None)
    if not _enabled():
        return None
    policy = _policy()
    if policy is None:
        return None
    max_age, tags, everyone, vary = policy
    if not _anonymous():
        if not everyone:
            return _serve_signed_in(max_age, tags, vary)
        if "_user_id" in session:
            from participation.layout import signed_in_card

            # The language of the key, and the no-store of the answer, from the card: the account is not loaded.
            g.page_cache_person = signed_in_card()
    key = _key(_page_generation(tags, vary))
    g.page_cache = (key, max_age or current_app.config["PAGE_CACHE_SECONDS"], everyone)
    entry = _lookup(key)
    if entry is None:
        return None
    g.page_cache = None  # served: nothing to store
    status, headers, body, _, dated = entry
    response = Response(body, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return _conditional(response, dated)


def _store(response: Response) -> Response:
    pending = g.get("page_cache")
    if not pending:
        return response
    g.page_cache = None
    key, max_age, everyone = pending
    if everyone == SIGNED_IN:
        return response  # the view was never reached (a redirect, an error): nothing shared to keep
    if not _shareable(response, everyone):
        response.headers["X-Page-Cache"] = "skip"
        return response
    if not response.cache_control.public:
        # A browser keeps it but asks again; the ETag makes the answer a 304.
        response.cache_control.no_cache = True
    response.add_etag()
    dated = getattr(response, "_page_cache_dated", True)
    _keep(key, response, response.get_data(), max_age, dated)
    response.headers["X-Page-Cache"] = "miss"
    return _conditional(response, dated)
