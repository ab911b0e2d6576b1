"""The event log, for admins: newest first, filtered by name and subject, with each actor's name."""

from __future__ import annotations

from participation.core.eventlog import record
from participation.core.outbox import MailStatus
from tests import factories
from tests.staff.conftest import login, text


def test_journal_shows_events_newest_first_with_their_actor(client, people):
    record("user.noted", people.resident, people.moderator, {"motif": "premier"})
    record("user.noted", people.resident, None, {"motif": "second"})
    login(client, people.admin)
    page = text(client.get("/gestion/journal"))
    assert page.index("motif : second") < page.index("motif : premier")
    first_row = page[page.index("motif : premier") - 200:page.index("motif : premier")]
    assert "Hugo Modérateur" in first_row
    second_row = page[page.index("motif : second") - 200:page.index("motif : second")]
    assert "Système" in second_row


def test_journal_filters_by_name_prefix_and_subject(client, people, app):
    failed = factories.mail(status=MailStatus.failed)
    login(client, people.admin)
    client.submit(f"/gestion/courriels/{failed.id}/reessayer", {}, form_path="/gestion/")
    record("user.noted", people.staff, people.admin, {"note": "sur l'agent"})
    record("user.noted", people.resident, people.admin, {"note": "sur l'habitant"})

    page = text(client.get("/gestion/journal?name=mail."))
    assert "mail.retry_requested" in page and "user.noted" not in page and "user.created" not in page

    page = text(client.get(f"/gestion/journal?name=user.&subject_type=users&subject_id={people.staff.id}"))
    assert "sur l'agent" in page and "sur l'habitant" not in page and "mail.retry_requested" not in page
    assert "user.created" in page and "user.role_granted" in page

    # A "%" or "_" is a character, not a wildcard.
    assert "Aucun événement ne correspond à ces critères." in text(client.get("/gestion/journal?name=%25"))


def test_journal_says_what_is_wrong_with_a_filter(client, people):
    login(client, people.admin)
    response = client.get("/gestion/journal?subject_id=12")
    assert response.status_code == 422
    assert "Indiquez aussi le type de l'objet" in text(response)
    response = client.get("/gestion/journal?subject_type=users&subject_id=douze")
    assert response.status_code == 422
    assert "Indiquez un numéro, en chiffres uniquement." in text(response)
