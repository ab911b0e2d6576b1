"""Scheduled plan work: convocations when due, measurements due, the pacte's deadlines.

Each job re-reads the database and sends only what is still true; each mail
has a dedup key (unique in the outbox), so a second run or a second worker
sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import ngettext

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.extensions import db
from participation.plans import committees, indicators, pact
from participation.plans.models import Meeting, MeetingState
from participation.plans.subscribers import _mail, _notice, path_for


@register_job("plans.convocations", seconds=300, description="Convocations aux réunions des comités de pilotage")
def send_due_convocations(now: datetime | None = None) -> int:
    now = now or utcnow()
    meetings = db.session.scalars(sa.select(Meeting).where(
        Meeting.state == MeetingState.planned, Meeting.convened_at.is_(None), Meeting.starts_at > now,
        Meeting.starts_at <= now + timedelta(days=61))).unique().all()
    return sum(1 for meeting in meetings if committees.convene_if_due(meeting, now=now))


@register_job("plans.measurements_due", seconds=3600, description="Rappel des mesures d'indicateurs attendues")
def remind_measurements_due(today: date | None = None) -> int:
    """Once per indicator and period: the responsible person hears that the last period's measurement is missing."""
    sent = 0
    for indicator, period in indicators.measurements_due(today):
        owner = indicator.owner
        if owner is None or not owner.is_active:
            continue
        key = f"plans.measurement_due:{indicator.id}:{period.isoformat()}"
        label = indicators.period_label(period, indicator.periodicity)
        url = path_for("plans.measure", indicator_id=indicator.id)
        # The mail first: its dedup key, unique in the outbox, lets one of two workers through; that one adds the notice.
        if _mail(to=owner.email, user=owner, subject=f"Mesure attendue : {indicator.name} ({label})", template="measurement_due",
                 key=key, indicator=indicator, period=label, url=external_url("plans.measure", indicator_id=indicator.id)):
            sent += 1
            _notice(owner, f"Mesure attendue : {indicator.code} « {indicator.name} », {label}", url=url, key=key)
    return sent


@register_job("plans.pact_deadlines", seconds=3600, description="Échéances du pacte de gouvernance à 30 jours")
def warn_pact_deadlines(today: date | None = None) -> int:
    """30 days before each deadline of a pacte not yet met: the plan's manager is told, once per deadline and date."""
    today = today or date.today()
    sent = 0
    for plan, deadline in pact.deadlines_to_warn(today):
        manager = plan.manager
        if manager is None:
            continue
        days_left = (deadline.due_on - today).days
        days = ngettext("dans %(num)d jour", "dans %(num)d jours", days_left) if days_left else "aujourd'hui"
        key = f"plans.pact_deadline:{plan.id}:{deadline.key}:{deadline.due_on.isoformat()}"
        if _mail(to=manager.email, user=manager, subject=f"Échéance du pacte de gouvernance {days} : {deadline.label}",
                 template="pact_deadline", key=key, plan=plan, deadline=deadline, days=days,
                 url=external_url("plans_staff.plan", plan_id=plan.id)):
            sent += 1
            _notice(manager, f"Pacte de gouvernance : {deadline.label}, échéance {days}", url=path_for("plans_staff.plan", plan_id=plan.id),
                    key=key)
    return sent
