"""Hundreds of people registering in the same second never get more places than there are."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.locking import begin_writing
from participation.events import services
from participation.events.models import Event, Registration, RegistrationState
from participation.extensions import db
from tests import factories


@pytest.mark.committing
def test_300_simultaneous_registrations_for_100_places(app):
    """Each registration runs in its own thread, application context, session
    and transaction, as concurrent requests do; all start together."""
    event = factories.event(capacity=100, waiting_list_enabled=True)
    event_id = event.id
    people = [
        User(email=f"concurrent{i}@example.org", display_name=f"Personne {i}", login_key=f"{i:032d}", state="active")
        for i in range(300)
    ]
    db.session.add_all(people)
    db.session.commit()
    user_ids = [p.id for p in people]
    db.session.remove()

    # SQLite runs one writer at a time and makes the others wait up to its busy
    # timeout: fewer threads queue there, each still racing the others.
    workers = 6 if db.engine.dialect.name == "sqlite" else 30
    start = threading.Barrier(workers)
    errors: list[BaseException] = []
    outcomes: list[str] = []
    lock = threading.Lock()

    def register_some(ids):
        with app.app_context():
            try:
                start.wait()
                for user_id in ids:
                    begin_writing()
                    registration = services.register(db.session.get(Event, event_id), actor=db.session.get(User, user_id))
                    state = registration.state.value
                    db.session.commit()
                    db.session.remove()
                    with lock:
                        outcomes.append(state)
            except BaseException as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register_some, args=(user_ids[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, [(e, getattr(e, "statement", None)) for e in errors[:3]]
    assert sorted(set(outcomes)) == ["confirmed", "waiting"]
    counts = dict(db.session.execute(
        sa.select(Registration.state, sa.func.count()).where(Registration.event_id == event_id).group_by(Registration.state)
    ).all())
    assert counts == {RegistrationState.confirmed: 100, RegistrationState.waiting: 200}
    assert services.places_taken(db.session.get(Event, event_id)) == 100


@pytest.mark.parametrize("capacity", [None, 20])
def test_an_address_registered_again_gets_its_registration_back(app, capacity):
    """Without a capacity the address is not looked for first: the unique index on a live address refuses
    the second registration, which is answered as for an address already registered (a fresh link, the same page)."""
    from participation.core.eventlog import DomainEvent

    event = factories.event(capacity=capacity)
    first = services.register(event, actor=None, name="Camille Martin", email="camille@example.org")
    again = services.register(event, actor=None, name="Camille Martin", email="Camille@Example.org ")
    db.session.flush()
    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event.id)) == 1
    names = db.session.scalars(sa.select(DomainEvent.name).where(DomainEvent.subject_type == "registrations",
                                                                 DomainEvent.subject_id == first.id).order_by(DomainEvent.id)).all()
    assert names == ["registration.created", "registration.link_requested"]


def test_a_code_already_given_is_drawn_again(app, monkeypatch):
    event = factories.event(capacity=None)
    taken = services.register(event, actor=None, name="Camille Martin", email="camille@example.org").code
    codes = iter([taken, "WXYZ-2345"])
    monkeypatch.setattr(services, "_new_code", lambda: next(codes))
    registration = services.register(event, actor=None, name="Léa Passante", email="lea@example.org")
    db.session.flush()
    assert registration.code == "WXYZ-2345" and registration.state == RegistrationState.held
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event.id)) == 2


@pytest.mark.committing
def test_many_registrations_at_once_without_a_capacity_all_land(app):
    event = factories.event(capacity=None)
    event_id = event.id
    db.session.commit()
    db.session.remove()
    workers = 4 if db.engine.dialect.name == "sqlite" else 12
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def register_some(worker):
        with app.app_context():
            try:
                start.wait()
                for i in range(10):
                    begin_writing()
                    # Half the addresses are asked twice, by two workers at once.
                    services.register(db.session.get(Event, event_id), actor=None, name="Personne", email=f"p{(worker // 2)}-{i}@example.org")
                    db.session.commit()
                    db.session.remove()
            except BaseException as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register_some, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    emails = db.session.scalars(sa.select(Registration.email).where(Registration.event_id == event_id)).all()
    assert sorted(emails) == sorted({f"p{w // 2}-{i}@example.org" for w in range(workers) for i in range(10)})
