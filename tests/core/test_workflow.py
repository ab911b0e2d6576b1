"""State machines: transitions from a table, refusals a person can read, events recorded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.accounts import services
from participation.accounts.models import ACCOUNT_WORKFLOW, AccountState, User
from participation.core.errors import PermissionDenied, TransitionRefused
from participation.core.eventlog import DomainEvent, events_about
from participation.core.workflow import Transition, Workflow
from participation.extensions import db
from tests import factories


def test_a_transition_sets_the_state_keeps_the_previous_and_records_the_event(app):
    moderator = factories.user(roles=["moderator"])
    resident = factories.user()
    event = ACCOUNT_WORKFLOW.apply(resident, "suspend", actor=moderator, data={"reason": "propos injurieux"})
    assert resident.state == AccountState.suspended
    assert resident.previous_state == AccountState.active
    assert event.name == "user.suspended"
    assert event.data == {"from": "active", "to": "suspended", "reason": "propos injurieux"}
    assert event.actor_id == moderator.id
    assert [e.name for e in events_about(resident)][-1] == "user.suspended"


def test_a_refused_transition_changes_nothing_and_says_why(app):
    resident = factories.user()
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(DomainEvent.id)))
    with pytest.raises(TransitionRefused) as refused:
        ACCOUNT_WORKFLOW.apply(resident, "confirm", actor=resident)
    assert refused.value.message == "Votre adresse est déjà confirmée : vous pouvez vous connecter."
    with pytest.raises(TransitionRefused) as refused:
        ACCOUNT_WORKFLOW.apply(resident, "reinstate", actor=factories.user(roles=["moderator"]))
    assert "l'état actuel est « actif »" in refused.value.message
    db.session.rollback()
    assert db.session.get(User, resident.id).state == AccountState.active
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id))) == before


def test_the_actor_must_be_allowed(app):
    resident, other = factories.user(), factories.user()
    with pytest.raises(PermissionDenied):
        ACCOUNT_WORKFLOW.apply(other, "suspend", actor=resident)
    assert other.state == AccountState.active
    assert ACCOUNT_WORKFLOW.refusal(other, "suspend", resident) == "Vous n'avez pas l'autorisation de faire cette action."
    assert [t.name for t in ACCOUNT_WORKFLOW.allowed(other, resident)] == []
    assert {t.name for t in ACCOUNT_WORKFLOW.allowed(other, factories.admin())} == {"suspend", "close"}


def test_the_state_cannot_be_written_by_hand_once_stored(app):
    resident = factories.user()
    with pytest.raises(RuntimeError, match="ne se modifie que par une transition"):
        resident.state = AccountState.closed


def test_guards_refuse_with_their_own_message(app):
    from participation.core.models import TitledEnum

    class Light(TitledEnum):
        red = "red", "Rouge"
        green = "green", "Vert"

    class Thing:
        __tablename__ = "things"
        id = 1

        def __init__(self):
            self.state = Light.red
            self.previous_state = None

    flow = Workflow(thing="thing", transitions=[
        Transition("go", {Light.red}, Light.green, guards=[lambda obj, actor: "Attendez votre tour." if actor is None else None]),
    ])
    thing = Thing()
    with pytest.raises(TransitionRefused, match="Attendez votre tour."):
        flow._check(thing, "go", None)
    assert thing.state == Light.red


def test_past_tense_event_names():
    names = {t.name: t.event for t in ACCOUNT_WORKFLOW.transitions.values()}
    assert names == {"confirm": "confirmed", "suspend": "suspended", "reinstate": "reinstated", "close": "closed"}


def test_duplicate_transitions_are_a_mistake():
    with pytest.raises(ValueError):
        Workflow(thing="x", transitions=[Transition("a", {1}, 2), Transition("a", {2}, 3)])


def test_suspending_logs_the_person_out_everywhere(app, client):
    resident = factories.user("suspendu@example.org")
    client.login("suspendu@example.org", factories.PASSWORD)
    assert client.get("/compte/profil").status_code == 200
    services.suspend(resident, reason="spam", actor=factories.user(roles=["moderator"]))
    db.session.commit()
    assert client.get("/compte/profil").status_code == 302
