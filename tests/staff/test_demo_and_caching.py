"""Demo mode stays a demonstration on this machine, production refuses it, and
a logged-in person's pages are kept by no cache."""

from __future__ import annotations

import pytest

from participation.cli import is_loopback
from participation.config import load_config
from tests.staff.conftest import login


def test_production_refuses_demo_mode_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTICIPATION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DEMO_MODE", "1")
    with pytest.raises(RuntimeError, match=r"Le mode démonstration \(DEMO_MODE\) est refusé en production"):
        load_config(str(tmp_path))
    monkeypatch.delenv("DEMO_MODE")
    assert load_config(str(tmp_path))["DEMO_MODE"] is False


def test_demo_mode_is_off_unless_asked_even_in_development(monkeypatch, tmp_path):
    monkeypatch.delenv("PARTICIPATION_ENV", raising=False)
    monkeypatch.delenv("DEMO_MODE", raising=False)
    assert load_config(str(tmp_path))["DEMO_MODE"] is False


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "demo.example.org"])
def test_the_demo_command_refuses_an_address_reachable_from_elsewhere(app, host):
    result = app.test_cli_runner().invoke(args=["demo", "--host", host, "--port", "1"])
    assert result.exit_code != 0
    assert "ne s'ouvre que sur une adresse locale" in result.output
    assert app.config["DEMO_MODE"] is False


def test_the_demo_command_refuses_to_run_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["demo", "--port", "1"])
    assert result.exit_code != 0 and "refusé en production" in result.output
    assert app.config["DEMO_MODE"] is False


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "exemple.fr"))


def test_pages_for_a_logged_in_person_are_never_stored(client, people):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    login(client, people.resident)
    for path in ("/", "/compte/profil", "/notifications/", "/evenements/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Cookie" in response.headers.get("Vary", ""), path
    admin = client.application.test_client()
    login(admin, people.admin)
    assert admin.get("/gestion/").headers["Cache-Control"] == "no-store"
    # What is the same for everyone keeps its own caching: the stylesheet, the agenda feed.
    stylesheet = client.get("/static/css/agenda.css")
    assert stylesheet.status_code == 200 and "no-store" not in stylesheet.headers.get("Cache-Control", "")
    assert client.get("/agenda.ics").headers["Cache-Control"] == "public, max-age=300"
