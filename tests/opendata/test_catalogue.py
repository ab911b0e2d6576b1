"""The catalogue: its page, its DCAT description, and each dataset without its draft or private twin."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from urllib.parse import urlparse

import pytest

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.opendata.catalogue import datasets
from participation.plans import indicators as plan_indicators
from participation.plans import services as plans
from participation.processes import services as processes
from participation.processes.models import LeaderKind, Method, Uptake
from participation.surveys import services as surveys
from tests import factories
from tests.surveys.helpers import respond

SLUGS = {"subventions", "deliberations", "agenda", "demarches-participatives", "mesures-indicateurs", "resultats-questionnaires"}


def _process(title, *, publish=True, **values):
    item = processes.save_process(None, actor=SYSTEM, title=title, leader_kind=LeaderKind.authority, method=Method.citizen_jury,
                                  starts_on=date(2026, 3, 2), participants=24, uptake=Uptake.retained,
                                  uptake_explanation="Les propositions entrent au plan climat.", **values)
    if publish:
        processes.publish(item, actor=SYSTEM)
    return item


def _measured_plan(state, *, title, code="I-1", value=42.5):
    plan = factories.plan(title=title, axes=1, objectives=1, actions=1, state=state)
    objective = plans.nodes_of(plan)[1]
    indicator = plan_indicators.save_indicator(None, plan=plan, actor=SYSTEM, code=code, name=f"Indicateur de {title}", node=objective,
                                               unit="%", min_value=0, max_value=100)
    plan_indicators.add_measurement(indicator, measured_on=date.today(), value=value, actor=SYSTEM)
    return plan, indicator


def _published_survey(title, *, publish=True):
    questionnaire, q = factories.survey_with_every_kind(title=title)
    for n in range(5):
        respond(questionnaire, q, key=f"{title}-{n}", bus="Oui" if n < 3 else "Non", household=str(n + 1))
    surveys.close_questionnaire(questionnaire, actor=SYSTEM)
    if publish:
        surveys.publish_results(questionnaire, analysis="Les habitants prennent le bus.",
                                public_question_ids=[q["bus"].id, q["household"].id, q["services"].id, q["idea"].id], actor=SYSTEM)
    db.session.flush()
    return questionnaire, q


def _csv(client, slug):
    response = client.get(f"/opendata/{slug}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}.csv"'
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _json(client, slug):
    response = client.get(f"/opendata/{slug}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}.json"'
    document = json.loads(response.get_data(as_text=True))
    assert set(document) == {"data", "meta"} and document["meta"]["dataset"] == slug
    assert document["meta"]["count"] == len(document["data"])
    assert document["meta"]["license"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    return document


def test_the_agenda_gives_schema_org_events_and_leaves_an_unpublished_event_out(client):
    factories.event(title="Atelier public des berges", place_name="Maison du fleuve")
    factories.event(title="Atelier brouillon", publish=False)
    document = _json(client, "agenda")
    names = [item["name"] for item in document["data"]]
    assert "Atelier public des berges" in names and "Atelier brouillon" not in names
    event = next(item for item in document["data"] if item["name"] == "Atelier public des berges")
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    assert date.fromisoformat(event["startDate"][:10]) and event["startDate"] < event["endDate"]
    assert event["location"] == {"@type": "Place", "name": "Maison du fleuve, 1 place de la Mairie, 37910 Loirande"}
    assert event["eventStatus"] == "https://schema.org/EventScheduled" and event["url"].startswith("http")
    titles = [row["titre"] for row in _csv(client, "agenda")]
    assert "Atelier public des berges" in titles and "Atelier brouillon" not in titles
    assert "Atelier brouillon" not in client.get("/agenda/agenda.ics").get_data(as_text=True)


def test_the_register_of_processes_leaves_a_draft_out(client):
    commune = factories.commune("Loirande", "37100")
    theme = factories.theme("Mobilités")
    _process("Jury citoyen des mobilités", communes=[commune.id], themes=[theme.id])
    _process("Démarche en brouillon", publish=False)
    rows = _csv(client, "demarches-participatives")
    assert [r["titre"] for r in rows] == ["Jury citoyen des mobilités"]
    row = rows[0]
    assert (row["methode"], row["communes"], row["codes_insee"], row["thematiques"]) == ("Jury citoyen", "Loirande", "37100", "Mobilités")
    assert row["participants"] == "24" and row["prise_en_compte"] == "Retenus" and row["sur_la_plateforme"] == "false"
    document = _json(client, "demarches-participatives")
    assert [item["titre"] for item in document["data"]] == ["Jury citoyen des mobilités"]
    assert document["data"][0]["participants"] == 24 and client.get(urlparse(row["url"]).path).status_code == 200


def test_measurements_come_from_public_plans_only_and_an_archived_indicator_is_left_out(client):
    _measured_plan("running", title="Projet de territoire", value=42.5)
    _, archived = _measured_plan("running", title="Contrat de ville", code="I-9", value=10)
    archived.archived = True
    _measured_plan("drafting", title="Plan en préparation", value=77)
    db.session.flush()
    rows = _csv(client, "mesures-indicateurs")
    assert [(r["plan_titre"], r["indicateur_code"], r["valeur"]) for r in rows] == [("Projet de territoire", "I-1", "42.5")]
    assert rows[0]["unite"] == "%" and rows[0]["periode"] == str(date.today().year)
    document = _json(client, "mesures-indicateurs")
    assert [item["valeur"] for item in document["data"]] == [42.5]


def test_questionnaire_results_come_from_published_results_only_never_free_text(client):
    questionnaire, q = _published_survey("Vos déplacements")
    _published_survey("Questionnaire clos non publié", publish=False)
    rows = _csv(client, "resultats-questionnaires")
    assert {r["questionnaire_titre"] for r in rows} == {"Vos déplacements"}
    assert {r["question"] for r in rows} == {"Prenez-vous le bus ?", "Combien de personnes vivent dans votre foyer ?", "Notez ces services"}
    bus = {r["reponse"]: (r["nombre"], r["pourcentage"]) for r in rows if r["question"] == "Prenez-vous le bus ?"}
    assert bus == {"Oui": ("3", "60"), "Non": ("2", "40")}
    household = next(r for r in rows if r["question"] == "Combien de personnes vivent dans votre foyer ?")
    assert (household["moyenne"], household["mediane"], household["minimum"], household["maximum"]) == ("3", "3", "1", "5")
    assert "Plus de pistes cyclables" not in json.dumps(_json(client, "resultats-questionnaires"), ensure_ascii=False)


def test_a_dataset_s_query_count_does_not_grow_with_its_rows(client, count_queries):
    for n in range(3):
        _process(f"Atelier {n}", communes=[factories.commune().id], themes=[factories.theme().id])
    _measured_plan("running", title="Projet de territoire")
    with count_queries() as few:
        client.get("/opendata/demarches-participatives.json")
        client.get("/opendata/mesures-indicateurs.csv")
    for n in range(3, 15):
        _process(f"Atelier {n}", communes=[factories.commune().id], themes=[factories.theme().id])
    for n in range(2, 8):
        _measured_plan("running", title=f"Plan {n}")
    with count_queries() as many:
        client.get("/opendata/demarches-participatives.json")
        client.get("/opendata/mesures-indicateurs.csv")
    assert many.count == few.count


def test_the_dcat_catalogue_lists_every_dataset_with_working_downloads(client):
    _process("Jury citoyen des mobilités")
    factories.event(title="Atelier public")
    db.session.flush()
    assert {d.slug for d in datasets()} == SLUGS
    response = client.get("/opendata/catalogue.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    catalogue = json.loads(response.get_data(as_text=True))
    assert catalogue["@type"] == "dcat:Catalog"
    assert catalogue["@context"]["dcat"] == "http://www.w3.org/ns/dcat#" and catalogue["@context"]["dct"] == "http://purl.org/dc/terms/"
    entries = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(entries) == SLUGS
    for slug, entry in entries.items():
        assert entry["@type"] == "dcat:Dataset" and entry["dct:title"] and entry["dct:description"], slug
        assert entry["dct:license"] == {"@id": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
        assert entry["dcat:keyword"], slug
        assert entry["dcat:distribution"], slug
        for distribution in entry["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            url = distribution["dcat:downloadURL"]["@id"]
            download = client.get(urlparse(url).path)
            assert download.status_code == 200, url
            assert download.mimetype == distribution["dcat:mediaType"], url
    assert entries["subventions"]["dct:conformsTo"]["@id"] == "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
    assert entries["deliberations"]["dct:conformsTo"]["@id"] == "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
    assert {d["dct:format"] for d in entries["agenda"]["dcat:distribution"]} == {"CSV", "JSON", "iCalendar"}
    # The update date is the data's latest change; a dataset with nothing published has none.
    assert entries["demarches-participatives"]["dct:modified"]["@type"] == "xsd:dateTime"
    assert "dct:modified" not in entries["subventions"]


def test_the_page_lists_every_dataset_in_french(client):
    _process("Jury citoyen des mobilités")
    db.session.flush()
    response = client.get("/opendata/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<html lang="fr"' in body and "<h1>Données ouvertes</h1>" in body
    for title in ("Subventions attribuées", "Avis des conseils (délibérations)", "Agenda citoyen", "Registre des démarches participatives",
                  "Mesures des indicateurs des plans", "Résultats publiés des questionnaires"):
        assert f">{title}</h2>" in body, title
    assert "Licence Ouverte / Open Licence version 2.0" in body and "SCDL subventions</a>, version 2.1.1" in body
    assert "Aucune donnée publiée pour l’instant" in body or "Aucune donnée publiée pour l'instant" in body
    assert 'href="/opendata/subventions.csv"' in body or "/opendata/subventions.csv" in body
    assert "Subventions attribuées, format CSV" in body and "Agenda citoyen, format iCalendar" in body


@pytest.mark.parametrize("path", ["/opendata/inconnu.csv", "/opendata/agenda.xml", "/opendata/subventions.csv/"])
def test_an_unknown_dataset_or_format_is_a_404(client, path):
    assert client.get(path).status_code == 404
