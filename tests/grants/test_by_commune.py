"""An association gives the commune of its seat; the indicators count the year's grants by commune."""

from __future__ import annotations

from datetime import date
from html import unescape

import sqlalchemy as sa

from participation.extensions import db
from participation.grants.models import Association
from participation.staff.indicators import IndicatorQuery, collect
from tests import factories

FORM = {"name": "Les Jardins Partagés", "rna": "W372000999", "siret": "", "address": "2 rue des Jardins, Loirande",
        "purpose": "Jardiner ensemble.", "email": "jardins@example.org", "phone": "", "annual_budget": "", "financial_year_end_month": "12"}


def test_an_association_declares_the_commune_of_its_seat(client):
    loirande = factories.commune("Loirande")
    person = factories.user("presidente@jardins.example")
    client.login(person.email, factories.PASSWORD)
    form = unescape(client.get("/associations/nouvelle").get_data(as_text=True))
    assert "Commune du siège" in form and "Loirande" in form
    refused = client.submit("/associations/nouvelle", {**FORM, "commune": "999999"})
    assert refused.status_code == 422 and "Choisissez une commune du territoire" in unescape(refused.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(Association.id))) == 0
    assert client.submit("/associations/nouvelle", {**FORM, "commune": str(loirande.id)}).status_code == 302
    association = db.session.scalar(sa.select(Association))
    assert association.commune_id == loirande.id
    edit = unescape(client.get(f"/associations/{association.id}/modifier").get_data(as_text=True))
    assert f'<option selected value="{loirande.id}">Loirande</option>' in edit or f'value="{loirande.id}" selected' in edit


def test_the_indicators_count_grants_by_the_commune_of_the_seat():
    loirande, aubin = factories.commune("Loirande"), factories.commune("Saint-Aubin")
    year = date.today().year
    call = factories.grant_call()
    for commune, euros in ((loirande, 4000), (loirande, 1000), (aubin, 2500), (None, 700)):
        association = factories.association(commune_id=commune.id if commune else None)
        factories.granted_application(call, association, amount_euros=euros)
    figure = next(f for _, figures in collect(IndicatorQuery(year)) for f in figures if f.key == "grants_by_commune")
    assert figure.rows == [("Loirande", 5000, 2), ("Saint-Aubin", 2500, 1), ("Siège hors du territoire ou non précisé", 700, 1)]
    only = next(f for _, figures in collect(IndicatorQuery(year, commune_id=aubin.id)) for f in figures if f.key == "grants_by_commune")
    assert only.rows == [("Saint-Aubin", 2500, 1)]
