"""Dates and times shown the French way, in the territory's time zone.

Everything is stored in UTC; these functions convert to Europe/Paris (or the
configured zone) and speak the current locale: « mardi 3 mars 2026 à 18 h 30 ».
"""

from __future__ import annotations

from datetime import date, datetime, UTC
from zoneinfo import ZoneInfo

from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale, to_user_timezone


def _is_french() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "fr"


def format_time(value: datetime) -> str:
    """« 18 h 30 », « 9 h » on the hour; in English « 6:30 pm »."""
    local = to_user_timezone(value)
    if _is_french():
        return f"{local.hour} h" if local.minute == 0 else f"{local.hour} h {local.minute:02d}"
    # « 6:30 pm »: Babel writes the period in capitals (« PM »).
    return babel_format_datetime(value, "h:mm a").replace("AM", "am").replace("PM", "pm")


def format_day(value: date | datetime) -> str:
    """« mardi 3 mars 2026 », « mardi 1er décembre 2026 »; in English « Tuesday 1 December 2026 »."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    if value.day == 1 and _is_french():
        return babel_format_date(value, "EEEE '1er' MMMM y")
    return babel_format_date(value, "EEEE d MMMM y")


def format_moment(value: datetime | None) -> str:
    """« mardi 3 mars 2026 à 18 h 30 »; in English « Tuesday 3 March 2026 at 6:30 pm »."""
    if value is None:
        return ""
    joiner = " à " if _is_french() else " at "
    return f"{format_day(value)}{joiner}{format_time(value)}"


def format_short(value: datetime | None) -> str:
    """« 03/03/2026 18:30 », for dense tables."""
    if value is None:
        return ""
    return babel_format_datetime(value, "dd/MM/y HH:mm")


def iso(value: datetime | date | None) -> str:
    """The machine-readable form for ``<time datetime="…">``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_user_timezone(value).isoformat(timespec="minutes")
    return value.isoformat()


def local_to_utc(value: datetime | None) -> datetime | None:
    """A date and time typed in a form (naive, the territory's zone), as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=territory_zone()).astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored moment as a form shows it: naive, in the territory's zone."""
    if value is None:
        return None
    return value.astimezone(territory_zone()).replace(tzinfo=None)


def territory_zone() -> ZoneInfo:
    from flask import current_app

    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))
