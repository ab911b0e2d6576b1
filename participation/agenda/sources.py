"""The agenda's sources: how a domain puts its dated things in the agenda citoyen.

The agenda keeps no copy of anything. Each domain registers one function
(a *source*) that, for a period and the filters a visitor chose, returns
:class:`AgendaItem` values built from its own tables. The agenda page, the
iCalendar feed and the Atom feed all call :func:`collect`, which asks every
source whose kind is wanted and merges the answers by date.

Writing a source: put it in ``participation/<domain>/agenda.py``, which
``create_app()`` imports for every domain (``DOMAIN_MODULES``), so that it
registers at start-up (``participation/events/agenda.py`` is the first one)::

    from participation.agenda.sources import AgendaItem, AgendaQuery, register_source

    @register_source("sitting", "Séance publique")
    def public_sittings(query: AgendaQuery) -> list[AgendaItem]:
        statement = (
            sa.select(Sitting)
            .where(Sitting.public.is_(True), Sitting.starts_at < query.end, Sitting.ends_at > query.start)
            .options(selectinload(Sitting.council))
            .order_by(Sitting.starts_at)
        )
        if query.theme_ids:
            statement = statement.where(Sitting.council.has(Council.themes.any(Theme.id.in_(query.theme_ids))))
        if query.commune_ids:
            statement = statement.where(Sitting.commune_id.in_(query.commune_ids))
        return [
            AgendaItem(
                kind="sitting", kind_label="Séance publique",
                title=f"{s.council.name} : séance", start=s.starts_at, end=s.ends_at,
                url=url_for("councils.sitting", sitting_id=s.id),   # a path, made absolute by the feeds
                place=s.place, summary=s.agenda_text,
                theme_ids=frozenset(t.id for t in s.council.themes),
                commune_ids=frozenset({s.commune_id}) if s.commune_id else frozenset(),
                uid=f"sitting-{s.id}", published_at=s.convened_at,
            )
            for s in db.session.scalars(statement)
        ]

The rules a source keeps:

* **Overlap, not containment**: return what overlaps ``[query.start,
  query.end)`` (times are aware UTC), public things only.
* **Filters**: ``theme_ids`` and ``commune_ids`` are sets of ids; an item
  matches when it shares at least one id with each non-empty set. Filter in
  SQL; an item with no commune belongs to the whole territory and matches
  a commune filter (put such items in with ``or_``… as fits your data).
* **Bounded queries**: a fixed number of queries whatever the number of
  rows (eager-load with ``selectinload``); the agenda with 2,000 items is
  tested for it.
* **Stable uid**: the same thing keeps the same ``uid`` forever (calendar
  programs update an entry by it): ``"<kind>-<id>"`` or
  ``"<kind>-<id>-opening"`` when one row gives several dated items.
* **All-day items** (a deadline, a consultation's opening): ``all_day=True``
  and ``start`` at any moment of that day (Paris time); ``end`` may equal
  ``start`` for a one-day item, or be the last day's moment.
* ``published_at``: when the thing became public, for the Atom feed of new
  items (``None`` keeps it out of the feed).
* ``cancelled``: still shown, marked as cancelled (``STATUS:CANCELLED`` in
  iCalendar), so that subscribers' calendars learn it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from flask_babel import gettext as _



@dataclass(frozen=True)
class AgendaItem:
    # What kind of thing: the key the source was registered with ("event", "sitting"…).
    kind: str
    # The kind as people read it: « Événement », « Séance publique ».
    kind_label: str
    title: str
    start: datetime
    end: datetime
    # A path on this site ("/evenements/12"); feeds make it absolute.
    url: str
    # Unique and stable across time for this thing, e.g. "event-12".
    uid: str
    all_day: bool = False
    place: str | None = None
    # A short plain-text description (a few lines).
    summary: str | None = None
    theme_ids: frozenset[int] = field(default_factory=frozenset)
    commune_ids: frozenset[int] = field(default_factory=frozenset)
    published_at: datetime | None = None
    cancelled: bool = False
    # When the thing last changed: iCalendar's LAST-MODIFIED, the feed's <updated>.
    updated_at: datetime | None = None


@dataclass(frozen=True)
class AgendaQuery:
    """A period (aware UTC, end excluded) and the visitor's filters."""

    start: datetime
    end: datetime
    theme_ids: frozenset[int] = frozenset()
    commune_ids: frozenset[int] = frozenset()
    # Wanted kinds; empty means every kind.
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    func: Callable[[AgendaQuery], list[AgendaItem]]
    # What the source reads, for the page cache: domains or tables (see core/pagecache/).
    tags: tuple[str, ...] = ()


_sources: dict[str, Source] = {}


def register_source(kind: str, label: str, tags: tuple[str, ...] | None = None):
    """Decorator: ``func(query) -> list[AgendaItem]`` gives the agenda the items of ``kind``.

    ``tags``: what the source reads, for the page cache (domains or tables);
    by default the whole domain of the module that declares it.
    """

    def decorator(func):
        if kind in _sources and _sources[kind].func is not func:
            raise ValueError(_("La source d'agenda « %(kind)s » est déjà déclarée.", kind=kind))
        _sources[kind] = Source(kind, label, func, tuple(tags) if tags is not None else (_domain_of(func),))  # lazy label: read in the reader's language
        return func

    return decorator


def _domain_of(func) -> str:
    parts = func.__module__.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def sources() -> list[Source]:
    """Every registered source, in the order of their labels (for the kind filter)."""
    return sorted(_sources.values(), key=lambda s: str(s.label))


def cache_tags() -> tuple[str, ...]:
    """What the agenda's pages show, for the page cache: every source's tags."""
    return tuple(sorted({tag for source in _sources.values() for tag in source.tags}))


def collect(query: AgendaQuery) -> list[AgendaItem]:
    """The items of every wanted source for ``query``, by start then title."""
    items: list[AgendaItem] = []
    for source in _sources.values():
        if query.kinds and source.kind not in query.kinds:
            continue
        items.extend(source.func(query))
    return sorted(items, key=lambda item: (item.start, item.title, item.uid))


def linked_ids(table, owner_column: str, target_column: str, owner_ids) -> dict[int, frozenset[int]]:
    """For a link table (``event_themes``…): owner id → the ids it links to, in one query."""
    import sqlalchemy as sa

    from participation.extensions import db

    links: dict[int, set[int]] = {}
    owner, target = table.c[owner_column], table.c[target_column]
    for owner_id, target_id in db.session.execute(sa.select(owner, target).where(owner.in_(owner_ids))):
        links.setdefault(owner_id, set()).add(target_id)
    return {key: frozenset(values) for key, values in links.items()}


def matches_links(column, table, owner_column: str, target_column: str, wanted, *, empty_matches: bool = False):
    """A SQL condition: the owner (``column``) links to one of ``wanted`` through ``table``;
    with ``empty_matches``, an owner with no link at all matches too (it concerns the whole territory)."""
    import sqlalchemy as sa

    owner, target = table.c[owner_column], table.c[target_column]
    condition = column.in_(sa.select(owner).where(target.in_(wanted)))
    if empty_matches:
        condition = sa.or_(condition, ~column.in_(sa.select(owner)))
    return condition
