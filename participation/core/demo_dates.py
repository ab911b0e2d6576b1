"""Dates for demo data that look like a real mandate, whatever the moment of seeding.

Sittings at 18 h 30 on a weekday, workshops on weekday evenings or Saturday
mornings, consultations and calls closing at 23 h 59, nothing on a French
public holiday, every time on the quarter hour. Each function takes a number
of days from today (negative: in the past) and moves forward (or, in the
past, backward) to the first day that fits.

    starts_at = evening(5)                 # a weekday evening at 18 h 30, in 5 days or a little later
    closes_at = closing(20)                # 23 h 59, in 20 days or the next working day
    starts_at = saturday_morning(24)       # 9 h 30 on the first Saturday 24 days from now or later
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")
MONDAY_TO_THURSDAY = frozenset({0, 1, 2, 3})
WEEKDAYS = frozenset({0, 1, 2, 3, 4})
SATURDAY = frozenset({5})
EVERY_DAY = frozenset(range(7))


def today() -> date:
    return datetime.now(PARIS).date()


def is_public_holiday(day: date) -> bool:
    """A French public holiday (jour férié), or Christmas Eve and New Year's Eve, when nothing public is held."""
    return day in holidays.country_holidays("FR", years=day.year) or (day.month, day.day) in {(12, 24), (12, 31)}


def demo_day(days: int, *, weekdays=WEEKDAYS) -> date:
    """The first fitting day ``days`` from today: forward for the future, backward for the past."""
    step = -1 if days < 0 else 1
    day = today() + timedelta(days=days)
    while day.weekday() not in weekdays or is_public_holiday(day):
        day += timedelta(days=step)
    return day


def at(day: date, moment: time) -> datetime:
    """``day`` at ``moment`` (Paris time, rounded down to the quarter hour) as aware UTC."""
    moment = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return datetime.combine(day, moment, tzinfo=PARIS).astimezone(UTC)


def evening(days: int, moment: time = time(18, 30), *, weekdays=MONDAY_TO_THURSDAY) -> datetime:
    """A weekday evening (18 h 30 by default): sittings, evening workshops and meetings."""
    return at(demo_day(days, weekdays=weekdays), moment)


def saturday_morning(days: int, moment: time = time(9, 30)) -> datetime:
    """A Saturday morning (9 h 30 by default): workshops, walks, forums."""
    return at(demo_day(days, weekdays=SATURDAY), moment)


def daytime(days: int, moment: time = time(9, 0)) -> datetime:
    """A working day at ``moment``: trainings, openings."""
    return at(demo_day(days, weekdays=WEEKDAYS), moment)


def closing(days: int) -> datetime:
    """23 h 59 on a working day: a consultation's or a call's closing."""
    return at(demo_day(days, weekdays=WEEKDAYS), time(23, 45)) + timedelta(minutes=14)


def opening(days: int) -> datetime:
    """9 h on a working day: a consultation's or a call's opening."""
    return at(demo_day(days, weekdays=WEEKDAYS), time(9, 0))
