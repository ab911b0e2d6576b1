"""Mail that tells the truth: a permanent refusal fails at once with a French reason,
a temporary one is retried, an outage shows on the admin's dashboard, and the mail
list speaks of a demonstration only when mail is really not sent."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.outbox import MailStatus, OutboxMail, deliver_due, delivery_outage
from participation.extensions import db
from tests import factories
from tests.staff.conftest import login, text


def test_a_550_fails_the_mail_at_once_with_a_french_reason_and_a_451_is_retried(app, smtp_server, mailbox):
    smtp_server.refuse("inconnu@example.org", "550 5.1.1 <inconnu@example.org>: Recipient address rejected: User unknown")
    smtp_server.refuse("occupe@example.org", "451 4.3.0 Try again later")
    unknown, busy, good = factories.mail("inconnu@example.org"), factories.mail("occupe@example.org"), factories.mail("bon@example.org")
    db.session.commit()

    counts = deliver_due()

    assert counts == {"sent": 1, "retry": 1, "failed": 1}
    unknown, busy, good = (db.session.get(OutboxMail, m.id) for m in (unknown, busy, good))
    assert unknown.status == MailStatus.failed and unknown.attempts == 1
    assert unknown.last_error.startswith("adresse refusée par le serveur : utilisateur inconnu")
    assert "550" in unknown.last_error and "{" not in unknown.last_error and "b'" not in unknown.last_error
    assert busy.status == MailStatus.pending and busy.attempts == 1 and busy.next_attempt_at > utcnow()
    assert busy.last_error.startswith("refus temporaire du serveur de courriel") and "{" not in busy.last_error
    assert good.status == MailStatus.sent
    assert [m.recipients for m in mailbox] == [["bon@example.org"]]


def test_the_refusal_reads_in_french_on_the_mail_page(client, smtp_server, mailbox):
    admin = factories.admin(email="admin-courriel@example.org")
    smtp_server.refuse("parti@example.org", "550 No such user here")
    mail = factories.mail("parti@example.org")
    db.session.commit()
    deliver_due()
    login(client, admin)
    page = text(client.get(f"/gestion/courriels/{mail.id}"))
    assert "En échec" in page and "adresse refusée par le serveur : utilisateur inconnu (réponse du serveur : 550 No such user here)" in page


def _waiting_since(minutes: int, recipient: str) -> OutboxMail:
    then = utcnow() - timedelta(minutes=minutes)
    return factories.mail(recipient, created_at=then, next_attempt_at=then)


def test_an_outage_shows_on_the_admin_dashboard_while_it_lasts(client, smtp_server, mailbox):
    admin = factories.admin(email="admin-panne@example.org")
    staff = factories.staff(email="agent-panne@example.org")
    smtp_server.refuse("lent@example.org", "451 4.4.1 Connection timed out")
    _waiting_since(30, "lent@example.org")
    recent = _waiting_since(2, "recent@example.org")
    db.session.commit()
    assert delivery_outage() is not None  # nothing sent, one mail due for 30 minutes

    login(client, admin)
    page = text(client.get("/gestion/"))
    assert "Panne d'envoi des courriels" in page and "1 courriel attend depuis plus de 10 minutes" in page
    staff_client = client.application.test_client()
    login(staff_client, staff)
    assert "Panne d'envoi" not in text(staff_client.get("/gestion/"))

    deliver_due()  # the recent mail leaves; the slow one is refused for now
    assert db.session.get(OutboxMail, recent.id).status == MailStatus.sent
    assert delivery_outage() is None
    assert "Panne d'envoi" not in text(client.get("/gestion/"))


def test_no_outage_when_nothing_waits_long(app):
    _waiting_since(5, "cinq@example.org")
    factories.mail("vieux@example.org", status=MailStatus.sent, created_at=utcnow() - timedelta(hours=2), sent_at=utcnow() - timedelta(hours=2))
    assert delivery_outage() is None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 2


def test_the_mail_list_says_demonstration_only_when_mail_is_not_sent(client, monkeypatch):
    admin = factories.admin(email="admin-liste@example.org")
    login(client, admin)
    monkeypatch.setitem(client.application.config, "DEMO_MODE", True)
    assert "Mode démonstration" not in text(client.get("/gestion/courriels"))  # SMTP delivery: mail really leaves
    assert "partent réellement" in text(client.get("/gestion/courriels"))
    monkeypatch.setitem(client.application.config, "MAIL_DELIVERY", "demo")
    assert "Mode démonstration : les courriels ne partent vers personne" in text(client.get("/gestion/courriels"))
