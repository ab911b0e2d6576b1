"""Logged-in people share the agenda's month and its iCalendar feed (built once), never each other's header,
and see a change at their next request."""

from __future__ import annotations

import pytest

from participation.agenda import services as agenda
from participation.core.permissions import SYSTEM
from participation.extensions import db
from tests import factories


@pytest.fixture
def builds(monkeypatch):
    calls = {"month": 0, "feed": 0}
    month_items, feed_items = agenda.month_items, agenda.feed_items

    def counting_month(*args, **kwargs):
        calls["month"] += 1
        return month_items(*args, **kwargs)

    def counting_feed(*args, **kwargs):
        calls["feed"] += 1
        return feed_items(*args, **kwargs)

    monkeypatch.setattr(agenda, "month_items", counting_month)
    monkeypatch.setattr(agenda, "feed_items", counting_feed)
    return calls


def test_logged_in_people_share_the_month_and_the_feed_and_see_a_change_at_once(cache_on, app, builds, logged_in):
    from participation.events import services as events

    event = factories.event(title="Balade urbaine")
    alice = factories.user(display_name="Alice Martin")
    bruno = factories.user(display_name="Bruno Petit")
    db.session.commit()
    month = f"/agenda/?mois={event.starts_at.strftime('%Y-%m')}"
    as_alice, as_bruno = logged_in(alice.email, bruno.email)

    text = as_alice.get(month).get_data(as_text=True)
    assert "Balade urbaine" in text and "Alice Martin" in text
    text = as_bruno.get(month).get_data(as_text=True)
    assert "Balade urbaine" in text and "Bruno Petit" in text and "Alice Martin" not in text
    assert "Balade urbaine" in as_alice.get("/agenda.ics").get_data(as_text=True)
    assert as_bruno.get("/agenda.ics").get_data(as_text=True).startswith("BEGIN:VCALENDAR")
    assert builds == {"month": 1, "feed": 1}
    # Another month, or a filter, is another piece.
    as_alice.get(month + "&vue=grille")
    assert builds["month"] == 2

    events.update_event(event, {"title": "Balade au bord de Loire", "starts_at": event.starts_at, "ends_at": event.ends_at,
                                "place_name": event.place_name, "address": event.address, "capacity": event.capacity},
                        actor=SYSTEM)
    db.session.commit()
    assert "Balade au bord de Loire" in as_bruno.get(month).get_data(as_text=True)
    assert "Balade au bord de Loire" in as_alice.get("/agenda.ics").get_data(as_text=True)
    assert builds == {"month": 3, "feed": 2}
