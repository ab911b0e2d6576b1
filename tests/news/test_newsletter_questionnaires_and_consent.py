"""A newsletter issue can point to open questionnaires; the consent to the newsletter is said on « Mes données »."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.outbox import OutboxMail
from participation.extensions import db
from participation.news import newsletter
from participation.news.models import Issue
from tests import factories


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_staff_put_an_open_questionnaire_in_an_issue(client):
    agent = factories.staff(display_name="Agente")
    def opened(**values):
        item = factories.questionnaire(**values)
        factories.survey_question(item, "single", "Avez-vous un enfant de moins de 3 ans ?", options="Oui\nNon")
        return factories.open_survey(item)

    open_one = opened(title="Vos besoins de garde d'enfants", closes_at=utcnow() + timedelta(days=20))
    panel = opened(title="Panel des aidants", access="invitation")
    draft = factories.questionnaire(title="Brouillon pas encore ouvert")
    factories.subscriber()
    client.login(agent.email, factories.PASSWORD)
    form = _text(client.get("/gestion/lettre/nouvelle"))
    assert "Questionnaires ouverts" in form and "Vos besoins de garde d'enfants" in form
    assert panel.title not in form and draft.title not in form  # only those anyone may answer
    response = client.submit("/gestion/lettre/nouvelle", {"subject": "Lettre d'avril", "intro": "Bonjour.",
                                                          "questionnaires": [str(open_one.id)], "audience": "all"})
    assert response.status_code == 302
    issue = db.session.scalar(sa.select(Issue))
    assert issue.items == [{"kind": "questionnaire", "id": open_one.id}]
    [item] = newsletter.resolve_items(issue.items)
    assert item["kind"] == "Questionnaire" and item["title"] == "Vos besoins de garde d'enfants"
    assert item["text"].startswith("Répondez avant le ") and item["url"].endswith(f"/questionnaires/{open_one.id}")
    client.submit(f"/gestion/lettre/{issue.id}", {"action": "test"})
    test = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == agent.email))
    assert "Vos besoins de garde d'enfants" in test.body_text and f"/questionnaires/{open_one.id}" in test.body_text
    # Picked again when the issue is edited.
    edit = _text(client.get(f"/gestion/lettre/{issue.id}/modifier"))
    [box] = re.findall(r'<input[^>]*name="questionnaires"[^>]*>', edit)
    assert f'value="{open_one.id}"' in box and "checked" in box


def test_my_data_says_when_and_how_the_newsletter_consent_was_given(client):
    person = factories.user("lectrice@example.org")
    client.login(person.email, factories.PASSWORD)
    page = _text(client.get("/compte/mes-donnees"))
    assert "Vous avez consenti" not in page and "<h2>Lettre d'information</h2>" not in page  # no subscription, nothing to say
    client.submit("/lettre/abonnement", {"email": person.email, "consent": "y"})
    page = _text(client.get("/compte/mes-donnees"))
    assert "<h2>Lettre d'information</h2>" in page and "Vous avez consenti à recevoir la lettre d'information le " in page
    assert "depuis votre compte, à l'adresse lectrice@example.org." in page
    assert "retirer ce consentement à tout moment" in page
