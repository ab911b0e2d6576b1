"""A plan's life through the real pages: staff create the plan, an axe, an action and an indicator, record a
measurement and publish; a resident reads the public progress and follows the action; staff open the evaluation and
publish a progress report, which the resident reads on the plan's page and downloads as PDF. Every page passes axe-core.
(A retained recommendation becoming an action linked back to the opinion is checked in tests/plans/test_recommendations.py.)"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def _click(page, name, scope=None) -> None:
    with page.expect_navigation():
        (scope or page).get_by_role("button", name=name).first.click()


def test_a_plan_from_draft_to_public_progress_followed_by_a_resident(new_page, recorder):
    title = f"Contrat de ville {uuid.uuid4().hex[:6]}"
    year = date.today().year
    staff = new_page("agent")

    # The plan.
    staff.goto("/gestion/plans/nouveau")
    assert_accessible(staff)
    staff.fill("#title", title)
    staff.select_option("#kind", "city_contract")
    staff.fill("#start_year", str(year - 1))
    staff.fill("#end_year", str(year + 5))
    _click(staff, "Enregistrer")
    assert title in staff.inner_text("h1")
    plan_url = staff.url

    # An axe, an objective and an action.
    staff.fill("#nouvel-axe", "Cadre de vie et renouvellement urbain")
    _click(staff, "Ajouter l'axe")
    staff.get_by_label("Nouvel objectif de l'axe 1").fill("Améliorer la tranquillité publique")
    _click(staff, re.compile("Ajouter l'objectif"))
    assert "Objectif 1.1 — Améliorer la tranquillité publique" in staff.inner_text("main")
    assert_accessible(staff)
    with staff.expect_navigation():
        staff.get_by_role("link", name=re.compile("Ajouter une action.*Objectif 1.1|Ajouter une action")).last.click()
    assert_accessible(staff)
    staff.fill("#title", "Médiation de nuit dans le quartier des Tilleuls")
    staff.fill("#description", "Deux médiateurs **de 18 h à 1 h**, toute l'année.")
    _click(staff, "Enregistrer")
    assert "L'action 1.1.1 est créée." in staff.inner_text("main")
    action_url = staff.url
    assert_accessible(staff)
    staff.select_option("#transition", "engage")
    _click(staff, "Changer le statut")

    # An indicator with its trajectory, and a measurement.
    staff.goto(plan_url)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Ajouter un indicateur").click()
    assert_accessible(staff)
    staff.fill("#code", "I-1.1-1")
    staff.fill("#name", "Incidents signalés par mois")
    staff.select_option("#owner_ref", staff.locator("#owner_ref option", has_text="Action 1.1.1").get_attribute("value"))
    staff.fill("#unit", "incidents")
    staff.select_option("#direction", "lower")
    staff.fill("#baseline_value", "40")
    staff.fill("#baseline_date", f"{year - 1}-01-15")
    staff.fill("#targets", f"{year + 1} : 30\n{year + 4} : 20")
    staff.fill("#min_value", "0")
    _click(staff, "Créer l'indicateur")
    assert "L'indicateur est créé." in staff.inner_text("main")
    assert_accessible(staff)
    staff.fill("#measured_on", f"{year - 1}-12-31")
    staff.fill("#value", "-2")
    _click(staff, "Enregistrer la mesure")
    assert "hors de l'intervalle" in staff.inner_text("main")  # refused next to its field
    staff.fill("#value", "34")
    _click(staff, "Enregistrer la mesure")
    assert "La mesure est enregistrée." in staff.inner_text("main")

    # Published: adopted, then carried out.
    staff.goto(plan_url)
    _click(staff, "Adopter le plan")
    _click(staff, "Lancer la mise en œuvre")
    assert "En cours" in staff.inner_text(".lead") or "en cours" in staff.inner_text(".lead")
    assert_accessible(staff)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Page publique").click()
    public_url = staff.url

    # A resident reads the progress and follows the action.
    resident = new_page("habitante")
    resident.goto(public_url)
    text = resident.inner_text("main")
    assert "Cadre de vie et renouvellement urbain" in text and "Médiation de nuit dans le quartier des Tilleuls" in text
    assert resident.locator("svg.indicator-chart polyline.indicator-trajectory").count() == 1
    table = resident.locator("table.indicator-data").first.inner_text()
    assert "34" in table and f"Cible {year + 4}" in table
    assert_accessible(resident)
    with resident.expect_navigation():
        resident.get_by_role("link", name=re.compile("Médiation de nuit")).first.click()
    assert_accessible(resident)
    _click(resident, "Suivre cette action")
    assert resident.get_by_role("button", name="Ne plus suivre cette action").is_visible()
    assert resident.url.split("#")[0].split("?")[0].endswith(action_url.rsplit("/", 1)[-1]) or "/actions/" in resident.url

    # Evaluation: staff open it, prepare the progress report, write its text and publish it.
    report_title = f"Bilan à mi-parcours {year}"
    staff.goto(plan_url)
    _click(staff, "Ouvrir l'évaluation")
    assert "en évaluation" in staff.inner_text(".lead").lower()
    assert_accessible(staff)
    report_form = staff.locator("form", has=staff.get_by_role("button", name="Préparer le bilan"))
    report_form.get_by_label("Titre").fill(report_title)
    report_form.get_by_label("Début de la période").fill(f"{year - 1}-01-01")
    report_form.get_by_label("Fin de la période").fill(date.today().isoformat())
    _click(staff, "Préparer le bilan", scope=report_form)
    assert report_title in staff.inner_text("h1") and "brouillon" in staff.inner_text(".lead").lower()
    assert_accessible(staff)
    staff.fill("#introduction", "La médiation de nuit a **réduit les incidents** dès la première année.")
    staff.fill("#conclusion", "Poursuivre la médiation jusqu'en 2030.")
    _click(staff, "Enregistrer les textes")
    assert "Le bilan est enregistré." in staff.inner_text("main")
    _click(staff, re.compile("Publier le bilan"))
    assert "Le bilan est publié : ses chiffres sont figés." in staff.inner_text("main")
    assert "publié" in staff.inner_text(".lead").lower()
    assert staff.get_by_role("button", name="Enregistrer les textes").count() == 0  # a published report no longer changes
    assert_accessible(staff)

    # The resident finds the published report on the plan's public page, reads it and downloads its PDF.
    resident.goto(public_url)
    assert_accessible(resident)
    with resident.expect_navigation():
        resident.get_by_role("link", name=report_title, exact=True).click()
    assert report_title in resident.inner_text("h1") and "publié le" in resident.inner_text(".lead")
    assert resident.locator("main strong", has_text="réduit les incidents").count() == 1
    assert "Poursuivre la médiation jusqu'en 2030." in resident.inner_text("main")
    assert_accessible(resident)
    pdf_href = resident.get_by_role("link", name="Télécharger le bilan en PDF").get_attribute("href")
    response = resident.request.get(pdf_href)
    assert response.status == 200 and response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
    assert not recorder.errors, recorder.errors
