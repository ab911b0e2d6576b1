"""Password reset, profile, password change, my data, closing an account, jobs."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import sqlalchemy as sa

from participation.accounts import services
from participation.accounts.jobs import purge_unconfirmed_accounts
from participation.accounts.models import CLOSED_ACCOUNT_NAME, AccountState, AccountToken, User
from participation.core.eventlog import DomainEvent, record
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.extensions import db
from participation.notifications.models import Notification
from participation.notifications.services import notify
from tests import factories


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _reset_path(mail) -> str:
    return re.search(r"http://participation\.test(/compte/mot-de-passe/[\w-]+)", mail.text).group(1)


def test_password_reset_by_mail_with_a_single_use_expiring_link(client, mailbox):
    factories.user("oubli@example.org")
    response = client.submit("/compte/mot-de-passe-oublie", {"email": "OUBLI@example.org"})
    assert response.status_code == 302
    deliver_due()
    assert [m.subject for m in mailbox] == ["Réinitialisation de votre mot de passe"]
    path = _reset_path(mailbox[0])

    assert client.get(path).status_code == 200
    response = client.submit(path, {"password": "nouveau-secret-2026", "password_confirm": "nouveau-secret-2026"})
    assert response.status_code == 302
    client.login("oubli@example.org", "nouveau-secret-2026")

    # Used once: the link is now refused, with a message.
    again = client.get(path)
    assert again.status_code == 409 and "Ce lien a déjà été utilisé" in _text(again)
    deliver_due()
    assert mailbox[-1].subject == "Votre mot de passe a été modifié"


def test_reset_for_an_unknown_address_looks_the_same(client, mailbox):
    response = client.submit("/compte/mot-de-passe-oublie", {"email": "personne@example.org"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/compte/connexion")
    deliver_due()
    assert mailbox == []


def test_expired_reset_link_is_refused(client, mailbox):
    person = factories.user("vieux@example.org")
    services.request_password_reset("vieux@example.org")
    db.session.commit()
    deliver_due()
    token = db.session.scalar(sa.select(AccountToken).where(AccountToken.user_id == person.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(_reset_path(mailbox[0]))
    assert response.status_code == 409 and "Ce lien a expiré" in _text(response)


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(client, mailbox):
    factories.user("faible@example.org")
    client.submit("/compte/mot-de-passe-oublie", {"email": "faible@example.org"})
    deliver_due()
    path = _reset_path(mailbox[0])
    response = client.submit(path, {"password": "court", "password_confirm": "court"})
    assert response.status_code == 422 and "au moins 10 caractères" in _text(response)
    assert client.get(path).status_code == 200


def test_profile_update_with_pseudonym_and_commune(client):
    commune = factories.commune("Bellerive")
    factories.user("profil@example.org")
    client.login("profil@example.org", factories.PASSWORD)
    response = client.submit("/compte/profil", {"display_name": "Le Héron", "commune": str(commune.id), "locale": "fr"})
    assert response.status_code == 302
    person = db.session.scalar(sa.select(User).where(User.email == "profil@example.org"))
    assert person.display_name == "Le Héron" and person.commune_id == commune.id
    response = client.submit("/compte/profil", {"display_name": "  ", "commune": "", "locale": "fr"})
    assert response.status_code == 422 and "Ce champ est obligatoire." in _text(response)
    assert db.session.get(User, person.id).display_name == "Le Héron"


def test_changing_password_ends_other_sessions(app, client):
    factories.user("deux@example.org")
    other = app.test_client()
    client.login("deux@example.org", factories.PASSWORD)
    other.login("deux@example.org", factories.PASSWORD)
    wrong = client.submit("/compte/mot-de-passe", {"current_password": "pas-le-bon-mdp", "password": "encore-un-autre-1", "password_confirm": "encore-un-autre-1"})
    assert wrong.status_code == 422 and "Le mot de passe actuel est incorrect." in _text(wrong)
    response = client.submit("/compte/mot-de-passe", {"current_password": factories.PASSWORD, "password": "encore-un-autre-1", "password_confirm": "encore-un-autre-1"})
    assert response.status_code == 302
    assert client.get("/compte/profil").status_code == 200
    assert other.get("/compte/profil").status_code == 302


def test_my_data_download_holds_everything_about_me(client):
    person = factories.user("moi@example.org", display_name="Moi")
    notify(person, "Une notification pour moi")
    record("user.tested", person, person, {"detail": 1})
    client.login("moi@example.org", factories.PASSWORD)
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="mes-donnees.json"'
    document = json.loads(response.get_data(as_text=True))
    assert document["compte"]["adresse_electronique"] == "moi@example.org"
    assert document["compte"]["nom_affiche"] == "Moi"
    assert [n["titre"] for n in document["notifications"]] == ["Une notification pour moi"]
    assert {"user.created", "user.tested", "user.logged_in"} <= {e["evenement"] for e in document["journal"]}


def test_my_data_is_only_mine(client):
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_closing_an_account_erases_personal_data(client, mailbox):
    person = factories.user("depart@example.org", display_name="Jeanne D.")
    notify(person, "À effacer")
    client.login("depart@example.org", factories.PASSWORD)
    refused = client.submit("/compte/fermer", {"password": "pas-le-bon-mdp", "confirm": "y"}, form_path="/compte/mes-donnees")
    assert refused.status_code == 422 and "Le mot de passe est incorrect." in _text(refused)
    assert db.session.get(User, person.id).state == AccountState.active

    response = client.submit("/compte/fermer", {"password": factories.PASSWORD, "confirm": "y"}, form_path="/compte/mes-donnees")
    assert response.status_code == 302
    person = db.session.get(User, person.id)
    assert person.state == AccountState.closed
    assert person.email is None and person.password_hash is None
    assert person.display_name == CLOSED_ACCOUNT_NAME == person.public_name
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == person.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.recipient == "depart@example.org")) == 0
    # The address is free again, the session is over, and the log keeps no personal data.
    assert client.get("/compte/profil").status_code == 302
    closed = db.session.scalar(sa.select(DomainEvent).where(DomainEvent.name == "user.closed"))
    assert "depart@example.org" not in json.dumps(closed.data)
    assert services.find_by_email("depart@example.org") is None


def test_unconfirmed_accounts_are_purged_after_the_retention_period(app):
    old = services.register(email="ancien@example.org", password="assez-long-123", display_name="Ancien")
    recent = services.register(email="recent@example.org", password="assez-long-123", display_name="Récent")
    confirmed = factories.user("confirme@example.org")
    old.created_at = utcnow() - timedelta(days=app.config["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"] + 1)
    confirmed.created_at = old.created_at
    db.session.flush()
    assert purge_unconfirmed_accounts() == 1
    db.session.expire_all()
    assert db.session.get(User, old.id) is None
    assert db.session.get(User, recent.id) is not None and db.session.get(User, confirmed.id) is not None


def test_cli_creates_a_staff_account(app):
    department = factories.department(code="MOBILITES")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Agent@Example.org", "--role", "staff", "--department", "mobilites"])
    assert result.exit_code == 0, result.output
    assert "Compte créé : agent@example.org (staff)." in result.output
    password = re.search(r"Mot de passe : (\S+)", result.output).group(1)
    db.session.expire_all()
    agent = services.find_by_email("agent@example.org")
    assert agent.state == AccountState.active and agent.department_id == department.id
    assert services.verify_password(agent, password)

    again = runner.invoke(args=["users", "create", "--email", "agent@example.org"])
    assert again.exit_code != 0 and "Un compte existe déjà avec cette adresse." in again.output
    staff_without_department = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "staff"])
    assert staff_without_department.exit_code != 0 and "rattaché à une direction" in staff_without_department.output
