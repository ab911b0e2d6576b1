"""The plans' work for the back office's « what waits for me » (see ``participation/staff/queues.py``).

Both queues are personal: the measurements of the indicators a person is
responsible for, and the committee decisions whose follow-up they own. Each is
one ``select`` (counted, then its oldest rows loaded), whatever the number of plans.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from participation.plans.indicators import period_label, previous_period
from participation.plans.models import Decision, Indicator, Measurement, Periodicity, Plan, PlanState
from participation.staff.queues import QueueItem, register_queue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The plans whose indicators are measured (as ``indicators.measurements_due``).
MEASURED_STATES = (PlanState.adopted, PlanState.running, PlanState.evaluation)


def measurements_due_statement(user, today: date | None = None):
    """The indicators ``user`` is responsible for whose last complete period has no measurement:
    the same as ``indicators.measurements_due_for(user)``, as one ``select``."""
    today = today or date.today()
    missing = sa.or_(*(
        sa.and_(Indicator.periodicity == periodicity, ~sa.exists().where(
            Measurement.indicator_id == Indicator.id, Measurement.period_start == previous_period(today, periodicity)))
        for periodicity in Periodicity
    ))
    return (sa.select(Indicator).join(Plan, Plan.id == Indicator.plan_id)
            .where(Indicator.owner_id == getattr(user, "id", None), Indicator.archived.is_(False), Plan.state.in_(MEASURED_STATES), missing))


@register_queue("plan_measurements_due", _l("Mesures d'indicateurs à saisir"), permission="plans.report", url_endpoint="plans_staff.index",
                order=60, help=_l("Les indicateurs dont vous êtes responsable et dont la mesure de la dernière période manque."))
def measurements_due(user):
    today = date.today()

    def item(indicator: Indicator) -> QueueItem:
        period = previous_period(today, indicator.periodicity)
        return QueueItem(title=f"{indicator.code} « {indicator.name} »", url=url_for("plans.measure", indicator_id=indicator.id),
                         since=period, detail=_("Période : %(period_label)s", period_label=period_label(period, indicator.periodicity)))

    return measurements_due_statement(user, today), Indicator.id, item


@register_queue("plan_decisions_to_follow", _l("Décisions des comités à suivre"), permission="plans.report", url_endpoint="plans_staff.index",
                order=61, help=_l("Les décisions des comités de pilotage dont le suivi vous est confié et qui ne sont pas encore faites."))
def decisions_to_follow(user):
    from participation.core.dates import format_day

    statement = sa.select(Decision).where(Decision.owner_id == getattr(user, "id", None), Decision.done_at.is_(None))

    def item(decision: Decision) -> QueueItem:
        return QueueItem(title=decision.text[:150], url=url_for("plans_staff.plan", plan_id=decision.plan_id) + "#decisions",
                         since=decision.due_on or decision.created_at.date(),
                         detail=_("À faire pour le %(due_on)s", due_on=format_day(decision.due_on)) if decision.due_on else None)

    # Earliest due first, those without a date after them (as ``committees.decisions_to_follow``).
    return statement, sa.func.coalesce(Decision.due_on, date.max), item
