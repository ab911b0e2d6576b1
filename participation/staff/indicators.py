"""Indicators of participation: the figures each domain declares for a year and a commune.

A domain declares its figures in ``participation/<domain>/indicators.py``
(imported at start-up, ``DOMAIN_MODULES``); the page ``/gestion/indicateurs``,
its CSV exports and the bilan annuel collect what is declared and never import
a domain by name::

    from participation.staff.indicators import Figure, register_indicator

    @register_indicator("events", "Événements et participation", order=50)
    def events_figures(query: IndicatorQuery) -> list[Figure]:
        ...  # a fixed number of queries for the year, whatever its size
        return [Figure(key="events_attendance", title="Événements tenus, inscrits et présents",
                       columns=("Mois", "Événements", "Inscrits", "Présents"), rows=[("janvier", 2, 40, 31), …])]

A :class:`Figure` is a table: a first column of labels and one or more
columns of numbers; its first numeric column (or ``chart_column``) is drawn
as a bar chart, always with the table beside it. Rules a declaration keeps:

* **The year and the commune**: count what happened in ``query.start`` ..
  ``query.end`` (aware UTC, the year in Paris time); filter by
  ``query.commune_id`` where the data knows its commune, and say so in
  ``note`` where it does not.
* **Bounded queries**: aggregates in SQL, a fixed number per declaration
  (the page's test asserts the total).
* **Stable keys**: ``Figure.key`` names the CSV export and the bilan's snapshot.
* **What it reads**: ``tags`` (default: the section's key, a domain's name) are
  the domains or tables its figures read. The page keeps each section's
  figures in the page cache until an event of one of them (see
  ``core/pagecache/``); a declaration that reads another domain's tables
  says so, and one that counts the journal's events (``journal=True``)
  follows every event during the year in progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MONTHS = (_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"), _l("juillet"), _l("août"), _l("septembre"),
          _l("octobre"), _l("novembre"), _l("décembre"))


@dataclass(frozen=True)
class IndicatorQuery:
    year: int
    commune_id: int | None = None

    @property
    def start(self) -> datetime:
        from participation.core.dates import local_to_utc

        return local_to_utc(datetime.combine(date(self.year, 1, 1), time()))

    @property
    def end(self) -> datetime:
        from participation.core.dates import local_to_utc

        return local_to_utc(datetime.combine(date(self.year + 1, 1, 1), time()))

    def month_of(self, column):
        """The month (1–12) of ``column`` (a UTC moment of this year) in the territory's time, in SQL.

        Not ``extract(month)``, which reads the UTC month: an answer given on 1 January at 0 h 30 in
        Paris is stored on 31 December and would count for December. The twelve UTC moments at which
        the territory's months begin are compared instead, which every database does alike.
        """
        import sqlalchemy as sa

        from participation.core.dates import local_to_utc

        starts = [local_to_utc(datetime.combine(date(self.year, m, 1), time())) for m in range(2, 13)]
        return sa.case(*[(column < start, month) for month, start in enumerate(starts, start=1)], else_=12)

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)


@dataclass
class Figure:
    key: str
    title: str
    # The header of each column: the labels' column first.
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    # Which column the chart draws (1: the first numbers).
    chart_column: int = 1
    # A remark under the figure: what it counts, what it cannot filter.
    note: str = ""
    # Totals or rates in words: [("Taux de présence", "78 %")].
    summary: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["columns"] = list(self.columns)
        data["rows"] = [list(row) for row in self.rows]
        data["summary"] = [list(item) for item in self.summary]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Figure:
        return cls(key=data["key"], title=data["title"], columns=tuple(data["columns"]), rows=[tuple(r) for r in data["rows"]],
                   chart_column=data.get("chart_column", 1), note=data.get("note", ""),
                   summary=[tuple(s) for s in data.get("summary", [])])

    @property
    def chart(self) -> list[tuple[str, float, float]]:
        """(label, value, share of the largest in %) for each row: what the SVG draws."""
        values = [(str(row[0]), row[self.chart_column] or 0) for row in self.rows]
        largest = max((v for _unused, v in values), default=0) or 1
        return [(label, value, round(100 * value / largest, 1)) for label, value in values]


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    func: Callable[[IndicatorQuery], list[Figure]]
    order: int
    tags: tuple[str, ...] = ()
    journal: bool = False


_indicators: dict[str, Indicator] = {}


def register_indicator(key: str, title: str, *, order: int = 100, tags: tuple[str, ...] | None = None, journal: bool = False):
    """Decorator: ``func(query) -> list[Figure]`` gives the figures of ``key`` (a domain's section).

    ``tags``: the domains or tables the figures read (default ``(key,)``), for the page cache;
    ``journal``: the figures count events of the journal of any kind (a log-in too).
    """

    def decorator(func):
        if key in _indicators and _indicators[key].func is not func:
            raise ValueError(_("L'indicateur « %(key)s » est déjà déclaré.", key=key))
        # lazy title: shown in the reader's language
        _indicators[key] = Indicator(key, title, func, order, tuple(tags) if tags is not None else (key,), journal)
        return func

    return decorator


def indicators() -> list[Indicator]:
    return sorted(_indicators.values(), key=lambda i: (i.order, str(i.title)))


def collect(query: IndicatorQuery) -> list[tuple[Indicator, list[Figure]]]:
    """Every declared section with its figures, in page order."""
    return [(indicator, indicator.func(query)) for indicator in indicators()]


def latest_event(query: IndicatorQuery) -> int | None:
    """For the year in progress, the latest event of any kind (one backward probe of the primary key); None otherwise.

    The sections that count the journal (``journal=True``) are kept under it: their active residents
    count every operation, a log-in too, which bumps no tag of the page cache. A past year's journal
    never grows. Time alone changes the year in progress too (an event is held once it starts): the
    fragments' lifetime bounds that.
    """
    from participation.core.models import utcnow

    if not query.start <= utcnow() < query.end:
        return None
    import sqlalchemy as sa

    from participation.core.eventlog import DomainEvent
    from participation.extensions import db

    return db.session.scalar(sa.select(sa.func.max(DomainEvent.id)))


def find_figure(query: IndicatorQuery, key: str) -> Figure | None:
    for indicator in indicators():
        for figure in indicator.func(query):
            if figure.key == key:
                return figure
    return None


def percent(part: int | float, whole: int | float) -> str:
    """« 78 % » (a narrow no-break space before the sign), « — » when nothing to divide."""
    if not whole:
        return "—"
    return f"{round(100 * part / whole)}\u202f%"


def month_rows(counts: dict[int, tuple], width: int) -> list[tuple]:
    """Twelve rows « janvier » … « décembre » from {month: (values…)}, zeros where a month is missing."""
    return [(MONTHS[m - 1], *counts.get(m, (0,) * width)) for m in range(1, 13)]


# Publications of the year that the bilan links rather than copies (a council's rapport d'activité…).
_related: list[Callable[[int], list[tuple[str, str]]]] = []


def register_related(func):
    """Decorator: ``func(year) -> [(title, path)]``, the domain's own reports of that year, for the bilan to link."""
    if func not in _related:
        _related.append(func)
    return func


def related(year: int) -> list[tuple[str, str]]:
    return [item for func in _related for item in func(year)]
