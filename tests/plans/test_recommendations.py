"""Droit de suite: a retained recommendation becomes an action, whose public page leads back to the opinion and the referral."""

from __future__ import annotations

import pytest

from participation.core.errors import ValidationError
from participation.core.permissions import SYSTEM
from participation.plans import services
from participation.referrals import services as referrals
from participation.referrals.models import RecommendationStatus
from tests import factories
from tests.referrals.conftest import setup, transmitted  # noqa: F401  (fixture)


def test_a_retained_recommendation_becomes_an_action_linked_back_to_the_opinion(setup, client):  # noqa: F811
    referral = transmitted(setup)
    first, second = referral.opinion.recommendations
    referrals.set_recommendation_status(first, status=RecommendationStatus.retained, explanation="Inscrit au plan vélo.",
                                        department=setup.department, actor=setup.staff)
    referrals.set_recommendation_status(second, status=RecommendationStatus.not_retained, explanation="Pas de budget.",
                                        department=setup.department, actor=setup.staff)
    plan = factories.plan(title="Projet de territoire", axes=1, objectives=1, actions=1, state="running")
    objective = services.nodes_of(plan)[1]
    with pytest.raises(ValidationError, match="retenue ou partiellement retenue"):
        services.action_from_recommendation(objective, second, actor=setup.staff)
    action = services.action_from_recommendation(objective, first, actor=setup.staff)
    assert action.code == "1.1.2" and action.title == "Créer des pistes cyclables."
    assert services.actions_for_recommendation(first) == [action]
    with pytest.raises(ValidationError, match="déjà rattachée"):
        services.attach_recommendation(action, first, actor=SYSTEM)

    html = client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    assert "Ce que cette action doit au conseil" in html
    assert f'href="/saisines/{referral.id}"' in html and f'href="/saisines/{referral.id}/avis"' in html
    assert "Recommandation n° 1 (retenue)" in html and referral.subject in html


def test_staff_attach_a_partly_retained_recommendation_to_an_existing_action(setup, client):  # noqa: F811
    from tests.factories import PASSWORD

    referral = transmitted(setup)
    first = referral.opinion.recommendations[0]
    referrals.set_recommendation_status(first, status=RecommendationStatus.partly_retained, explanation="En partie.",
                                        department=setup.department, actor=setup.staff)
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    action = services.actions_of(plan)[0]
    client.login(setup.staff.email, PASSWORD)
    path = f"/gestion/plans/actions/{action.id}"
    assert client.submit(f"{path}/recommandations", {"recommendation": str(first.id)}, form_path=path).status_code == 302
    assert [r.id for r, _ in services.recommendations_of([action])[action.id]] == [first.id]
    refused = client.submit(f"{path}/recommandations", {"recommendation": "999999"}, form_path=path)
    assert refused.status_code == 422


def test_staff_turn_a_retained_recommendation_into_an_action_from_the_plan(setup, client):  # noqa: F811
    from tests.factories import PASSWORD

    referral = transmitted(setup)
    first = referral.opinion.recommendations[0]
    referrals.set_recommendation_status(first, status=RecommendationStatus.retained, explanation="Oui.", department=setup.department,
                                        actor=setup.staff)
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    objective = services.nodes_of(plan)[1]
    client.login(setup.staff.email, PASSWORD)
    path = f"/gestion/plans/{plan.id}"
    assert "Une recommandation retenue devient une action" in client.get(path).get_data(as_text=True)
    response = client.submit(f"{path}/depuis-recommandation", {"node": str(objective.id), "recommendation": str(first.id)})
    assert response.status_code == 302
    action = services.actions_for_recommendation(first)[0]
    assert response.headers["Location"].endswith(f"/gestion/plans/actions/{action.id}") and action.code == "1.1.2"
