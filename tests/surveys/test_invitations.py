"""Invitations: a CSV of addresses, a single-use link by mail, one reminder to those who have not answered, once."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import jobs, services
from participation.surveys.models import Invitation, Questionnaire
from tests import factories

LINK_RE = re.compile(r"http://participation\.test(/questionnaires/invitation/[^\s\"<]+)")


def _link(mail) -> str:
    return LINK_RE.search(mail.text).group(1)


def test_addresses_are_read_from_a_spreadsheet_export():
    questionnaire, _ = factories.survey_with_every_kind(access="invitation", open_=False)
    csv_text = 'nom;courriel\n"Dupont";"Anne.Dupont@example.org"\nMartin;paul@example.org\nSans;pas-une-adresse@\nDouble;anne.dupont@example.org\n'
    added, known, rejected = services.import_invitations(questionnaire, csv_text, actor=SYSTEM)
    assert (added, known) == (2, 0) and rejected == ["pas-une-adresse@"]
    added, known, _ = services.import_invitations(questionnaire, "paul@example.org\nlea@example.org", actor=SYSTEM)
    assert (added, known) == (1, 1)
    with pytest.raises(services.ValidationError, match="Aucune adresse"):
        services.import_invitations(questionnaire, "rien ici", actor=SYSTEM)


def test_an_invitation_link_works_once(client, mailbox):
    questionnaire, q = factories.survey_with_every_kind(access="invitation", open_=False)
    services.import_invitations(questionnaire, "anne@example.org\npaul@example.org", actor=SYSTEM)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0  # not sent while a draft
    factories.open_survey(questionnaire)
    deliver_due()
    assert sorted(m.recipients[0] for m in mailbox) == ["anne@example.org", "paul@example.org"]
    # Without the link, nobody answers.
    assert client.get(f"/questionnaires/{questionnaire.id}/repondre/1").status_code in (302, 403)
    link = _link(next(m for m in mailbox if "anne@example.org" in m.recipients))
    assert client.get(link).status_code == 302
    from tests.surveys.test_pages import _post_page
    from tests.surveys.helpers import full_answers

    for number, form in enumerate(full_answers(q), start=1):
        assert _post_page(client, questionnaire, number, form).status_code == 302
    assert client.submit(f"/questionnaires/{questionnaire.id}/recapitulatif").status_code == 302
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "anne@example.org"))
    assert invitation.responded_at is not None
    # The link served once: it opens nothing more, in this browser or another.
    assert client.get(link).status_code == 404
    other = client.application.test_client()
    assert other.get(link).status_code == 404
    assert "déjà répondu" in client.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)


def test_one_reminder_only_to_those_who_have_not_answered(mailbox):
    questionnaire, q = factories.survey_with_every_kind(access="invitation", open_=False)
    services.import_invitations(questionnaire, "anne@example.org\npaul@example.org", actor=SYSTEM)
    factories.open_survey(questionnaire)
    anne = db.session.scalar(sa.select(Invitation).where(Invitation.email == "anne@example.org"))
    from participation.surveys import answering
    from tests.surveys.helpers import full_answers

    response = answering.find_response(questionnaire, invitation=anne, create=True)
    visibility = answering.Visibility(questionnaire, {})
    for page, form in enumerate(full_answers(q)):
        visibility = answering.save_page(response, visibility.shown_sections[page], form)
    answering.submit(response)
    later = utcnow() + timedelta(days=8)
    assert jobs.send_reminders(now=utcnow() + timedelta(days=1)) == 0  # too early
    assert jobs.send_reminders(now=later) == 1
    assert jobs.send_reminders(now=later + timedelta(days=7)) == 0  # once
    deliver_due()
    reminders = [m for m in mailbox if m.subject.startswith("Rappel")]
    assert [m.recipients[0] for m in reminders] == ["paul@example.org"]
    assert "Ce rappel est le seul" in reminders[0].text


@pytest.mark.committing
def test_two_workers_send_each_reminder_once(app):
    questionnaire, _ = factories.survey_with_every_kind(access="invitation", open_=False)
    services.import_invitations(questionnaire, "\n".join(f"personne{i}@example.org" for i in range(30)), actor=SYSTEM)
    factories.open_survey(questionnaire)
    db.session.commit()
    questionnaire_id = questionnaire.id
    db.session.remove()
    later = utcnow() + timedelta(days=8)
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                from participation.core.locking import begin_writing

                begin_writing()
                counts.append(jobs.send_reminders(now=later))
                db.session.commit()
            except BaseException as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(counts) == 30
    reminders = db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.dedup_key.like("questionnaire.reminder:%")))
    assert reminders == 30
    assert db.session.get(Questionnaire, questionnaire_id) is not None


def test_attendees_of_an_ended_event_are_invited_once(mailbox):
    from participation.events import services as events
    from participation.events.models import Event

    event = factories.event(capacity=10)
    for name in ("alice", "bruno"):
        events.register(event, actor=factories.user(email=f"{name}@example.org"))
    questionnaire, _ = factories.survey_with_every_kind(access="invitation", event_id=event.id)
    assert jobs.invite_attendees(now=utcnow()) == 0  # the event has not ended
    ended = event.ends_at + timedelta(hours=1)
    assert jobs.invite_attendees(now=ended) == 2
    assert jobs.invite_attendees(now=ended) == 0
    deliver_due()
    invited = [m for m in mailbox if m.subject.startswith("Votre avis")]
    assert sorted(m.recipients[0] for m in invited) == ["alice@example.org", "bruno@example.org"]
    assert isinstance(db.session.get(Event, event.id), Event)
