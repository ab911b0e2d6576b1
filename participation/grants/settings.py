"""The numbers of the law, held as configuration with DOMAIN.md's values as defaults.

Each can be set in the application's configuration or in the environment
(``GRANTS_CONVENTION_THRESHOLD_EUROS=23000``…).
"""

from __future__ import annotations

import os

from flask import current_app

DEFAULTS = {
    # Above this yearly total for one association (cash and in-kind), a convention is required (loi 2000-321 art. 10).
    "GRANTS_CONVENTION_THRESHOLD_EUROS": 23_000,
    # Above this amount, or this share of the association's budget, a certified balance sheet is required (L2313-1).
    "GRANTS_CERTIFIED_BALANCE_THRESHOLD_EUROS": 75_000,
    "GRANTS_CERTIFIED_BALANCE_SHARE_PERCENT": 50,
    # The financial report (CERFA 15059*02) is due this many months after the end of the financial year.
    "GRANTS_REPORT_DELAY_MONTHS": 6,
    # Reminders before the report is due, in days; a last one when it is late.
    "GRANTS_REPORT_REMINDER_DAYS": (30, 7),
    # An association's document older than this is flagged.
    "GRANTS_DOCUMENT_MAX_AGE_DAYS": 365,
    # Uploads, in megabytes.
    "GRANTS_UPLOAD_MAX_MB": 5,
    # How long an invitation to represent an association stays valid.
    "GRANTS_INVITATION_DAYS": 14,
    # Open data must be published within this many months of the convention (décret 2017-779).
    "GRANTS_OPENDATA_DELAY_MONTHS": 3,
}


def setting(name: str):
    """The configured value, else the environment's, else the default."""
    default = DEFAULTS[name]
    if name in current_app.config:
        return current_app.config[name]
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    if isinstance(default, tuple):
        return tuple(int(part) for part in raw.split(",") if part.strip())
    return type(default)(raw)


def threshold_cents(name: str) -> int:
    return int(setting(name)) * 100
