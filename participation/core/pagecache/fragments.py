"""Fragments: pieces of HTML shared by everyone, rendered as no one."""

from __future__ import annotations

import hashlib
import time

from flask import current_app, g, request

from participation.core.pagecache.entries import _enabled, _shows_csrf_token
from participation.core.pagecache.generations import _prefix, _redis, expand_tags, generation, local_pages

# Fragments --------------------------------------------------------------------

_REDIS_FRAGMENT = "pagecache:fragment:"


def fragment(name: str, render, *, tags=None, vary: tuple = (), max_age: int | None = None):
    """A piece of HTML shared by everyone, logged in or not (the home page's blocks…).

    ``render()`` returns the HTML; it runs as an anonymous visitor
    (``current_user`` is anonymous while it runs), so a fragment never holds a
    person's data whoever asked first. It is kept under ``name``, ``vary``
    (the filters it depends on), the locale, the host and the generation of
    ``tags`` (see ``cached_page``), in the page cache's memory and Redis.
    Without ``PAGE_CACHE`` it is simply rendered.
    """
    from markupsafe import Markup

    if not _enabled():
        return Markup(_as_anonymous(render))
    from flask_babel import get_locale

    # The language this page speaks: chosen by ?lang=, the session or the account (never the first visitor's).
    locale = get_locale()
    raw = "\x1f".join(["fragment", request.host, name, repr(vary), str(locale), generation(expand_tags(tags))])
    key = hashlib.sha256(raw.encode()).hexdigest()
    now = time.monotonic()
    entry = local_pages.get("f" + key)
    if entry is not None and entry[3] > now:
        return Markup(entry[2])
    client = _redis()
    if client is not None:
        try:
            stored = client.get(_prefix() + _REDIS_FRAGMENT + key)
        except Exception:
            stored = None
        if stored is not None:
            html = stored.decode()
            local_pages.set("f" + key, (200, [], html, now + (max_age or current_app.config["PAGE_CACHE_SECONDS"])),
                            current_app.config["PAGE_CACHE_SIZE"])
            return Markup(html)
    html = str(_as_anonymous(render))
    if _shows_csrf_token(html):
        raise RuntimeError(f"le fragment partagé « {name} » contient le jeton CSRF d'une session")
    lifetime = max_age or current_app.config["PAGE_CACHE_SECONDS"]
    local_pages.set("f" + key, (200, [], html, now + lifetime), current_app.config["PAGE_CACHE_SIZE"])
    if client is not None:
        try:
            client.set(_prefix() + _REDIS_FRAGMENT + key, html.encode(), ex=lifetime)
        except Exception:
            pass
    return Markup(html)


def _as_anonymous(render, anonymous=None):
    """Run ``render()`` with an anonymous ``current_user``: what it shows is no one's.

    Personal values (the CSRF token…) become markers that ``holes.fill()`` fills per request."""
    from participation.core import holes

    missing = object()
    saved = g.get("_login_user", missing)
    g._login_user = anonymous if anonymous is not None else current_app.login_manager.anonymous_user()
    try:
        with holes.rendering():
            return render()
    finally:
        if saved is missing:
            g.pop("_login_user", None)
        else:
            g._login_user = saved
