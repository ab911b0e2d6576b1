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
