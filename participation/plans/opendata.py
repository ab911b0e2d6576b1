"""The measurements of the public plans' indicators as open data.

One row per measurement of an indicator that residents see: its plan is public
(not being drafted), the indicator is not archived, nor the action it follows.
Values are numbers with a dot (not the French comma of the staff's spreadsheet export).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.opendata.catalogue import Dataset, latest, register_dataset
from participation.plans.indicators import period_label
from participation.plans.models import PUBLIC_PLAN_STATES, Action, Indicator, Measurement, Plan

FIELDS = (
    "plan", "plan_titre", "plan_type", "indicateur_code", "indicateur", "unite", "sens", "periodicite",
    "valeur_reference", "date_reference", "periode", "debut_periode", "date_mesure", "valeur", "commentaire", "source", "url_plan",
)


def _public():
    return sa.and_(
        Plan.state.in_(PUBLIC_PLAN_STATES),
        Indicator.archived.is_(False),
        sa.or_(Indicator.action_id.is_(None), Action.archived.is_(False)),
    )


def _joined(statement):
    return (statement.join(Indicator, Indicator.id == Measurement.indicator_id).join(Plan, Plan.id == Indicator.plan_id)
            .outerjoin(Action, Action.id == Indicator.action_id).where(_public()))


def rows() -> list[dict]:
    statement = _joined(sa.select(Plan, Indicator, Measurement)).order_by(Plan.slug, Indicator.code, Measurement.period_start)
    result = []
    for plan, indicator, measurement in db.session.execute(statement):
        result.append({
            "plan": plan.slug,
            "plan_titre": plan.title,
            "plan_type": plan.kind.label,
            "indicateur_code": indicator.code,
            "indicateur": indicator.name,
            "unite": indicator.unit or None,
            "sens": indicator.direction.label,
            "periodicite": indicator.periodicity.label,
            "valeur_reference": indicator.baseline_value,
            "date_reference": indicator.baseline_date.isoformat() if indicator.baseline_date else None,
            "periode": period_label(measurement.period_start, indicator.periodicity),
            "debut_periode": measurement.period_start.isoformat(),
            "date_mesure": measurement.measured_on.isoformat(),
            "valeur": measurement.value,
            "commentaire": measurement.comment or None,
            "source": indicator.source or None,
            "url_plan": url_for("plans.plan", slug=plan.slug, _external=True),
        })
    return result


def latest_change():
    row = db.session.execute(_joined(sa.select(sa.func.max(Measurement.created_at), sa.func.max(Indicator.updated_at)))).one()
    return latest(*row)


register_dataset(Dataset(
    slug="mesures-indicateurs",
    title=_l("Mesures des indicateurs des plans"),
    description=_l("Les valeurs mesurées des indicateurs des plans publics du territoire (projet de territoire, convention "
                   "territoriale globale, contrat de ville…) : une ligne par mesure, avec la période, la valeur de référence et l'unité."),
    fields=FIELDS,
    rows=rows,
    modified=latest_change,
    keywords=("indicateurs", "évaluation", "projet de territoire", "contrat de ville"),
    theme=_l("Politiques publiques"),
    order=50,
))
