"""Answering: conditions evaluated on the server, each refusal of bad input, one answer per person."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from participation.core.errors import DomainError, PermissionDenied
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import answering, results, services
from participation.surveys.models import Answer, Response
from tests import factories
from tests.surveys.helpers import full_answers, respond


@pytest.fixture
def survey():
    return factories.survey_with_every_kind()


def _start(questionnaire, key="navigateur-1"):
    return answering.find_response(questionnaire, browser_key=key, create=True)


def test_a_whole_response_is_counted(survey):
    questionnaire, q = survey
    response = respond(questionnaire, q, key="a")
    assert response.submitted_at is not None and response.draft == {}
    assert response.age_band == "30 à 44 ans" and response.gender == "Femme" and response.commune_id is not None
    by_question = {r.question.id: r for r in results.question_results(questionnaire)}
    needs = {b.label: b.count for b in by_question[q["needs"].id].bars}
    assert needs == {"Logement": 1, "Transports": 1, "Santé": 0, "Culture": 0, "Autre": 0}
    assert by_question[q["household"].id].mean == 3 and by_question[q["household"].id].median == 3
    assert {b.label: b.count for b in by_question[q["frequency"].id].bars}["Chaque jour"] == 1


def test_the_conditional_section_is_skipped_and_its_answers_refused(survey):
    questionnaire, q = survey
    response = _start(questionnaire)
    profile, needs = full_answers(q, bus="Non")[:2]
    visibility = answering.Visibility(questionnaire, {})
    visibility = answering.save_page(response, visibility.shown_sections[0], profile)
    visibility = answering.save_page(response, visibility.shown_sections[1], needs)
    assert [s.title for s in visibility.shown_sections] == ["Vous", "Vos besoins"]
    hidden = questionnaire.sections[2]
    with pytest.raises(DomainError, match="ne vous concerne pas"):
        answering.save_page(response, hidden, MultiDict({q["frequency"].field: "Chaque jour"}))
    answering.submit(response)
    assert db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.question_id == q["frequency"].id)) == 0


def test_an_answer_to_a_hidden_question_is_refused_next_to_it(survey):
    questionnaire, q = survey
    help_question = factories.survey_question(questionnaire, "single", "Avez-vous besoin d'aide à domicile ?",
                                              section=questionnaire.sections[1], options="Oui\nNon", condition=(q["age"], "75 ans ou plus"))
    response = _start(questionnaire)
    visibility = answering.save_page(response, questionnaire.sections[0], full_answers(q, age="30 à 44 ans")[0])
    assert help_question not in visibility.questions(questionnaire.sections[1])
    needs = full_answers(q)[1]
    needs[help_question.field] = "Oui"
    with pytest.raises(answering.AnswerErrors) as refused:
        answering.save_page(response, visibility.shown_sections[1], needs)
    assert "ne vous concerne pas" in refused.value.errors[help_question.id]
    visibility = answering.save_page(response, questionnaire.sections[0], full_answers(q, age="75 ans ou plus")[0])
    assert help_question in visibility.questions(questionnaire.sections[1])


@pytest.mark.parametrize("field, value, message", [
    ("household", "25", "entre 1 et 20"),
    ("household", "beaucoup", "Indiquez un nombre"),
    ("arrival", "2031-01-01", "Indiquez une date entre"),
    ("arrival", "31/02/2020", "date complète"),
    ("satisfaction", "9", "note de 1 à 5"),
    ("channel", "Télévision", "une des réponses proposées"),
])
def test_bad_values_are_refused_with_a_french_message_and_nothing_stored(survey, field, value, message):
    questionnaire, q = survey
    response = _start(questionnaire)
    profile, needs = full_answers(q)[:2]
    visibility = answering.save_page(response, questionnaire.sections[0], profile)
    needs[q[field].field] = value
    with pytest.raises(answering.AnswerErrors) as refused:
        answering.save_page(response, visibility.shown_sections[1], needs)
    assert message in refused.value.errors[q[field].id]
    assert str(q["bus"].id) not in response.draft


def test_more_choices_than_allowed_and_other_without_precision_are_refused(survey):
    questionnaire, q = survey
    response = _start(questionnaire)
    visibility = answering.save_page(response, questionnaire.sections[0], full_answers(q)[0])
    needs = full_answers(q, needs=("Logement", "Santé", "Culture"))[1]
    with pytest.raises(answering.AnswerErrors) as refused:
        answering.save_page(response, visibility.shown_sections[1], needs)
    assert refused.value.errors[q["needs"].id] == "Choisissez 2 réponses au plus."
    needs = full_answers(q, needs=("Autre",))[1]
    with pytest.raises(answering.AnswerErrors) as refused:
        answering.save_page(response, visibility.shown_sections[1], needs)
    assert refused.value.errors[q["needs"].id] == "Précisez votre réponse « Autre »."


def test_required_answers_and_a_partial_ranking_are_refused(survey):
    questionnaire, q = survey
    response = _start(questionnaire)
    visibility = answering.save_page(response, questionnaire.sections[0], full_answers(q)[0])
    needs = full_answers(q)[1]
    del needs[q["bus"].field]
    needs.setlist(q["needs"].field, [])
    needs[f"{q['ranking'].field}_2"] = ""
    with pytest.raises(answering.AnswerErrors) as refused:
        answering.save_page(response, visibility.shown_sections[1], needs)
    errors = refused.value.errors
    assert errors[q["bus"].id] == "Répondez à cette question : elle est obligatoire."
    assert errors[q["needs"].id].startswith("Cochez au moins une réponse")
    assert errors[q["ranking"].id].startswith("Classez toutes les réponses")


def test_sending_with_a_required_question_unanswered_is_refused(survey):
    questionnaire, q = survey
    response = _start(questionnaire)
    answering.save_page(response, questionnaire.sections[0], full_answers(q)[0])
    with pytest.raises(answering.AnswerErrors) as refused:
        answering.submit(response)
    assert q["bus"].id in refused.value.errors
    assert response.submitted_at is None


def test_one_answer_per_browser_and_none_after_closing(survey):
    questionnaire, q = survey
    respond(questionnaire, q, key="same")
    again = answering.find_response(questionnaire, browser_key="same", create=True)
    with pytest.raises(DomainError, match="déjà répondu"):
        answering.save_page(again, questionnaire.sections[0], full_answers(q)[0])
    late = _start(questionnaire, "late")
    services.close_questionnaire(questionnaire, actor=SYSTEM)
    with pytest.raises(DomainError, match="clos"):
        answering.save_page(late, questionnaire.sections[0], full_answers(q)[0])


def test_one_answer_per_account_and_accounts_only(survey):
    questionnaire, q = factories.survey_with_every_kind(access="account")
    with pytest.raises(PermissionDenied, match="Connectez-vous"):
        answering.find_response(questionnaire, browser_key="x", create=True)
    person = factories.user()
    first = answering.find_response(questionnaire, user=person, create=True)
    assert answering.find_response(questionnaire, user=person, create=True).id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id)) == 1
