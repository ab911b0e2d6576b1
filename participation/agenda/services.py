"""Reading the agenda: periods, filters from the URL, the month grid."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


from participation.agenda.sources import AgendaItem, AgendaQuery, collect, sources
from participation.core.forms import parse_int
from participation.core.dates import territory_zone
from participation.core.models import utcnow
from participation.territory.services import current_territory
from flask_babel import lazy_gettext as _l

MONTHS = [_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"), _l("juillet"), _l("août"), _l("septembre"), _l("octobre"),
          _l("novembre"), _l("décembre")]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
# Entries of the Atom feed.
FEED_SIZE = 50
# The iCalendar feed starts this many months before the current month: a
# calendar application needs what is coming and the recent past, not six years
# of history (which the open data export keeps whole).
ICAL_MONTHS_BACK = 3


def local_midnight(day: date) -> datetime:
    """The first moment of ``day`` in the territory's zone, as aware UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=territory_zone()).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(territory_zone()).date()


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, value: str | None) -> Month | None:
        try:
            year, month = (int(p) for p in (value or "").split("-"))
            return cls(year, month) if 1 <= month <= 12 and 1900 < year < 3000 else None
        except ValueError:
            return None

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, n: int) -> Month:
        index = self.year * 12 + self.month - 1 + n
        return Month(index // 12, index % 12 + 1)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"

    def __le__(self, other: Month) -> bool:
        return (self.year, self.month) <= (other.year, other.month)

    def __lt__(self, other: Month) -> bool:
        return (self.year, self.month) < (other.year, other.month)


def mandate() -> tuple[date, date]:
    """The mandate's first and last days from the territory settings; without
    them, from a year ago to two years ahead."""
    territory = current_territory()
    today = local_date(utcnow())
    start = territory.mandate_start or date(today.year - 1, 1, 1)
    end = territory.mandate_end or date(today.year + 2, 12, 31)
    return start, end


def chosen_month(value: str | None) -> Month:
    """The month asked for, or the current one, kept within the mandate."""
    start, end = mandate()
    month = Month.parse(value) or Month.of(local_date(utcnow()))
    if month < Month.of(start):
        return Month.of(start)
    if Month.of(end) < month:
        return Month.of(end)
    return month


def _ids(values: list[str]) -> frozenset[int]:
    return frozenset(n for n in (parse_int(v, minimum=1) for v in values) if n is not None)


def query_for(start: datetime, end: datetime, args) -> AgendaQuery:
    """The query for a period with the filters of the URL (``theme``, ``commune``, ``type``, repeatable)."""
    known = {s.kind for s in sources()}
    return AgendaQuery(
        start=start,
        end=end,
        theme_ids=_ids(args.getlist("theme")),
        commune_ids=_ids(args.getlist("commune")),
        kinds=frozenset(k for k in args.getlist("type") if k in known),
    )


def month_items(month: Month, args) -> list[AgendaItem]:
    return collect(query_for(local_midnight(month.first), local_midnight(month.last + timedelta(days=1)), args))


def mandate_items(args) -> list[AgendaItem]:
    start, end = mandate()
    return collect(query_for(local_midnight(start), local_midnight(end + timedelta(days=1)), args))


def feed_items(args) -> list[AgendaItem]:
    """The iCalendar feed's items: from the first day of the month ``ICAL_MONTHS_BACK`` months ago to the mandate's end."""
    start, end = mandate()
    since = Month.of(local_date(utcnow())).shift(-ICAL_MONTHS_BACK).first
    return collect(query_for(local_midnight(max(start, since)), local_midnight(end + timedelta(days=1)), args))


def newly_published(args) -> list[AgendaItem]:
    items = [item for item in mandate_items(args) if item.published_at is not None]
    return sorted(items, key=lambda item: (item.published_at, item.uid), reverse=True)[:FEED_SIZE]


def days_of(item: AgendaItem) -> list[date]:
    """The local days an item covers (a multi-day item shows on each)."""
    first = local_date(item.start)
    end = item.end if item.all_day else item.end - timedelta(seconds=1)
    last = max(local_date(end), first)
    return [first + timedelta(days=n) for n in range(min((last - first).days, 62) + 1)]


def by_day(items: list[AgendaItem], month: Month) -> dict[date, list[AgendaItem]]:
    grouped: dict[date, list[AgendaItem]] = {}
    for item in items:
        for day in days_of(item):
            if month.first <= day <= month.last:
                grouped.setdefault(day, []).append(item)
    return dict(sorted(grouped.items()))


def grid(month: Month) -> list[list[date | None]]:
    """The month's weeks, Monday first; ``None`` pads days of other months."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [[day if day.month == month.month else None for day in week] for week in weeks]
