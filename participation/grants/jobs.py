"""Scheduled work on grants: the financial report's reminders."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.extensions import db
from participation.grants import services
from participation.grants.models import ApplicationState, FinancialReport, GrantApplication
from participation.grants.settings import setting
from participation.notifications.models import Category
from participation.notifications.services import tell
from flask_babel import lazy_gettext as _l


def reminder_stage(due_on: date, today: date) -> str | None:
    """Which reminder is due today: "30" and "7" days before (configurable), "late" after; each is sent once."""
    left = (due_on - today).days
    if left < 0:
        return "late"
    for days in sorted(int(d) for d in setting("GRANTS_REPORT_REMINDER_DAYS")):
        if left <= days:
            return str(days)
    return None


@register_job("grants.report_reminders", seconds=3600, description="Rappels des comptes rendus financiers des subventions")
def send_report_reminders(today: date | None = None) -> int:
    """Remind the representatives of each grant whose report is not in yet; idempotent (dedup keys per stage)."""
    today = today or date.today()
    horizon = today + timedelta(days=max(int(d) for d in setting("GRANTS_REPORT_REMINDER_DAYS")))
    applications = db.session.scalars(
        sa.select(GrantApplication)
        .outerjoin(FinancialReport, FinancialReport.application_id == GrantApplication.id)
        .where(GrantApplication.state == ApplicationState.granted, GrantApplication.report_due_on <= horizon,
               FinancialReport.id.is_(None))
        .order_by(GrantApplication.id)
    ).all()
    queued = 0
    for application in applications:
        stage = reminder_stage(application.report_due_on, today)
        if stage is None:
            continue
        key = f"grants.report_reminder:{application.id}:{application.report_due_on.isoformat()}:{stage}"
        late = stage == "late"
        subject = (_l("Compte rendu financier en retard (demande n° %(id)s)", id=application.id) if late
                   else _l("Compte rendu financier attendu avant le %(strftime)s", strftime=application.report_due_on.strftime('%d/%m/%Y')))
        for user in services.representatives_of(application.association_id):
            if tell(user, Category.grants, subject, url=f"/subventions/demandes/{application.id}/compte-rendu", dedup_key=key,
                    mail_key=f"{key}:{user.id}", mail_template="grants/report_due", about=application.project_title,
                    application=application, association=application.association, late=late,
                    report_url=external_url("grants.report", application_id=application.id), euros=services.euros):
                queued += 1
    return queued
