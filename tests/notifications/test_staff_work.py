"""Staff hear of the work that arrives in their queues, in the app at once and by mail as they chose."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.eventlog import run_deferred
from participation.core.outbox import MailStatus, OutboxMail, deliver_due
from participation.extensions import db
from participation.forums import moderation
from participation.forums import services as forums
from participation.forums.models import ReportReason
from participation.notifications.models import Category, Delivery, Notification
from participation.notifications.services import set_preference
from tests import factories


def _titles(person) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == person.id).order_by(Notification.id)))


def test_a_contribution_hidden_by_reports_reaches_the_moderators_at_once(mailbox):
    moderator = factories.user("moderatrice@example.org", roles=("moderator",))
    by_digest = factories.user("moderateur@example.org", roles=("moderator",))
    set_preference(by_digest, Category.staff_work, Delivery.daily, actor=by_digest)
    resident = factories.user()
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution = forums.contribute(topic, body="Un message qui dérange.", actor=author)
    for _ in range(3):
        moderation.report(contribution, reason=ReportReason.abusive,
                          actor=factories.participant(consultation))
    assert "Contribution masquée après 3 signalements" in _titles(moderator)
    assert "Contribution masquée après 3 signalements" in _titles(by_digest)
    assert not _titles(resident)
    db.session.commit()
    deliver_due()
    assert [m.subject for m in mailbox if moderator.email in m.recipients] == ["Contribution masquée après 3 signalements"]
    assert not [m for m in mailbox if by_digest.email in m.recipients]  # in their digest


def test_a_contribution_awaiting_pre_moderation_reaches_the_moderators():
    moderator = factories.user(roles=("moderator",))
    consultation = factories.consultation(premoderated=True)
    author = factories.participant(consultation)
    topic = factories.topic(consultation)
    forums.contribute(topic, body="À valider.", actor=author)
    run_deferred()  # the worker tells the moderators
    assert "Une contribution attend votre validation" in _titles(moderator)


def test_a_new_application_and_a_completed_file_reach_the_instructors_of_its_department():
    department = factories.department()
    instructor = factories.staff(department_=department)
    elsewhere = factories.staff(department_=factories.department())
    call = factories.grant_call(department_=department)
    application = factories.submitted_application(call)
    [title] = _titles(instructor)
    assert title == f"Nouvelle demande de subvention : {application.association.name}"
    assert _titles(elsewhere) == []
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == instructor.email))
    assert mail is not None and mail.status == MailStatus.pending and mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_failed_mail_tells_the_admins_in_the_app_once_a_day(app, monkeypatch):
    admin = factories.admin()
    factories.mail("perdu@example.org")
    factories.mail("perdu2@example.org")
    db.session.commit()
    from tests.staff.test_mails import _closed_port

    monkeypatch.setattr(app.extensions["mail"], "port", _closed_port())
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 1)
    deliver_due()
    assert _titles(admin) == ["Des courriels n'ont pas pu être remis"]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.recipient == admin.email)) == 0
