"""The indicators count months in the territory's time (Europe/Paris), not in UTC."""

from __future__ import annotations

from datetime import datetime, UTC

from participation.staff.indicators import IndicatorQuery, collect
from tests import factories


def _figure(query: IndicatorQuery, key: str):
    return next(f for _, figures in collect(query) for f in figures if f.key == key)


def test_an_account_opened_on_new_years_night_counts_for_january():
    # 1 January 2026 at 0 h 30 in Paris is 31 December 2025 at 23 h 30 UTC.
    person = factories.user("nouvel-an@example.org")
    person.created_at = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    late = factories.user("saint-sylvestre@example.org")
    late.created_at = datetime(2026, 12, 31, 22, 45, tzinfo=UTC)  # 23 h 45 in Paris: still December
    summer = factories.user("ete@example.org")
    summer.created_at = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 1 July at 0 h 30 in Paris (UTC+2)
    rows = {row[0]: row[1] for row in _figure(IndicatorQuery(2026), "accounts_by_month").rows}
    assert rows["janvier"] == 1 and rows["décembre"] == 1 and rows["juillet"] == 1 and rows["juin"] == 0
    previous = {row[0]: row[1] for row in _figure(IndicatorQuery(2025), "accounts_by_month").rows}
    assert sum(previous.values()) == 0  # not counted in 2025's December
