"""Nothing private, draft, unpublished or hidden ever appears in the API: for each resource, a public item is
listed and readable, and its twin that is not public is absent from the list and its page is a 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from tests import factories
from tests.api.helpers import every_item


def _force(item, **values):
    """Put a row in a state directly (a test's twin), past the workflow's guard on state attributes."""
    model = type(item)
    db.session.flush()
    db.session.execute(sa.update(model).where(model.id == item.id).values(**values))
    db.session.expire_all()


def _check(client, resource: str, public_id, hidden_ids, *, params: str = ""):
    listed = every_item(client, f"/api/v1/{resource}{params}")
    assert public_id in listed
    for hidden in hidden_ids:
        assert hidden not in listed, f"{resource} {hidden} ne devrait pas être publié"
    assert client.get(f"/api/v1/{resource}/{public_id}").status_code == 200
    for hidden in hidden_ids:
        response = client.get(f"/api/v1/{resource}/{hidden}")
        assert response.status_code == 404, f"{resource} {hidden}"
        assert response.mimetype == "application/problem+json"


def test_articles(client):
    public = factories.article()
    draft = factories.article(publish=False)
    _check(client, "articles", public.id, [draft.id])


def test_consultations_topics_contributions(client):
    from participation.forums.models import Contribution, ContributionState

    public = factories.consultation()
    draft = factories.consultation(state="draft")
    _check(client, "consultations", public.id, [draft.id])

    topic = factories.topic(public)
    shown = db.session.query(Contribution).filter_by(topic_id=topic.id).one()
    twins = []
    for state in (ContributionState.pending, ContributionState.hidden, ContributionState.removed):
        twin = Contribution(consultation_id=public.id, topic_id=topic.id, author_id=shown.author_id, body=f"Texte {state.value}", state=state)
        db.session.add(twin)
        twins.append(twin)
    # A topic whose only contribution waits for moderation is not shown either.
    lonely = factories.topic(public)
    db.session.query(Contribution).filter_by(topic_id=lonely.id).update({"state": ContributionState.pending})
    # A contribution of a draft consultation.
    draft_topic = factories.topic(factories.consultation())
    draft_contribution = db.session.query(Contribution).filter_by(topic_id=draft_topic.id).one()
    _force(draft_topic.consultation, state="draft")
    _check(client, "contributions", shown.id, [t.id for t in twins] + [draft_contribution.id])
    _check(client, "topics", topic.id, [lonely.id, draft_topic.id])
    body = client.get(f"/api/v1/contributions/{shown.id}").get_json()["data"]
    assert body["author"] == shown.author.display_name
    assert shown.author.email not in str(body)


def test_syntheses(client):
    from participation.forums.models import ConsultationState

    published = factories.consultation(state="closed")
    _force(published, synthesis="Ce qui en ressort.", state=ConsultationState.synthesis_published, synthesis_published_at=utcnow())
    closed = factories.consultation(state="closed")
    _force(closed, synthesis="Une synthèse en cours de rédaction.")
    _check(client, "syntheses", published.id, [closed.id])


def test_events_and_agenda(client):
    public = factories.event()
    draft = factories.event(publish=False)
    _check(client, "events", public.id, [draft.id])
    uids = every_item(client, "/api/v1/agenda", key="uid")
    assert f"event-{public.id}" in uids and f"event-{draft.id}" not in uids


def test_councils_and_sittings(client):
    public = factories.council()
    draft = factories.council(published=False)
    _check(client, "councils", public.id, [draft.id])
    sitting = factories.sitting(public, publish=True)
    closed_doors = factories.sitting(public, publish=True, is_public=False)
    unpublished = factories.sitting(public)
    of_draft_council = factories.sitting(draft, publish=True)
    _check(client, "sittings", sitting.id, [closed_doors.id, unpublished.id, of_draft_council.id])
    assert [p["title"] for p in client.get(f"/api/v1/sittings/{sitting.id}").get_json()["data"]["agenda"]] == ["Point 1"]


def _referral(council, state, **values):
    from participation.councils.models import WorkingGroup
    from participation.referrals.models import Referral, ReferralKind, ReferralState

    group = WorkingGroup(council_id=council.id, name=f"Groupe {state}")
    db.session.add(group)
    db.session.flush()
    if state == "declined":
        values["decline_reason"] = "Hors du champ du conseil."
    referral = Referral(council_id=council.id, kind=ReferralKind.self_referral, state=ReferralState(state), subject=f"Saisine {state}",
                        question="Que pensez-vous du plan vélo ?", referred_by="Le conseil", received_on=date.today(),
                        due_on=date.today() + timedelta(days=60), working_group_id=group.id, **values)
    db.session.add(referral)
    db.session.flush()
    return referral


def test_referrals_with_their_opinion_and_answer(client):
    from participation.referrals.models import Opinion, OpinionState, Recommendation, RecommendationStatus

    council = factories.council()
    answered = _referral(council, "answered", general_answer="La collectivité retient l'avis.", answered_at=utcnow())
    opinion = Opinion(referral_id=answered.id, state=OpinionState.published, body="L'avis du conseil.", published_at=utcnow())
    db.session.add(opinion)
    db.session.flush()
    mobility = factories.department("Direction des mobilités", "MOB")
    db.session.add(Recommendation(opinion_id=opinion.id, number=1, text="Des pistes cyclables.", status=RecommendationStatus.retained,
                                  explanation="Inscrites au budget.", department_id=mobility.id))
    in_progress = _referral(council, "in_progress")
    db.session.add(Opinion(referral_id=in_progress.id, state=OpinionState.drafting, body="Brouillon de l'avis."))
    proposed = _referral(council, "proposed")
    declined = _referral(council, "declined")
    db.session.flush()
    _check(client, "referrals", answered.id, [proposed.id, declined.id])
    data = client.get(f"/api/v1/referrals/{answered.id}").get_json()["data"]
    assert data["opinion"]["body"] == "L'avis du conseil."
    assert data["opinion"]["recommendations"] == [{"number": 1, "text": "Des pistes cyclables.", "status": "retained",
                                                   "status_label": "Retenue", "explanation": "Inscrites au budget.",
                                                   "department": "Direction des mobilités"}]
    # An opinion still being written is not published with its referral.
    assert client.get(f"/api/v1/referrals/{in_progress.id}").get_json()["data"]["opinion"] is None


def test_grants(client):
    granted = factories.granted_application()
    _force(granted, convention_signed_on=date.today())
    unsigned = factories.granted_application()
    submitted = factories.submitted_application()
    _check(client, "grants", granted.id, [unsigned.id, submitted.id])
    data = client.get(f"/api/v1/grants/{granted.id}").get_json()["data"]
    assert data["amount"] == "10000.00" and data["beneficiary"]["name"] == granted.association.name
    assert granted.association.email not in str(data) and granted.association.address not in str(data)


def test_plans_actions_indicators_measurements(client):
    from participation.plans import indicators
    from participation.plans import services as plans

    public = factories.plan(state="adopted", axes=1, objectives=1, actions=2)
    drafting = factories.plan(state="drafting", axes=1, objectives=1, actions=1)
    _check(client, "plans", public.id, [drafting.id])
    shown, archived = plans.actions_of(public)
    plans.archive_action(archived, actor=SYSTEM)
    (of_draft,) = plans.actions_of(drafting)
    _check(client, "plan-actions", shown.id, [archived.id, of_draft.id])
    indicator = indicators.save_indicator(None, plan=public, action=shown, actor=SYSTEM, code="I1", name="Kilomètres de pistes")
    old = indicators.save_indicator(None, plan=public, action=shown, actor=SYSTEM, code="I2", name="Ancien indicateur")
    draft_indicator = indicators.save_indicator(None, plan=drafting, action=of_draft, actor=SYSTEM, code="I1", name="Indicateur du brouillon")
    measured = indicators.add_measurement(indicator, measured_on=date.today(), value=12, actor=SYSTEM)
    hidden_measurements = [indicators.add_measurement(i, measured_on=date.today(), value=3, actor=SYSTEM) for i in (old, draft_indicator)]
    _force(old, archived=True)
    # An indicator following an archived action goes with it.
    of_archived = indicators.save_indicator(None, plan=public, action=archived, actor=SYSTEM, code="I3", name="Indicateur d'une action archivée")
    hidden_measurements.append(indicators.add_measurement(of_archived, measured_on=date.today(), value=1, actor=SYSTEM))
    _check(client, "indicators", indicator.id, [old.id, draft_indicator.id, of_archived.id])
    _check(client, "measurements", measured.id, [m.id for m in hidden_measurements])


def test_survey_results(client):
    from participation.surveys.models import SurveyState

    published = factories.questionnaire()
    _force(published, state=SurveyState.published, results_published_at=utcnow())
    closed = factories.questionnaire()
    _force(closed, state=SurveyState.closed)
    draft = factories.questionnaire()
    _check(client, "survey-results", published.id, [closed.id, draft.id])


def test_processes(client):
    from participation.processes.models import Method, Process, ProcessState

    public = Process(title="Atelier sur les mobilités", method=Method.workshop, state=ProcessState.published, published_at=utcnow())
    draft = Process(title="Démarche en préparation", method=Method.workshop, state=ProcessState.draft)
    db.session.add_all([public, draft])
    db.session.flush()
    _check(client, "processes", public.id, [draft.id])


@pytest.mark.parametrize("resource", ["communes", "themes", "grant-calls"])
def test_public_by_nature(client, resource):
    """Communes, themes and calls for projects have no draft: each one is public (their pages list them all)."""
    item = {"communes": factories.commune, "themes": factories.theme, "grant-calls": factories.grant_call}[resource]()
    _check(client, resource, item.id, [])
