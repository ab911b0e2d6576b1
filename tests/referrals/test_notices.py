"""Notices of the opinion's life: the vote scheduled in a sitting, the due date
drawing near or missed, and the weekly answer reminder run by two workers at once.
Mail goes through the outbox to the real SMTP server of the tests."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.errors import DomainError, PermissionDenied, TransitionRefused
from participation.core.eventlog import events_about
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.core.scheduler import registered_jobs, run_job
from participation.councils import services as councils
from participation.councils.models import AgendaItem, SittingKind
from participation.councils.sittings import answer_convocation, cancel_sitting
from participation.extensions import db
from participation.notifications.models import Notification
from participation.referrals import jobs, services
from participation.referrals.models import Referral, ReferralState
from tests import factories
from tests.factories import PASSWORD
from tests.referrals.conftest import adopted, drafted, new_referral, transmitted


def _notices(user, containing: str) -> list[Notification]:
    return [n for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)) if containing in n.title]


def _agenda_items(sitting) -> list[str]:
    return db.session.scalars(sa.select(AgendaItem.title).where(AgendaItem.sitting_id == sitting.id).order_by(AgendaItem.position)).all()


# --- Vote scheduled -------------------------------------------------------------------


def test_scheduling_the_vote_puts_it_on_the_agenda_and_tells_every_member_by_mail(setup, mailbox):
    referral = drafted(setup)
    opinion = referral.opinion
    sitting = factories.sitting(setup.council, days=12, publish=True, title="Séance plénière de décembre")

    item = services.schedule_vote(opinion, sitting=sitting, actor=setup.staff)

    assert _agenda_items(sitting) == ["Point 1", "Vote de l'avis « Plan de mobilité »"]
    assert opinion.vote_item_id == item.id
    # Every member votes, not only the working group: all three are told, in the app and by mail.
    for seat in (setup.president, setup.writer, setup.member):
        assert len(_notices(seat.user, "Vote programmé")) == 1
    db.session.commit()
    deliver_due()
    mails = [m for m in mailbox if m.subject == "Vote programmé : avis « Plan de mobilité »"]
    assert sorted(r for m in mails for r in m.recipients) == sorted(
        seat.user.email for seat in (setup.president, setup.writer, setup.member))
    assert "Séance plénière de décembre" in mails[0].text and f"/saisines/{referral.id}/redaction" in mails[0].text
    # The public timeline says it, without naming anyone.
    assert any("inscrit à l'ordre du jour de la séance « Séance plénière de décembre »" in step.text
               for step in services.timeline(referral))


def test_the_vote_recorded_at_the_scheduled_sitting_refers_to_its_agenda_point(setup):
    referral = drafted(setup)
    sitting = factories.sitting(setup.council, days=1, publish=True)
    item = services.schedule_vote(referral.opinion, sitting=sitting, actor=setup.staff)
    for seat in (setup.president, setup.writer, setup.member):
        answer_convocation(sitting, answer="present", actor=seat.user)
    vote = services.record_vote(referral.opinion, sitting=sitting, votes_for=3, votes_against=0, abstentions=0, present=3,
                                actor=setup.staff)
    assert vote.agenda_item_id == item.id
    assert referral.state == ReferralState.adopted
    assert referral.opinion.vote_item_id is None  # the vote is held: nothing is scheduled any more


def test_moving_the_vote_to_another_sitting_tells_members_again(setup):
    referral = drafted(setup)
    first = factories.sitting(setup.council, days=12, publish=True)
    second = factories.sitting(setup.council, days=30)  # still being prepared: its agenda can take the point
    services.schedule_vote(referral.opinion, sitting=first, actor=setup.staff)
    with pytest.raises(DomainError, match="déjà programmé lors de cette séance"):
        services.schedule_vote(referral.opinion, sitting=first, actor=setup.staff)
    services.schedule_vote(referral.opinion, sitting=second, actor=setup.staff)
    assert referral.opinion.vote_item.sitting_id == second.id
    assert len(_notices(setup.member.user, "Vote programmé")) == 2
    [moved] = [e for e in events_about(referral.opinion) if e.name == "opinion.vote_scheduled" and e.data["sitting_id"] == second.id]
    assert moved.data["moved_from"] == first.id


def test_an_opinion_taken_back_to_drafting_is_no_longer_scheduled(setup):
    referral = drafted(setup)
    services.schedule_vote(referral.opinion, sitting=factories.sitting(setup.council, days=12, publish=True), actor=setup.staff)
    services.reopen_opinion(referral.opinion, actor=setup.writer.user)
    assert referral.opinion.vote_item_id is None and referral.opinion.vote_item is None


def test_a_vote_is_scheduled_only_when_ready_on_a_coming_sitting_of_the_council_by_staff(setup):
    referral = new_referral(setup)
    services.assign_group(referral, setup.group, actor=setup.president.user)
    sitting = factories.sitting(setup.council, days=12, publish=True)
    with pytest.raises(TransitionRefused, match="d'abord être proposé au vote"):
        services.schedule_vote(referral.opinion, sitting=sitting, actor=setup.staff)

    referral = drafted(setup, referral)
    group_meeting = factories.sitting(setup.council, days=5, kind=SittingKind.working_group, working_group=setup.group)
    other_council = factories.sitting(factories.council(), days=5)
    cancelled = factories.sitting(setup.council, days=5)
    cancel_sitting(cancelled, actor=SYSTEM)
    refusals = {
        group_meeting: "pas en réunion de groupe de travail",
        other_council: "une séance de ce conseil",
        cancelled: "à venir, qui n'est pas annulée",
        None: "une séance de ce conseil",
    }
    before = {s.id: _agenda_items(s) for s in (sitting, group_meeting, other_council, cancelled)}
    for target, message in refusals.items():
        with pytest.raises(DomainError, match=message):
            services.schedule_vote(referral.opinion, sitting=target, actor=setup.staff)
    with pytest.raises(PermissionDenied):
        services.schedule_vote(referral.opinion, sitting=sitting, actor=setup.president.user)
    assert {s.id: _agenda_items(s) for s in (sitting, group_meeting, other_council, cancelled)} == before
    assert referral.opinion.vote_item_id is None
    assert not [e for e in events_about(referral.opinion) if e.name == "opinion.vote_scheduled"]


def test_staff_schedule_the_vote_from_the_referral_page(setup, client):
    referral = drafted(setup)
    sitting = factories.sitting(setup.council, days=12, publish=True, title="Séance de printemps")
    group_meeting = factories.sitting(setup.council, days=5, kind=SittingKind.working_group, working_group=setup.group)
    db.session.flush()
    path = f"/gestion/saisines/{referral.id}"

    bureau = client.application.test_client()
    bureau.login(setup.president.user.email, PASSWORD)  # the bureau may record a vote's result, but staff run the agenda
    assert bureau.submit(f"{path}/programmer-le-vote", {"programmation-sitting": sitting.id}, form_path=f"/saisines/{referral.id}").status_code == 403
    assert _agenda_items(sitting) == ["Point 1"]

    client.login(setup.staff.email, PASSWORD)
    page = client.get(path).get_data(as_text=True)
    assert "Séance de printemps" in page and f'value="{group_meeting.id}"' not in page
    refused = client.submit(f"{path}/programmer-le-vote", {"programmation-sitting": group_meeting.id}, form_path=path)
    assert refused.status_code == 422 and "pas en réunion de groupe de travail" in refused.get_data(as_text=True)
    assert _agenda_items(group_meeting) == ["Point 1"]
    done = client.submit(f"{path}/programmer-le-vote", {"programmation-sitting": sitting.id}, form_path=path)
    assert done.status_code == 302
    assert "Vote programmé : « Séance de printemps »" in client.get(path).get_data(as_text=True)
    assert _agenda_items(sitting)[-1] == "Vote de l'avis « Plan de mobilité »"
    # Members see it on the drafting page.
    member = client.application.test_client()
    member.login(setup.member.user.email, PASSWORD)
    assert "Vote programmé : séance « Séance de printemps »" in member.get(f"/saisines/{referral.id}/redaction").get_data(as_text=True)


# --- Due in 14 days, overdue -----------------------------------------------------------


def test_the_bureau_and_staff_hear_once_when_the_opinion_is_due_in_14_days_and_once_when_late(setup, mailbox):
    setup.council.manager_id = setup.staff.id
    received = date(2027, 1, 4)
    referral = new_referral(setup, received_on=received)
    due = referral.due_on
    done = adopted(setup)  # an opinion already adopted is no longer awaited
    done.due_on = due
    db.session.flush()

    assert jobs.send_opinion_due_notices(today=due - timedelta(days=15)) == 0
    # Fourteen days ahead: the president (bureau) and the staff member managing the council, by mail and in the app.
    assert jobs.send_opinion_due_notices(today=due - timedelta(days=14)) == 2
    assert jobs.send_opinion_due_notices(today=due - timedelta(days=14)) == 0
    assert jobs.send_opinion_due_notices(today=due - timedelta(days=3)) == 0
    assert jobs.send_opinion_due_notices(today=due) == 0
    # The day after the due date: late, once.
    assert jobs.send_opinion_due_notices(today=due + timedelta(days=1)) == 2
    assert jobs.send_opinion_due_notices(today=due + timedelta(days=8)) == 0

    db.session.commit()
    deliver_due()
    soon = [m for m in mailbox if m.subject == "Avis attendu dans 14 jours : « Plan de mobilité »"]
    late = [m for m in mailbox if m.subject.startswith("Avis en retard : « Plan de mobilité »")]
    expected = sorted([setup.president.user.email, setup.staff.email])
    assert sorted(r for m in soon for r in m.recipients) == expected
    assert sorted(r for m in late for r in m.recipients) == expected
    assert "n'est pas encore adopté" in late[0].text and f"/saisines/{referral.id}" in late[0].text
    # Plain members are not told; the bureau sees both notices in the app.
    assert not _notices(setup.member.user, "Avis attendu") and not _notices(setup.member.user, "Avis en retard")
    assert len(_notices(setup.president.user, "Avis attendu dans 14 jours")) == 1
    assert len(_notices(setup.president.user, "Avis en retard")) == 1
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(
        OutboxMail.template.in_(["referrals/opinion_due_soon", "referrals/opinion_overdue"]))) == 4


def test_a_new_due_date_is_announced_again(setup):
    setup.council.manager_id = setup.staff.id
    referral = new_referral(setup, received_on=date(2027, 1, 4))
    first_due = referral.due_on
    assert jobs.send_opinion_due_notices(today=first_due - timedelta(days=10)) == 2
    referral.due_on = first_due + timedelta(days=30)  # the authority grants a delay
    db.session.flush()
    assert jobs.send_opinion_due_notices(today=first_due - timedelta(days=10)) == 0
    assert jobs.send_opinion_due_notices(today=referral.due_on - timedelta(days=14)) == 2


def test_the_staff_queue_lists_late_opinions(setup, client):
    late = new_referral(setup, subject="Avis en souffrance", received_on=date.today() - timedelta(days=200))
    new_referral(setup, subject="Avis dans les temps")
    db.session.flush()
    client.login(setup.staff.email, PASSWORD)
    html = client.get("/gestion/saisines/en-retard").get_data(as_text=True)
    assert "Avis en souffrance" in html and "Avis dans les temps" not in html
    assert f"/gestion/saisines/{late.id}" in html


# --- Two workers run the weekly answer reminder at once ---------------------------------


@pytest.mark.committing
def test_two_workers_running_the_answer_reminder_at_once_send_one_mail(app, setup):
    """Each worker runs the job in its own transaction (PostgreSQL lets them overlap; SQLite
    serialises them on its write lock): the week's dedup key lets one mail through."""
    referral = transmitted(setup)
    referral.answer_due_on = date.today() - timedelta(days=10)
    referral_id = referral.id
    db.session.commit()
    job = next(j for j in registered_jobs() if j.id == "referrals.answer_reminders")
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[object] = []

    def worker():
        try:
            start.wait(10)
            results.append(run_job(app, job))  # no scheduler lock: the worst case of two workers both running it
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(results) == [0, 1]  # both ran to the end (a failed run gives None); one queued the mail
    db.session.remove()
    sent = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "referrals/answer_overdue")).all()
    assert [m.recipient for m in sent] == ["mobilites@collectivite.example"]
    assert db.session.get(Referral, referral_id).state == ReferralState.transmitted


# --- Following a council ------------------------------------------------------------------


def test_a_resident_following_the_council_hears_of_its_published_opinion_and_the_answer(setup, client):
    resident = factories.user("riveraine@example.org")
    path = f"/conseils/{setup.council.slug}"
    assert client.post(f"{path}/suivre").status_code in (302, 400)  # anonymous: nothing recorded
    client.login(resident.email, PASSWORD)
    assert "Suivre ce conseil" in client.get(path).get_data(as_text=True)
    assert client.submit(f"{path}/suivre", form_path=path).status_code == 302
    assert "Ne plus suivre ce conseil" in client.get(path).get_data(as_text=True)
    assert councils.followers(setup.council) == [resident]

    referral = transmitted(setup)
    services.answer(referral, general_answer="Merci.", actor=setup.staff)
    titles = [n.title for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == resident.id)
                                                  .order_by(Notification.id))]
    assert titles == [f"L'avis du {setup.council.name} sur « Plan de mobilité » est publié",
                      "La collectivité a répondu à l'avis « Plan de mobilité »"]

    # Following again stops it.
    assert client.submit(f"{path}/suivre", form_path=path).status_code == 302
    assert councils.followers(setup.council) == []


def test_the_draft_ready_for_the_vote_is_told_to_the_working_group(setup):
    drafted(setup)
    assert _notices(setup.writer.user, "est prêt pour le vote")  # in the group
    assert not _notices(setup.member.user, "est prêt pour le vote")  # not in it: told when the vote is scheduled


def test_closing_an_account_forgets_what_it_followed_and_my_data_lists_it(setup):
    from participation.accounts import personal_data
    from participation.accounts.services import close_account
    from participation.referrals.models import ReferralFollower
    from participation.councils.models import CouncilFollower

    resident = factories.user("suiveuse@example.org")
    referral = new_referral(setup)
    services.follow(referral, actor=resident)
    councils.follow(setup.council, actor=resident)
    data = personal_data.export(resident)
    assert [f["saisine"] for f in data["saisines"]["saisines_suivies"]] == ["Plan de mobilité"]
    assert [f["conseil"] for f in data["conseils"]["conseils_suivis"]] == [setup.council.name]
    close_account(resident, password=PASSWORD, actor=resident)
    assert db.session.scalar(sa.select(sa.func.count(ReferralFollower.id)).where(ReferralFollower.user_id == resident.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(CouncilFollower.id)).where(CouncilFollower.user_id == resident.id)) == 0
