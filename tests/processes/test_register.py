"""The register: platform processes fill themselves, communes' processes are entered by hand, the prise en compte is shown."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import services as forums
from participation.processes import services
from participation.processes.models import CharterVersion, LeaderKind, Method, Process, ProcessState, Uptake
from tests import factories
from tests.staff.conftest import login, text


@pytest.fixture
def commune():
    return factories.commune(name="Saint-Aubin-des-Prés", insee_code="37999")


@pytest.fixture
def referent(commune):
    person = factories.user("referente@example.org", display_name="Rose Référente")
    services.add_referent(email=person.email, commune=commune, actor=SYSTEM)
    return person


def _charter():
    return services.save_charter_version(None, title="Charte de la participation", preamble="Nos principes.", voted_on=date(2025, 3, 12),
                                         voted_by="Conseil communautaire, délibération n° 2025-112",
                                         commitments=[("Informer en amont", "un mois avant"), ("Rendre compte", "des suites données")],
                                         actor=SYSTEM)


def test_a_consultation_enters_the_register_with_its_figures(client, people):
    consultation = factories.consultation(title="Plan vélo 2030")
    topic = factories.topic(consultation, title="Pistes cyclables")
    forums.contribute(topic, body="D'accord.", actor=factories.participant(consultation))
    services.sync()
    process = db.session.scalar(sa.select(Process).where(Process.source_kind == "consultation", Process.source_id == consultation.id))
    assert process is not None and process.state == ProcessState.published and process.method == Method.online_consultation
    assert dict(process.figures)["Contributions"] == 2 and dict(process.figures)["Contributeurs"] == 2
    assert process.participants == 2
    page = text(client.get(f"/demarches/{process.id}"))
    assert "Plan vélo 2030" in page and "Contributions 2" in page and "Concertation en ligne" in page
    # Refreshing twice changes nothing but the figures.
    assert services.sync()["created"] == 0


def test_publication_registers_a_consultation_at_once(people):
    consultation = factories.consultation(title="Budget participatif")
    assert db.session.scalar(sa.select(Process.id).where(Process.source_kind == "consultation", Process.source_id == consultation.id))


def test_a_communes_referent_enters_its_process_and_the_public_reads_it(client, people, commune, referent):
    _charter()
    factories.consultation(title="Mobilités douces")
    login(client, referent)
    form = client.get("/gestion/demarches/nouvelle")
    assert form.status_code == 200 and "Informer en amont" in text(form)
    commitment = db.session.scalar(sa.select(CharterVersion)).commitments[0]
    response = client.submit("/gestion/demarches/nouvelle", {
        "title": "Marche exploratoire du centre-bourg", "leader_kind": "commune", "leader_commune_id": str(commune.id),
        "method": "exploratory_walk", "audience": "Habitantes du centre-bourg", "starts_on": "2026-04-11", "ends_on": "2026-04-11",
        "participants": "23", "communes": [str(commune.id)], "commitments": [str(commitment.id)],
        "results": "Douze points noirs relevés.", "uptake": "partly",
        "uptake_explanation": "L'éclairage de la rue des Écoles est refait ; le reste est à l'étude.",
        "uptake_url": "https://www.example.org/deliberation-2026-45",
    })
    assert response.status_code == 302, text(response)
    process = db.session.scalar(sa.select(Process).where(Process.title == "Marche exploratoire du centre-bourg"))
    assert process.leader_label == "Commune de Saint-Aubin-des-Prés" and process.source_kind is None
    assert client.get(f"/demarches/{process.id}").status_code == 200  # its author sees the draft
    client.submit(f"/gestion/demarches/{process.id}/publier", {}, form_path=f"/gestion/demarches/{process.id}")
    anonymous = client.application.test_client()
    listing = text(anonymous.get("/demarches/"))
    assert "Marche exploratoire du centre-bourg" in listing and "Mobilités douces" in listing
    page = text(anonymous.get(f"/demarches/{process.id}"))
    assert "Partiellement retenus" in page and "L'éclairage de la rue des Écoles est refait" in page
    assert "Informer en amont" in page and "Marche exploratoire" in page and "Habitantes du centre-bourg" in page
    filtered = text(anonymous.get(f"/demarches/?commune={commune.id}&method=exploratory_walk"))
    assert "Marche exploratoire du centre-bourg" in filtered and "Mobilités douces" not in filtered


def test_a_referent_may_not_enter_another_communes_process_nor_edit_the_platforms(client, people, commune, referent):
    other = factories.commune(name="Loirande", insee_code="37998")
    login(client, referent)
    response = client.submit("/gestion/demarches/nouvelle", {
        "title": "Atelier", "leader_kind": "commune", "leader_commune_id": str(other.id), "method": "workshop", "uptake": "pending"})
    assert response.status_code == 422 and "Vous saisissez les démarches de votre commune" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Process.id)).where(Process.title == "Atelier")) == 0
    consultation = factories.consultation()
    process = db.session.scalar(sa.select(Process).where(Process.source_id == consultation.id))
    assert client.get(f"/gestion/demarches/{process.id}").status_code == 403
    assert client.get("/gestion/").status_code == 403  # a referent is not staff
    assert client.get("/gestion/demarches/referents").status_code == 403


def test_the_uptake_needs_its_explanation(people, commune):
    with pytest.raises(ValidationError, match="Expliquez ce qui a été fait des résultats"):
        services.save_process(None, actor=people.staff, title="Atelier", leader_kind=LeaderKind.authority, method=Method.workshop,
                              uptake=Uptake.retained, uptake_explanation=" ")


def test_a_draft_is_not_public(client, people):
    process = services.save_process(None, actor=people.staff, title="Atelier secret", leader_kind=LeaderKind.authority,
                                    method=Method.workshop, uptake=Uptake.pending)
    assert client.get(f"/demarches/{process.id}").status_code == 404
    assert "Atelier secret" not in text(client.get("/demarches/"))


def test_staff_register_an_event_of_the_participation_kind(client, people):
    event = factories.event(title="Forum citoyen de l'habitat")
    login(client, people.staff)
    assert "Forum citoyen de l'habitat" in text(client.get("/gestion/demarches/plateforme/event"))
    response = client.submit("/gestion/demarches/plateforme/event", {"source_id": str(event.id)})
    assert response.status_code == 302
    process = db.session.scalar(sa.select(Process).where(Process.source_kind == "event"))
    assert process.title == "Forum citoyen de l'habitat" and dict(process.figures) == {"Inscrits": 0, "Présents": 0}
    assert client.get("/gestion/demarches/plateforme/nothing").status_code == 404


def test_the_charter_shows_its_voted_versions(client, people):
    first = _charter()
    services.save_charter_version(None, title="Charte révisée", preamble="", voted_on=None, voted_by="",
                                  commitments=[("Associer les jeunes", "")], actor=SYSTEM)
    page = text(client.get("/demarches/charte"))
    assert "version 1, votée le mercredi 12 mars 2025" in page and "Informer en amont" in page
    assert "Associer les jeunes" not in page  # not voted yet
    assert client.get("/demarches/charte?version=2").status_code == 404
    login(client, people.staff)
    staff_page = text(client.get("/gestion/demarches/charte"))
    assert "Version 2 : pas encore votée" in staff_page and first.number == 1


def test_contact_list_holds_those_who_agreed_only(client, people):
    consultation = factories.consultation(title="Plan climat")
    process = db.session.scalar(sa.select(Process).where(Process.source_id == consultation.id))
    login(client, people.resident)
    client.submit(f"/demarches/{process.id}/recontact", {"accord": "oui"}, form_path=f"/demarches/{process.id}")
    other = client.application.test_client()
    login(other, people.moderator)
    other.submit(f"/demarches/{process.id}/recontact", {"accord": "oui"}, form_path=f"/demarches/{process.id}")
    other.submit(f"/demarches/{process.id}/recontact", {"accord": "non"}, form_path=f"/demarches/{process.id}")
    staff = client.application.test_client()
    login(staff, people.staff)
    response = staff.get(f"/gestion/demarches/{process.id}/contacts.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows == [["Nom", "Adresse électronique"], ["Camille Habitante", "habitant@example.org"]]
    assert client.get(f"/gestion/demarches/{process.id}/contacts.csv").status_code == 403


def test_bad_input_is_refused_without_a_500(client, people):
    assert client.get("/demarches/?year=99999&commune=abc").status_code in (200, 422)
    assert client.get("/demarches/999999").status_code == 404
    login(client, people.staff)
    response = client.submit("/gestion/demarches/nouvelle", {"title": "", "leader_kind": "nope", "method": "workshop", "uptake": "pending",
                                                             "participants": "-3", "starts_on": "2026-05-02", "ends_on": "2026-05-01"})
    assert response.status_code == 422
    response = client.submit("/gestion/demarches/nouvelle", {"title": "Atelier", "leader_kind": "authority", "method": "workshop",
                                                             "uptake": "pending", "starts_on": "2026-05-02", "ends_on": "2026-05-01"})
    assert response.status_code == 422 and "La fin de la démarche précède son début." in text(response)


def test_register_pages_run_a_bounded_number_of_queries(client, people, count_queries, commune):
    def add(n):
        for i in range(n):
            process = services.save_process(None, actor=SYSTEM, title=f"Atelier {i}", leader_kind=LeaderKind.commune,
                                            leader_commune_id=commune.id, method=Method.workshop, uptake=Uptake.pending,
                                            communes=[commune.id], starts_on=date(2026, 1, 1))
            services.publish(process, actor=SYSTEM)
        factories.consultation()

    def queries(path):
        client.get(path)
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    login(client, people.staff)
    for path in ("/demarches/", "/gestion/demarches/", f"/demarches/?commune={commune.id}&year=2026"):
        add(2)
        few = queries(path)
        add(30)
        assert queries(path) == few <= 16, (path, few)


def test_staff_record_the_uptake_of_a_platform_process_without_touching_its_figures(client, people):
    consultation = factories.consultation(title="Plan vélo 2030")
    process = db.session.scalar(sa.select(Process).where(Process.source_kind == "consultation", Process.source_id == consultation.id))
    login(client, people.staff)
    response = client.submit(f"/gestion/demarches/{process.id}", {
        "title": "Titre changé", "summary": "Une concertation sur le vélo.", "audience": "Cyclistes et futurs cyclistes",
        "results": "Trente kilomètres de pistes demandés.", "uptake": "retained",
        "uptake_explanation": "Le schéma cyclable les reprend.", "uptake_url": "https://www.example.org/schema-cyclable"})
    assert response.status_code == 302, text(response)
    db.session.refresh(process)
    assert process.title == "Plan vélo 2030"  # the platform's
    assert process.uptake == Uptake.retained and process.audience == "Cyclistes et futurs cyclistes"
    services.sync()
    db.session.refresh(process)
    assert process.uptake == Uptake.retained and process.results == "Trente kilomètres de pistes demandés."


def test_only_staff_and_referents_open_the_register_back_office(client, people):
    for role, expected in (("resident", 403), ("moderator", 403), ("staff", 200), ("admin", 200)):
        fresh = client.application.test_client()
        login(fresh, people[role])
        for path in ("/gestion/demarches/", "/gestion/demarches/nouvelle", "/gestion/demarches/charte", "/gestion/bilans"):
            assert fresh.get(path).status_code == expected, (role, path)
        assert fresh.get("/gestion/demarches/referents").status_code == (200 if role == "admin" else 403), role
