"""Who may open each back-office page, and what the pages hold for each person."""

from __future__ import annotations

import re

import pytest

from participation.core.outbox import MailStatus
from tests import factories
from tests.staff.conftest import login, text

ROLES = ["resident", "staff", "moderator", "admin"]


def _pages(people, mail):
    return {
        "/gestion/": {"staff", "moderator", "admin"},
        "/gestion/courriels": {"admin"},
        f"/gestion/courriels/{mail.id}": {"admin"},
        "/gestion/journal": {"staff", "admin"},
        "/gestion/journal.csv": {"staff", "admin"},
        "/gestion/utilisateurs": {"admin"},
        f"/gestion/utilisateurs/{people.resident.id}": {"moderator", "admin"},
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_page_opens_only_for_those_allowed(client, people, role):
    mail = factories.mail("quelquun@example.org")
    login(client, people[role])
    for path, allowed in _pages(people, mail).items():
        response = client.get(path)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, path, response.status_code)
        if expected == 403:
            assert "Accès refusé" in text(response)


def test_anonymous_visitors_are_sent_to_the_login_page(client, people):
    mail = factories.mail()
    for path in _pages(people, mail):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/compte/connexion?next=%2Fgestion%2F"), response.headers["Location"]


@pytest.mark.parametrize("role", ["resident", "staff", "moderator"])
def test_forms_posted_without_permission_are_refused_with_403(client, people, role):
    failed = factories.mail(status=MailStatus.failed)
    target = people.resident
    login(client, people[role])
    posts = [
        (f"/gestion/courriels/{failed.id}/reessayer", {}),
        (f"/gestion/utilisateurs/{target.id}/roles", {"role": "admin", "department": ""}),
        (f"/gestion/utilisateurs/{target.id}/roles/retirer", {"role": "admin"}),
    ]
    if role != "moderator":
        posts.append((f"/gestion/utilisateurs/{target.id}/suspendre", {"reason": "Essai"}))
    for path, data in posts:
        response = client.submit(path, data, form_path="/")
        assert response.status_code == 403, (role, path, response.status_code)
    assert target.role_names == set()
    assert failed.status == MailStatus.failed


def test_mail_pages_in_demo_mode_are_for_staff(client, people, demo_mode):
    mail = factories.mail("quelquun@example.org")
    for role, expected in [("staff", 200), ("admin", 200), ("moderator", 403), ("resident", 403)]:
        fresh = client.application.test_client()
        login(fresh, people[role])
        assert fresh.get("/gestion/courriels").status_code == expected, role
        assert fresh.get(f"/gestion/courriels/{mail.id}").status_code == expected, role


def test_missing_things_are_404(client, people):
    login(client, people.admin)
    assert client.get("/gestion/courriels/999999").status_code == 404
    assert client.get("/gestion/utilisateurs/999999").status_code == 404
    assert client.submit("/gestion/courriels/999999/reessayer", {}, form_path="/gestion/").status_code == 404


def test_dashboard_links_to_the_pages_each_person_may_see(client, people):
    expected = {
        "staff": {"/gestion/journal"},
        "moderator": set(),
        "admin": {"/gestion/courriels", "/gestion/journal", "/gestion/utilisateurs"},
    }
    for role, links in expected.items():
        fresh = client.application.test_client()
        login(fresh, people[role])
        body = fresh.get("/gestion/").get_data(as_text=True)
        shown = {link for link in ("/gestion/courriels", "/gestion/journal", "/gestion/utilisateurs") if f'href="{link}"' in body}
        assert shown == links, role


def test_dashboard_in_demo_mode_shows_staff_the_mail(client, people, demo_mode):
    login(client, people.staff)
    body = client.get("/gestion/").get_data(as_text=True)
    assert 'href="/gestion/courriels"' in body
    assert 'href="/gestion/utilisateurs"' not in body


def test_dashboard_counts_accounts_and_mail(client, people):
    factories.mail(status=MailStatus.failed)
    factories.mail(status=MailStatus.failed)
    factories.mail(status=MailStatus.pending)
    login(client, people.admin)
    page = text(client.get("/gestion/"))
    assert "Actif 4" in page  # the four people of the fixture
    assert "En échec 2" in page and "En attente 1" in page and "Envoyé 0" in page
    assert "Courriels en échec (2)" in page

    moderator = client.application.test_client()
    login(moderator, people.moderator)
    page = text(moderator.get("/gestion/"))
    assert "Actif 4" not in page  # accounts are the admins' business
    assert "En échec" not in page and "Courriels en échec" not in page  # mail is not a moderator's business


def test_pages_have_one_title_and_described_tables(client, people, demo_mode):
    mail = factories.mail(status=MailStatus.failed)
    login(client, people.admin)
    for path in ["/gestion/", "/gestion/courriels", f"/gestion/courriels/{mail.id}", "/gestion/journal",
                 "/gestion/utilisateurs", f"/gestion/utilisateurs/{people.staff.id}"]:
        body = client.get(path).get_data(as_text=True)
        assert body.count("<h1") == 1, path
        assert body.count("<table") == body.count("<caption>"), path
        assert "<th>" not in body, path  # every header cell says what it heads
        assert " style=" not in body and "<script>" not in body, path  # the CSP allows neither
        assert 'aria-label="Gestion"' in body, path
        for match in re.finditer(r'<form method="post".*?</form>', body, flags=re.S):
            assert 'name="csrf_token"' in match.group(0), path
