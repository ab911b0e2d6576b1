"""What a plan's public page, its staff dashboard and its PDF show, read in a
fixed number of queries whatever the plan's size (asserted in the tests)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from participation.extensions import db
from participation.plans import indicators as indicator_service
from participation.plans import services
from participation.plans.models import Indicator, Plan

INDICATORS_PER_PAGE = 20


def indicator_page(plan: Plan, page: int = 1, per_page: int = INDICATORS_PER_PAGE):
    """One page of the plan's indicators with their charts: three queries."""
    base = sa.select(Indicator).where(Indicator.plan_id == plan.id, Indicator.archived.is_(False))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(base.order_by(Indicator.code).limit(per_page).offset((page - 1) * per_page)))
    measurements = indicator_service.measurements_by_indicator([i.id for i in items])
    charts = [indicator_service.chart(i, measurements[i.id]) for i in items]
    return {"charts": charts, "page": page, "pages": pages, "total": total}


def dashboard(plan: Plan, *, indicator_page_number: int = 1, today: date | None = None) -> dict:
    today = today or date.today()
    actions = services.actions_of(plan)
    tree = services.tree(plan, actions)
    budget_planned = sum(a.planned_cents for a in actions)
    budget_spent = sum(a.spent_cents for a in actions)
    late_milestones = sum(1 for a in actions for m in a.milestones if m.is_late(today))
    progress = round(sum(a.progress for a in actions) / len(actions)) if actions else 0
    return {
        "plan": plan,
        "tree": tree,
        "actions": actions,
        "counts": services.status_counts(actions),
        "budget_planned": budget_planned,
        "budget_spent": budget_spent,
        "late_milestones": late_milestones,
        "average_progress": progress,
        "indicators": indicator_page(plan, indicator_page_number),
        "decisions": services.decisions_for(plan=plan, limit=10),
        "opinion": council_opinion(plan),
        "today": today,
    }


def council_opinion(plan: Plan):
    """The council of development's published opinion on the plan, if its saisine is set and the opinion published."""
    if plan.referral_id is None:
        return None
    from participation.referrals.models import Opinion, OpinionState, Referral

    row = db.session.execute(sa.select(Referral, Opinion).join(Opinion, Opinion.referral_id == Referral.id)
                             .where(Referral.id == plan.referral_id, Opinion.state == OpinionState.published)).first()
    return row
