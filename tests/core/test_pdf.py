from __future__ import annotations

import os

import pytest

from participation.core.pdf import pdf_available, render_pdf


@pytest.fixture
def needs_pdf():
    if not pdf_available():
        if os.environ.get("REQUIRE_PDF") == "1":
            pytest.fail("WeasyPrint ne peut pas se charger (Pango manquant ?) alors que REQUIRE_PDF=1.")
        pytest.skip("WeasyPrint ne peut pas se charger : installez libpango-1.0-0 et libpangoft2-1.0-0.")


def test_a_template_becomes_a_pdf_with_its_local_style_sheet(app, needs_pdf):
    with app.test_request_context("/"):
        data = render_pdf("pdf/base.html", title="Avis n° 1")
    assert data.startswith(b"%PDF-")
    assert len(data) > 1000


def test_a_pdf_never_reaches_the_network(app, needs_pdf, monkeypatch):
    """A remote image is refused by the fetcher before any connection is tried."""
    from urllib.request import OpenerDirector

    from participation.core import pdf

    opened = []
    monkeypatch.setattr(OpenerDirector, "open", lambda self, url, *a, **k: opened.append(getattr(url, "full_url", url)))
    monkeypatch.setattr(pdf, "render_template", lambda *a, **k: '<img src="https://ailleurs.example/x.png"><p>Texte</p>')
    with app.test_request_context("/"):
        data = render_pdf("ignored.html")
    assert data.startswith(b"%PDF-")
    assert opened == []


def test_the_letterhead_shows_the_authoritys_logo_with_its_text_alternative(app, needs_pdf):
    """The logo comes from the territory's settings; tagged, it is a /Figure with its /Alt text."""
    import io as io_module

    from pypdf import PdfReader
    from werkzeug.datastructures import FileStorage

    from participation.core.documents import issue
    from participation.territory import services as territory_services
    from tests import factories
    from tests.pdfcheck import check_official_pdf

    territory = factories.territory(name="Communauté de communes du Val Test", address="1 place de la Mairie\n00000 Testville")
    admin = factories.admin()
    territory_services.set_logo(FileStorage(io_module.BytesIO(factories.png_bytes()), filename="logo.png", content_type="image/png"),
                                actor=admin)
    council = factories.council()
    with app.test_request_context("/"):
        document = issue("EMARG", factories.sitting(council), title="Une feuille d'émargement", addressee=["Madame la Présidente"])
        data = render_pdf("pdf/base.html", document=document, title="Une feuille d'émargement")
    reference, text = check_official_pdf(data, kind="EMARG", title="Une feuille d'émargement")
    assert territory.name in text and "1 place de la Mairie" in text and "Madame la Présidente" in text
    assert _alts(PdfReader(io_module.BytesIO(data))) == [f"Logo : {territory.name}"]


def _alts(reader) -> list[str]:
    """The /Alt texts of the structure tree's elements."""
    found, seen = [], set()

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found
