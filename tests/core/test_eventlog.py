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


def test_deferred_subscribers_run_in_the_worker_and_a_failure_is_retried_later(app):
    from datetime import timedelta

    from participation.core import eventlog
    from participation.core.eventlog import DomainEvent, run_deferred
    from participation.core.models import utcnow

    calm, stormy = factories.user(), factories.user()
    seen = []

    @subscribe("user.waved", deferred=True)
    def later(event):
        if event.subject.id == stormy.id:
            raise RuntimeError("panne")
        seen.append((event.subject.id, event.actor.id, event.context))

    try:
        record("user.waved", calm, stormy, context={"token": "jamais stocké"})
        record("user.waved", stormy, calm)
        assert seen == []  # nothing in the request
        assert run_deferred() == 1
        assert seen == [(calm.id, stormy.id, {})]  # read again from the database, without the context
        [left] = db.session.scalars(sa.select(DomainEvent).where(DomainEvent.deferred_due_at.is_not(None))).all()
        assert left.subject_id == stormy.id
        assert left.deferred_attempts == 1 and "panne" in left.deferred_error and left.deferred_due_at > utcnow()
        assert run_deferred() == 0  # not due yet
        later_on = utcnow() + timedelta(hours=1)
        assert run_deferred(now=later_on) == 0 and db.session.get(DomainEvent, left.id).deferred_attempts == 2
    finally:
        eventlog._deferred["user.waved"].remove(later)
    assert run_deferred(now=later_on + timedelta(hours=1)) == 1  # no subscriber any more: done
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.deferred_due_at.is_not(None))) == 0
    # What the events say is kept as it was written.
    assert [(e.name, e.subject_id, e.actor_id) for e in db.session.scalars(sa.select(DomainEvent).where(DomainEvent.name == "user.waved"))] == \
        [("user.waved", calm.id, stormy.id), ("user.waved", stormy.id, calm.id)]


def test_deferred_subscribers_that_keep_failing_show_on_the_admins_dashboard_only(client):
    from participation.core import eventlog
    from participation.core.eventlog import deferred_failures, run_deferred
    from tests.staff.conftest import login, text

    admin = factories.admin(email="admin-suites@example.org")
    staff = factories.staff(email="agent-suites@example.org")
    person = factories.user()
    db.session.commit()

    @subscribe("user.stumbled", deferred=True)
    def failing(event):
        raise RuntimeError("le serveur de recherche ne répond pas")

    try:
        record("user.stumbled", person)
        record("user.stumbled", person)
        db.session.commit()
        assert deferred_failures() is None  # queued, not failed: nothing to say yet
        assert run_deferred() == 0
    finally:
        eventlog._deferred["user.stumbled"].remove(failing)
    failures = deferred_failures()
    assert failures.waiting == 2 and "le serveur de recherche ne répond pas" in failures.last_error

    login(client, admin)
    page = text(client.get("/gestion/"))
    assert "Suites d'événements en échec" in page and "2 événements attendent leurs suites" in page
    assert "Dernière erreur : RuntimeError: le serveur de recherche ne répond pas" in page
    other = client.application.test_client()
    login(other, staff)
    assert "Suites d'événements en échec" not in text(other.get("/gestion/"))

    assert run_deferred(now=utcnow_in_hours(7)) == 2  # the subscriber is gone: the next try succeeds
    assert deferred_failures() is None
    assert "Suites d'événements en échec" not in text(client.get("/gestion/"))


def utcnow_in_hours(hours: int):
    from datetime import timedelta

    from participation.core.models import utcnow

    return utcnow() + timedelta(hours=hours)
