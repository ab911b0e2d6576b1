"""The iCalendar files read the same times in icalendar, vobject and dateutil,
in winter, in summer and on each side of both changes of 2027."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from dateutil import tz as dateutil_tz

from participation.agenda.ical import build_calendar
from participation.agenda.sources import AgendaItem
from tests import factories

PARIS = ZoneInfo("Europe/Paris")
# Wall-clock times in Paris: winter, summer, and each side of the changes of 28 March and 31 October 2027.
MOMENTS = [
    datetime(2027, 1, 14, 10, 0),
    datetime(2027, 7, 14, 10, 0),
    datetime(2027, 3, 28, 1, 30),
    datetime(2027, 3, 28, 3, 30),
    datetime(2027, 10, 31, 1, 30),
    datetime(2027, 10, 31, 3, 30),
    datetime(2027, 12, 24, 18, 30),
]


def _item(n: int, local: datetime) -> AgendaItem:
    start = local.replace(tzinfo=PARIS).astimezone(UTC)
    return AgendaItem(kind="event", kind_label="Événement", title=f"Rendez-vous {n}", start=start, end=start + timedelta(hours=1),
                      url=f"/evenements/{n}", uid=f"event-{n}")


def _read_with_icalendar(body: bytes) -> dict[str, datetime]:
    return {str(e["SUMMARY"]): e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _read_with_vobject(body: bytes) -> dict[str, datetime]:
    return {e.summary.value: e.dtstart.value for e in vobject.readOne(body.decode()).vevent_list}


def _read_with_dateutil(body: bytes) -> dict[str, datetime]:
    """dateutil reads the VTIMEZONE only (``tzical``); the events' DTSTART are then placed in it."""
    zones = dateutil_tz.tzical(io.StringIO(body.decode()))
    found = {}
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        prop = event["DTSTART"]
        raw = prop.to_ical().decode()
        naive = datetime.strptime(raw.rstrip("Z"), "%Y%m%dT%H%M%S")
        zone = dateutil_tz.UTC if raw.endswith("Z") else zones.get(prop.params["TZID"])
        found[str(event["SUMMARY"])] = naive.replace(tzinfo=zone)
    return found


@pytest.mark.parametrize("reader", [_read_with_icalendar, _read_with_vobject, _read_with_dateutil], ids=["icalendar", "vobject", "dateutil"])
def test_every_reader_gets_the_paris_time_in_winter_summer_and_around_both_changes(app, reader):
    with app.test_request_context():
        body = build_calendar([_item(n, local) for n, local in enumerate(MOMENTS)], name="Agenda")
    read = reader(body)
    assert len(read) == len(MOMENTS)
    for n, local in enumerate(MOMENTS):
        got = read[f"Rendez-vous {n}"]
        expected = local.replace(tzinfo=PARIS)
        assert got == expected, (local, got, got.utcoffset())
        # The time a person reads in Paris: 10:00 in July is 10:00, not 11:00.
        assert got.astimezone(PARIS).replace(tzinfo=None) == local


def test_the_vtimezone_states_yearly_rules():
    from participation.agenda.ical import _vtimezone

    text = _vtimezone("Europe/Paris").decode()
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in text and "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in text
    assert "RDATE" not in text


def test_the_agenda_feed_and_an_events_file_read_10_00_in_july_in_all_three(client):
    event = factories.event(title="Atelier d'été", starts_at=datetime(2027, 7, 14, 8, 0, tzinfo=UTC))  # 10:00 in Paris
    for path in ("/agenda.ics", f"/evenements/{event.id}.ics"):
        body = client.get(path).get_data()
        for reader in (_read_with_icalendar, _read_with_vobject, _read_with_dateutil):
            start = reader(body)["Atelier d'été"]
            assert (start.astimezone(PARIS).hour, start.astimezone(PARIS).minute) == (10, 0), (path, reader.__name__, start)
