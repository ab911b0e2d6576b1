"""Scheduled work on referrals: opinions due soon or late, and the weekly reminder of an overdue answer."""

from __future__ import annotations

from flask_babel import ngettext
from datetime import date, timedelta

from participation.core.dates import format_day
from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import mail_address, tell
from participation.referrals import services
from participation.referrals.models import Referral, ReferralState
from flask_babel import lazy_gettext as _l

# The bureau and staff hear of an opinion's due date this many days ahead.
DUE_SOON_DAYS = 14


def week_key(today: date) -> str:
    year, week, _unused = today.isocalendar()
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
        if mail_address(reason="shared_mailbox", to=department.email, subject=_l("Réponse en retard : avis « %(subject)s »", subject=referral.subject), template="referrals/answer_overdue",
                      dedup_key=f"referrals.answer_overdue:{referral.id}:{week_key(today)}", referral=referral,
                      url=external_url("referrals_staff.referral", referral_id=referral.id)):
            queued += 1
    return queued


def _bureau_and_staff(referral: Referral) -> list:
    """Who answers for the opinion being on time: the council's bureau and the staff member managing the council."""
    users = [m.user for m in services.referral_members(referral, roles=services.BUREAU_ROLES)] + [referral.council.manager]
    unique = {user.id: user for user in users if user is not None and user.is_active}
    return list(unique.values())


@register_job("referrals.opinion_due_notices", seconds=3600, description="Avis attendus dans 14 jours ou en retard : bureau et agent")
def send_opinion_due_notices(today: date | None = None) -> int:
    """Tell the bureau and staff once when an opinion is due within 14 days, and once when its due date has passed.

    The keys carry the due date: a referral given a new date is announced again. Returns the mails queued.
    """
    today = today or date.today()
    queued = 0
    for referral in db.session.scalars(services.opinions_due(before=today + timedelta(days=DUE_SOON_DAYS + 1))).all():
        late = referral.due_on < today
        kind = "opinion_overdue" if late else "opinion_due_soon"
        key = f"referrals.{kind}:{referral.id}:{referral.due_on.isoformat()}"
        if late:
            title = _l("Avis en retard : « %(subject)s » était attendu le %(due_on)s", subject=referral.subject, due_on=format_day(referral.due_on))
        else:
            title = ngettext("Avis attendu dans %(num)d jour : « %(subject)s »", "Avis attendu dans %(num)d jours : « %(subject)s »",
                             (referral.due_on - today).days, subject=referral.subject)
        url = external_url("referrals.referral", referral_id=referral.id)
        for user in _bureau_and_staff(referral):
            if tell(user, Category.councils_work, title, url=f"/saisines/{referral.id}", dedup_key=key, mail_key=f"{key}:{user.id}",
                    about=referral.subject, mail_template=f"referrals/{kind}", referral=referral, days=(referral.due_on - today).days, mail_url=url):
                queued += 1
    return queued
