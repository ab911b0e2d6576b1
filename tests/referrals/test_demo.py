"""The demo shows the capability: a saisine being drafted, an auto-saisine proposed, an opinion answered."""

from __future__ import annotations

import sqlalchemy as sa

from participation import demo
from participation.extensions import db
from participation.referrals.models import Opinion, OpinionState, OpinionVersion, RecommendationStatus, RecommendationUpdate, Referral, ReferralKind, ReferralState


def test_the_demo_holds_referrals_at_each_stage_and_links_to_them(app, client):
    demo.load()
    referrals = db.session.scalars(sa.select(Referral).order_by(Referral.id)).all()
    project, proposal, plan = referrals
    assert (project.kind, project.state) == (ReferralKind.mandatory, ReferralState.in_progress)
    assert project.working_group is not None
    assert db.session.scalar(sa.select(sa.func.count(OpinionVersion.id)).where(OpinionVersion.opinion_id == project.opinion.id)) == 3
    assert (proposal.kind, proposal.state) == (ReferralKind.self_referral, ReferralState.proposed)
    assert plan.state == ReferralState.answered and plan.opinion.state == OpinionState.published
    vote = plan.opinion.adopted_vote
    assert vote.sitting.starts_at.date() < project.received_on  # the past demo sitting
    statuses = {r.status for r in plan.opinion.recommendations}
    assert RecommendationStatus.under_study in statuses and RecommendationStatus.retained in statuses
    assert db.session.scalar(sa.select(sa.func.count(RecommendationUpdate.id))) == 4
    assert plan.transmitted_at.date() < plan.answer_due_on

    slug = project.council.slug
    public = client.get(f"/conseils/{slug}").get_data(as_text=True)
    assert f"/saisines/?conseil={slug}" in public
    listing = client.get(f"/saisines/?conseil={slug}").get_data(as_text=True)
    assert project.subject in listing and plan.subject in listing and "jeunes au logement" not in listing
    assert project.subject not in client.get("/saisines/?conseil=inconnu").get_data(as_text=True)
    client.login("agent@demo.example", demo.DEMO_PASSWORD)
    back = client.get(f"/gestion/conseils/{project.council_id}").get_data(as_text=True)
    assert f"/gestion/saisines?conseil={slug}" in back and f"/gestion/saisines/nouvelle/{slug}" in back
    staff_list = client.get(f"/gestion/saisines?conseil={slug}").get_data(as_text=True)
    assert "jeunes au logement" in staff_list and f"/gestion/saisines/nouvelle/{slug}" in staff_list
    assert db.session.scalar(sa.select(sa.func.count(Opinion.id))) == 2
