"""Home, legal pages, the theme stylesheet and the health check."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template

from participation.core.pagecache import cached_page
from participation.extensions import db
from participation.pages.homepage import collect_home_blocks
from participation.pages.navigation import SECTIONS
from participation.pages.privacy import processings
from participation.territory.services import current_territory

bp = Blueprint("pages", __name__)

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@bp.route("/")
@cached_page
def home():
    return render_template("pages/home.html", sections=SECTIONS, blocks=collect_home_blocks())


@bp.route("/mentions-legales")
@cached_page
def legal_notice():
    return render_template("pages/legal_notice.html")


@bp.route("/donnees-personnelles")
@cached_page
def privacy():
    return render_template("pages/privacy.html", processings=processings())


@bp.route("/accessibilite")
@cached_page
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/theme.css")
def theme_css():
    """The authority's colour as CSS variables: no inline style, so the CSP stays strict."""
    colour = current_territory().brand_colour
    if not colour or not COLOUR.match(colour):
        colour = "#1f5f8b"
    css = f":root {{ --brand: {colour}; --brand-dark: {_darker(colour)}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=300"})


@bp.route("/logo")
def logo():
    """The authority's logo, public like the header it appears in."""
    from participation.core.uploads import StoredFile, send_stored_file

    territory = current_territory()
    stored = db.session.get(StoredFile, territory.logo_file_id) if territory.logo_file_id else None
    if stored is None:
        abort(404)
    response = send_stored_file(stored, inline=True)
    # The address changes with the file (?v=<id>), so it may be kept.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("Base de données injoignable")
        return {"etat": "indisponible", "base_de_donnees": "injoignable"}, 503
    return {"etat": "ok", "base_de_donnees": "ok"}


def section_placeholder(key: str):
    """The page of a section whose domain is not open yet."""
    section = next((s for s in SECTIONS if s.key == key), None)
    if section is None:
        abort(404)
    return render_template("pages/section.html", section=section)


def register_placeholders(app) -> None:
    """Give each main section without a domain of its own a page that says what it will hold."""
    for section in SECTIONS:
        if section.endpoint not in app.view_functions:
            app.add_url_rule(section.path, f"section_{section.key}", section_placeholder, defaults={"key": section.key})


def _darker(colour: str) -> str:
    """The brand colour darkened until white text on it passes WCAG AA (4.5:1)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    for _ in range(40):
        if _contrast_with_white(r, g, b) >= 4.5:
            break
        r, g, b = int(r * 0.9), int(g * 0.9), int(b * 0.9)
    return f"#{r:02x}{g:02x}{b:02x}"


def _contrast_with_white(r: int, g: int, b: int) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)
