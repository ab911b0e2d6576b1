"""iCalendar (RFC 5545) from agenda items, with the icalendar package.

Times are written in the territory's zone (``TZID=Europe/Paris``) with the
matching ``VTIMEZONE``; all-day items are dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import icalendar
from flask import current_app

from participation.agenda.sources import AgendaItem
from participation.core.dates import territory_zone
from participation.core.models import utcnow


@lru_cache(maxsize=4)
def _vtimezone(key: str) -> bytes:
    """The zone's VTIMEZONE (its rules from 2000 on), built and written once:
    it takes tens of milliseconds, too much for each confirmation mail."""
    return icalendar.Timezone.from_tzid(key, first_date=date(2000, 1, 1), last_date=date(2038, 1, 1)).to_ical()


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def build_calendar(items: Iterable[AgendaItem], *, name: str, method: str | None = None) -> bytes:
    zone = territory_zone()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//participation//agenda citoyen//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0]
    now = utcnow()
    calendar_items = list(items)
    for item in calendar_items:
        event = icalendar.Event()
        event.add("uid", f"{item.uid}@{host}")
        # A published calendar dates each event by its last revision (RFC 5545, 3.8.7.2), which keeps
        # the feed identical between changes, and so cacheable; an invitation (a METHOD) is dated when sent.
        event.add("dtstamp", now if method else (item.updated_at or item.published_at or now))
        if item.all_day:
            first = item.start.astimezone(zone).date()
            last = max(item.end.astimezone(zone).date(), first)
            event.add("dtstart", first)
            event.add("dtend", last + timedelta(days=1))
        else:
            event.add("dtstart", item.start.astimezone(zone))
            event.add("dtend", item.end.astimezone(zone))
        event.add("summary", item.title)
        if item.summary:
            event.add("description", item.summary)
        if item.place:
            event.add("location", item.place)
        event.add("url", _absolute(item.url))
        event.add("categories", [item.kind_label])
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.updated_at:
            event.add("last-modified", item.updated_at)
        calendar.add_component(event)
    body = calendar.to_ical()
    if any(not item.all_day for item in calendar_items):
        # Every TZID used has its VTIMEZONE, placed before the events that use it.
        body = body.replace(b"BEGIN:VEVENT", _vtimezone(zone.key) + b"BEGIN:VEVENT", 1)
    return body
