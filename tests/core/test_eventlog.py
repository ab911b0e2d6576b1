from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.eventlog import DomainEvent, record, subscribe
from participation.extensions import db
from participation.notifications.models import Notification
from tests import factories


def test_subscribers_run_in_the_same_transaction_and_roll_back_with_it(app):
    person = factories.user()
    db.session.commit()

    @subscribe("user.tested")
    def note(event):
        db.session.add(Notification(user_id=event.subject_id, title="Essai"))

    try:
        record("user.tested", person, person, {"x": 1})
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.title == "Essai")) == 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.title == "Essai")) == 0
        assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.name == "user.tested")) == 0
    finally:
        from participation.core import eventlog

        eventlog._subscribers["user.tested"].remove(note)


def test_wildcard_subscribers_and_context_not_stored(app):
    person = factories.user()
    seen = []

    @subscribe("user.*")
    def everything(event):
        seen.append((event.name, event.context.get("token")))

    from participation.core import eventlog

    try:
        event = record("user.poked", person, None, {"when": "now"}, context={"token": "secret"})
    finally:
        eventlog._subscribers["user.*"].remove(everything)
    assert seen == [("user.poked", "secret")]
    stored = db.session.get(DomainEvent, event.id)
    assert stored.data == {"when": "now"} and "secret" not in str(stored.data)
    assert stored.subject_type == "users" and stored.subject_id == person.id


def test_a_subscriber_error_aborts_the_operation(app):
    person = factories.user()

    @subscribe("user.exploded")
    def broken(event):
        raise RuntimeError("panne")

    from participation.core import eventlog

    try:
        with pytest.raises(RuntimeError):
            record("user.exploded", person)
    finally:
        eventlog._subscribers["user.exploded"].remove(broken)
