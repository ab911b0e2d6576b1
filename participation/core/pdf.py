"""PDF documents (opinions, syntheses, minutes) rendered from HTML templates with WeasyPrint.

The template is the same kind of Jinja page as the site's; its style sheets
and images are read from ``static/`` on disk. Nothing is fetched from the
network: any other address is refused.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _


class PDFUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are missing."""


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_pdf(template: str, document=None, **context) -> bytes:
    """Render ``template`` to HTML, then to a tagged PDF (PDF/UA-1) in bytes.

    ``document`` (see ``core.documents.issue``) gives the shared layout its
    reference, date, addressee, signature and publication address; the
    authority's letterhead is added to every document. The PDF is tagged for
    accessibility: its structure, title, language, outline and images' text
    alternatives are read by screen readers."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:
        raise PDFUnavailable(_("WeasyPrint ne peut pas être chargé : %(error)s", error=error)) from error

    static = Path(current_app.static_folder).resolve()

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and Path(parts.path).resolve().is_relative_to(static):
                return super().fetch(url, headers)
            raise ValueError(_("Ressource refusée dans un PDF : %(url)s", url=url))

    from participation.core.documents import letterhead

    context.setdefault("letterhead", letterhead())
    html = render_template(template, document=document, **context)
    return HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=StaticFilesOnly()).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True)
