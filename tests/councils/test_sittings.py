"""Sittings: convocations, reminders and notices by mail, answers and proxies, quorum, minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.errors import DomainError, TransitionRefused, ValidationError
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.councils import extras, jobs, sittings
from participation.councils.models import MinutesState
from participation.extensions import db
from tests import factories


def _council_with(n):
    council = factories.council()
    return council, [factories.member(council) for _ in range(n)]


def test_convocation_reminder_and_move_each_reach_members_once_by_mail(client, mailbox):
    council, members = _council_with(3)
    sitting = factories.sitting(council, days=12, items=2)
    sittings.publish_sitting(sitting, actor=SYSTEM)
    assert sitting.convened_at is None  # 12 days ahead: the convocation waits

    # Seven days before, the worker sends it, once, however often it runs.
    seven_days_before = sitting.starts_at - timedelta(days=7)
    assert jobs.send_due_convocations(now=seven_days_before - timedelta(hours=1)) == 0
    assert jobs.send_due_convocations(now=seven_days_before) == 1
    assert jobs.send_due_convocations(now=seven_days_before + timedelta(minutes=5)) == 0
    deliver_due()
    deliver_due()
    convocations = [m for m in mailbox if m.subject == f"Convocation : {sitting.title}"]
    assert sorted(r for m in convocations for r in m.recipients) == sorted(m.user.email for m in members)
    assert "Point 1" in convocations[0].text and "Point 2" in convocations[0].text

    # Two answer present, one absent; the day before, only those present get a reminder.
    sittings.answer_convocation(sitting, answer="present", actor=members[0].user)
    sittings.answer_convocation(sitting, answer="present", actor=members[1].user)
    sittings.answer_convocation(sitting, answer="absent", actor=members[2].user)
    mailbox.clear()
    day_before = sitting.starts_at - timedelta(hours=20)
    assert jobs.send_sitting_reminders(now=day_before) == 2
    assert jobs.send_sitting_reminders(now=day_before + timedelta(hours=1)) == 0
    deliver_due()
    assert sorted(r for m in mailbox for r in m.recipients) == sorted([members[0].user.email, members[1].user.email])
    assert all(m.subject.startswith("Rappel") for m in mailbox)

    # Moving the sitting tells everyone convened.
    mailbox.clear()
    sittings.move_sitting(sitting, starts_at=sitting.starts_at + timedelta(days=2), place="Salle des fêtes", actor=SYSTEM)
    deliver_due()
    deliver_due()
    moved = [m for m in mailbox if m.subject == f"Séance déplacée : {sitting.title}"]
    assert len(moved) == 3 and "Salle des fêtes" in moved[0].text
    # The moved sitting gets its own reminder, the day before its new date.
    assert jobs.send_sitting_reminders(now=sitting.starts_at - timedelta(hours=20)) == 2
    total = db.session.scalar(sa.select(sa.func.count(OutboxMail.id)))
    jobs.send_due_convocations(now=sitting.starts_at - timedelta(hours=20))
    jobs.send_sitting_reminders(now=sitting.starts_at - timedelta(hours=19))
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == total


def test_a_sitting_close_enough_is_convened_when_published_and_a_cancellation_is_told(mailbox):
    council, members = _council_with(2)
    sitting = factories.sitting(council, days=3, publish=True)
    assert sitting.convened_at is not None
    sittings.cancel_sitting(sitting, actor=SYSTEM)
    deliver_due()
    subjects = sorted(m.subject for m in mailbox)
    assert subjects.count(f"Séance annulée : {sitting.title}") == 2
    assert jobs.send_sitting_reminders(now=sitting.starts_at - timedelta(hours=20)) == 0


def test_a_sitting_without_agenda_cannot_be_published():
    council = factories.council()
    sitting = factories.sitting(council, items=0)
    with pytest.raises(TransitionRefused, match="au moins un point"):
        sittings.publish_sitting(sitting, actor=SYSTEM)


def test_quorum_counts_proxies_held_by_members_present():
    council, members = _council_with(10)  # quorum: half plus one = 6
    sitting = factories.sitting(council, days=3, publish=True)
    for m in members[:4]:
        sittings.answer_convocation(sitting, answer="present", actor=m.user)
    status = sittings.quorum_status(sitting)
    assert (status.members, status.required, status.present, status.represented, status.reached) == (10, 6, 4, 0, False)
    sittings.answer_convocation(sitting, answer="represented", proxy=members[0], actor=members[4].user)
    sittings.answer_convocation(sitting, answer="represented", proxy=members[1], actor=members[5].user)
    status = sittings.quorum_status(sitting)
    assert (status.present, status.represented, status.counted, status.reached) == (4, 2, 6, True)
    # One proxy each by default.
    with pytest.raises(ValidationError, match="détient déjà 1 procuration"):
        sittings.answer_convocation(sitting, answer="represented", proxy=members[0], actor=members[6].user)
    # A proxy given to an absent member does not count.
    sittings.answer_convocation(sitting, answer="absent", actor=members[7].user)
    with pytest.raises(ValidationError, match="absent"):
        sittings.answer_convocation(sitting, answer="represented", proxy=members[7], actor=members[8].user)
    # On the day, attendance replaces the answers: member 1 did not come, so their proxy falls.
    from unittest import mock

    with mock.patch("participation.councils.sittings.utcnow", return_value=sitting.starts_at):
        sittings.mark_attendance(sitting, {members[0].id, members[2].id, members[3].id, members[9].id}, actor=SYSTEM)
    status = sittings.quorum_status(sitting)
    assert (status.basis, status.present, status.represented, status.counted, status.reached) == ("attendance", 4, 1, 5, False)


def test_quorum_is_shown_to_members_on_the_sitting_page(client):
    council, members = _council_with(3)
    person = factories.user()
    members.append(factories.member(council, user_=person))
    sitting = factories.sitting(council, days=3, publish=True)
    client.login(person.email, factories.PASSWORD)
    path = f"/conseils/{council.slug}/seances/{sitting.id}"
    response = client.submit(path, {"answer": "represented", "proxy": str(members[0].id)})
    assert response.status_code == 302
    assert "Choisissez le membre convoqué qui vous représentera." in client.submit(path, {"answer": "represented", "proxy": ""}).get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert "Quorum non atteint" in page and "0 sur 3 requis" in page


def test_minutes_go_through_their_states_and_are_public_only_once_published(client, mailbox):
    council, members = _council_with(2)
    sitting = factories.sitting(council, days=2, publish=True)
    next_sitting = factories.sitting(council, days=30, publish=True)
    path = f"/conseils/{council.slug}/seances/{sitting.id}"
    minutes = sittings.save_minutes(sitting, body="Les membres ont débattu du **plan vélo**.", actor=SYSTEM)
    assert "plan vélo" not in client.get(path).get_data(as_text=True)
    with pytest.raises(TransitionRefused, match="une fois approuvé"):
        sittings.publish_minutes(minutes, actor=SYSTEM)
    sittings.submit_minutes(minutes, actor=SYSTEM)
    deliver_due()
    assert sum(1 for m in mailbox if m.subject.startswith("Compte rendu à approuver")) == 2
    assert "plan vélo" not in client.get(path).get_data(as_text=True)
    with pytest.raises(ValidationError, match="séance suivante"):
        sittings.approve_minutes(minutes, at_sitting=sitting, actor=SYSTEM)
    sittings.approve_minutes(minutes, at_sitting=next_sitting, actor=SYSTEM)
    assert minutes.state == MinutesState.approved
    assert "plan vélo" not in client.get(path).get_data(as_text=True)
    sittings.publish_minutes(minutes, actor=SYSTEM)
    page = client.get(path).get_data(as_text=True)
    assert "<strong>plan vélo</strong>" in page
    assert "Compte rendu : " + sitting.title in client.get(f"/conseils/{council.slug}").get_data(as_text=True)


def test_a_secretary_may_write_minutes_a_plain_member_may_not():
    council = factories.council()
    secretary = factories.member(council, role="secretary")
    plain = factories.member(council)
    sitting = factories.sitting(council, days=2, publish=True)
    sittings.save_minutes(sitting, body="Texte", actor=secretary.user)
    from participation.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        sittings.save_minutes(sitting, body="Autre", actor=plain.user)


def test_public_sittings_are_in_the_agenda(app, client):
    from participation.agenda.services import local_date
    from participation.agenda.sources import AgendaQuery, collect

    council = factories.council()
    public = factories.sitting(council, days=5, publish=True, title="Plénière de printemps")
    factories.sitting(council, days=6, publish=True, is_public=False, title="Huis clos")
    factories.sitting(council, days=7, title="Brouillon")
    items = collect(AgendaQuery(start=utcnow(), end=utcnow() + timedelta(days=30), kinds=frozenset({"sitting"})))
    assert [i.uid for i in items] == [f"sitting-{public.id}"]
    assert items[0].title.endswith("Plénière de printemps") and items[0].url.endswith(f"/seances/{public.id}")
    page = client.get(f"/agenda/?mois={local_date(public.starts_at):%Y-%m}").get_data(as_text=True)
    assert "Plénière de printemps" in page and "Huis clos" not in page and "Brouillon" not in page

def test_mandates_ending_in_30_days_are_told_to_the_manager_once(mailbox):
    manager = factories.staff(email="referente@example.org")
    council = factories.council(manager=manager)
    member = factories.member(council)
    member.end_date = utcnow().date() + timedelta(days=20)
    factories.member(council).end_date = utcnow().date() + timedelta(days=90)
    assert jobs.warn_mandates_ending() == 1
    assert jobs.warn_mandates_ending() == 0
    deliver_due()
    assert [m.recipients for m in mailbox if m.subject.startswith("Fin de mandat")] == [["referente@example.org"]]


def test_training_registration_respects_capacity():
    council = factories.council()
    a, b = factories.member(council), factories.member(council)
    training = extras.create_training(council, title="Prise de parole", description="", starts_at=utcnow() + timedelta(days=5),
                                      ends_at=None, place="Salle 2", capacity=1, actor=SYSTEM)
    extras.register_for_training(training, actor=a.user)
    with pytest.raises(DomainError, match="complète"):
        extras.register_for_training(training, actor=b.user)
    extras.cancel_training_registration(training, actor=a.user)
    extras.register_for_training(training, actor=b.user)
    assert extras.places_taken(training) == 1
