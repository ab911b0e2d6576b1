"""The indicators show who answered the questionnaires, by quartier prioritaire, age band and gender, small groups merged."""

from __future__ import annotations

from html import unescape

from participation.core.models import utcnow
from participation.staff.indicators import IndicatorQuery, collect
from tests import factories
from tests.surveys.helpers import respond


def _figure(key: str):
    return next(f for _, figures in collect(IndicatorQuery(utcnow().year)) for f in figures if f.key == key)


def test_respondents_spread_by_gender_age_and_qpv_with_small_groups_merged(client):
    questionnaire, q = factories.survey_with_every_kind(title="Vos besoins")
    genders = ["Femme"] * 6 + ["Homme"] * 2 + ["Ne souhaite pas répondre"]
    for number, gender in enumerate(genders):
        respond(questionnaire, q, key=f"navigateur-{number}", gender=gender, age="18 à 29 ans" if number < 5 else "60 à 74 ans")
    assert _figure("respondents_by_gender").rows == [("Femme", 6, "67\u202f%"), ("Groupes de moins de 5 répondants", 2, "22\u202f%"),
                                                     ("Non indiqué", 1, "11\u202f%")]
    assert [row[:2] for row in _figure("respondents_by_age").rows] == [("18 à 29 ans", 5), ("Groupes de moins de 5 répondants", 4)]
    assert [row[:2] for row in _figure("respondents_by_qpv").rows] == [("Hors quartier prioritaire ou non indiqué", 9)]
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    page = unescape(client.get(f"/gestion/indicateurs?annee={utcnow().year}").get_data(as_text=True))
    assert "Répondants aux questionnaires, par genre" in page and 'id="fig-respondents_by_gender"' in page
