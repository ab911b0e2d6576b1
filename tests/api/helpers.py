"""Reading the API as a re-user does: every page of a list, by its ``next`` links."""

from __future__ import annotations

from urllib.parse import urlsplit


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def every_item(client, path: str, *, limit: int = 100, key: str = "id") -> list:
    """The ``key`` of every item of the list at ``path``, following ``next`` to the end."""
    separator = "&" if "?" in path else "?"
    url = f"{path}{separator}limit={limit}"
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += [item[key] for item in body["data"]]
        url = path_of(body["links"]["next"]) if body["links"]["next"] else None
    return seen


def seed_public_items() -> None:
    """One public item of each resource (and a twin that is not), so that every list and page has something to say."""
    from datetime import date

    import sqlalchemy as sa

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.extensions import db
    from participation.forums.models import Consultation, ConsultationState
    from participation.grants.models import GrantApplication
    from participation.plans import indicators
    from participation.plans import services as plans
    from participation.processes.models import Method, Process, ProcessState
    from participation.surveys.models import Questionnaire, SurveyState
    from tests import factories

    theme, commune = factories.theme(), factories.commune()
    factories.article(themes=[theme], communes=[commune])
    factories.article(publish=False)
    consultation = factories.consultation(themes=[theme], communes=[commune])
    factories.topic(consultation)
    closed = factories.consultation(state="closed")
    db.session.execute(sa.update(Consultation).where(Consultation.id == closed.id).values(
        state=ConsultationState.synthesis_published, synthesis="Ce qui en ressort.", synthesis_published_at=utcnow()))
    factories.event(themes=[theme], communes=[commune])
    factories.event(publish=False)
    council = factories.council()
    sitting = factories.sitting(council, publish=True)
    seed_referral(council, sitting)
    granted = factories.granted_application()
    db.session.execute(sa.update(GrantApplication).where(GrantApplication.id == granted.id).values(convention_signed_on=date.today()))
    plan = factories.plan(state="adopted", axes=1, objectives=1, actions=1)
    (action,) = plans.actions_of(plan)
    indicator = indicators.save_indicator(None, plan=plan, action=action, actor=SYSTEM, code="I1", name="Pistes cyclables", unit="km")
    indicators.add_measurement(indicator, measured_on=date.today(), value=12.5, actor=SYSTEM)
    questionnaire = factories.questionnaire()
    db.session.execute(sa.update(Questionnaire).where(Questionnaire.id == questionnaire.id).values(
        state=SurveyState.published, results_published_at=utcnow(), analysis="Les habitants veulent des pistes cyclables."))
    db.session.add(Process(title="Atelier sur les mobilités", method=Method.workshop, state=ProcessState.published, published_at=utcnow()))
    db.session.flush()
    db.session.expire_all()


def seed_referral(council, sitting=None, *, state: str = "answered"):
    """A referral of ``council`` in ``state``; answered, with its published opinion, its vote and an answered recommendation."""
    from datetime import date, timedelta

    from participation.core.models import utcnow
    from participation.councils.models import WorkingGroup
    from participation.extensions import db
    from participation.referrals.models import (
        Opinion, OpinionState, OpinionVote, Recommendation, RecommendationStatus, Referral, ReferralKind, ReferralState,
    )
    from tests import factories

    group = WorkingGroup(council_id=council.id, name=f"Groupe {state} {council.id}")
    db.session.add(group)
    db.session.flush()
    answered = state == "answered"
    referral = Referral(council_id=council.id, kind=ReferralKind.self_referral, state=ReferralState(state), subject=f"Saisine {state}",
                        question="Que pensez-vous du plan vélo ?", referred_by="Le conseil", received_on=date.today(),
                        due_on=date.today() + timedelta(days=60), working_group_id=group.id,
                        decline_reason="Hors du champ du conseil." if state == "declined" else None,
                        general_answer="La collectivité retient l'avis." if answered else None, answered_at=utcnow() if answered else None)
    db.session.add(referral)
    db.session.flush()
    if answered:
        opinion = Opinion(referral_id=referral.id, state=OpinionState.published, body="L'avis du conseil.", published_at=utcnow())
        db.session.add(opinion)
        db.session.flush()
        department = factories.department()
        db.session.add(Recommendation(opinion_id=opinion.id, number=1, text="Des pistes cyclables.", status=RecommendationStatus.retained,
                                      explanation="Inscrites au budget.", department_id=department.id))
        if sitting is not None:
            db.session.add(OpinionVote(opinion_id=opinion.id, sitting_id=sitting.id, members=40, present=30, votes_for=25, votes_against=2,
                                       abstentions=3, adopted=True, voted_on=date.today()))
        db.session.flush()
    return referral
