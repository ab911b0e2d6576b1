"""Plans in the public API: the public plans, their actions, indicators and measurements.

A plan is public in the states ``public_plans()`` lists; inside it, what the
plan's pages show: actions and indicators that are not archived.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, Filter, register_resource
from participation.plans import services
from participation.plans.models import Action, Indicator, Measurement, Plan
from participation.territory.api import CommuneRef, ThemeRef, commune_ref, theme_ref


class PlanOut(ApiModel):
    id: int
    title: str
    slug: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    summary: str = Field(description="La présentation, en Markdown.")
    start_year: int
    end_year: int
    adopted_on: date | None
    url: str


class FundingOut(ApiModel):
    funder: str
    planned: int = Field(description="Le montant prévu, en centimes d'euro.")
    spent: int = Field(description="Le montant dépensé, en centimes d'euro.")


class MilestoneOut(ApiModel):
    title: str
    due_on: date
    done_on: date | None


class ActionOut(ApiModel):
    id: int
    plan_id: int
    code: str
    title: str
    description: str
    objective: str = Field(description="L'axe ou l'objectif du plan auquel l'action se rattache (son code et son titre).")
    status: str
    status_label: str
    progress: int = Field(description="L'avancement, en pourcentage.")
    start_date: date | None
    end_date: date | None
    lead_department: str | None
    partners: str
    target_public: str
    fundings: list[FundingOut]
    milestones: list[MilestoneOut]
    themes: list[ThemeRef]
    communes: list[CommuneRef]
    url: str


class IndicatorOut(ApiModel):
    id: int
    plan_id: int
    action_id: int | None
    code: str
    name: str
    unit: str
    direction: str = Field(description="higher : plus c'est haut, mieux c'est ; lower : l'inverse.")
    periodicity: str
    baseline_value: float | None
    baseline_date: date | None
    targets: dict[str, float] = Field(description="Les cibles, par année.")
    source: str


class MeasurementOut(ApiModel):
    id: int
    indicator_id: int
    period_start: date
    measured_on: date
    value: float
    comment: str | None
    created_at: datetime


def _public_plan_ids():
    return services.public_plans().with_only_columns(Plan.id).order_by(None)


def _plan(p: Plan) -> dict:
    return {"id": p.id, "title": p.title, "slug": p.slug, "kind": p.kind.value, "kind_label": p.kind.label, "state": p.state.value,
            "state_label": p.state.label, "summary": p.summary, "start_year": p.start_year, "end_year": p.end_year,
            "adopted_on": p.adopted_on, "url": url_for("plans.plan", slug=p.slug, _external=True)}


def _actions(plan_id=None, theme_id=None, commune_id=None):
    statement = (sa.select(Action, Plan.slug).join(Plan, Plan.id == Action.plan_id)
                 .where(Action.plan_id.in_(_public_plan_ids()), Action.archived.is_(False)))
    if plan_id is not None:
        statement = statement.where(Action.plan_id == plan_id)
    if theme_id is not None:
        statement = statement.where(Action.themes.any(id=theme_id))
    if commune_id is not None:
        statement = statement.where(Action.communes.any(id=commune_id))
    return statement


def _action(row) -> dict:
    a, plan_slug = row
    return {
        "id": a.id, "plan_id": a.plan_id, "code": a.code, "title": a.title, "description": a.description,
        "objective": f"{a.node.code} {a.node.title}", "status": a.status.value, "status_label": a.status.label, "progress": a.progress,
        "start_date": a.start_date, "end_date": a.end_date, "lead_department": a.lead_department.name if a.lead_department else None,
        "partners": a.partners, "target_public": a.target_public,
        "fundings": [{"funder": f.funder.value, "planned": f.planned_cents, "spent": f.spent_cents} for f in a.fundings],
        "milestones": [{"title": m.title, "due_on": m.due_on, "done_on": m.done_on} for m in a.milestones],
        "themes": [theme_ref(t) for t in a.themes], "communes": [commune_ref(c) for c in a.communes],
        "url": url_for("plans.action", slug=plan_slug, action_id=a.id, _external=True),
    }


def _public_indicators():
    """Indicators of public plans, not archived, and not following an archived action (as the plan's pages and open data)."""
    live_actions = sa.select(Action.id).where(Action.archived.is_(False))
    return sa.select(Indicator).where(Indicator.plan_id.in_(_public_plan_ids()), Indicator.archived.is_(False),
                                      sa.or_(Indicator.action_id.is_(None), Indicator.action_id.in_(live_actions)))


def _indicators(plan_id=None):
    statement = _public_indicators()
    return statement.where(Indicator.plan_id == plan_id) if plan_id is not None else statement


def _indicator(i: Indicator) -> dict:
    return {"id": i.id, "plan_id": i.plan_id, "action_id": i.action_id, "code": i.code, "name": i.name, "unit": i.unit,
            "direction": i.direction.value, "periodicity": i.periodicity.value, "baseline_value": i.baseline_value,
            "baseline_date": i.baseline_date, "targets": {str(k): float(v) for k, v in (i.targets or {}).items()}, "source": i.source}


def _measurements(indicator_id=None, since=None, until=None):
    statement = sa.select(Measurement).where(Measurement.indicator_id.in_(_public_indicators().with_only_columns(Indicator.id)))
    if indicator_id is not None:
        statement = statement.where(Measurement.indicator_id == indicator_id)
    if since is not None:
        statement = statement.where(Measurement.measured_on >= since)
    if until is not None:
        statement = statement.where(Measurement.measured_on <= until)
    return statement


plan_filter = Filter("plan", int, _l("Ceux de ce plan (identifiant)."), keyword="plan_id")

register_resource(
    "plans", _l("Plans territoriaux"), PlanOut, tags=("plans",), order=70,
    description=_l("Les plans publics (projet de territoire, CTG, contrat de ville, pacte de gouvernance), du plus récent au plus ancien."),
    query=lambda: services.public_plans(), to_dict=_plan, id_column=Plan.id, sort=Plan.start_year, modified="updated_at",
)

register_resource(
    "plan-actions", _l("Actions des plans"), ActionOut, tags=("plans",), order=71,
    description=_l("Les actions des plans publics, avec leurs financements et leurs jalons."),
    query=_actions, to_dict=_action, id_column=Action.id, sort=Action.id, ascending=True,
    filters=[plan_filter, Filter("theme", int, _l("Celles de ce thème (identifiant)."), keyword="theme_id"),
             Filter("commune", int, _l("Celles de cette commune (identifiant)."), keyword="commune_id")],
)

register_resource(
    "indicators", _l("Indicateurs"), IndicatorOut, tags=("plans",), order=72,
    description=_l("Les indicateurs des plans publics."),
    query=_indicators, to_dict=_indicator, id_column=Indicator.id, sort=Indicator.code, ascending=True, modified="updated_at",
    filters=[plan_filter],
)

register_resource(
    "measurements", _l("Mesures des indicateurs"), MeasurementOut, tags=("plans",), order=73,
    description=_l("Les valeurs mesurées des indicateurs publics, de la plus récente à la plus ancienne."),
    query=_measurements, to_dict=lambda m: {"id": m.id, "indicator_id": m.indicator_id, "period_start": m.period_start,
                                            "measured_on": m.measured_on, "value": m.value, "comment": m.comment,
                                            "created_at": m.created_at},
    id_column=Measurement.id, sort=Measurement.measured_on, modified="created_at",
    filters=[Filter("indicator", int, _l("Celles de cet indicateur (identifiant)."), keyword="indicator_id"),
             Filter("from", date, _l("Celles mesurées ce jour ou après (AAAA-MM-JJ)."), keyword="since"),
             Filter("to", date, _l("Celles mesurées ce jour ou avant (AAAA-MM-JJ)."), keyword="until")],
)
