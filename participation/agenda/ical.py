"""iCalendar (RFC 5545) from agenda items, with the icalendar package.

Times are written in the territory's zone (``TZID=Europe/Paris``) with the
matching ``VTIMEZONE``, its changes as yearly rules (RRULE); all-day items are dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app

from participation.agenda.sources import AgendaItem
from participation.core.dates import territory_zone
from participation.core.models import utcnow


# The years whose rules the VTIMEZONE states: a rule that held all along is written as an RRULE.
RULE_YEARS = range(2010, 2038)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Change:
    local: datetime  # wall time just before the change, in the offset it leaves
    before: timedelta
    after: timedelta
    name: str

    @property
    def rule(self) -> tuple:
        """Month, weekday, week of the month (-1: the last), and wall-clock time: what repeats each year."""
        day = self.local.day
        last = (self.local.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        week = -1 if day > last.day - 7 else (day - 1) // 7 + 1
        return self.local.month, self.local.weekday(), week, self.local.time(), self.before, self.after, self.name


def _changes(zone: ZoneInfo, year: int) -> list[_Change]:
    """The zone's offset changes in ``year``, found day by day then by quarter hours (no zone changes twice in a day)."""
    changes = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + timedelta(days=1)
        if following.astimezone(zone).utcoffset() != offset:
            minute = moment
            while (minute + timedelta(minutes=15)).astimezone(zone).utcoffset() == offset:
                minute += timedelta(minutes=15)
            instant = minute + timedelta(minutes=15)
            after = instant.astimezone(zone)
            changes.append(_Change(local=(instant + offset).replace(tzinfo=None), before=offset, after=after.utcoffset(), name=after.tzname()))
            offset = after.utcoffset()
        moment = following
    return changes


def _offset(value: timedelta) -> str:
    minutes = int(value.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@lru_cache(maxsize=4)
def _vtimezone(key: str) -> bytes | None:
    """The zone's VTIMEZONE, its changes as yearly RRULE rules, the way calendar clients
    (and the readers vobject and dateutil) expect them: a list of RDATE dates is read by some
    as no change at all, an event in July landing an hour off. ``None`` when the zone's
    changes follow no yearly rule over the years covered: times are then written in UTC."""
    zone = ZoneInfo(key)
    by_year = [_changes(zone, year) for year in RULE_YEARS]
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    if not any(by_year):
        offset = datetime(RULE_YEARS[0], 1, 1, tzinfo=UTC).astimezone(zone)
        lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", f"TZOFFSETFROM:{_offset(offset.utcoffset())}",
                  f"TZOFFSETTO:{_offset(offset.utcoffset())}", f"TZNAME:{offset.tzname()}", "END:STANDARD"]
    else:
        rules = {tuple(change.rule for change in changes) for changes in by_year}
        if len(rules) != 1:
            return None
        for change in by_year[0]:
            month, weekday, week, _time, before, after, name = change.rule
            kind = "DAYLIGHT" if after > before else "STANDARD"
            lines += [f"BEGIN:{kind}", f"DTSTART:{change.local:%Y%m%dT%H%M%S}", f"RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY={week}{DAYS[weekday]}",
                      f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after)}", f"TZNAME:{name}", f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return ("\r\n".join(lines) + "\r\n").encode()


def _vevent(item: AgendaItem, host: str, base_url: str, zone: ZoneInfo, written_zone, stamp: datetime | None) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{item.uid}@{host}")
    # A published calendar dates each event by its last revision (RFC 5545, 3.8.7.2), which keeps
    # the feed identical between changes, and so cacheable; an invitation (a METHOD) is dated when sent.
    event.add("dtstamp", stamp or item.updated_at or item.published_at or utcnow())
    if item.all_day:
        first = item.start.astimezone(zone).date()
        last = max(item.end.astimezone(zone).date(), first)
        event.add("dtstart", first)
        event.add("dtend", last + timedelta(days=1))
    else:
        event.add("dtstart", item.start.astimezone(written_zone))
        event.add("dtend", item.end.astimezone(written_zone))
    event.add("summary", item.title)
    if item.summary:
        event.add("description", item.summary)
    if item.place:
        event.add("location", item.place)
    event.add("url", base_url.rstrip("/") + item.url)
    event.add("categories", [item.kind_label])
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.updated_at:
        event.add("last-modified", item.updated_at)
    return event


# A feed's VEVENTs, by item (a frozen dataclass: any change makes another key). About 600 bytes each.
@lru_cache(maxsize=20_000)
def _cached_vevent(item: AgendaItem, host: str, base_url: str, zone_key: str, in_utc: bool) -> bytes:
    zone = ZoneInfo(zone_key)
    return _vevent(item, host, base_url, zone, UTC if in_utc else zone, None).to_ical()


def build_calendar(items: Iterable[AgendaItem], *, name: str, method: str | None = None) -> bytes:
    """The one function that writes iCalendar: the agenda feed, an event's file, the file sent with a registration."""
    zone = territory_zone()
    vtimezone = _vtimezone(zone.key)
    # Without a VTIMEZONE every client reads right, times are written in UTC.
    written_zone = zone if vtimezone is not None else UTC
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//participation//agenda citoyen//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    base_url = current_app.config["BASE_URL"]
    host = base_url.split("://", 1)[-1].split("/", 1)[0]
    now = utcnow()
    calendar_items = list(items)
    vevents = []
    for item in calendar_items:
        if method is None and (item.updated_at or item.published_at):
            # A feed's entry depends on the item alone: written once, kept while the item is unchanged.
            vevents.append(_cached_vevent(item, host, base_url, zone.key, written_zone is UTC))
        else:
            vevents.append(_vevent(item, host, base_url, zone, written_zone, now).to_ical())
    head, tail = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    body = head + b"".join(vevents) + b"END:VCALENDAR" + tail
    if vtimezone is not None and any(not item.all_day for item in calendar_items):
        # Every TZID used has its VTIMEZONE, placed before the events that use it.
        body = body.replace(b"BEGIN:VEVENT", vtimezone + b"BEGIN:VEVENT", 1)
    return body
