"""The event log as people read it: French labels, filters, department scope, keyset pages, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from participation.accounts import services as accounts
from participation.accounts.models import Role
from participation.core.eventlog import DomainEvent, record
from participation.core.models import utcnow
from participation.core.outbox import MailStatus
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.grants import services as grants
from tests import factories
from tests.staff.conftest import login, text

# What an internal code looks like: "thing.past_tense", or a table name.
CODE = re.compile(r"\b[a-z]+_?[a-z]*\.[a-z_]+ed\b|\bgrant_applications\b|\boutbox_mails\b|\busers n°")


def _rows(page_text: str) -> str:
    return page_text[page_text.index("Événements, du plus récent"):]


def test_journal_speaks_french_newest_first_with_its_actor(client, people):
    accounts.suspend(people.resident, reason="Propos injurieux répétés", actor=people.moderator)
    accounts.grant_role(people.resident, Role.moderator, actor=people.admin)
    login(client, people.admin)
    page = _rows(text(client.get("/gestion/journal")))
    assert page.index("Rôle attribué") < page.index("Compte suspendu")
    granted = page[page.index("Rôle attribué"):page.index("Compte suspendu")]
    assert "Rôle : Modérateur" in granted and "Alix Admin" in granted
    suspended = page[page.index("Compte suspendu"):]
    assert f"compte n° {people.resident.id}" in suspended and "Hugo Modérateur" in suspended
    assert "Motif : Propos injurieux répétés" in suspended and "État : de « Actif » à « Suspendu »" in suspended
    assert not CODE.search(page), CODE.search(page)


def test_every_change_of_role_is_in_the_journal(client, people):
    department = factories.department(name="Direction de la culture")
    login(client, people.admin)
    client.submit(f"/gestion/utilisateurs/{people.resident.id}/roles", {"role": "staff", "department": str(department.id)},
                  form_path=f"/gestion/utilisateurs/{people.resident.id}")
    client.submit(f"/gestion/utilisateurs/{people.resident.id}/roles/retirer", {"role": "staff"},
                  form_path=f"/gestion/utilisateurs/{people.resident.id}")
    names = [e.name for e in db.session.scalars(
        db.select(DomainEvent).where(DomainEvent.subject_type == "users", DomainEvent.subject_id == people.resident.id)
        .order_by(DomainEvent.id))]
    assert names[-2:] == ["user.role_granted", "user.role_revoked"]
    page = _rows(text(client.get(f"/gestion/journal?subject_type=users&subject_id={people.resident.id}")))
    assert "Rôle retiré" in page and "Rôle attribué" in page and "Rôle : Agent de la collectivité" in page


def test_a_staff_members_new_department_is_in_the_journal(people):
    first, second = factories.department(name="Culture"), factories.department(name="Sports")
    user = factories.staff(email="agent2@example.org", department_=first)
    accounts.grant_role(user, Role.staff, department=second, actor=people.admin)
    event = db.session.scalars(db.select(DomainEvent).where(DomainEvent.name == "user.department_changed")).one()
    assert event.data == {"department_id": second.id, "previous_department_id": first.id}


def test_filters_by_domain_person_object_and_period(client, people):
    failed = factories.mail(status=MailStatus.failed)
    login(client, people.admin)
    client.submit(f"/gestion/courriels/{failed.id}/reessayer", {}, form_path="/gestion/")
    accounts.suspend(people.resident, reason="Spam", actor=people.moderator)
    old = record("user.profile_updated", people.staff, people.staff, {})
    old.occurred_at = utcnow() - timedelta(days=40)
    db.session.flush()

    page = _rows(text(client.get("/gestion/journal?domain=mail")))
    assert "Nouvel envoi d'un courriel demandé" in page and "Compte suspendu" not in page
    page = _rows(text(client.get("/gestion/journal?person=modérateur")))
    assert "Compte suspendu" in page and "Nouvel envoi" not in page
    page = _rows(text(client.get(f"/gestion/journal?subject_type=outbox_mails&subject_id={failed.id}")))
    assert "Nouvel envoi d'un courriel demandé" in page and "Compte suspendu" not in page
    start = (utcnow() - timedelta(days=45)).date().isoformat()
    end = (utcnow() - timedelta(days=35)).date().isoformat()
    page = _rows(text(client.get(f"/gestion/journal?start={start}&end={end}")))
    assert "Profil modifié" in page and "Compte suspendu" not in page


def test_filters_say_what_is_wrong(client, people):
    login(client, people.admin)
    response = client.get("/gestion/journal?subject_id=12")
    assert response.status_code == 422
    assert "Indiquez aussi le type de l'objet" in text(response)
    response = client.get("/gestion/journal?subject_type=users&subject_id=douze")
    assert response.status_code == 422 and "Indiquez un numéro, en chiffres uniquement." in text(response)
    response = client.get("/gestion/journal?start=2026-03-10&end=2026-03-01")
    assert response.status_code == 422 and "La fin de la période précède son début." in text(response)
    assert client.get("/gestion/journal?avant=99999999999999999999&apres=x").status_code == 200
    assert client.get("/gestion/journal.csv?start=2026-03-10&end=2026-03-01").status_code == 400


def _csv(response) -> list[list[str]]:
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_csv_export_equals_the_filtered_view(client, people):
    for i in range(7):
        accounts.suspend(people.resident, reason=f"Motif {i}", actor=people.moderator)
        accounts.reinstate(people.resident, actor=people.moderator)
    record("user.profile_updated", people.staff, people.staff, {})
    login(client, people.admin)
    for query in ("domain=accounts&person=Hugo", f"subject_type=users&subject_id={people.staff.id}", ""):
        view = client.get(f"/gestion/journal?{query}").get_data(as_text=True)
        shown = re.findall(r"<td><time[^>]*>([^<]+)</time></td>\s*<td>([^<]+)</td>", view)
        rows = _csv(client.get(f"/gestion/journal.csv?{query}"))
        assert rows[0] == ["Numéro", "Date (heure de Paris)", "Événement", "Objet", "Auteur", "Détails"]
        assert [(r[1], r[2]) for r in rows[1:]] == [(d.strip(), label.strip()) for d, label in shown], query
        assert not any(CODE.search(";".join(r)) for r in rows), query


def test_keyset_pages_walk_the_whole_journal(client, people, count_queries):
    for i in range(120):
        record("user.profile_updated", people.resident, people.resident, {"n": i})
    login(client, people.admin)
    seen, path, pages = [], "/gestion/journal?domain=accounts", 0
    while path:
        body = client.get(path).get_data(as_text=True)
        seen += re.findall(r'<time datetime="[^"]+">', body)
        pages += 1
        older = re.search(r'href="([^"]+)" rel="next">Événements plus anciens', body)
        path = older.group(1).replace("&amp;", "&") if older else None
    total = db.session.scalar(db.select(db.func.count(DomainEvent.id)).where(DomainEvent.name.like("user.%")))
    assert len(seen) == total and pages == -(-total // 50)
    body = client.get(f"/gestion/journal?domain=accounts&avant={10**6}").get_data(as_text=True)
    newer = re.search(r'href="([^"]+)" rel="prev">Événements plus récents', body)
    assert newer is not None
    with count_queries() as counter:
        client.get(newer.group(1).replace("&amp;", "&"))
    assert counter.count <= 8


def test_moderators_may_not_read_the_journal_nor_account_histories(client, people):
    login(client, people.moderator)
    assert client.get("/gestion/journal").status_code == 403
    assert client.get("/gestion/journal.csv").status_code == 403
    page = text(client.get(f"/gestion/utilisateurs/{people.resident.id}"))
    assert "Derniers événements" not in page
    admin = client.application.test_client()
    login(admin, people.admin)
    assert "Derniers événements" in text(admin.get(f"/gestion/utilisateurs/{people.resident.id}"))


def test_a_person_reads_their_own_history(client, people):
    accounts.suspend(people.resident, reason="Spam", actor=people.moderator)
    accounts.reinstate(people.resident, actor=people.admin)
    login(client, people.resident)
    page = text(client.get("/compte/historique"))
    assert "Compte rétabli" in page and "Compte suspendu" in page and "Connexion" in page
    assert "Spam" in page and not CODE.search(page)


def test_staff_read_only_their_departments_cases(client, people):
    culture, sports = factories.department(name="Culture"), factories.department(name="Sports")
    agent = factories.staff(email="culture@example.org", display_name="Agent Culture", department_=culture)
    mine = factories.submitted_application(factories.grant_call(department_=culture, title="Appel culture"))
    theirs = factories.submitted_application(factories.grant_call(department_=sports, title="Appel sports"))
    grants.start_review(theirs, actor=SYSTEM)
    grants.add_note(theirs, body="Note interne du service des sports", actor=people.admin)
    login(client, agent)
    page = text(client.get("/gestion/journal"))
    assert f"demande de subvention n° {mine.id}" in page
    assert f"demande de subvention n° {theirs.id}" not in page
    assert client.get(f"/gestion/journal?subject_type=grant_applications&subject_id={theirs.id}").status_code == 200
    assert "Aucun événement" in text(client.get(f"/gestion/journal?subject_type=grant_applications&subject_id={theirs.id}"))
    rows = _csv(client.get("/gestion/journal.csv"))
    assert not any(f"demande de subvention n° {theirs.id}" in ";".join(r) for r in rows)
    assert "Compte suspendu" not in page  # account events are the admins'
