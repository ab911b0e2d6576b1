"""A plan's progress report (bilan à mi-parcours, annuel, semestriel).

As the councils' activity report (referrals/report.py): a draft shows live
figures read from the plan in a fixed number of aggregate queries; publishing
keeps them as a snapshot, so a published report never changes afterwards.
Staff write its introduction and conclusion around the figures.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from participation.core.concurrency import claim_revision
from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.extensions import db
from participation.plans.models import (
    REPORT_WORKFLOW,
    Action,
    ActionFunding,
    ActionLink,
    ActionStatus,
    Decision,
    Funder,
    Indicator,
    LinkKind,
    Measurement,
    Plan,
    ProgressReport,
)
from participation.plans.services import clean
from flask_babel import gettext as _

SNAPSHOT_VERSION = 1


def figures(plan: Plan, period_end: date | None = None) -> dict:
    """The report's figures as plain data (the snapshot's shape): six queries, whatever the plan's size."""
    period_end = period_end or date.today()
    status_rows = dict(db.session.execute(sa.select(Action.status, sa.func.count(Action.id)).where(
        Action.plan_id == plan.id, Action.archived.is_(False)).group_by(Action.status)).all())
    statuses = [{"status": s.value, "label": s.label, "count": int(status_rows.get(s, 0))} for s in ActionStatus]
    progress = db.session.scalar(sa.select(sa.func.avg(Action.progress)).where(Action.plan_id == plan.id, Action.archived.is_(False)))
    budget_rows = {f: (int(p or 0), int(s or 0)) for f, p, s in db.session.execute(
        sa.select(ActionFunding.funder, sa.func.sum(ActionFunding.planned_cents), sa.func.sum(ActionFunding.spent_cents))
        .join(Action, Action.id == ActionFunding.action_id).where(Action.plan_id == plan.id, Action.archived.is_(False))
        .group_by(ActionFunding.funder)).all()}
    budget = [{"funder": f.value, "label": f.label, "planned_cents": budget_rows.get(f, (0, 0))[0],
               "spent_cents": budget_rows.get(f, (0, 0))[1]} for f in Funder if f in budget_rows]
    # The latest measurement up to the period's end, per indicator.
    latest = (sa.select(Measurement.indicator_id, sa.func.max(Measurement.period_start).label("period"))
              .join(Indicator, Indicator.id == Measurement.indicator_id)
              .where(Indicator.plan_id == plan.id, Measurement.period_start <= period_end).group_by(Measurement.indicator_id).subquery())
    values = dict(db.session.execute(sa.select(Measurement.indicator_id, Measurement.value).join(
        latest, sa.and_(latest.c.indicator_id == Measurement.indicator_id, latest.c.period == Measurement.period_start))).all())
    indicators = []
    for indicator in db.session.scalars(sa.select(Indicator).where(Indicator.plan_id == plan.id, Indicator.archived.is_(False))
                                        .order_by(Indicator.code)):
        final = indicator.final_target
        value = values.get(indicator.id)
        reached = None
        if value is not None and final is not None:
            reached = value >= final[1] if indicator.direction.value == "higher" else value <= final[1]
        indicators.append({"code": indicator.code, "name": indicator.name, "unit": indicator.unit, "baseline": indicator.baseline_value,
                           "latest": value, "target": final[1] if final else None, "target_year": final[0] if final else None,
                           "reached": reached})
    decisions = db.session.execute(sa.select(sa.func.count(Decision.id), sa.func.count(Decision.done_at))
                                   .where(Decision.plan_id == plan.id)).one()
    links = dict(db.session.execute(sa.select(ActionLink.kind, sa.func.count(ActionLink.id)).join(Action, Action.id == ActionLink.action_id)
                                    .where(Action.plan_id == plan.id).group_by(ActionLink.kind)).all())
    return {
        "version": SNAPSHOT_VERSION,
        "actions": sum(s["count"] for s in statuses),
        "statuses": statuses,
        "average_progress": round(float(progress or 0)),
        "budget": budget,
        "planned_cents": sum(b["planned_cents"] for b in budget),
        "spent_cents": sum(b["spent_cents"] for b in budget),
        "indicators": indicators,
        "decisions": int(decisions[0]),
        "decisions_done": int(decisions[1]),
        "participation": [{"kind": k.value, "label": k.label, "count": int(links.get(k, 0))} for k in LinkKind],
    }


def create_report(plan: Plan, *, title: str, period_start: date | None, period_end: date | None, actor) -> ProgressReport:
    require(actor, "plans.manage", plan)
    title = clean(title, field_name="title", required=_("Donnez un titre au bilan (« Bilan à mi-parcours 2030 »)."), limit=200)
    if period_start is None or period_end is None or period_start > period_end:
        raise ValidationError(_("Indiquez une période dont la fin suit le début."), field="period_end")
    report = ProgressReport(plan_id=plan.id, title=title, period_start=period_start, period_end=period_end)
    db.session.add(report)
    db.session.flush()
    record("plan.report_created", plan, actor, {"report_id": report.id, "title": title})
    return report


def save_texts(report: ProgressReport, *, introduction: str, conclusion: str, actor, based_on=None) -> None:
    """``based_on``: the revision the edit started from; ``EditConflict`` when
    someone saved since (``None``, for scripts: on top of the current texts)."""
    require(actor, "plans.manage", report.plan)
    if report.state.value == "published":
        raise ValidationError(_("Un bilan publié ne change plus."), field="introduction")
    claim_revision(report, report.revision if based_on is None else based_on, text_attr=("introduction", "conclusion"))
    report.introduction = clean(introduction, field_name="introduction", limit=20_000)
    report.conclusion = clean(conclusion, field_name="conclusion", limit=20_000)
    record("plan_report.edited", report, actor, {"plan_id": report.plan_id})


def publish(report: ProgressReport, *, actor) -> None:
    """Freeze the figures and publish: the report never changes afterwards."""
    snapshot = figures(report.plan, report.period_end)
    REPORT_WORKFLOW._check(report, "publish", actor)
    report.figures = snapshot
    report.published_at = utcnow()
    REPORT_WORKFLOW.apply(report, "publish", actor=actor, data={"plan_id": report.plan_id})


def report_figures(report: ProgressReport) -> dict:
    return report.figures if report.figures is not None else figures(report.plan, report.period_end)
