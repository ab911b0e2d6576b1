"""Accounts in the back office: finding them, granting and revoking roles, suspending and reinstating."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.models import AccountState, User
from participation.core.eventlog import DomainEvent
from participation.extensions import db
from tests import factories
from tests.staff.conftest import login, text


def _events(user, name=None):
    query = sa.select(DomainEvent).where(DomainEvent.subject_type == "users", DomainEvent.subject_id == user.id)
    if name:
        query = query.where(DomainEvent.name == name)
    return db.session.scalars(query.order_by(DomainEvent.id)).all()


def _fresh(user) -> User:
    return db.session.get(User, user.id)


# The list ---------------------------------------------------------------------


def test_admins_search_accounts_by_address_or_name_and_filter_by_role_and_state(client, people):
    factories.user("zoe.martin@example.org", display_name="Zoé M.")
    factories.user("bob@example.org", display_name="Bob Martinez")
    login(client, people.admin)

    page = text(client.get("/gestion/utilisateurs?search=martin"))
    assert "Zoé M." in page and "Bob Martinez" in page and "Camille Habitante" not in page

    page = text(client.get("/gestion/utilisateurs?search=ZOE.MARTIN@"))
    assert "Zoé M." in page and "Bob Martinez" not in page

    page = text(client.get("/gestion/utilisateurs?role=moderator"))
    assert "Hugo Modérateur" in page and "Alix Admin" not in page and "Camille Habitante" not in page

    page = text(client.get("/gestion/utilisateurs?role=resident"))
    assert "Camille Habitante" in page and "Zoé M." in page and "Nadia Agente" not in page

    page = text(client.get("/gestion/utilisateurs?state=suspended"))
    assert "Aucun compte ne correspond à ces critères." in page

    response = client.get("/gestion/utilisateurs?state=banni")
    assert response.status_code == 422 and "N'est pas un choix valide." in text(response)


# Roles ------------------------------------------------------------------------


def test_admin_grants_and_revokes_a_role(client, people):
    resident = people.resident
    login(client, people.admin)
    path = f"/gestion/utilisateurs/{resident.id}"

    response = client.submit(f"{path}/roles", {"role": "moderator", "department": ""}, form_path=path)
    assert response.status_code == 302
    page = text(client.get(path))
    assert "Le rôle « Modérateur » est attribué à Camille Habitante." in page
    assert "Rôles Modérateur" in page
    assert _fresh(resident).role_names == {"moderator"}
    granted = _events(resident, "user.role_granted")[-1]
    assert granted.actor_id == people.admin.id and granted.data["role"] == "moderator"

    response = client.submit(f"{path}/roles/retirer", {"role": "moderator"}, form_path=path)
    assert response.status_code == 302
    assert "Le rôle « Modérateur » est retiré à Camille Habitante." in text(client.get(path))
    assert _fresh(resident).role_names == set()
    assert _events(resident, "user.role_revoked")[-1].actor_id == people.admin.id

    # The new moderator could open the back office; now they cannot.
    other = client.application.test_client()
    login(other, resident)
    assert other.get("/gestion/").status_code == 403


def test_staff_role_needs_a_department(client, people):
    resident = people.resident
    direction = factories.department("Direction des mobilités")
    login(client, people.admin)
    path = f"/gestion/utilisateurs/{resident.id}"

    response = client.submit(f"{path}/roles", {"role": "staff", "department": ""}, form_path=path)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="department-erreur"' in body
    assert "Un agent est rattaché à une direction ou un service : choisissez-en un." in text(response)
    assert _fresh(resident).role_names == set()
    assert _events(resident, "user.role_granted") == []

    response = client.submit(f"{path}/roles", {"role": "staff", "department": str(direction.id)}, form_path=path)
    assert response.status_code == 302
    page = text(client.get(path))
    assert "Agent de la collectivité" in page and "Direction ou service Direction des mobilités" in page


def test_bad_role_values_are_refused_with_422(client, people):
    login(client, people.admin)
    path = f"/gestion/utilisateurs/{people.resident.id}"
    response = client.submit(f"{path}/roles", {"role": "roi", "department": ""}, form_path=path)
    assert response.status_code == 422 and "N'est pas un choix valide." in text(response)
    response = client.submit(f"{path}/roles/retirer", {"role": "roi"}, form_path=path)
    assert response.status_code == 422 and "Ce rôle n'existe pas." in text(response)
    assert _fresh(people.resident).role_names == set()


def test_an_admin_cannot_remove_their_own_admin_role(client, people):
    admin = people.admin
    login(client, admin)
    path = f"/gestion/utilisateurs/{admin.id}"
    response = client.submit(f"{path}/roles/retirer", {"role": "admin"}, form_path=path)
    assert response.status_code == 409
    assert "Action impossible Vous ne pouvez pas retirer votre propre rôle d'administrateur." in text(response)
    assert _fresh(admin).role_names == {"admin"}


def test_moderators_see_an_account_but_not_its_address_nor_the_role_forms(client, people):
    login(client, people.moderator)
    response = client.get(f"/gestion/utilisateurs/{people.resident.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Camille Habitante" in page and "habitant@example.org" not in page
    assert "Attribuer un rôle" not in page and "Suspendre le compte" in page


# Suspension -------------------------------------------------------------------


def test_a_moderator_cannot_suspend_an_admin(client, people):
    login(client, people.moderator)
    path = f"/gestion/utilisateurs/{people.admin.id}"
    assert client.get(path).status_code == 403  # a staff account's page is for admins
    token = client.csrf_token(f"/gestion/utilisateurs/{people.resident.id}")
    refused = client.post(f"{path}/suspendre", data={"reason": "Essai", "csrf_token": token})
    assert refused.status_code == 403
    assert _fresh(people.admin).state == AccountState.active
    assert not _events(people.admin, "user.suspended")


def test_moderator_suspends_with_a_reason_then_reinstates(client, people):
    resident = people.resident
    session_of_resident = client.application.test_client()
    login(session_of_resident, resident)
    login(client, people.moderator)
    path = f"/gestion/utilisateurs/{resident.id}"
    page = text(client.get(path))
    assert "Suspendre le compte" in page and "Rétablir le compte" not in page

    response = client.submit(f"{path}/suspendre", {"reason": "Messages injurieux répétés"}, form_path=path)
    assert response.status_code == 302
    page = text(client.get(path))
    assert "Le compte de Camille Habitante est suspendu" in page
    assert "État Suspendu" in page
    assert "Rétablir le compte" in page and "Suspendre le compte" not in page
    # The account's history is the admins' (and the person's own): a moderator does not read it.
    assert "Derniers événements" not in page

    assert _fresh(resident).state == AccountState.suspended
    event = _events(resident, "user.suspended")[-1]
    assert event.actor_id == people.moderator.id
    assert event.data == {"from": "active", "to": "suspended", "reason": "Messages injurieux répétés"}

    # The person is signed out at once and cannot sign in again.
    assert session_of_resident.get("/compte/profil").status_code == 302
    refused = session_of_resident.submit("/compte/connexion", {"email": resident.email, "password": factories.PASSWORD})
    assert "Votre compte est suspendu" in text(refused)

    response = client.submit(f"{path}/retablir", {}, form_path=path)
    assert response.status_code == 302
    page = text(client.get(path))
    assert "Le compte de Camille Habitante est rétabli" in page and "État Actif" in page
    assert _fresh(resident).state == AccountState.active
    assert _events(resident, "user.reinstated")[-1].data == {"from": "suspended", "to": "active"}
    login(session_of_resident, resident)


def test_suspending_needs_a_reason(client, people):
    login(client, people.admin)
    path = f"/gestion/utilisateurs/{people.resident.id}"
    response = client.submit(f"{path}/suspendre", {"reason": "   "}, form_path=path)
    assert response.status_code == 422
    assert 'id="reason-erreur"' in response.get_data(as_text=True)
    assert "Indiquez le motif de la suspension" in text(response)
    assert _fresh(people.resident).state == AccountState.active
    assert _events(people.resident, "user.suspended") == []


def test_a_refused_transition_says_why_and_changes_nothing(client, people):
    resident = people.resident
    login(client, people.moderator)
    path = f"/gestion/utilisateurs/{resident.id}"
    assert "Rétablir le compte" not in text(client.get(path))  # no button for what cannot be done
    before = len(_events(resident))

    # Posted anyway: reinstating an active account.
    response = client.submit(f"{path}/retablir", {}, form_path=path)
    assert response.status_code == 409
    assert "Cette action (« rétablir le compte ») n'est pas possible : l'état actuel est « actif »." in text(response)
    assert _fresh(resident).state == AccountState.active
    assert len(_events(resident)) == before

    # Suspending twice: the second time is refused.
    client.submit(f"{path}/suspendre", {"reason": "Spam"}, form_path=path)
    response = client.submit(f"{path}/suspendre", {"reason": "Encore"}, form_path="/gestion/")
    assert response.status_code == 409
    assert "l'état actuel est « suspendu »" in text(response)
    assert [e.data["reason"] for e in _events(resident, "user.suspended")] == ["Spam"]


def test_closed_accounts_get_no_role(client, people):
    resident = people.resident
    from participation.accounts import services as accounts

    accounts.close_account(resident, password=factories.PASSWORD, actor=resident)
    db.session.flush()
    login(client, people.admin)
    path = f"/gestion/utilisateurs/{resident.id}"
    page = text(client.get(path))
    assert "Attribuer un rôle" not in page and "Suspendre le compte" not in page
    response = client.submit(f"{path}/roles", {"role": "admin", "department": ""}, form_path=path)
    assert response.status_code == 409 and "Ce compte est fermé" in text(response)
    assert _fresh(resident).role_names == set()


def test_account_page_shows_its_last_twenty_events_newest_first(client, people):
    from participation.core.eventlog import record

    resident = people.resident
    for n in range(25):
        record("user.profile_updated", resident, people.admin, {"name": f"Nom {n}"})
    login(client, people.admin)
    body = text(client.get(f"/gestion/utilisateurs/{resident.id}"))
    assert "Les 20 derniers événements du compte" in body and "Profil modifié" in body
    assert body.index("Nom : Nom 24") < body.index("Nom : Nom 23")
    assert "Nom : Nom 5 " in body and "Nom : Nom 4 " not in body


def test_a_moderator_gets_403_on_every_staff_account_page_and_no_history_on_a_residents(client, people):
    login(client, people.moderator)
    for target in (people.staff, people.admin, people.moderator):
        for path in (f"/gestion/utilisateurs/{target.id}", "/gestion/utilisateurs"):
            response = client.get(path)
            assert response.status_code == 403, (path, response.status_code)
            assert "Accès refusé" in text(response)
    # A resident's page, to suspend or reinstate: what was done to the account, not what it did.
    from participation.forums import services as forums

    consultation = factories.consultation(title="Concertation secrète")
    forums.accept_charter(consultation, actor=people.resident)
    factories.topic(consultation, people.resident)
    page = text(client.get(f"/gestion/utilisateurs/{people.resident.id}"))
    assert "Suspendre le compte" in page and "Derniers événements" not in page and "Sujet de discussion ouvert" not in page
    admin = client.application.test_client()
    login(admin, people.admin)
    assert "Sujet de discussion ouvert" in text(admin.get(f"/gestion/utilisateurs/{people.resident.id}"))
    assert "Derniers événements" in text(admin.get(f"/gestion/utilisateurs/{people.staff.id}"))
