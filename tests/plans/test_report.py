"""The progress report: live figures while a draft, a frozen snapshot once published, HTML and PDF with the same figures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from participation.core.errors import TransitionRefused
from participation.core.permissions import SYSTEM
from participation.plans import indicators, report, services
from tests import factories
from tests.factories import PASSWORD


@pytest.fixture
def plan():
    item = factories.plan(title="Projet de territoire", axes=1, objectives=2, actions=2, state="running")
    first, second, third, _ = services.actions_of(item)
    services.change_action_status(first, "engage", actor=SYSTEM)
    services.change_action_status(first, "complete", actor=SYSTEM)
    services.change_action_status(second, "engage", actor=SYSTEM)
    services.change_action_status(third, "abandon", actor=SYSTEM, reason="Plus de porteur.")
    services.set_funding(first, funder="caf", planned_cents=1_200_000, spent_cents=1_000_000, actor=SYSTEM)
    services.set_funding(second, funder="caf", planned_cents=300_000, spent_cents=0, actor=SYSTEM)
    services.set_funding(second, funder="europe", planned_cents=500_000, spent_cents=250_000, actor=SYSTEM)
    objective = services.nodes_of(item)[1]
    indicator = indicators.save_indicator(None, plan=item, actor=SYSTEM, code="I-1", name="Part des trajets à vélo", node=objective,
                                          unit="%", baseline_value=4, targets={"2030": 8, "2035": 12})
    indicators.add_measurement(indicator, measured_on=date(2025, 12, 31), value=6, actor=SYSTEM)
    return item


def test_figures_count_actions_budget_and_indicators(plan):
    figures = report.figures(plan)
    assert figures["actions"] == 4
    assert {s["status"]: s["count"] for s in figures["statuses"]} == {"to_start": 1, "ongoing": 1, "done": 1, "postponed": 0, "abandoned": 1}
    assert [(b["label"], b["planned_cents"], b["spent_cents"]) for b in figures["budget"]] == [("CAF", 1_500_000, 1_000_000),
                                                                                              ("Europe", 500_000, 250_000)]
    assert figures["indicators"] == [{"code": "I-1", "name": "Part des trajets à vélo", "unit": "%", "baseline": 4.0, "latest": 6.0,
                                      "target": 12.0, "target_year": 2035, "reached": False}]


def test_publishing_freezes_the_figures_and_the_pdf_says_the_same(plan, client):
    item = report.create_report(plan, title="Bilan à mi-parcours", period_start=date(2025, 1, 1), period_end=date(2026, 12, 31),
                                actor=SYSTEM)
    with pytest.raises(TransitionRefused, match="introduction"):
        report.publish(item, actor=SYSTEM)
    report.save_texts(item, introduction="Le plan avance.", conclusion="À suivre.", actor=SYSTEM)
    report.publish(item, actor=SYSTEM)
    assert item.figures["actions"] == 4 and item.published_at is not None
    # Later changes do not touch the published report.
    services.change_action_status(services.actions_of(plan)[1], "complete", actor=SYSTEM)
    assert report.report_figures(item)["statuses"][2]["count"] == 1

    html = client.get(f"/plans/{plan.slug}/bilans/{item.id}").get_data(as_text=True)
    assert "15 000,00" in html.replace("\u202f", " ") and "Le plan avance." in html
    response = client.get(f"/plans/{plan.slug}/bilans/{item.id}.pdf")
    assert response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).replace("\u202f", " ")
    assert "Bilan à mi-parcours" in text and "15 000,00" in text and "10 000,00" in text and "Part des trajets à vélo" in text
    from tests.pdfcheck import check_official_pdf

    check_official_pdf(response.data, kind="SUIVI", title="Bilan à mi-parcours")
    # The plan's page shows the same budget as the report.
    page = client.get(f"/plans/{plan.slug}").get_data(as_text=True).replace("\u202f", " ")
    assert "20 000,00" in page and "12 500,00" in page
    assert "<strong>50&nbsp;%</strong> d'avancement moyen" in page


def test_a_draft_report_is_not_public(plan, client):
    item = report.create_report(plan, title="Bilan 2026", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), actor=SYSTEM)
    assert client.get(f"/plans/{plan.slug}/bilans/{item.id}").status_code == 404
    agent = factories.staff()
    client.login(agent.email, PASSWORD)
    assert "brouillon" in client.get(f"/plans/{plan.slug}/bilans/{item.id}").get_data(as_text=True)
    path = f"/gestion/plans/bilans/{item.id}"
    assert client.submit(path, {"introduction": "Une année utile.", "conclusion": "", "based_on": 0}).status_code == 302
    assert client.submit(f"{path}/publication", form_path=path).status_code == 302
    client.get("/compte/deconnexion")


def test_two_staff_members_write_the_report_at_the_same_time(plan, app, logged_in):
    from participation.extensions import db
    from participation.plans.models import ProgressReport

    item = report.create_report(plan, title="Bilan 2026", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), actor=SYSTEM)
    db.session.flush()
    path = f"/gestion/plans/bilans/{item.id}"
    first, second = logged_in(factories.staff().email, factories.staff().email)
    assert 'name="based_on" type="hidden" value="0"' in first.get(path).get_data(as_text=True)
    assert first.submit(path, {"introduction": "Le plan avance vite.", "conclusion": "", "based_on": 0}).status_code == 302
    refused = second.submit(path, {"introduction": "Le plan avance lentement.", "conclusion": "", "based_on": 0})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Modification simultanée" in html
    assert "Le plan avance vite." in html and "Le plan avance lentement.</textarea>" in html
    assert "<del>vite.</del>" in html and "<ins>lentement.</ins>" in html and 'name="based_on" type="hidden" value="1"' in html
    db.session.expire_all()
    assert (db.session.get(ProgressReport, item.id).introduction, db.session.get(ProgressReport, item.id).revision) == (
        "Le plan avance vite.", 1)
    assert second.submit(path, {"introduction": "Le plan avance.", "conclusion": "", "based_on": 1}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ProgressReport, item.id).revision == 2
