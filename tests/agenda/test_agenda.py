"""The agenda citoyen: filters in the URL, month list and grid, iCalendar and Atom feeds."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa
import vobject

from participation.agenda.sources import AgendaQuery, collect, sources
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.events import services
from participation.events.models import Event, EventState, event_themes
from participation.extensions import db
from tests import factories


def _at(day: date, hour: int) -> datetime:
    # Paris is UTC+1 or +2: a UTC hour of 9 is mid-morning in Paris whatever the season.
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def month():
    today = utcnow().date()
    # The first day of a month to come, so that 27 days later is the same month.
    return (date(today.year, today.month, 1) + timedelta(days=40)).replace(day=1)


def test_events_are_the_first_source():
    assert "event" in {s.kind for s in sources()}


def test_ics_with_filters_has_only_those_events_with_their_time_zone(client, month):
    mobility, culture = factories.theme("Mobilités"), factories.theme("Culture")
    loirande, bellerive = factories.commune("Loirande"), factories.commune("Bellerive")
    wanted = factories.event(title="Atelier vélo", starts_at=_at(month, 16), themes=[mobility], communes=[loirande])
    factories.event(title="Concert", starts_at=_at(month, 17), themes=[culture], communes=[loirande])
    factories.event(title="Réunion à Bellerive", starts_at=_at(month, 18), themes=[mobility], communes=[bellerive])
    factories.event(title="Brouillon", publish=False, starts_at=_at(month, 18), themes=[mobility], communes=[loirande])

    response = client.get(f"/agenda.ics?theme={mobility.id}&commune={loirande.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()

    calendar = icalendar.Calendar.from_ical(body)
    vevents = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in vevents] == ["Atelier vélo"]
    [vevent] = vevents
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTSTART") == wanted.starts_at
    assert str(vevent["UID"]) == f"event-{wanted.id}@participation.test"
    assert str(vevent["URL"]) == f"http://participation.test/evenements/{wanted.id}"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line  # folded as RFC 5545 asks

    parsed = vobject.readOne(body.decode())
    assert [e.summary.value for e in parsed.vevent_list] == ["Atelier vélo"]
    start = parsed.vevent.dtstart.value
    assert start.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert start == wanted.starts_at

    every = icalendar.Calendar.from_ical(client.get("/agenda.ics").get_data())
    assert sorted(str(e["SUMMARY"]) for e in every.walk("VEVENT")) == ["Atelier vélo", "Concert", "Réunion à Bellerive"]


def test_calendar_applications_polling_an_unchanged_feed_get_304(client, month):
    factories.event(title="Atelier vélo", starts_at=_at(month, 14))
    first = client.get("/agenda.ics")
    assert first.headers["ETag"] and first.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/agenda.ics").headers["ETag"] == first.headers["ETag"]  # the same feed, byte for byte
    unchanged = client.get("/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    factories.event(title="Concert", starts_at=_at(month, 20))
    changed = client.get("/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Concert" in changed.get_data()


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(client, month):
    event = factories.event(title="Forum annulé", starts_at=_at(month, 16))
    services.cancel_event(event, reason="Salle indisponible", actor=SYSTEM)
    [vevent] = icalendar.Calendar.from_ical(client.get("/agenda.ics").get_data()).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_the_month_list_and_grid_show_the_month_with_filters_in_the_url(client, month):
    theme = factories.theme("Jeunesse")
    factories.event(title="Conseil des jeunes", starts_at=_at(month, 15), themes=[theme])
    factories.event(title="Autre rendez-vous", starts_at=_at(month, 16))
    key = f"{month.year:04d}-{month.month:02d}"
    page = client.get(f"/agenda/?mois={key}").get_data(as_text=True)
    assert "Conseil des jeunes" in page and "Autre rendez-vous" in page
    filtered = client.get(f"/agenda/?mois={key}&theme={theme.id}").get_data(as_text=True)
    assert "Conseil des jeunes" in filtered and "Autre rendez-vous" not in filtered
    assert f"/agenda.ics?theme={theme.id}" in filtered
    grid = client.get(f"/agenda/?mois={key}&vue=grille&theme={theme.id}").get_data(as_text=True)
    assert "<caption>Grille de" in grid and "Conseil des jeunes" in grid and "Autre rendez-vous" not in grid
    other_month = client.get(f"/agenda/?mois={month.year + 1:04d}-{month.month:02d}").get_data(as_text=True)
    assert "Conseil des jeunes" not in other_month


def test_the_months_stay_within_the_mandate(client):
    factories.territory(mandate_start=date(2026, 3, 15), mandate_end=date(2032, 3, 14))
    page = client.get("/agenda/?mois=2020-01").get_data(as_text=True)
    assert "Mars 2026" in page and 'rel="prev"' not in page
    page = client.get("/agenda/?mois=2040-01").get_data(as_text=True)
    assert "Mars 2032" in page and 'rel="next"' not in page


def test_the_atom_feed_lists_newly_published_items(client, month):
    factories.event(title="Premier", starts_at=_at(month, 15))
    factories.event(title="Pas publié", publish=False, starts_at=_at(month, 15))
    response = client.get("/agenda.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
    assert titles == ["Événement : Premier"]


def test_sources_are_asked_with_the_query_and_kinds_filter(month):
    factories.event(title="Un", starts_at=_at(month, 15))
    query = AgendaQuery(start=_at(month, 0), end=_at(month + timedelta(days=1), 0))
    assert [i.title for i in collect(query)] == ["Un"]
    assert collect(AgendaQuery(start=query.start, end=query.end, kinds=frozenset({"sitting"}))) == []


def _bulk_events(n: int, month: date, theme_id: int) -> None:
    now = utcnow()
    rows = [
        {"title": f"Rendez-vous {i}", "description": "", "place_name": "Salle", "starts_at": _at(month + timedelta(days=i % 27), 8 + i % 10),
         "ends_at": _at(month + timedelta(days=i % 27), 19), "state": EventState.published, "published_at": now, "max_guests": 0,
         "waiting_list_enabled": True, "requires_account": False, "promotion_needs_confirmation": False, "promotion_hours": 48,
         "reminder_days": "7,1", "created_at": now, "updated_at": now}
        for i in range(n)
    ]
    db.session.execute(sa.insert(Event), rows)
    ids = db.session.scalars(sa.select(Event.id).where(~Event.id.in_(sa.select(event_themes.c.event_id)))).all()
    db.session.execute(sa.insert(event_themes), [{"event_id": i, "theme_id": theme_id} for i in ids])


def test_the_agenda_runs_the_same_queries_with_2000_entries(client, count_queries, month):
    theme_id = factories.theme().id
    key = f"{month.year:04d}-{month.month:02d}"
    paths = [f"/agenda/?mois={key}&vue={view}&theme={theme_id}" for view in ("liste", "grille")]
    _bulk_events(5, month, theme_id)
    client.get(paths[0])
    few = []
    for path in paths:
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        few.append(counter.count)
    _bulk_events(1995, month, theme_id)
    many = []
    for path in paths:
        with count_queries() as counter:
            page = client.get(path)
        assert page.status_code == 200
        assert "2000 rendez-vous" in page.get_data(as_text=True)
        many.append(counter.count)
    # Each source runs at most three queries (items, their themes, their communes).
    assert many == few and max(few) <= 5 + 3 * len(sources())


def test_the_calendar_feed_runs_the_same_queries_whatever_its_size(client, count_queries, month):
    theme_id = factories.theme().id
    counts = []
    for n in (3, 60):
        _bulk_events(n, month, theme_id)
        with count_queries() as counter:
            body = client.get(f"/agenda.ics?theme={theme_id}").get_data()
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 3 + 3 * len(sources())
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == 63


def test_the_feed_starts_three_months_back_while_the_agenda_keeps_the_whole_mandate(client):
    from participation.agenda.services import ICAL_MONTHS_BACK, Month, local_date

    this_month = Month.of(local_date(utcnow()))
    old_month = this_month.shift(-(ICAL_MONTHS_BACK + 2))
    recent_month = this_month.shift(-ICAL_MONTHS_BACK)
    factories.event(title="Vieille réunion", starts_at=_at(old_month.first + timedelta(days=9), 9))
    factories.event(title="Réunion récente", starts_at=_at(recent_month.first, 9))
    db.session.commit()
    feed = icalendar.Calendar.from_ical(client.get("/agenda.ics").get_data())
    assert sorted(str(e["SUMMARY"]) for e in feed.walk("VEVENT")) == ["Réunion récente"]
    assert "Vieille réunion" in client.get(f"/agenda/?mois={old_month.key}").get_data(as_text=True)
