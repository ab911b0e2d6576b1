"""10,000 responses to a 30-question questionnaire: the results page and each cross-tabulation run a
bounded number of queries, aggregated in SQL."""

from __future__ import annotations

import pytest

from participation.core.permissions import SYSTEM
from participation.surveys import services
from participation.surveys.demo import seed_responses
from participation.surveys.models import QuestionKind
from tests import factories

KINDS = [
    ("commune", {}), ("qpv", {}), ("age_band", {}), ("gender", {}),
    *[("single", {"options": "Oui\nNon\nSans avis"})] * 8,
    *[("multiple", {"options": "Logement\nTransports\nSanté\nEmploi", "max_choices": 2, "allow_other": True})] * 4,
    *[("scale", {"minimum": 0, "maximum": 10})] * 5,
    ("matrix", {"items": "Bus\nPiscine\nMédiathèque", "minimum": 1, "maximum": 5}),
    ("matrix", {"items": "Accueil\nHoraires", "minimum": 1, "maximum": 5}),
    ("ranking", {"options": "Parc\nPiste\nMarché\nÉcole"}),
    ("number", {"minimum": 1, "maximum": 15}), ("number", {"minimum": 0, "maximum": 100}),
    ("date", {}), ("short_text", {}), ("long_text", {}), ("long_text", {}),
]


@pytest.mark.heavy
def test_10000_responses_to_30_questions_keep_the_results_bounded(client, count_queries):
    factories.commune("Loirande")
    factories.commune("Bellerive")
    factories.neighbourhood("Les Tilleuls")
    questionnaire = factories.questionnaire(title="Grande enquête")
    assert len(KINDS) == 30
    questions = [services.add_question(questionnaire.sections[0], QuestionKind(kind), {"label": f"Question {i + 1}", **values},
                                       actor=SYSTEM) for i, (kind, values) in enumerate(KINDS)]
    factories.open_survey(questionnaire)
    assert seed_responses(questionnaire, 10_000, seed=3) == 10_000
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    with count_queries() as page:
        response = client.get(f"/gestion/questionnaires/{questionnaire.id}/resultats")
    assert response.status_code == 200 and "10000 réponses envoyées" in response.get_data(as_text=True)
    # A fixed number, plus one per number question (its median): never one per response.
    assert page.count <= 25
    single = questions[4]
    for dimension in ("commune", "qpv", "age", "gender"):
        with count_queries() as crossing:
            table = client.get(f"/gestion/questionnaires/{questionnaire.id}/croisement?question={single.id}&par={dimension}")
        assert table.status_code == 200
        assert crossing.count <= 15, dimension
    with count_queries() as export:
        csv = client.get(f"/gestion/questionnaires/{questionnaire.id}/reponses.csv")
    assert csv.get_data().count(b"\r\n") == 10_001
    assert export.count <= 15
