"""The numbers of the law, held as configuration (``participation/config.py``,
``GRANTS_*``) with DOMAIN.md's values as defaults."""

from __future__ import annotations

from flask import current_app


def setting(name: str):
    return current_app.config[name]


def threshold_cents(name: str) -> int:
    return int(setting(name)) * 100
