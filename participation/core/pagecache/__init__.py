"""Public pages served to anonymous visitors from a cache that domain events invalidate.

A view opts in with ``@cached_page`` (in the domain that owns the page). For
an anonymous ``GET`` of such a page, the response is looked up under a key
made of the path, the sorted query string, the locale, the host and the
*generation*; on a miss the page is rendered and, when it is fit to share,
kept in a bounded in-process LRU and in Redis when ``PAGE_CACHE_REDIS_URL`` is
set. A hit is served without opening the database (one query without Redis:
the generation).

Generations are kept per *tag*. An event's tag is the table of its subject
(``DomainEvent.subject_type``: "contributions", "events", "registrations"…;
"platform" for an event about no row). A page declares the tags it shows
(``@cached_page(tags=("forums", "users"))``): a domain's name stands for every
table of that domain, a table's name for itself, a callable returns tags at
request time (the agenda asks its sources). ``SITE_TAGS`` (the territory, its
communes and themes, the platform) are added to every declared list. A view
that declares no tags depends on every event, as before.

The generations change when a transaction that recorded a domain event commits
(``record()`` marks the session with the subject's tag; the session's
``after_commit`` bumps those tags; a rollback forgets the marks). With Redis
each tag is a counter in Redis shared by every worker (plus ``*``, bumped by
every event, last, for views without tags; a worker reads a page's tags again
only when ``*`` has moved since it last read them: one short GET per hit while
nothing changes, instead of an MGET of 80 keys for the home page); without Redis it is the latest id of the
tags' events (``DomainEvent.cache_tag``: one query of one indexed probe per
tag, index ``ix_domain_events_cache_tag``, so another process's commit is seen
at once) plus counters of this process's commits. Every state change records an
event, so a page rendered before a change is never served after it. Events
that change nothing a public page shows (a log-in, a password reset…) are
declared with ``private_events()`` by their domain and bump nothing.

Never cached: a page rendered for a logged-in person (a session with a user,
or a remember-me cookie; a view declared ``everyone=True``, whose answer never
depends on who asks, is the same for them: the public API; and the copy of a
page shared by every signed-in person is rendered for no one, see "Pages
shared by every signed-in person" below), a page while a flashed message waits, a response that
sets a cookie other than the session's (which carries nothing but a CSRF
token the page does not show) or a page that shows a CSRF token (a form: its
token belongs to one session), anything but a 200, anything
but ``GET``/``HEAD``, a view that did not opt in (staff pages never do).
Time changes state too (a consultation closes at midnight, an event starts):
an entry lives ``PAGE_CACHE_SECONDS`` (60 s) at most, or less if the view
says so (``@cached_page(max_age=…)``).

The key holds the scheme, the host, the path, the query string as sent (a
page may show its own address: the API's ``self`` link) and the language the
page speaks. Rate limits count every request, served or not: Flask-Limiter's
check runs before the cache, and an entry keeps none of the ``X-RateLimit-*``
or ``Retry-After`` headers of the request that stored it (each answer gets its
own). An entry answers ``If-None-Match`` and ``If-Modified-Since`` as the view
did (``etag_only()``: a view whose ``Last-Modified`` is not a validator).
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
from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request, session

_DIRTY = "page_cache_dirty"
_REDIS_GENERATION = "pagecache:tag:"
_REDIS_PAGE = "pagecache:page:"
# Every event bumps this tag too: the generation of views that declared no tags.
ALL = "*"
# What every page shows (the territory's name and logo, communes, themes, menus).
SITE_TAGS = ("territory", "platform")

# This process's commits that recorded events, per tag (added to the database's latest event ids).
_local_generations: dict[str, int] = {}
_lock = threading.Lock()
_redis_clients: dict[str, object] = {}
# Event names that change nothing a public page shows: they bump no tag.
_private: set[str] = set()
_tables_by_domain: dict[str, frozenset[str]] | None = None


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


def private_events(*names: str) -> None:
    """Declare events that change nothing an anonymous page or a shared fragment shows."""
    _private.update(names)


def _domain_tables() -> dict[str, frozenset[str]]:
    global _tables_by_domain
    if _tables_by_domain is None:
        from participation.core.models import Base

        found: dict[str, set[str]] = {}
        for mapper in Base.registry.mappers:
            parts = mapper.class_.__module__.split(".")
            if len(parts) > 1 and parts[0] == "participation" and mapper.local_table is not None:
                found.setdefault(parts[1], set()).add(mapper.local_table.name)
        _tables_by_domain = {domain: frozenset(tables) for domain, tables in found.items()}
    return _tables_by_domain


def expand_tags(tags) -> tuple[str, ...]:
    """The event tags (subject tables) behind a page's declared tags, sorted; ``(ALL,)`` for none."""
    if tags is None:
        return (ALL,)
    if callable(tags):
        tags = tags()
        if tags is None:
            return (ALL,)
    tables = _domain_tables()
    found: set[str] = set()
    for tag in (*tags, *SITE_TAGS):
        found.update(tables.get(tag, (tag,)))
    return tuple(sorted(found))


def event_tag(event_name: str, subject_type: str) -> str | None:
    """The tag an event bumps: its subject's table, or None for a private event."""
    return None if event_name in _private else subject_type


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


def mark_changed(db_session, tag: str | None = "platform") -> None:
    """Called by ``record()``: this transaction changes what pages of ``tag`` show, and the journal grows."""
    db_session.info[_JOURNAL] = True
    if tag is not None:
        db_session.info.setdefault(_DIRTY, set()).add(tag)


def _after_commit(db_session) -> None:
    if db_session.in_nested_transaction():
        return  # a savepoint: only the outer commit is durable
    journal, tags = db_session.info.pop(_JOURNAL, False), db_session.info.pop(_DIRTY, ())
    people, everyone = db_session.info.pop(_PEOPLE, ()), db_session.info.pop(_PEOPLE_ALL, False)
    if tags or journal or people or everyone:
        _bump(tags, journal=journal, people=people, everyone=everyone)  # one Redis round trip for all


def _after_soft_rollback(db_session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for name in (_DIRTY, _PEOPLE, _PEOPLE_ALL, _JOURNAL):
            db_session.info.pop(name, None)


# The journal's generation: it moves with every event, a private one too (a log-in), which bumps no tag.
_JOURNAL = "page_cache_journal"
_REDIS_JOURNAL = "pagecache:journal"


def journal_generation() -> str:
    """What moves with every committed event: a counter in Redis (one GET), else the latest event's id."""
    client = _redis()
    if client is not None:
        try:
            return "r" + (_get(client, _prefix() + _REDIS_JOURNAL) or b"0").decode()
        except Exception:
            pass
    from participation.core.eventlog import DomainEvent
    from participation.extensions import db

    return f"d{db.session.scalar(sa.select(sa.func.max(DomainEvent.id))) or 0}"


# The signed-in person's generation --------------------------------------------
#
# What a page shows of a signed-in person (the header's name, roles and unread
# notices; a page's parts: their registration, their reactions, their seat)
# is kept under the person's generation: a card for the header, a copy of each
# page with parts (``_person_copy``). It moves when a transaction that changed
# a row of theirs commits: a row of any table with a foreign key to the people
# (``people_are``), found by the ORM at flush, for every person it names before
# and after the change. A bulk statement on such a table (which the ORM does
# not see row by row) names its people with the execution option ``people``,
# or else moves every person's generation at once (the ``people`` epoch, part
# of each generation). Tables whose rows no page shows (mail queued for a
# person, their log-in tokens) are declared with ``impersonal_rows``.

_PEOPLE = "page_cache_people"
_PEOPLE_ALL = "page_cache_people_all"
_REDIS_PERSON = "pagecache:person:"
_REDIS_PEOPLE = "pagecache:people"
_PERSON_SEEN = "participation.pagecache.person"  # in the request's environ: (id, generation) its card was read under
# The people's model (``people_are``), and models whose rows name people but show on no page.
_people_model: type | None = None
_impersonal: set[type] = set()
# Model class -> the attributes naming people in its rows (its foreign keys to the people, found once).
_person_attributes_found: dict[type, tuple[str, ...]] = {}


def people_are(model: type) -> None:
    """Rows of ``model`` are people: a change of one, or of any row with a foreign key to them, renews what pages show them."""
    global _people_model
    _people_model = model
    _person_attributes_found.clear()


def impersonal_rows(*models: type) -> None:
    """Rows of ``models`` name a person but no page shows them: their changes renew nobody's pages."""
    _impersonal.update(models)
    _person_attributes_found.clear()


def person_attributes(model: type) -> tuple[str, ...]:
    """The attributes of ``model`` that name a person (a foreign key to the accounts), found once; none if impersonal."""
    found = _person_attributes_found.get(model)
    if found is None:
        names = set()
        if model not in _impersonal:
            mapper = sa.inspect(model)
            people = getattr(_people_model, "__table__", None)
            if model is _people_model:
                names.add(mapper.get_property_by_column(mapper.primary_key[0]).key)
            for column in mapper.columns:
                if any(fk.column.table is people for fk in column.foreign_keys):
                    names.add(mapper.get_property_by_column(column).key)
        found = _person_attributes_found[model] = tuple(sorted(names))
    return found


def person_changed(db_session, *user_ids: int | None) -> None:
    """This transaction changes what pages show these people (rows the ORM does not see, or cannot tell are theirs)."""
    ids = {i for i in user_ids if i is not None}
    if ids:
        db_session.info.setdefault(_PEOPLE, set()).update(ids)


def _after_flush(db_session, flush_context) -> None:
    dirty = db_session.dirty
    for row in (*db_session.new, *dirty, *db_session.deleted):
        names = person_attributes(type(row))
        if not names:
            continue
        state = sa.inspect(row)
        for name in names:
            if name not in state.dict:
                # Not loaded (a row deleted without being read): whose it was is unknown, so everyone's pages renew.
                db_session.info[_PEOPLE_ALL] = True
                continue
            # The person named before a change loses the row, the one named after gains it: both see it change.
            person_changed(db_session, state.dict[name], *(state.attrs[name].history.deleted if row in dirty else ()))


def _on_bulk_statement(execute_state):
    """A bulk INSERT, UPDATE or DELETE of rows that name people: those named by ``people``, or, when it changed
    a row (an hourly purge that finds nothing renews no one), everyone."""
    if not (execute_state.is_update or execute_state.is_delete or execute_state.is_insert):
        return None
    mapper = execute_state.bind_mapper
    if mapper is None or not person_attributes(mapper.class_):
        return None
    named = execute_state.execution_options.get("people")
    if named is not None:
        person_changed(execute_state.session, *named)
        return None
    result = execute_state.invoke_statement()
    if execute_state.is_insert or result.rowcount != 0:  # (-1: not known)
        execute_state.session.info[_PEOPLE_ALL] = True
    return result


def _person_keys(user_id: int) -> list[str]:
    return [f"{_prefix()}{_REDIS_PERSON}{user_id}", _prefix() + _REDIS_PEOPLE]


def person_generation(user_id: int) -> str | None:
    """The person's generation, shared by every worker; None without Redis (their card is then read each time)."""
    client = _redis()
    if client is None:
        return None
    keys = _person_keys(user_id)
    try:
        ahead = request.environ.get(_AHEAD) if has_request_context() else None
        if ahead is not None and all(k in ahead for k in keys):
            values = [ahead.pop(k) for k in keys]
        else:
            values = client.mget(keys)
    except Exception:
        return None
    found = ".".join((v or b"0").decode() for v in values)
    if has_request_context():
        request.environ[_PERSON_SEEN] = (user_id, found)
    return found


def person_card(user_id: int, build) -> dict | None:
    """The card of the person ``user_id`` under their generation; ``build()`` makes it when it is not kept."""
    gen = person_generation(user_id)
    if gen is None:
        return build()
    key = f"p{user_id}.{gen}"
    now = time.monotonic()
    entry = local_pages.get(key)
    if entry is not None and entry[3] > now:
        return entry[2]
    client = _redis()
    try:
        stored = client.get(_prefix() + "pagecache:card:" + key)
    except Exception:
        stored = None
    card = json.loads(stored) if stored is not None else None
    if card is None:
        card = build()
        if card is None:
            return None
        try:
            client.set(_prefix() + "pagecache:card:" + key, json.dumps(card), ex=current_app.config["PAGE_CACHE_SECONDS"])
        except Exception:
            pass
    local_pages.set(key, (200, [], card, now + current_app.config["PAGE_CACHE_SECONDS"]), current_app.config["PAGE_CACHE_SIZE"])
    return card


def bump(*tags: str, journal: bool = False) -> None:
    """A committed change of ``tags`` (of everything, without): every page cached before it that shows them
    is out of date (and, with ``journal``, the journal's generation moves in the same round trip)."""
    _bump(tags or (ALL,), journal=journal)


def _bump(tags, *, journal: bool = False, people=(), everyone: bool = False) -> None:
    """Move the generations of ``tags`` (and ALL with them), of the journal, of ``people`` (of ``everyone``)
    in one Redis transaction (without Redis: this process's counters of the tags; nobody's copy is kept)."""
    tags = tuple(sorted({*tags, ALL})) if tags else ()
    if tags:
        if has_request_context():
            request.environ.pop(_ALL_READ, None)  # what this request renders next is after its change
        with _lock:
            for tag in tags:
                _local_generations[tag] = _local_generations.get(tag, 0) + 1
    client = _redis() if has_app_context() else None
    if client is not None:
        prefix = _prefix()
        try:
            # One transaction, ALL last: a reader that sees ALL unchanged has seen every tag of the bumps before it.
            pipe = client.pipeline(transaction=True)
            if journal:
                pipe.incr(prefix + _REDIS_JOURNAL)
            if everyone:
                pipe.incr(prefix + _REDIS_PEOPLE)
            for user_id in people:
                pipe.incr(f"{prefix}{_REDIS_PERSON}{user_id}")
            for tag in sorted(tags, key=lambda t: t == ALL):
                pipe.incr(prefix + _REDIS_GENERATION + tag)
            pipe.execute()
        except Exception:  # Redis down: the entries' lifetime bounds staleness
            current_app.logger.warning("Cache de pages : Redis injoignable, générations non incrémentées")


def generation(tags=None) -> str:
    """The generation of a page showing ``tags`` (expanded, see ``expand_tags``)."""
    tags = tuple(tags) if tags else (ALL,)
    client = _redis()
    if client is not None:
        try:
            return _redis_generation(client, tags)
        except Exception:
            pass
    from participation.core.eventlog import DomainEvent
    from participation.extensions import db

    if db.session.get_bind().dialect.name == "postgresql" and ALL not in tags:
        # One plan whatever the number of tags (75 for the agenda): planning 75 sub-queries costs 10 ms,
        # this one 1 ms; each tag is one backward probe of ix_domain_events_cache_tag.
        latest = db.session.execute(_LATEST_OF_TAGS, {"tags": list(tags)}).scalar()
    else:
        def probe(tag):
            # One backward probe of ix_domain_events_cache_tag (of the primary key for ALL,
            # which private events bump too: views without tags, as before tags existed).
            query = sa.select(sa.func.max(DomainEvent.id))
            if tag != ALL:
                query = query.where(DomainEvent.cache_tag == tag)
            return query.scalar_subquery()

        latest = max((v or 0) for v in db.session.execute(sa.select(*(probe(tag) for tag in tags))).one())
    local = sum(_local_generations.get(tag, 0) for tag in tags)
    return f"d{latest or 0}.{local}"


_UNREAD = object()
_ALL_READ = "participation.pagecache.all"  # in the request's environ: ALL as this request read it
# Per tag set: (ALL's value when it was read, the generation read after it, the tags' Redis keys).
_remembered: dict[tuple, tuple] = {}


def _redis_generation(client, tags: tuple[str, ...]) -> str:
    """The tags' counters in Redis; while ALL (bumped by every event, after the tags) has not moved, the last ones read.

    Reading ALL is one short GET; the home page's 80 tags cost an MGET of 80 keys, which only an event makes worth it.
    """
    prefix = _prefix()
    memo_key = (prefix, tags)
    known = _remembered.get(memo_key)
    # Read once per request: a page and its fragments (nine on the indicators page) are of one moment.
    everything = request.environ.get(_ALL_READ, _UNREAD) if has_request_context() else _UNREAD
    if everything is _UNREAD:
        everything = _get(client, prefix + _REDIS_GENERATION + ALL)
        if has_request_context():
            request.environ[_ALL_READ] = everything
    if known is not None and known[0] == everything:
        return known[1]
    keys = known[2] if known is not None else [prefix + _REDIS_GENERATION + tag for tag in tags]
    # Read after ALL: a bump that moved ALL before it has moved its tags before it too.
    found = "r" + ".".join((v or b"0").decode() for v in client.mget(keys))
    if len(_remembered) > 10_000:  # a set per page's declared tags: a few dozen in practice
        _remembered.clear()
    _remembered[memo_key] = (everything, found, keys)
    return found


_LATEST_OF_TAGS = sa.text(
    "SELECT max(latest.id) FROM unnest(CAST(:tags AS varchar[])) AS wanted(tag) CROSS JOIN LATERAL"
    " (SELECT e.id FROM domain_events e WHERE e.cache_tag = wanted.tag ORDER BY e.id DESC LIMIT 1) AS latest"
)


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


_AHEAD = "participation.pagecache.ahead"  # in the request's environ: counters read ahead, each taken once


def _read_ahead(client, keys: list[str]) -> None:
    """Read in one round trip the counters this request is about to ask one by one (``_get`` takes them)."""
    try:
        request.environ[_AHEAD] = dict(zip(keys, client.mget(keys), strict=True))
    except Exception:
        pass


def _get(client, key: str):
    ahead = request.environ.get(_AHEAD) if has_request_context() else None
    if ahead is not None and key in ahead:
        return ahead.pop(key)  # taken once: a later read (after this request's commit) asks Redis
    return client.get(key)


# Serving and storing --------------------------------------------------------


def _enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE"))


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


# Pages shared by every signed-in person --------------------------------------
#
# Most public pages show a signed-in person little of theirs: the header
# (their name, their unread notices, the desk's link, the CSRF token of the
# log-out form) and a few parts (an event's registration, a topic's
# contribution form and their reactions, a follow button). Such a page is
# rendered once, as no one, with holes where those go
# (``layout.header_person``, ``holes.part``), kept under the same key as the
# anonymous page plus the variant ``SIGNED_IN`` and the roles the person holds
# (most hold none; a desk's page asks them), and filled for each person:
# the header from their card (``layout.signed_in_card``: one Redis GET while
# nothing of theirs changes), each part by its renderer. A page with no part
# reads neither the account nor the page from the database.
#
# Whether a page shows nothing else of the person is found out, not declared:
# while it renders, ``current_user`` is a stand-in, someone signed in with
# those roles, that stops the rendering when asked anything more (their id,
# their department, a permission on an object of theirs), and the
# session notes any read. A page that used either (a topic whose only
# contribution waits for moderation, seen by its author) is rendered again for
# the person the usual way, and is not tried again for an entry's lifetime.

SIGNED_IN = "signed-in"
# Pages found to use the person (path, query and roles -> until when they are rendered for the person without trying).
_personal_pages: dict[str, float] = {}


class _SomeoneSignedIn:
    """``current_user`` while a shared page renders: someone signed in, nobody in particular, holding ``roles``.

    Asking whether someone is signed in gets yes (every reader of the page is), and so does asking their
    roles (the page is shared by those holding the same); anything else (their id, their department, a
    ``can()`` that reads either) is noted, and the page is then rendered for the person."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, roles=()):
        self.used = False
        self.role_names = frozenset(roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    def __getattr__(self, name):
        self.used = True
        raise _PersonNeeded(name)

    def get_id(self):
        self.used = True
        raise _PersonNeeded("get_id")


class _PersonNeeded(Exception):
    """The shared page asked who is there: it is rendered for the person instead."""


def _serve_signed_in(max_age, tags, vary=None):
    """A signed-in person's ``GET`` of a cached page: the shared page filled with their card, or None."""
    if "_user_id" not in session or "_flashes" in session or "lang" in request.args:
        return None
    from participation.core import holes
    from participation.layout import session_person, signed_in_card

    client = _redis()
    person = session_person()
    if client is not None and person is not None:
        # The person's generation, ALL and the journal: what the card and the page's key ask, in one round trip.
        prefix = _prefix()
        _read_ahead(client, [*_person_keys(person[0]), prefix + _REDIS_GENERATION + ALL, prefix + _REDIS_JOURNAL])
    card = signed_in_card()
    if card is None:
        return None
    g.page_cache_person = card
    if _personal_pages.get(_personal_key(), 0) > time.monotonic():
        return None
    key = _key(_page_generation(tags, vary), _roles_variant(card))
    g.page_cache = (key, max_age or current_app.config["PAGE_CACHE_SECONDS"], SIGNED_IN)
    entry = _lookup(key)
    if entry is None:
        return None  # the view renders it (``_render_shared``)
    g.page_cache = None
    status, headers, body, _, _unused = entry
    if _PART_MARK in body:
        from participation.layout import CardPerson

        g._login_user = CardPerson(card)  # the parts ask the person's id and roles: their card has them
        html = _person_copy(key, card, body.decode(), max_age or current_app.config["PAGE_CACHE_SECONDS"])
    elif holes.MARKER_PREFIX in body:
        html = _fill_person(body.decode())
    else:
        html = body  # nothing of anyone's in it (an iCalendar feed): served as kept, not decoded and scanned
    response = Response(html, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit-shared"
    return response


_REDIS_PERSON_PAGE = "pagecache:personal:"


def _person_copy(page_key: str, card: dict, body: str, max_age: int) -> str:
    """The shared page ``body`` filled for the person, kept under the page's key and the person's generation
    (with Redis), but for what each request gives (its CSRF token, the moment a form is shown).

    A part shows the page's subject (under the page's tags, in its key) as it stands for the person (rows
    naming them, under their generation), or what holds until a moment (``holes.holds_until``); nothing else."""
    from participation.core import holes

    seen = request.environ.get(_PERSON_SEEN)
    client = _redis()
    if seen is None or seen[0] != card["id"] or client is None:
        return _fill_parts(page_key, body)
    key = "q" + hashlib.sha256(f"{page_key}\x1f{seen[0]}\x1f{seen[1]}".encode()).hexdigest()
    now = time.monotonic()
    entry = local_pages.get(key)
    copy = entry[2] if entry is not None and entry[3] > now else None
    if copy is None:
        try:
            stored = client.get(_prefix() + _REDIS_PERSON_PAGE + key)
        except Exception:
            stored = None
        if stored is not None:
            until, _unused, copy = stored.decode().partition("\n")
            local_pages.set(key, (200, [], copy, now + float(until) - time.time()), current_app.config["PAGE_CACHE_SIZE"])
    if copy is None:
        with holes.keeping_request_values() as keeping:
            copy = _fill_parts(page_key, body)
        lifetime = keeping.expires_in(max_age)
        # A part that wrote this session's token in (a form's own field) is this session's: not kept.
        if lifetime >= 1 and not _shows_csrf_token(copy) and not g.get("rollback_only"):
            local_pages.set(key, (200, [], copy, now + lifetime), current_app.config["PAGE_CACHE_SIZE"])
            try:
                client.set(_prefix() + _REDIS_PERSON_PAGE + key, f"{time.time() + lifetime}\n{copy}".encode(), ex=max(1, int(lifetime)))
            except Exception:
                pass
    return str(holes.fill_for_request(copy))


_PART_MARK = b"@@h:v:part:"


def _fill_parts(page_key: str, body: str) -> str:
    """The shared page ``body`` filled for the person, its parts read outside a transaction when nothing else has
    used the database: the rows they are about may then be kept under the page's key (``holes.part_subject``),
    read in a session of their own, which takes no lock this request holds."""
    if _reads_only():
        request.environ[_SHARED_KEY] = page_key
    return _fill_person(body)


def _reads_only() -> bool:
    """The parts of a shared page only read: each query on its own, without BEGIN and COMMIT (two round trips
    of the few a part page costs). Nothing else has used the database yet in this request (but in tests, whose
    sessions live in one connection's transaction)."""
    from participation.extensions import db

    if isinstance(db.session.get_bind(), sa.engine.Engine) and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return True
    return False


_SHARED_KEY = "participation.pagecache.shared"  # in the request's environ: the key of the shared page being served


def shared_page_key() -> str | None:
    """The key of the shared page whose parts this request fills outside a transaction (its generation in it), or None."""
    return request.environ.get(_SHARED_KEY) if has_request_context() else None


def _roles_variant(card: dict) -> str:
    """The key's variant of a shared page: shared by the people holding the same roles (a page may ask them: the desk's)."""
    return f"{SIGNED_IN}:{','.join(card.get('roles', ()))}"


def _personal_key() -> str:
    return f"{request.full_path}\x1f{_roles_variant(g.page_cache_person)}"


def _fill_person(html: str) -> str:
    from participation.core import holes
    from participation.layout import person_values

    return str(holes.fill_for_request(html, **person_values(g.page_cache_person)))


def _render_shared(func, args, kwargs):
    """Render the view as no one for every signed-in person, keep it, and fill it for this one;
    or, when it used the person or the session, render it for them the usual way."""
    from flask import make_response
    from flask.globals import request_ctx

    from participation.core import holes

    key, max_age, _unused = g.page_cache
    g.page_cache = None
    watched = _SomeoneSignedIn(g.page_cache_person.get("roles", ()))
    request_ctx.flashes = []  # none waits (``_serve_signed_in``): the layout need not read the session for them
    # Flask's ``session`` proxy marks the session accessed at each use, even to read that flag: the object itself is watched.
    visitor_session = session._get_current_object()
    visitor_session.accessed = False
    g.page_cache_shared = True
    try:
        response = make_response(_as_anonymous(lambda: func(*args, **kwargs), watched))
    except _PersonNeeded:
        response = None
    finally:
        g.page_cache_shared = False
    personal = response is None or watched.used or visitor_session.accessed or visitor_session.modified
    filled = None
    if not personal and _fit_to_share(response):
        html = response.get_data(as_text=True)
        try:
            filled = _fill_person(html)
        except holes.HoleError:
            personal = True  # a hole only its view knows how to fill
    if personal or filled is None:
        if personal:
            if len(_personal_pages) > 10_000:
                _personal_pages.clear()
            # Its state may change (a waiting contribution approved): it is tried again after an entry's lifetime.
            _personal_pages[_personal_key()] = time.monotonic() + max_age
        return func(*args, **kwargs)
    _keep(key, response, html.encode(), max_age)
    response.set_data(filled)
    response.headers["X-Page-Cache"] = "miss-shared"
    return response


def _fit_to_share(response: Response) -> bool:
    return (
        _complete(response)
        and (response.mimetype.startswith("text/") or response.mimetype.endswith("+xml"))  # HTML, iCalendar, Atom
        and "Set-Cookie" not in response.headers
    )


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


def clear() -> None:
    """Forget every page and card, and which views used the person (tests; a deployment restarts anyway)."""
    from participation.core import holes

    local_pages.clear()
    _personal_pages.clear()
    holes.forget_subjects()


def init_app(app: Flask) -> None:
    # Serve before any other hook (it may open the database), but after the rate
    # limiter's check (a served page counts like any other; that check opens no
    # database); store after every other hook (the transaction is committed, the
    # security headers are set).
    before = app.before_request_funcs.setdefault(None, [])
    limiters = app.extensions.get("limiter", ())
    checks = [hook for hook in before if getattr(hook, "__self__", None) in limiters]
    for hook in checks:
        before.remove(hook)
    before[0:0] = [*checks, _serve]
    app.after_request_funcs.setdefault(None, []).insert(0, _store)


def _install_session_events() -> None:
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "do_orm_execute", _on_bulk_statement)


_install_session_events()
