"""Signing up, confirming by mail through the outbox and a real SMTP server, logging in."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.accounts.models import AccountState, AccountToken, User
from participation.core.eventlog import DomainEvent
from participation.core.outbox import MailStatus, OutboxMail, deliver_due
from participation.extensions import db
from tests import factories

SIGNUP = {
    "email": "Lea.Martin@Example.org",
    "display_name": "Léa M.",
    "commune": "",
    "password": "tournesol-bleu-42",
    "password_confirm": "tournesol-bleu-42",
}


def _link(mail, path_part: str) -> str:
    match = re.search(r"http://participation\.test(/compte/" + path_part + r"/[\w-]+)", mail.text)
    assert match, mail.text
    return match.group(1)


def test_signup_sends_confirmation_through_outbox_and_smtp(client, mailbox):
    response = client.submit("/compte/inscription", SIGNUP)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/compte/verifiez-vos-courriels")

    user = db.session.scalar(sa.select(User).where(User.email == "lea.martin@example.org"))
    assert user.state == AccountState.unconfirmed
    # The mail is a row, not yet sent: nothing talks SMTP inside a request.
    queued = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.user_id == user.id)).all()
    assert [m.status for m in queued] == [MailStatus.pending]
    assert mailbox == []

    assert deliver_due()["sent"] == 1
    assert len(mailbox) == 1
    mail = mailbox[0]
    assert mail.recipients == ["lea.martin@example.org"]
    assert mail.subject == "Confirmez votre adresse électronique"
    assert "Léa M." in mail.text and "Confirmer mon adresse" in mail.html
    confirm_path = _link(mail, "confirmer")

    # Following the link shows a button; only the POST confirms.
    page = client.get(confirm_path)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.get_data(as_text=True)
    assert db.session.get(User, user.id).state == AccountState.unconfirmed

    response = client.submit(confirm_path, {})
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert user.state == AccountState.active and user.confirmed_at is not None
    names = db.session.scalars(sa.select(DomainEvent.name).where(DomainEvent.subject_id == user.id, DomainEvent.subject_type == "users")).all()
    assert names == ["user.registered", "user.confirmed"]

    # A second use of the link is refused with a clear message, and changes nothing.
    again = client.submit(confirm_path, {})
    assert again.status_code == 409
    assert "Ce lien a déjà été utilisé" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.name == "user.confirmed")) == 1

    # The account now logs in.
    response = client.submit("/compte/connexion", {"email": "lea.martin@example.org", "password": SIGNUP["password"]})
    assert response.status_code == 302
    assert "Léa M." in client.get("/").get_data(as_text=True)


def test_signup_with_a_known_address_reveals_nothing(client, mailbox):
    factories.user("deja@example.org", display_name="Déjà Là")
    response = client.submit("/compte/inscription", {**SIGNUP, "email": "deja@example.org"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/compte/verifiez-vos-courriels")
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "deja@example.org")) == 1
    deliver_due()
    assert [m.subject for m in mailbox] == ["Une inscription a été tentée avec votre adresse"]


def test_signup_with_bad_input_says_why_and_creates_nothing(client):
    response = client.submit("/compte/inscription", {**SIGNUP, "email": "pas-une-adresse", "password": "court", "password_confirm": "autre"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Indiquez une adresse électronique valide" in body
    assert "Les deux mots de passe ne sont pas identiques." in body
    assert 'aria-invalid="true"' in body
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0

    response = client.submit("/compte/inscription", {**SIGNUP, "password": "court", "password_confirm": "court"})
    assert response.status_code == 422
    assert "au moins 10 caractères" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_unconfirmed_account_cannot_log_in_and_can_resend(client, mailbox):
    client.submit("/compte/inscription", SIGNUP)
    response = client.submit("/compte/connexion", {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    assert response.status_code == 422
    assert "pas encore confirmée" in response.get_data(as_text=True)

    client.submit("/compte/confirmation/renvoyer", {"email": SIGNUP["email"]}, form_path="/compte/verifiez-vos-courriels")
    deliver_due()
    assert len(mailbox) == 2
    first, second = (_link(m, "confirmer") for m in mailbox)
    # Only the newest link works.
    assert client.submit(first, {}).status_code == 409
    assert client.submit(second, {}).status_code == 302


def test_expired_confirmation_link_is_refused(client, mailbox):
    client.submit("/compte/inscription", SIGNUP)
    deliver_due()
    path = _link(mailbox[0], "confirmer")
    token = db.session.scalar(sa.select(AccountToken))
    token.expires_at = token.created_at
    db.session.commit()
    response = client.submit(path, {})
    assert response.status_code == 409
    assert "Ce lien a expiré" in response.get_data(as_text=True)


def test_login_failure_does_not_say_which_part_was_wrong(client):
    factories.user("connu@example.org")
    unknown = client.submit("/compte/connexion", {"email": "inconnu@example.org", "password": "peu-importe-123"})
    wrong = client.submit("/compte/connexion", {"email": "connu@example.org", "password": "mauvais-mot-de-passe"})
    for response in (unknown, wrong):
        assert response.status_code == 422
        assert "Adresse électronique ou mot de passe incorrect." in response.get_data(as_text=True)


def test_logout_needs_a_post_with_csrf(client):
    factories.user("sortie@example.org")
    client.login("sortie@example.org", factories.PASSWORD)
    refused = client.post("/compte/deconnexion", data={})  # no CSRF token: refused, still logged in
    assert refused.status_code == 400
    assert "Le formulaire a expiré" in refused.get_data(as_text=True)
    assert client.get("/compte/profil").status_code == 200
    client.submit("/compte/deconnexion", {})
    assert client.get("/compte/profil").status_code == 302
