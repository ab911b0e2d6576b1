"""Tags and generations: what a page shows, and the counters that move when it changes.

A page's entry is kept under the generation of the tags it shows (``expand_tags``): in Redis, counters
shared by every worker; without Redis, the latest event of each tag plus this process's commits. The
counters move when a transaction that recorded an event commits (``mark_changed``, then ``_bump`` from the
session's ``after_commit``, see ``hooks``). Here too: the journal's generation, the Redis client and the
counters a request reads ahead, and the in-process LRU (``local_pages``) that every kind of entry shares.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request

_DIRTY = "page_cache_dirty"
_REDIS_GENERATION = "pagecache:tag:"
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


# The people's counters (``people``): what ``_bump`` moves for the people a transaction changed.
_REDIS_PERSON = "pagecache:person:"
_REDIS_PEOPLE = "pagecache:people"


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
