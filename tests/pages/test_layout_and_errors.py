"""Layout, legal pages, security headers, error pages, health check, languages."""

from __future__ import annotations

import html
import re

import pytest

from participation import create_app
from participation.core.web import CONTENT_SECURITY_POLICY
from tests import factories

PUBLIC_PAGES = ["/", "/mentions-legales", "/donnees-personnelles", "/accessibilite", "/compte/connexion", "/compte/inscription", "/conseils/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_the_accessible_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<html lang="fr">' in body
    assert body.count("<h1") == 1
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in body
    assert '<main id="contenu"' in body and 'role="banner"' in body and 'role="contentinfo"' in body
    for label in ("Conseils", "Saisines", "Concertations", "Agenda", "Événements", "Subventions"):
        assert f">{label}</a>" in body
    for link in ('href="/mentions-legales"', 'href="/donnees-personnelles"', 'href="/accessibilite"'):
        assert link in body
    assert "<script>" not in body and "style=" not in body


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_flags(client, app):
    factories.user("cookie@example.org")
    response = client.submit("/compte/connexion", {"email": "cookie@example.org", "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_settings_make_cookies_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTICIPATION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    from participation.config import load_config

    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["DEMO_MODE"] is False and config["MAIL_DELIVERY"] == "smtp"
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config(str(tmp_path))


def test_flash_messages_are_announced(client):
    factories.user("flash@example.org")
    client.login("flash@example.org", factories.PASSWORD)
    body = client.get("/").get_data(as_text=True)
    assert re.search(r'<div class="flash-region" role="status" aria-live="polite">\s*<div class="flash flash-success">', body)


def test_404_is_french(client):
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_403_is_french(client):
    factories.user("curieux@example.org")
    client.login("curieux@example.org", factories.PASSWORD)
    response = client.get("/gestion/")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_400_without_csrf_token(client):
    response = client.post("/compte/connexion", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'a pas été reconnu" in html.unescape(response.get_data(as_text=True))


def test_413_for_a_body_too_large(client, app):
    response = client.post("/compte/connexion", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)


def test_500_is_french_and_rolls_back(app, tmp_path):
    other = create_app({**_test_config(app), "INSTANCE_PATH": str(tmp_path), "PROPAGATE_EXCEPTIONS": False})

    @other.route("/panne")
    def broken():
        raise RuntimeError("panne")

    response = other.test_client().get("/panne")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)


def test_429_after_too_many_log_in_attempts(app, tmp_path):
    limited = create_app({**_test_config(app), "INSTANCE_PATH": str(tmp_path), "RATELIMIT_ENABLED": True, "RATELIMIT_AUTH": "3 per minute"})
    limited.test_client_class = type(app.test_client())
    client = limited.test_client()
    statuses = []
    for _ in range(4):
        token = client.csrf_token("/compte/connexion")
        statuses.append(client.post("/compte/connexion", data={"csrf_token": token, "email": "x@example.org", "password": "mauvais-mot"}).status_code)
    assert statuses == [422, 422, 422, 429]
    page = client.post("/compte/connexion", data={"csrf_token": token, "email": "x@example.org", "password": "y"})
    assert page.status_code == 429 and "Trop de tentatives" in page.get_data(as_text=True)
    # Reading the form is not limited.
    assert client.get("/compte/connexion").status_code == 200


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"etat": "ok", "base_de_donnees": "ok"}


@pytest.mark.committing  # its own engine, not the test's shared connection
def test_healthz_reports_an_unreachable_database(app, tmp_path):
    broken = create_app({**_test_config(app), "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "postgresql://postgres@127.0.0.1:1/nulle"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["base_de_donnees"] == "injoignable"


def test_english_is_available(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert 'lang="fr" hreflang="fr">Version française</a>' in page
    for english in (">Skip to content<", ">Log in<", ">Councils<", ">Legal notice<", "Take part in your territory"):
        assert english in page
    # The choice is kept for the session, and French comes back on request.
    assert "Page not found" in client.get("/nulle-part").get_data(as_text=True)
    assert ">Aller au contenu<" in client.get("/?lang=fr").get_data(as_text=True)


def test_theme_colour_reaches_the_stylesheet_with_enough_contrast(client):
    factories.territory(brand_colour="#88ccee")
    css = client.get("/theme.css").get_data(as_text=True)
    assert "--brand: #88ccee" in css
    dark = re.search(r"--brand-dark: (#[0-9a-f]{6})", css).group(1)
    from participation.pages.views import _contrast_with_white

    assert _contrast_with_white(*(int(dark[i:i + 2], 16) for i in (1, 3, 5))) >= 4.5


def test_privacy_register_comes_from_configuration(client, app):
    factories.territory(dpo_name="Mme Dupont", dpo_email="dpo@agglo.example")
    app.config["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"], saved = 12, app.config["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"]
    try:
        body = html.unescape(client.get("/donnees-personnelles").get_data(as_text=True))
    finally:
        app.config["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"] = saved
    assert "Mme Dupont" in body and "dpo@agglo.example" in body
    assert "supprimé 12 jours après l'inscription" in body
    for heading in ("Comptes des participants", "Courriels envoyés par la plateforme", "Journal des actions"):
        assert heading in body


def test_accessibility_statement_has_what_rgaa_requires(client):
    factories.territory(accessibility_status="partiellement conforme", accessibility_contact="a11y@agglo.example")
    body = client.get("/accessibilite").get_data(as_text=True)
    assert "partiellement conforme" in body and "RGAA" in body and "4.1" in body
    assert "a11y@agglo.example" in body
    assert "Défenseur des droits" in body


def _test_config(app) -> dict:
    keys = ["TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BASE_URL", "ARGON2_FAST", "RATELIMIT_ENABLED", "MAIL_DELIVERY", "DEMO_MODE"]
    return {key: app.config[key] for key in keys}


def test_behind_a_trusted_proxy_the_real_address_is_used(app, tmp_path):
    proxied = create_app({**_test_config(app), "INSTANCE_PATH": str(tmp_path), "TRUSTED_PROXIES": 1})

    @proxied.route("/adresse")
    def address():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    response = proxied.test_client().get("/adresse", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "203.0.113.7 https"
