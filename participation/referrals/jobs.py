"""Scheduled work on referrals: the weekly reminder of an overdue answer."""

from __future__ import annotations

from datetime import date


from participation.core.outbox import queue_mail
from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.extensions import db
from participation.referrals import services
from participation.referrals.models import ReferralState


def week_key(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


@register_job("referrals.answer_reminders", seconds=3600, description="Rappel hebdomadaire des réponses en retard aux avis")
def send_answer_reminders(today: date | None = None) -> int:
    """Remind the department of each overdue answer, once per ISO week (the dedup key), until it answers."""
    today = today or date.today()
    queued = 0
    for referral in db.session.scalars(services.overdue_referrals(today)).all():
        # Re-checked now: an answer recorded meanwhile stops the reminders.
        if referral.state != ReferralState.transmitted:
            continue
        department = referral.answer_department or referral.department
        if department is None or not department.email:
            continue
        if queue_mail(to=department.email, subject=f"Réponse en retard : avis « {referral.subject} »", template="referrals/answer_overdue",
                      dedup_key=f"referrals.answer_overdue:{referral.id}:{week_key(today)}", referral=referral,
                      url=external_url("referrals_staff.referral", referral_id=referral.id)):
            queued += 1
    return queued
