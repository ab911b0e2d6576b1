"""A question's published result becomes a territorial plan indicator's measurement."""

from __future__ import annotations

from datetime import date, datetime, UTC
from html import unescape

import pytest
import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.eventlog import DomainEvent
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import indicators, services as plans
from participation.plans.models import Measurement
from participation.surveys import services
from participation.surveys.plan_indicators import link_indicator
from tests import factories
from tests.factories import PASSWORD
from tests.surveys.helpers import respond


@pytest.fixture
def plan_indicators():
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running", start_year=2025, end_year=2030)
    objective = plans.nodes_of(plan)[1]
    share = indicators.save_indicator(None, plan=plan, actor=SYSTEM, code="I-BUS", name="Part des habitants qui prennent le bus",
                                      node=objective, unit="%", min_value=0, max_value=100)
    mean = indicators.save_indicator(None, plan=plan, actor=SYSTEM, code="I-SAT", name="Satisfaction moyenne", node=objective,
                                     unit="/5", min_value=1, max_value=5)
    return share, mean


def _closed_with_answers(q, questionnaire):
    for number, (bus, satisfaction) in enumerate([("Oui", "4"), ("Oui", "5"), ("Oui", "3"), ("Non", "2")]):
        respond(questionnaire, q, key=f"navigateur-{number}", bus=bus, satisfaction=satisfaction)
    services.close_questionnaire(questionnaire, actor=SYSTEM, now=datetime(2026, 3, 15, 12, tzinfo=UTC))


def test_published_results_become_the_indicators_measurements(plan_indicators):
    share, mean = plan_indicators
    questionnaire, q = factories.survey_with_every_kind(title="Baromètre des mobilités")
    link_indicator(q["bus"], share, "Oui", actor=SYSTEM)
    link_indicator(q["satisfaction"], mean, None, actor=SYSTEM)
    _closed_with_answers(q, questionnaire)
    assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) == 0  # nothing before publication
    services.publish_results(questionnaire, analysis="Le bus progresse.", public_question_ids=[q["bus"].id], actor=SYSTEM)
    measured = {m.indicator_id: m for m in db.session.scalars(sa.select(Measurement))}
    assert measured[share.id].value == 75.0 and measured[share.id].measured_on == date(2026, 3, 15)
    assert measured[mean.id].value == 3.5
    assert "Questionnaire « Baromètre des mobilités »" in measured[share.id].comment and "4 répondants" in measured[share.id].comment


def test_a_measurement_the_indicator_refuses_is_journalled_not_stored(plan_indicators):
    share, _ = plan_indicators
    indicators.add_measurement(share, measured_on=date(2026, 1, 31), value=60, actor=SYSTEM)  # 2026 already measured
    questionnaire, q = factories.survey_with_every_kind(title="Baromètre des mobilités")
    link_indicator(q["bus"], share, "Oui", actor=SYSTEM)
    _closed_with_answers(q, questionnaire)
    services.publish_results(questionnaire, analysis="Le bus progresse.", public_question_ids=[q["bus"].id], actor=SYSTEM)
    assert [m.value for m in db.session.scalars(sa.select(Measurement))] == [60.0]
    refusal = db.session.scalar(sa.select(DomainEvent).where(DomainEvent.name == "questionnaire.indicator_measurement_refused"))
    assert "Une mesure existe déjà pour la période « 2026 »" in refusal.data["reason"]


def test_only_an_option_of_the_question_or_a_mean_can_be_measured(plan_indicators):
    share, mean = plan_indicators
    questionnaire, q = factories.survey_with_every_kind(title="Baromètre", open_=False)
    with pytest.raises(ValidationError, match="« Peut-être » n'est pas une option de cette question."):
        link_indicator(q["bus"], share, "Peut-être", actor=SYSTEM)
    with pytest.raises(ValidationError, match="Choisissez l'option"):
        link_indicator(q["bus"], share, "", actor=SYSTEM)
    with pytest.raises(ValidationError, match="Seule une question à choix"):
        link_indicator(q["idea"], share, "", actor=SYSTEM)
    assert q["bus"].indicator_id is None


def test_staff_tie_a_question_to_an_indicator_from_its_page(client, plan_indicators):
    share, _ = plan_indicators
    agent = factories.staff()
    client.login(agent.email, PASSWORD)
    questionnaire, q = factories.survey_with_every_kind(title="Baromètre", open_=False)
    path = f"/gestion/questionnaires/{questionnaire.id}/questions/{q['bus'].id}"
    page = unescape(client.get(path).get_data(as_text=True))
    assert "Alimenter un indicateur d'un plan" in page and "I-BUS Part des habitants qui prennent le bus" in page
    refused = client.submit(f"{path}/indicateur", {"indicator": str(share.id), "indicator_option": "Jamais"}, form_path=path,
                            follow_redirects=True)
    assert "« Jamais » n'est pas une option de cette question." in unescape(refused.get_data(as_text=True))
    assert client.submit(f"{path}/indicateur", {"indicator": str(share.id), "indicator_option": "Oui"}, form_path=path).status_code == 302
    db.session.expire_all()
    assert (q["bus"].indicator_id, q["bus"].indicator_option) == (share.id, "Oui")
