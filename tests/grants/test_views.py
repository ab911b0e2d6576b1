"""Grant pages: forms, who may see what, open data, bounded queries."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from participation.core.outbox import deliver_due
from participation.core.pdf import pdf_available
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.grants import opendata
from participation.grants import services as grants
from participation.grants.models import ApplicationState, DocumentKind, GrantApplication, GrantCall
from tests import factories
from tests.staff.conftest import login, text

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

ASSOCIATION = {
    "name": "Les Jardins Partagés", "rna": "W372000999", "siret": "", "address": "2 rue des Jardins, Loirande",
    "purpose": "Jardiner ensemble.", "email": "jardins@example.org", "phone": "", "annual_budget": "", "financial_year_end_month": "12",
}


def test_declaring_an_association_with_a_bad_rna_shows_the_message_and_changes_nothing(client):
    person = factories.user()
    login(client, person)
    response = client.submit("/associations/nouvelle", {**ASSOCIATION, "rna": "372000999"})
    assert response.status_code == 422
    assert "commence par la lettre W" in text(response)
    response = client.submit("/associations/nouvelle", {**ASSOCIATION, "siret": "73282932000075"})
    assert response.status_code == 422 and "clé de contrôle" in text(response)
    assert db.session.query(grants.Association).count() == 0
    response = client.submit("/associations/nouvelle", {**ASSOCIATION, "siret": "732 829 320 00074"})
    assert response.status_code == 302
    association = db.session.query(grants.Association).one()
    assert association.siret == "73282932000074"
    assert "Les Jardins Partagés" in text(client.get("/associations/"))


def test_association_pages_need_a_login_and_a_representative(client):
    association = factories.association()
    assert "/compte/connexion" in client.get(f"/associations/{association.id}").headers["Location"]
    login(client, factories.user())
    assert client.get(f"/associations/{association.id}").status_code == 403


def _upload(client, association, content, name, kind="statutes"):
    return client.submit(f"/associations/{association.id}/documents",
                         {"kind": kind, "document_date": date.today().isoformat(), "file": (io.BytesIO(content), name)},
                         form_path=f"/associations/{association.id}", content_type="multipart/form-data")


def test_a_renamed_file_is_refused_and_documents_are_served_only_to_representatives_and_staff(client, app):
    association = factories.association()
    representative = association.representatives[0].user
    login(client, representative)
    refused = _upload(client, association, b"MZ\x90\x00 executable", "statuts.pdf")
    assert refused.status_code == 422 and "son contenu ne correspond pas" in text(refused)
    assert _upload(client, association, PDF, "statuts.pdf").status_code == 302
    document = db.session.query(grants.AssociationDocument).one()
    url = f"/associations/{association.id}/documents/{document.id}"
    assert client.get(url).data == PDF

    other = app.test_client()
    login(other, factories.association().representatives[0].user)
    assert other.get(url).status_code == 403
    staff = app.test_client()
    login(staff, factories.staff())
    assert staff.get(url).status_code == 200
    anonymous = app.test_client()
    assert "/compte/connexion" in anonymous.get(url).headers["Location"]


def _application_form(**values):
    data = {"aid_kind": "cash", "request_kind": "first", "purpose_kind": "project", "duration": "one_year",
            "project_title": "Fête des jardins", "goals": "Se rencontrer", "amount_requested": "5000",
            "account_60": "6000", "account_74": "5000", "account_70": "1000", "signatory": "Marie Durand, présidente", "sign_cer": "y"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_the_representative_fills_submits_and_gets_a_receipt_with_the_pdf_link(client, mailbox):
    call = factories.grant_call()
    association = factories.association()
    login(client, association.representatives[0].user)
    page = client.get(f"/subventions/appels/{call.id}")
    assert "Commencer une demande" in text(page)
    response = client.submit(f"/subventions/appels/{call.id}/demande", {"association": str(association.id)}, form_path=f"/subventions/appels/{call.id}")
    application = db.session.query(GrantApplication).one()
    edit = f"/subventions/demandes/{application.id}/modifier"
    assert response.headers["Location"].endswith(edit)
    page = client.get(edit)
    assert "Respect des symboles de la République" in text(page) and "Liberté de conscience" in text(page)

    unbalanced = client.submit(edit, _application_form(account_70="500"))
    assert unbalanced.status_code == 302
    page = text(client.get(f"/subventions/demandes/{application.id}"))
    assert "n'est pas équilibré : les charges dépassent les produits de 500,00" in page
    client.submit(f"/subventions/demandes/{application.id}/deposer", form_path=f"/subventions/demandes/{application.id}")
    db.session.refresh(application)
    assert application.state == ApplicationState.draft

    bad = client.submit(edit, _application_form(amount_requested="12,345"))
    assert bad.status_code == 422
    assert client.submit(edit, _application_form()).status_code == 302
    response = client.submit(f"/subventions/demandes/{application.id}/deposer", form_path=f"/subventions/demandes/{application.id}")
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state == ApplicationState.submitted
    deliver_due()
    receipt = next(m for m in mailbox if m.subject.startswith("Accusé de réception"))
    assert f"http://participation.test/subventions/demandes/{application.id}/demande.pdf" in receipt.text


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint indisponible")
def test_the_application_pdf_is_for_representatives_and_staff_only(client, app):
    application = factories.submitted_application()
    login(client, application.association.representatives[0].user)
    response = client.get(f"/subventions/demandes/{application.id}/demande.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from tests.pdfcheck import check_official_pdf

    reference, _text = check_official_pdf(response.data, kind="SUBV", title=str(application.id))
    assert check_official_pdf(client.get(f"/subventions/demandes/{application.id}/demande.pdf").data, kind="SUBV")[0] == reference
    other = app.test_client()
    login(other, factories.user())
    assert other.get(f"/subventions/demandes/{application.id}/demande.pdf").status_code == 403


def test_staff_instruct_decide_and_are_blocked_from_paying_without_convention(client, app):
    application = factories.submitted_application()
    admin = factories.admin()
    login(client, admin)
    base = f"/gestion/subventions/demandes/{application.id}"
    assert client.submit(f"{base}/instruire", form_path=base).status_code == 302
    refused = client.submit(f"{base}/accorder", {"amount_granted": "", "decided_on": "", "reference": "", "payment_terms": "unique",
                                                "payment_from": ""}, form_path=base)
    assert refused.status_code == 422 and "Indiquez le montant accordé" in text(refused)
    today = date.today().isoformat()
    response = client.submit(f"{base}/accorder", {"amount_granted": "24000", "decided_on": today, "reference": "DEL-2026-114",
                                                 "payment_terms": "échelonné", "payment_from": today}, form_path=base)
    assert response.status_code == 302
    page = text(client.get(base))
    assert "aucun versement avant l'enregistrement de la convention" in page
    response = client.submit(f"{base}/versements", {"amount": "1000", "paid_on": today}, form_path=base)
    assert response.status_code == 422
    assert db.session.query(grants.Payment).count() == 0
    assert client.submit(f"{base}/convention", {"signed_on": today}, form_path=base, content_type="multipart/form-data").status_code == 302
    assert client.submit(f"{base}/versements", {"amount": "12000", "paid_on": today}, form_path=base).status_code == 302
    assert db.session.query(grants.Payment).one().amount_cents == 1_200_000


def test_residents_and_representatives_get_403_in_the_back_office(client):
    application = factories.submitted_application()
    login(client, application.association.representatives[0].user)
    for path in ("/gestion/subventions", f"/gestion/subventions/demandes/{application.id}", f"/gestion/subventions/appels/{application.call_id}"):
        assert client.get(path).status_code == 403, path


def test_public_pages_answer(client):
    call = factories.grant_call(title="Appel Culture 2027")
    assert "Appel Culture 2027" in text(client.get("/subventions/"))
    assert client.get(f"/subventions/appels/{call.id}").status_code == 200


# Open data --------------------------------------------------------------------

NATURES = {"aide en numéraire", "aide en nature", "aide en numéraire;aide en nature", "aide en nature;aide en numéraire"}


def test_opendata_csv_has_the_scdl_columns_and_formats(client):
    factories.territory(name="Agglomération de Test", siret="20009999200014")
    conventioned = factories.granted_application(amount_euros=24_000, project_title="Fête des jardins ; édition « 2027 »")
    grants.record_convention(conventioned, signed_on=date.today(), actor=SYSTEM)
    factories.granted_application(amount_euros=1_000)  # no convention: not published
    factories.submitted_application()
    response = client.get("/opendata/subventions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    # SCDL subventions 2.1.1: 16 columns, in this order.
    assert rows[0] == ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire", "idBeneficiaire",
                       "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement", "datesPeriodeVersement",
                       "idRAE", "notificationUE", "pourcentageSubvention", "dispositifAide"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["nomAttribuant"] == "Agglomération de Test" and re.fullmatch(r"\d{14}", row["idAttribuant"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["dateConvention"])
    assert row["montant"] == "24000.00"
    assert row["nature"] in NATURES and row["nature"] == "aide en numéraire"
    assert row["conditionsVersement"] in ("unique", "échelonné", "autre")
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?", row["datesPeriodeVersement"])
    assert row["notificationUE"] in ("oui", "non")
    assert 0.01 <= float(row["pourcentageSubvention"]) <= 1
    assert re.fullmatch(r"\d{14}", row["idBeneficiaire"]) and re.fullmatch(r"W\d{9}", row["rnaBeneficiaire"])
    assert row["objet"] == "Fête des jardins ; édition « 2027 »" and len(row["objet"]) <= 256
    assert row["referenceDecision"] == f"DEL-{conventioned.id}"
    assert row["idRAE"] == "" and row["dispositifAide"] == ""  # optional, and the call carries neither
    document = json.loads(client.get("/opendata/subventions.json").get_data(as_text=True))
    assert document["meta"]["fields"] == opendata.FIELDS and document["data"][0]["montant"] == "24000.00"


def test_a_call_s_rae_number_and_aid_scheme_reach_the_scdl_export_and_a_bad_rae_number_is_refused(client):
    admin = factories.admin()
    login(client, admin)
    call = factories.grant_call()
    form = {
        "title": call.title, "description": call.description, "eligibility": call.eligibility, "envelope": "100000",
        "opens_at": "2026-01-05T09:00", "closes_at": "2026-12-20T23:59", "department": "",
        "rae_id": "12345678", "aid_scheme": "dispositif-vie-associative-2026",
    }
    response = client.submit(f"/gestion/subventions/appels/{call.id}/modifier", form)
    assert response.status_code == 422 and "Au plus 5 caractères" in text(response)
    assert db.session.get(GrantCall, call.id).rae_id is None
    response = client.submit(f"/gestion/subventions/appels/{call.id}/modifier", {**form, "rae_id": "A12"})
    assert response.status_code == 302
    conventioned = factories.granted_application(call)
    grants.record_convention(conventioned, signed_on=date.today(), actor=SYSTEM)
    rows = list(csv.DictReader(io.StringIO(client.get("/opendata/subventions.csv").get_data(as_text=True))))
    assert [(r["idRAE"], r["dispositifAide"]) for r in rows] == [("A12", "dispositif-vie-associative-2026")]


# Bounded queries --------------------------------------------------------------


def _bulk_applications(call, n):
    association = factories.association()
    rows = [GrantApplication(call_id=call.id, association_id=association.id, project_title=f"Projet {i}", state=ApplicationState.submitted,
                             amount_requested_cents=100_000 + i, amount_proposed_cents=90_000, cer_signed_at=grants.utcnow(),
                             submitted_at=grants.utcnow())
            for i in range(n)]
    db.session.add_all(rows)
    db.session.flush()


def _queries(client, count_queries, path):
    client.get(path)
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


def test_the_committee_view_of_500_applications_runs_a_bounded_number_of_queries(client, count_queries):
    call = factories.grant_call()
    login(client, factories.admin())
    _bulk_applications(call, 3)
    few = _queries(client, count_queries, f"/gestion/subventions/appels/{call.id}")
    _bulk_applications(call, 497)
    many = _queries(client, count_queries, f"/gestion/subventions/appels/{call.id}")
    assert many == few <= 10, (few, many)
    page = text(client.get(f"/gestion/subventions/appels/{call.id}"))
    assert "Demandes (hors brouillons et retraits) 500" in page
    assert "Page 1 sur 5" in page


@pytest.mark.parametrize("path", ["/gestion/subventions", "/gestion/subventions/demandes", "/gestion/subventions/comptes-rendus"])
def test_back_office_lists_run_a_bounded_number_of_queries(client, count_queries, path):
    login(client, factories.admin())
    call = factories.grant_call()
    _bulk_applications(call, 2)
    few = _queries(client, count_queries, path)
    _bulk_applications(call, 30)
    factories.grant_call()
    many = _queries(client, count_queries, path)
    assert many == few <= 10, (few, many)


def test_my_applications_runs_a_bounded_number_of_queries(client, count_queries):
    association = factories.association()
    login(client, association.representatives[0].user)
    factories.grant_application(association_=association)
    few = _queries(client, count_queries, "/subventions/mes-demandes")
    for _ in range(5):
        factories.grant_application(association_=association)
    assert _queries(client, count_queries, "/subventions/mes-demandes") == few


def test_required_documents_are_listed_on_the_application(client):
    call = factories.grant_call(required=[DocumentKind.rib])
    application = factories.grant_application(call)
    login(client, application.association.representatives[0].user)
    page = text(client.get(f"/subventions/demandes/{application.id}"))
    assert "Relevé d'identité bancaire (RIB) : manquant" in page
