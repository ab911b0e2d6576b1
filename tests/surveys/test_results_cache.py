"""The public results of a questionnaire: aggregates built once and shared, renewed by the next change."""

from __future__ import annotations

import pytest

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import results, services
from tests import factories
from tests.surveys.helpers import respond


@pytest.fixture
def builds(count_calls):
    calls = count_calls(results, "question_results")
    return calls


def _published():
    questionnaire, q = factories.survey_with_every_kind()
    for i in range(5):
        respond(questionnaire, q, key=f"r{i}", bus="Oui" if i < 3 else "Non")
    services.close_questionnaire(questionnaire, actor=SYSTEM)
    agent = factories.staff()
    services.publish_results(questionnaire, analysis="Le bus compte.", public_question_ids=[q["bus"].id], actor=agent)
    db.session.commit()
    return questionnaire, q, agent


def test_results_are_built_once_for_everyone_and_never_show_a_person(cache_on, app, builds):
    questionnaire, q, _agent = _published()
    path = f"/questionnaires/{questionnaire.id}/resultats"
    alice = factories.user(display_name="Alice Martin")
    db.session.commit()
    as_alice = app.test_client()
    as_alice.login(alice.email, factories.PASSWORD)
    text = as_alice.get(path).get_data(as_text=True)
    assert "Alice Martin" in text and "Oui : 60\u00a0% (3)" in text and "5 personnes ont répondu" in text
    anonymous = app.test_client()
    first = anonymous.get(path)
    assert first.status_code == 200 and "Alice Martin" not in first.get_data(as_text=True)
    assert "Oui : 60\u00a0% (3)" in first.get_data(as_text=True)
    assert anonymous.get(path).headers["X-Page-Cache"] == "hit"
    assert as_alice.get(path).status_code == 200
    assert len(builds) == 1  # the aggregates over every response: once for all of them


def test_an_updated_publication_shows_at_the_next_request(cache_on, app, builds):
    questionnaire, q, agent = _published()
    path = f"/questionnaires/{questionnaire.id}/resultats"
    anonymous = app.test_client()
    assert "Le bus compte." in anonymous.get(path).get_data(as_text=True)
    services.set_publication(questionnaire, analysis="Le bus compte beaucoup.", public_question_ids=[q["bus"].id, q["satisfaction"].id],
                             actor=agent)
    db.session.commit()
    text = anonymous.get(path).get_data(as_text=True)
    assert "Le bus compte beaucoup." in text and len(builds) == 2


def test_a_new_response_renews_the_shared_results(cache_on, app, builds):
    questionnaire, q, _agent = _published()
    path = f"/questionnaires/{questionnaire.id}/resultats"
    reader = factories.user(display_name="Bruno Petit")
    db.session.commit()
    client = app.test_client()
    client.login(reader.email, factories.PASSWORD)
    assert "5 personnes ont répondu" in client.get(path).get_data(as_text=True)
    # An answer arriving late (an import, a paper form keyed in): its event renews the page.
    from participation.core.eventlog import record
    record("questionnaire.answered", questionnaire, None, {"response": "papier"})
    db.session.commit()
    client.get(path)
    assert len(builds) == 2
