"""The bilan annuel: generated from the indicators and the register, published with a frozen snapshot, as HTML and PDF."""

from __future__ import annotations

import re
from datetime import date

import pytest

from participation.core.errors import ValidationError
from participation.core.pdf import pdf_available
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.processes import bilan as service
from participation.processes import services
from participation.processes.models import LeaderKind, Method, Uptake
from tests import factories
from tests.staff.conftest import login, text

YEAR = utcnow().year


def _process(title, **values):
    process = services.save_process(None, actor=SYSTEM, title=title, leader_kind=LeaderKind.authority, method=Method.citizen_jury,
                                    starts_on=date(YEAR, 1, 2), participants=24, results="Vingt propositions.",
                                    uptake=Uptake.retained, uptake_explanation="Les vingt propositions entrent au plan climat.", **values)
    services.publish(process, actor=SYSTEM)
    return process


def _tables(body: str) -> dict[str, str]:
    """Each figure's table, by its figure key, as text."""
    tables = {}
    for key, section in re.findall(r'<section class="figure" aria-labelledby="fig-([a-z_]+)">(.*?)</section>', body, flags=re.S):
        table = re.search(r"<table>.*?</table>", section, flags=re.S)
        tables[key] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.group(0))).strip() if table else ""
    return tables


def test_the_bilans_figures_equal_the_indicators_page(client, people):
    _process("Jury citoyen du climat")
    factories.consultation(title="Plan vélo")
    bilan = service.create_bilan(YEAR, actor=people.staff)
    service.edit_bilan(bilan, introduction="Une année de participation.", highlights="Le jury citoyen.", outlook="Un budget participatif.",
                       actor=people.staff)
    service.publish_bilan(bilan, actor=people.staff)
    login(client, people.staff)
    indicators = _tables(client.get(f"/gestion/indicateurs?annee={YEAR}").get_data(as_text=True))
    published = _tables(client.get(f"/bilans/{YEAR}").get_data(as_text=True))
    assert indicators and published == indicators
    page = text(client.get(f"/bilans/{YEAR}"))
    assert "Jury citoyen du climat" in page and "Les vingt propositions entrent au plan climat." in page
    assert "Une année de participation." in page and "Un budget participatif." in page


def test_a_published_bilan_keeps_its_snapshot(client, people):
    _process("Atelier des berges")
    bilan = service.create_bilan(YEAR, actor=people.staff)
    service.edit_bilan(bilan, introduction="Introduction.", highlights="", outlook="", actor=people.staff)
    service.publish_bilan(bilan, actor=people.staff)
    _process("Démarche arrivée après la publication")
    page = text(client.get(f"/bilans/{YEAR}"))
    assert "Atelier des berges" in page and "Démarche arrivée après la publication" not in page
    with pytest.raises(ValidationError):
        service.edit_bilan(bilan, introduction="Autre.", highlights="", outlook="", actor=people.staff)


def test_publishing_needs_an_introduction_and_a_draft_is_not_public(client, people):
    bilan = service.create_bilan(YEAR, actor=people.staff)
    assert client.get(f"/bilans/{YEAR}").status_code == 404
    with pytest.raises(ValidationError, match="Rédigez l'introduction"):
        service.publish_bilan(bilan, actor=people.staff)
    with pytest.raises(ValidationError, match="existe déjà"):
        service.create_bilan(YEAR, actor=people.staff)
    login(client, people.staff)
    response = client.submit(f"/gestion/bilans/{bilan.id}", {"introduction": "", "publier": "1"})
    assert response.status_code == 422 and "Rédigez l'introduction du bilan" in text(response)
    response = client.submit("/gestion/bilans", {"year": "1850"})
    assert response.status_code == 422


def test_the_bilan_links_the_councils_activity_reports(client, people):
    from participation.referrals import report

    council = factories.council(name="Conseil de développement")
    activity = report.create_report(council, year=YEAR, actor=SYSTEM)
    report.edit_report(activity, introduction="Notre année.", outlook="", actor=SYSTEM)
    report.publish_report(activity, actor=SYSTEM)
    bilan = service.create_bilan(YEAR, actor=people.staff)
    service.edit_bilan(bilan, introduction="Introduction.", highlights="", outlook="", actor=people.staff)
    service.publish_bilan(bilan, actor=people.staff)
    body = client.get(f"/bilans/{YEAR}").get_data(as_text=True)
    assert f'href="/saisines/rapports/{council.slug}/{YEAR}"' in body


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint indisponible")
def test_the_pdf_opens(client, people):
    _process("Jury citoyen du climat")
    bilan = service.create_bilan(YEAR, actor=people.staff)
    service.edit_bilan(bilan, introduction="Introduction.", highlights="", outlook="", actor=people.staff)
    service.publish_bilan(bilan, actor=people.staff)
    response = client.get(f"/bilans/{YEAR}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from pypdf import PdfReader  # noqa: PLC0415

    import io

    content = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Jury citoyen du climat" in content
    from tests.pdfcheck import check_official_pdf

    check_official_pdf(response.data, kind="BILAN", title=str(YEAR))
    assert client.get("/bilans/1999.pdf").status_code == 404
