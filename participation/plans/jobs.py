"""Scheduled plan work: convocations when due, measurements due, the pacte's deadlines.

Each job re-reads the database and sends only what is still true; each mail
has a dedup key (unique per person for the notice, unique in the outbox for the
mail), so a second run or a second worker sends nothing twice. Reminders go
through ``notifications.services.tell()`` as staff work (« Le travail qui m'attend »).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import ngettext

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import tell
from participation.plans import committees, indicators, pact
from participation.plans.models import Meeting, MeetingState
from participation.plans.subscribers import path_for
from flask_babel import lazy_gettext as _l


def _tell_once(user, title: str, **kwargs) -> bool:
    """``tell()`` the person in a savepoint; ``False`` when the key was used already, here or by another worker.

    The notice's key is unique per person: of two workers running at once, the second's insert
    fails (or finds the first's row) and its savepoint is rolled back, so one notice and one mail go out.
    """
    try:
        with db.session.begin_nested():
            notice = tell(user, Category.staff_work, title, **kwargs)
            db.session.flush()
    except sa.exc.IntegrityError:
        return False
    return notice is not None


@register_job("plans.convocations", seconds=300, description="Convocations aux réunions des comités de pilotage")
def send_due_convocations(now: datetime | None = None) -> int:
    """Convene the meetings whose convocation is due, then mail every convocation not mailed yet.

    A meeting convened by staff from the back office is only recorded there; its mails, with the
    dashboard's PDF rendered here, go out on this job's next run. A convocation already in the
    outbox (its key) is not rendered again.
    """
    from participation.core.outbox import OutboxMail
    from participation.plans.subscribers import convocation_key, send_convocation

    now = now or utcnow()
    meetings = db.session.scalars(sa.select(Meeting).where(
        Meeting.state == MeetingState.planned, Meeting.convened_at.is_(None), Meeting.starts_at > now,
        Meeting.starts_at <= now + timedelta(days=61))).unique().all()
    convened = sum(1 for meeting in meetings if committees.convene_if_due(meeting, now=now))
    to_mail = db.session.scalars(sa.select(Meeting).where(
        Meeting.state == MeetingState.planned, Meeting.convened_at.is_not(None), Meeting.starts_at > now,
        # Within the sent mail's retention (90 days by default), so a purged outbox never sends a convocation twice.
        Meeting.convened_at >= now - timedelta(days=61))).unique().all()
    for meeting in to_mail:
        if not meeting.committee.members:
            continue
        prefix = convocation_key(meeting) + ":"
        sent = db.session.scalar(sa.select(OutboxMail.id).where(OutboxMail.dedup_key.startswith(prefix, autoescape=True)).limit(1))
        if sent is None:
            send_convocation(meeting)
    return convened


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
        if _tell_once(owner, _l("Mesure attendue : %(code)s « %(name)s », %(label)s", code=indicator.code, name=indicator.name, label=label), url=url, dedup_key=key, mail_key=key,
                      mail_subject=_l("Mesure attendue : %(name)s (%(label)s)", name=indicator.name, label=label), mail_template="plans/measurement_due",
                      about=indicator.name, indicator=indicator, period=label,
                      mail_url=external_url("plans.measure", indicator_id=indicator.id)):
            sent += 1
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
        days = ngettext("dans %(num)d jour", "dans %(num)d jours", days_left) if days_left else _l("aujourd'hui")
        key = f"plans.pact_deadline:{plan.id}:{deadline.key}:{deadline.due_on.isoformat()}"
        if _tell_once(manager, _l("Pacte de gouvernance : %(label)s, échéance %(days)s", label=deadline.label, days=days), url=path_for("plans_staff.plan", plan_id=plan.id),
                      dedup_key=key, mail_key=key, mail_subject=_l("Échéance du pacte de gouvernance %(days)s : %(label)s", days=days, label=deadline.label),
                      mail_template="plans/pact_deadline", about=plan.title, plan=plan, deadline=deadline, days=days,
                      mail_url=external_url("plans_staff.plan", plan_id=plan.id)):
            sent += 1
    return sent
