"""Public pages served to anonymous visitors from a cache that domain events invalidate.

A view opts in with ``@cached_page`` (in the domain that owns the page). For
an anonymous ``GET`` of such a page, the response is looked up under a key
made of the path, the sorted query string, the locale, the host and the
*generation*; on a miss the page is rendered and, when it is fit to share,
kept in a bounded in-process LRU and in Redis when ``PAGE_CACHE_REDIS_URL`` is
set. A hit is served without opening the database (one query without Redis:
the generation).

The generation changes when a transaction that recorded a domain event
commits (``record()`` marks the session; the session's ``after_commit`` bumps
the generation; a rollback forgets the mark). With Redis it is a counter in
Redis shared by every worker; without Redis it is the latest domain event's id
(one indexed query, so another process's commit is seen at once) plus a
counter of this process's commits. Every state change records an event, so a
page rendered before a change is never served after it.

Never cached: a logged-in person's page (session with a user, or a
remember-me cookie), a page while a flashed message waits, a response that
sets a cookie other than the session's (which carries nothing but a CSRF
token the page does not show) or a page that shows a CSRF token (a form: its
token belongs to one session), anything but a 200, anything
but ``GET``/``HEAD``, a view that did not opt in (staff pages never do).
Time changes state too (a consultation closes at midnight, an event starts):
an entry lives ``PAGE_CACHE_SECONDS`` (60 s) at most, or less if the view
says so (``@cached_page(max_age=…)``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import OrderedDict
from functools import wraps

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, request, session

_DIRTY = "page_cache_dirty"
_REDIS_GENERATION = "pagecache:generation"
_REDIS_PAGE = "pagecache:page:"

# This process's commits that recorded events (added to the database's latest event id).
_local_generation = 0
_lock = threading.Lock()
_redis_clients: dict[str, object] = {}


def cached_page(view=None, *, max_age: int | None = None):
    """Mark a public view whose anonymous ``GET`` may be served from the page cache.

    ``max_age``: seconds an entry lives at most (default ``PAGE_CACHE_SECONDS``),
    for pages whose state changes with time alone.
    """

    def decorate(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)

        wrapper._page_cache_max_age = max_age or 0
        return wrapper

    return decorate(view) if view is not None else decorate


class _LRU:
    def __init__(self):
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def set(self, key: str, entry: tuple, size: int) -> None:
        with self._lock:
            self._items[key] = entry
            self._items.move_to_end(key)
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


local_pages = _LRU()


# The generation --------------------------------------------------------------


def mark_changed(db_session) -> None:
    """Called by ``record()``: this transaction changes what pages show."""
    db_session.info[_DIRTY] = True


def _after_commit(db_session) -> None:
    if not db_session.info.get(_DIRTY) or db_session.in_nested_transaction():
        return  # nothing recorded, or a savepoint: only the outer commit is durable
    db_session.info.pop(_DIRTY, None)
    bump()


def _after_soft_rollback(db_session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        db_session.info.pop(_DIRTY, None)


def bump() -> None:
    """A committed change: every page cached before it is out of date."""
    global _local_generation
    with _lock:
        _local_generation += 1
    client = _redis() if has_app_context() else None
    if client is not None:
        try:
            client.incr(_prefix() + _REDIS_GENERATION)
        except Exception:  # Redis down: the entries' lifetime bounds staleness
            current_app.logger.warning("Cache de pages : Redis injoignable, génération non incrémentée")


def generation() -> str:
    client = _redis()
    if client is not None:
        try:
            return "r" + (client.get(_prefix() + _REDIS_GENERATION) or b"0").decode()
        except Exception:
            pass
    from participation.core.eventlog import DomainEvent
    from participation.extensions import db

    latest = db.session.execute(sa.select(sa.func.max(DomainEvent.id))).scalar()
    return f"d{latest or 0}.{_local_generation}"


def _redis():
    url = current_app.config.get("PAGE_CACHE_REDIS_URL")
    if not url:
        return None
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return client


def _prefix() -> str:
    return current_app.config.get("PAGE_CACHE_REDIS_PREFIX", "participation:")


# Serving and storing --------------------------------------------------------


def _enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE"))


def _anonymous() -> bool:
    """No user in the session, no remember-me cookie, no flashed message waiting."""
    if "_user_id" in session or "_flashes" in session:
        return False
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies


def _policy():
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return None
    if "lang" in request.args:
        return None  # choosing a language writes it in the visitor's session: rendered each time
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "_page_cache_max_age", None)


def _key(gen: str) -> str:
    query = "&".join(sorted(f"{k}={v}" for k, v in request.args.items(multi=True)))
    locale = session.get("lang") or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")
    raw = "\x1f".join([request.host, request.path, query, str(locale), gen])
    return hashlib.sha256(raw.encode()).hexdigest()


def _serve():
    if not _enabled():
        return None
    max_age = _policy()
    if max_age is None or not _anonymous():
        return None
    key = _key(generation())
    g.page_cache = (key, max_age or current_app.config["PAGE_CACHE_SECONDS"])
    entry = _lookup(key)
    if entry is None:
        return None
    g.page_cache = None  # served: nothing to store
    status, headers, body, _ = entry
    response = Response(body, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return response.make_conditional(request)


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
    entry = (stored["status"], [tuple(h) for h in stored["headers"]], base64.b64decode(stored["body"]), now + stored["expires"] - time.time())
    local_pages.set(key, entry, current_app.config["PAGE_CACHE_SIZE"])
    return entry


def _shareable(response: Response) -> bool:
    from flask_login import current_user

    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        # Building a form puts a CSRF token in the session; only a page that shows it is this visitor's.
        and set(session.keys()) <= {"csrf_token", "lang", "_fresh", "_id"}  # no user, no flashed message
        and not _shows_csrf_token(response)
        and not g.get("rollback_only")
        and not response.cache_control.private
        and not response.cache_control.no_store
        and not (current_user and current_user.is_authenticated)
    )


def _shows_csrf_token(response: Response) -> bool:
    token = g.get("csrf_token")
    return bool(token) and token.encode() in response.get_data()


def _store(response: Response) -> Response:
    pending = g.get("page_cache")
    if not pending:
        return response
    g.page_cache = None
    if not _shareable(response):
        response.headers["X-Page-Cache"] = "skip"
        return response
    key, max_age = pending
    if not response.cache_control.public:
        # A browser keeps it but asks again; the ETag makes the answer a 304.
        response.cache_control.no_cache = True
    response.add_etag()
    body = response.get_data()
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "x-page-cache", "set-cookie")]
    local_pages.set(key, (response.status_code, headers, body, time.monotonic() + max_age), current_app.config["PAGE_CACHE_SIZE"])
    client = _redis()
    if client is not None:
        try:
            stored = {"status": response.status_code, "headers": headers, "body": base64.b64encode(body).decode(), "expires": time.time() + max_age}
            client.set(_prefix() + _REDIS_PAGE + key, json.dumps(stored), ex=max_age)
        except Exception:
            pass
    response.headers["X-Page-Cache"] = "miss"
    return response.make_conditional(request)


def clear() -> None:
    """Forget every page (tests; a deployment that changed templates restarts anyway)."""
    local_pages.clear()


def init_app(app: Flask) -> None:
    # Serve before any other hook (it may open the database); store after every
    # other one (the transaction is committed, the security headers are set).
    app.before_request_funcs.setdefault(None, []).insert(0, _serve)
    app.after_request_funcs.setdefault(None, []).insert(0, _store)


def _install_session_events() -> None:
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)


_install_session_events()
