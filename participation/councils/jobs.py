"""Scheduled council work: convocations when due, reminders the day before, mandates about to end.

Each job re-reads the database, sends only what is still true, and uses dedup
keys, so running it twice (or on two workers) sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from participation.core.french import a, de
from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.councils.models import Answer, Attendance, Council, Membership, MembershipState, Sitting, SittingState
from participation.councils.sittings import convene_if_due, convened_members
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, tell
from flask_babel import lazy_gettext as _l

MANDATE_NOTICE_DAYS = 30


@register_job("councils.convocations", seconds=300, description="Convocations aux séances, le nombre de jours prévu avant")
def send_due_convocations(now: datetime | None = None) -> int:
    now = now or utcnow()
    horizon = now + timedelta(days=60)
    sittings = db.session.scalars(
        sa.select(Sitting).where(Sitting.state == SittingState.published, Sitting.convened_at.is_(None),
                                 Sitting.starts_at > now, Sitting.starts_at <= horizon)
    ).all()
    return sum(1 for sitting in sittings if convene_if_due(sitting, now=now))


@register_job("councils.reminders", seconds=900, description="Rappel la veille d'une séance aux membres présents")
def send_sitting_reminders(now: datetime | None = None) -> int:
    """The day before: a reminder to each member who said they would come (checked again now)."""
    now = now or utcnow()
    sittings = db.session.scalars(
        sa.select(Sitting).where(Sitting.state == SittingState.published, Sitting.convened_at.is_not(None),
                                 Sitting.starts_at > now, Sitting.starts_at <= now + timedelta(hours=24))
    ).all()
    sent = 0
    for sitting in sittings:
        convened = {m.id: m for m in convened_members(sitting)}
        present = db.session.scalars(sa.select(Attendance.membership_id).where(
            Attendance.sitting_id == sitting.id, Attendance.answer == Answer.present)).all()
        path = urlsplit(external_url("councils.sitting", slug=sitting.council.slug, sitting_id=sitting.id)).path
        for membership_id in present:
            member = convened.get(membership_id)
            if member is None or member.user is None:
                continue
            # The start time is in the key: a sitting moved to another day gets its own reminder.
            key = f"sitting-reminder:{sitting.id}:{sitting.starts_at.isoformat()}:{member.id}"
            if tell(member.user, OWN_CASE, _l("Rappel : %(title)s, demain", title=sitting.title), url=path, dedup_key=key, mail_key=key,
                    mail_template="councils/reminder", member=member, sitting=sitting,
                    mail_url=external_url("councils.sitting", slug=sitting.council.slug, sitting_id=sitting.id)):
                sent += 1
    return sent


@register_job("councils.mandates_ending", seconds=3600, description="Mandats qui se terminent dans 30 jours (aux agents)")
def warn_mandates_ending(today: date | None = None) -> int:
    today = today or date.today()
    rows = db.session.execute(
        sa.select(Membership, Council).join(Council, Council.id == Membership.council_id)
        .where(Membership.state == MembershipState.active, Membership.end_date.is_not(None),
               Membership.end_date >= today, Membership.end_date <= today + timedelta(days=MANDATE_NOTICE_DAYS))
        .order_by(Council.id, Membership.end_date)
    ).all()
    sent = 0
    for membership, council in rows:
        manager = council.manager
        if manager is None or not manager.email:
            continue
        key = f"mandate-ending:{membership.id}:{membership.end_date.isoformat()}"
        if tell(manager, Category.staff_work,
                _l("Le mandat %(de_name)s %(a_name)s se termine le %(strftime)s.", de_name=de(membership.name), a_name=a(council.name), strftime=membership.end_date.strftime('%d/%m/%Y')),
                url=urlsplit(external_url("councils_staff.council", council_id=council.id)).path, dedup_key=key, mail_key=key,
                mail_subject=_l("Fin de mandat prochaine %(a_name)s", a_name=a(council.name)), mail_template="councils/mandate_ending", about=council.name,
                council=council, membership=membership, mail_url=external_url("councils_staff.council", council_id=council.id)):
            sent += 1
    return sent
