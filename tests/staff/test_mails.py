"""The outbox in the back office: reading mail, and retrying a failed one until it is delivered."""

from __future__ import annotations

import re
import socket

import pytest
import sqlalchemy as sa

from participation.accounts import services as accounts
from participation.core.eventlog import DomainEvent
from participation.core.outbox import MailStatus, OutboxMail, deliver_due
from participation.extensions import db
from tests import factories
from tests.staff.conftest import login, text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_down(app, monkeypatch):
    """The SMTP server cannot be reached, and the outbox gives up after one try."""
    monkeypatch.setattr(app.extensions["mail"], "port", _closed_port())
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 1)
    yield
    monkeypatch.undo()


def _reset_mail(user) -> OutboxMail:
    accounts.request_password_reset(user.email)
    return db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == user.id).order_by(OutboxMail.id.desc()))


def _reset_link(mail: OutboxMail) -> str:
    return re.search(r"http://participation\.test/compte/mot-de-passe/[\w-]+", mail.body_text).group(0)


def test_outside_demo_mode_admins_see_metadata_but_never_the_body(client, people):
    mail = _reset_mail(people.resident)
    link = _reset_link(mail)
    login(client, people.admin)

    listing = client.get("/gestion/courriels")
    assert listing.status_code == 200
    page = text(listing)
    assert "habitant@example.org" in page and "Réinitialisation de votre mot de passe" in page and "En attente" in page
    assert link not in listing.get_data(as_text=True)

    detail = client.get(f"/gestion/courriels/{mail.id}")
    body = detail.get_data(as_text=True)
    assert "Réinitialisation de votre mot de passe" in body and "accounts/reset" in body
    assert link not in body and "Pour choisir un nouveau mot de passe" not in body
    assert "affiché qu'en mode démonstration" in text(detail)
    assert client.get(f"/gestion/courriels/{mail.id}/message.html").status_code == 403


def test_in_demo_mode_staff_read_the_text_and_get_the_html_safely(client, people, demo_mode):
    mail = _reset_mail(people.resident)
    mail.body_html = '<p>Bonjour</p><script>alert("piège")</script><a href="http://participation.test/x">lien</a>'
    db.session.flush()
    login(client, people.staff)

    detail = client.get(f"/gestion/courriels/{mail.id}")
    assert detail.status_code == 200
    body = detail.get_data(as_text=True)
    # Demo mode: the text, but never the one-time link that would let this agent log in as the resident.
    assert _reset_link(mail) not in body and "[lien à usage unique masqué]" in body
    assert "Pour choisir un nouveau mot de passe" in text(detail)
    assert "http://participation.test/x" in body  # other links stay
    # The HTML is shown as source, escaped: nothing of it runs in our page.
    assert "&lt;script&gt;alert(" in body and '<script>alert("piège")' not in body
    assert "<iframe" not in body
    assert "Réessayer" not in body  # retrying is for admins

    download = client.get(f"/gestion/courriels/{mail.id}/message.html")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="courriel-{mail.id}.html"'
    assert download.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in download.headers["Content-Security-Policy"]
    assert download.get_data(as_text=True) == mail.body_html  # no one-time link in it


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_in_demo_mode_only_admins_read_one_time_links(client, people, demo_mode, role):
    """Reset, confirmation, invitation and registration links: whoever holds one acts as its owner."""
    reset = _reset_mail(people.admin)
    link = _reset_link(reset)
    login(client, people[role])
    body = client.get(f"/gestion/courriels/{reset.id}").get_data(as_text=True)
    download = client.get(f"/gestion/courriels/{reset.id}/message.html").get_data(as_text=True)
    if role == "admin":
        assert link in body and link in download
    else:
        assert link not in body and link not in download
        assert "/compte/mot-de-passe/" not in body + download
        assert "seuls les administrateurs les voient" in text(client.get(f"/gestion/courriels/{reset.id}"))


def test_every_rule_with_a_token_is_masked(app):
    from participation.staff.services import MASKED_LINK, mask_one_time_links

    rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(rules) >= 5
    with app.test_request_context():
        for rule in rules:
            path = rule.rule.replace("<token>", "jeton-secret").replace("<action>", "annuler")
            assert mask_one_time_links(f"Lien : http://participation.test{path} fin") == f"Lien : {MASKED_LINK} fin", rule.rule
        assert mask_one_time_links("http://participation.test/evenements/3 et http://ailleurs.example/x") == \
            "http://participation.test/evenements/3 et http://ailleurs.example/x"


def test_list_is_newest_first_and_filtered_by_status_and_recipient(client, people):
    old = factories.mail("lea@example.org", subject="Le plus ancien", status=MailStatus.sent)
    failed = factories.mail("paul@example.org", subject="Celui qui échoue", status=MailStatus.failed)
    new = factories.mail("LEA.dupont@example.org", subject="Le plus récent")
    login(client, people.admin)

    page = text(client.get("/gestion/courriels"))
    assert page.index("Le plus récent") < page.index("Celui qui échoue") < page.index("Le plus ancien")

    page = text(client.get("/gestion/courriels?status=failed"))
    assert "Celui qui échoue" in page and "Le plus récent" not in page and "Le plus ancien" not in page

    page = text(client.get("/gestion/courriels?recipient=lea"))
    assert "Le plus récent" in page and "Le plus ancien" in page and "Celui qui échoue" not in page

    page = text(client.get("/gestion/courriels?recipient=lea&status=pending"))
    assert "Le plus récent" in page and "Le plus ancien" not in page

    page = text(client.get("/gestion/courriels?recipient=personne"))
    assert "Aucun courriel ne correspond à ces critères." in page
    assert old.id and failed.id and new.id


def test_a_bad_filter_says_why_next_to_the_field(client, people):
    factories.mail(subject="Toujours là")
    login(client, people.admin)
    response = client.get("/gestion/courriels?status=perdu")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="status-erreur"' in body and "N&#39;est pas un choix valide." in body
    assert "Toujours là" in text(response)  # the list still shows, unfiltered


def test_pagination_keeps_the_filters(client, people, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for n in range(3):
        factories.mail(f"lot{n}@example.org", status=MailStatus.failed)
    factories.mail("autre@example.org")
    login(client, people.admin)
    body = client.get("/gestion/courriels?status=failed").get_data(as_text=True)
    assert "page 1 sur 2" in body
    next_link = re.search(r'href="([^"]+)" rel="next"', body).group(1).replace("&amp;", "&")
    assert "status=failed" in next_link
    second = text(client.get(next_link))
    assert "lot0@example.org" in second and "autre@example.org" not in second


def test_a_failed_mail_is_retried_and_then_delivered(client, people, mailbox, smtp_down, monkeypatch):
    mail = _reset_mail(people.resident)
    mail_id = mail.id

    # The SMTP server is down: after its attempts the mail is failed, and kept.
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 1}
    mail = db.session.get(OutboxMail, mail_id)
    assert mail.status == MailStatus.failed and "Connexion SMTP impossible" in mail.last_error

    login(client, people.admin)
    page = client.get("/gestion/courriels")
    assert 'class="row-failed"' in page.get_data(as_text=True)
    listing = text(page)
    assert "En échec" in listing and "Connexion SMTP impossible" in listing and "Réessayer" in listing
    assert "Courriels en échec (1)" in text(client.get("/gestion/"))

    # The admin asks for a retry: the mail is pending again, and the request is in the log.
    response = client.submit(f"/gestion/courriels/{mail_id}/reessayer", {}, form_path=f"/gestion/courriels/{mail_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/gestion/courriels/{mail_id}"
    assert "est remis dans la file d'envoi" in text(client.get(response.headers["Location"]))
    mail = db.session.get(OutboxMail, mail_id)
    assert mail.status == MailStatus.pending and mail.attempts == 0
    event = db.session.scalar(sa.select(DomainEvent).where(DomainEvent.name == "mail.retry_requested"))
    assert (event.subject_type, event.subject_id, event.actor_id) == ("outbox_mails", mail_id, people.admin.id)

    # Still down: it fails again, and again it is kept, not dropped.
    assert deliver_due()["failed"] == 1
    assert db.session.get(OutboxMail, mail_id).status == MailStatus.failed
    client.submit(f"/gestion/courriels/{mail_id}/reessayer", {}, form_path=f"/gestion/courriels/{mail_id}")

    # The server is back: the worker delivers it to the person.
    monkeypatch.undo()
    assert mailbox == []
    assert deliver_due()["sent"] == 1
    assert [m.recipients for m in mailbox] == [["habitant@example.org"]]
    assert mailbox[0].subject == "Réinitialisation de votre mot de passe"
    assert "/compte/mot-de-passe/" in mailbox[0].text
    mail = db.session.get(OutboxMail, mail_id)
    assert mail.status == MailStatus.sent and mail.sent_at is not None


def test_retrying_a_mail_that_is_not_failed_changes_nothing(client, people):
    mail = factories.mail(status=MailStatus.sent, attempts=1)
    login(client, people.admin)
    response = client.submit(f"/gestion/courriels/{mail.id}/reessayer", {}, form_path=f"/gestion/courriels/{mail.id}")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Ce courriel n'est pas en échec (état : « envoyé »)" in page
    assert db.session.get(OutboxMail, mail.id).status == MailStatus.sent
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.name == "mail.retry_requested")) == 0


def test_retry_needs_the_csrf_token(client, people):
    mail = factories.mail(status=MailStatus.failed)
    login(client, people.admin)
    response = client.post(f"/gestion/courriels/{mail.id}/reessayer", data={})
    assert response.status_code == 400
    assert db.session.get(OutboxMail, mail.id).status == MailStatus.failed
