"""Notices in "my data", and erased with the account."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.extensions import db
from participation.notifications.models import Notification


@subscribe("user.closed")
def erase_notifications(event: DomainEvent) -> None:
    db.session.execute(sa.delete(Notification).where(Notification.user_id == event.subject_id))


@personal_data.section("notifications")
def notifications_section(user) -> list[dict]:
    rows = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)).all()
    return [{"titre": n.title, "texte": n.body, "date": n.created_at.isoformat(), "lue": n.is_read} for n in rows]
