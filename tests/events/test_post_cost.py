"""Registering costs the same whatever the event's registrations already there, and queues one confirmation mail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.core.eventlog import run_deferred
from participation.core.outbox import OutboxMail
from participation.events.models import Attendance, Registration, RegistrationState
from participation.extensions import db
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _bulk_registrations(event, n: int, start: int) -> None:
    db.session.execute(sa.insert(Registration), [
        {"event_id": event.id, "email": f"p{i}@example.org", "name": f"Personne {i}", "guests": 0, "answers": {}, "code": f"{i:04d}-WXYZ",
         "state": RegistrationState.confirmed, "attendance": Attendance.unknown}
        for i in range(start, start + n)
    ])
    db.session.commit()


def _register(client, count_queries, event_id: int, email: str) -> int:
    path = f"/evenements/{event_id}/inscription"
    token = CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)
    with count_queries() as counter:
        response = client.post(path, data={"csrf_token": token, "name": "Camille Martin", "email": email, "accessibility_needs": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return counter.count


@pytest.mark.parametrize("capacity", [None, 5000])
def test_a_registration_without_an_account_runs_the_same_queries_with_many_registrations(client, count_queries, capacity):
    event = factories.event(capacity=capacity)
    event_id = event.id
    _bulk_registrations(event, 3, 0)
    _register(client, count_queries, event_id, "premiere@example.org")
    few = _register(client, count_queries, event_id, "deuxieme@example.org")
    _bulk_registrations(event, 1000, 3)
    many = _register(client, count_queries, event_id, "troisieme@example.org")
    assert many == few
    if capacity is None:
        # The event with its questions, the registration (no savepoint: a refused row is skipped, not an error),
        # the journal's event (which queues the confirmation mail for the worker).
        assert few == 3, few
    # The confirmation mail is written by the worker, once, for that address only, and its link works.
    assert not db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == "troisieme@example.org")).all()
    run_deferred()
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == "troisieme@example.org")).all()
    assert len(mails) == 1 and "Confirmez votre inscription" in mails[0].subject
    link = re.search(r"http://[^/\s]+(/evenements/inscription/[^\s]+)", mails[0].body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Confirmer mon inscription</button>" in page.get_data(as_text=True)
    registration = db.session.scalar(sa.select(Registration).where(Registration.email == "troisieme@example.org"))
    assert registration.state == RegistrationState.held
