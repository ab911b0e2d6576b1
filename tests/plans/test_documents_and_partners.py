"""Documents of a plan, the council's saisine on it, and a partner entering an indicator's measurement."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import indicators, services
from participation.plans.models import Measurement
from tests import factories
from tests.factories import PASSWORD


def test_staff_publish_a_document_and_residents_download_it(app, client):
    agent = factories.staff()
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    client.login(agent.email, PASSWORD)
    path = f"/gestion/plans/{plan.id}"
    data = {"title": "Diagnostic de territoire", "is_public": "y", "document": (io.BytesIO(factories.pdf_bytes()), "diagnostic.pdf")}
    assert client.submit(f"{path}/documents", data, form_path=path, content_type="multipart/form-data").status_code == 302
    hidden = {"title": "Note interne", "document": (io.BytesIO(factories.pdf_bytes()), "note.pdf")}
    assert client.submit(f"{path}/documents", hidden, form_path=path, content_type="multipart/form-data").status_code == 302
    refused = {"title": "Image déguisée", "document": (io.BytesIO(b"pas un pdf"), "faux.pdf")}
    client.submit(f"{path}/documents", refused, form_path=path, content_type="multipart/form-data")
    public, internal = services.documents_of(plan, public_only=False)
    assert len(services.documents_of(plan, public_only=False)) == 2  # the disguised file was refused
    client = app.test_client()  # an anonymous visitor
    page = client.get(f"/plans/{plan.slug}").get_data(as_text=True)
    assert "Diagnostic de territoire" in page and "Note interne" not in page
    download = client.get(f"/plans/{plan.slug}/documents/{public.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert client.get(f"/plans/{plan.slug}/documents/{internal.id}").status_code == 404


def test_the_plan_shows_the_council_opinion_once_its_saisine_is_set(client):
    from tests.referrals.conftest import Setup, transmitted
    from participation.councils.extras import create_group

    council = factories.council(colleges=(("Collège des habitants", 10),))
    president = factories.member(council, role="president", user_=factories.user(display_name="Paule Présidente"))
    writer = factories.member(council, user_=factories.user(display_name="Rita Rédactrice"))
    member = factories.member(council, user_=factories.user(display_name="Marc Membre"))
    group = create_group(council, name="Projet", purpose="", lead=writer, actor=SYSTEM)
    department = factories.department()
    staff = factories.staff(department_=department)
    referral = transmitted(Setup(council, president, writer, member, group, department, staff))
    plan = factories.plan(axes=1, objectives=1, actions=1, state="consultation")
    services.set_referral(plan, referral, actor=staff)
    html = client.get(f"/plans/{plan.slug}").get_data(as_text=True)
    assert f'href="/saisines/{referral.id}/avis"' in html


def test_the_partner_responsible_for_an_indicator_enters_its_measurement(app, client):
    partner = factories.user("statistiques@caf.example")
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = indicators.save_indicator(None, plan=plan, actor=SYSTEM, code="I-CAF", name="Familles accompagnées",
                                          node=services.nodes_of(plan)[1], owner=partner, min_value=0)
    other = factories.user("autre@example.org")
    path = f"/plans/indicateurs/{indicator.id}/mesure"
    stranger = app.test_client()
    stranger.login(other.email, PASSWORD)
    assert stranger.get(path).status_code == 403
    assert app.test_client().get(path).status_code == 302  # to the login page
    client.login(partner.email, PASSWORD)
    assert client.get(path).status_code == 200
    refused = client.submit(path, {"measured_on": "2099-01-01", "value": "12"})
    assert refused.status_code == 422 and "dans le futur" in refused.get_data(as_text=True)
    assert client.submit(path, {"measured_on": "2025-12-31", "value": "312"}).status_code == 302
    measurement = db.session.scalar(sa.select(Measurement))
    assert (measurement.value, measurement.author_id, measurement.period_start) == (312, partner.id, date(2025, 1, 1))
    assert client.get(f"/gestion/plans/indicateurs/{indicator.id}").status_code == 403  # the back office stays staff-only
