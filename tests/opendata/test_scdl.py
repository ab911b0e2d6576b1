"""The SCDL datasets validate with their schemas' own rules (copied in the JSON fixtures beside this file)."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlparse

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.grants import services as grants
from tests import factories
from tests.opendata.schema_rules import field_names, load, parse, row_errors
from tests.referrals.conftest import adopted, transmitted

SUBVENTIONS = load("scdl_subventions_2.1.1.json")
DELIBERATIONS = load("scdl_deliberations_2.1.5.json")


def _download(client, path, filename, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == media_type
    # CSV says its encoding; JSON is UTF-8 by definition (RFC 8259) and takes no charset parameter.
    assert response.mimetype_params.get("charset", "utf-8") == "utf-8"
    response.get_data().decode("utf-8")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    return response


def test_subventions_csv_has_the_16_columns_of_scdl_2_1_1_in_order_and_every_row_validates(client):
    factories.territory(name="Agglomération de Test", siret="20009999200014")
    public = factories.granted_application(amount_euros=24_000, project_title="Fête des jardins, édition « 2027 »")
    grants.record_convention(public, signed_on=date.today(), actor=SYSTEM)
    other = factories.granted_application(factories.grant_call(), amount_euros=1_500, project_title="Prêt de salle")
    grants.record_convention(other, signed_on=date.today(), actor=SYSTEM)
    # Twins that are not public: granted without a signed convention, still under review.
    factories.granted_application(amount_euros=1_000, project_title="Jumeau sans convention")
    factories.submitted_application(project_title="Jumeau déposé")
    db.session.flush()

    response = _download(client, "/opendata/subventions.csv", "subventions.csv", "text/csv")
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert len(field_names(SUBVENTIONS)) == 16 and header == field_names(SUBVENTIONS)
    rows = parse(SUBVENTIONS, response.get_data())
    assert sorted(r["objet"] for r in rows) == ["Fête des jardins, édition « 2027 »", "Prêt de salle"]
    for row in rows:
        assert row_errors(SUBVENTIONS, row) == [], row
        # The schema describes these three values for conditionsVersement.
        assert row["conditionsVersement"] in SUBVENTIONS["fields"][10]["_described_values"]
    by_object = {r["objet"]: r for r in rows}
    assert by_object["Prêt de salle"]["montant"] == "1500.00" and by_object["Prêt de salle"]["rnaBeneficiaire"].startswith("W")
    assert by_object["Fête des jardins, édition « 2027 »"]["montant"] == "24000.00"

    # The rules do catch a broken row.
    good = rows[0]
    assert row_errors(SUBVENTIONS, {**good, "idAttribuant": "2000999920001"}) == ["idAttribuant : motif ^\\d{14}$"]
    assert row_errors(SUBVENTIONS, {**good, "nature": "subvention"}) == ["nature : valeur non autorisée"]
    assert row_errors(SUBVENTIONS, {**good, "notificationUE": "false"})[0].startswith("notificationUE : booléen")
    assert row_errors(SUBVENTIONS, {**good, "pourcentageSubvention": "1.5"}) == ["pourcentageSubvention : supérieur à 1"]
    assert row_errors(SUBVENTIONS, {**good, "montant": "24000,00"}) == ["montant : nombre attendu (point décimal)"]
    assert row_errors(SUBVENTIONS, {**good, "idBeneficiaire": "", "rnaBeneficiaire": ""}) == [
        "idBeneficiaire ou rnaBeneficiaire : l'un des deux est obligatoire"]

    # The JSON: the catalogue's one shape, the same rows.
    response = _download(client, "/opendata/subventions.json", "subventions.json", "application/json")
    document = json.loads(response.get_data(as_text=True))
    assert set(document) == {"data", "meta"}
    assert document["meta"]["schema"] == {"name": "SCDL subventions", "version": "2.1.1",
                                          "url": "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"}
    assert document["meta"]["fields"] == field_names(SUBVENTIONS) and document["meta"]["count"] == 2
    assert [list(item) for item in document["data"]] == [field_names(SUBVENTIONS)] * 2
    assert "Jumeau" not in response.get_data(as_text=True)


def test_deliberations_validate_with_the_matiere_as_the_schema_writes_it_and_an_unpublished_opinion_is_absent(setup, client):
    factories.territory(name="Agglomération de Test", siret="20009999200014")
    published = transmitted(setup)
    twin = adopted(setup)  # adopted, not published: its page answers 404
    db.session.flush()

    response = _download(client, "/opendata/deliberations.csv", "deliberations.csv", "text/csv")
    assert response.get_data(as_text=True).splitlines()[0].split(",") == field_names(DELIBERATIONS)
    rows = parse(DELIBERATIONS, response.get_data())
    assert [r["DELIB_ID"].rsplit("-", 1)[1] for r in rows] == [f"{published.opinion.id:04d}"]
    assert twin.opinion.id != published.opinion.id
    row = rows[0]
    assert row_errors(DELIBERATIONS, row) == []
    assert (row["DELIB_MATIERE_CODE"], row["DELIB_MATIERE_NOM"]) == ("5.2", "institutions et vie politique/fonctionnement des assemblées")
    assert client.get(urlparse(row["DELIB_URL"]).path).status_code == 200

    # The rules do catch a broken row: an unaccented or wrong matière, a code out of the nomenclature, a bad URL.
    assert row_errors(DELIBERATIONS, {**row, "DELIB_MATIERE_NOM": "Fonctionnement des assemblees"}) == [
        "DELIB_MATIERE_NOM : la matière de niveau 1 ne correspond pas au code",
        "DELIB_MATIERE_NOM : la sous-matière ne correspond pas au code",
        "DELIB_MATIERE_NOM : minuscules accentuées, sans virgule ni parenthèse"]
    assert row_errors(DELIBERATIONS, {**row, "DELIB_MATIERE_NOM": "institutions et vie politique/fonctionnement des assemblees"}) == [
        "DELIB_MATIERE_NOM : la sous-matière ne correspond pas au code"]
    assert row_errors(DELIBERATIONS, {**row, "DELIB_MATIERE_CODE": "5.9"}) == ["DELIB_MATIERE_CODE : code hors de la nomenclature ACTES"]
    assert row_errors(DELIBERATIONS, {**row, "VOTE_POUR": "2,0"}) == ["VOTE_POUR : entier attendu"]
    assert row_errors(DELIBERATIONS, {**row, "DELIB_URL": "saisines/1/avis"}) == ["DELIB_URL : URI attendue"]

    document = json.loads(_download(client, "/opendata/deliberations.json", "deliberations.json", "application/json")
                          .get_data(as_text=True))
    assert document["meta"]["schema"]["version"] == "2.1.5" and document["meta"]["count"] == 1
    item = document["data"][0]
    assert list(item) == field_names(DELIBERATIONS) and isinstance(item["VOTE_POUR"], int) and item["BUDGET_ANNEE"] is None
