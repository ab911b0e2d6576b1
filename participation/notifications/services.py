"""Writing and reading in-app notices."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.errors import PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from participation.notifications.models import Notification


def notify(user, title: str, *, body: str | None = None, url: str | None = None, event=None, dedup_key: str | None = None) -> Notification | None:
    """Add a notice for ``user``; with a ``dedup_key`` already used for them, add nothing."""
    if user is None or getattr(user, "id", None) is None:
        return None
    if dedup_key is not None:
        exists = db.session.scalar(
            sa.select(Notification.id).where(Notification.user_id == user.id, Notification.dedup_key == dedup_key)
        )
        if exists is not None:
            return None
    notification = Notification(user_id=user.id, title=title[:200], body=body, url=url, event_id=getattr(event, "id", None), dedup_key=dedup_key)
    db.session.add(notification)
    return notification


def unread_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def notices_of(user):
    """A ``select`` of the person's notices, newest first, for pagination."""
    return sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(notification: Notification, *, actor) -> None:
    if notification.user_id != getattr(actor, "id", None):
        raise PermissionDenied("Cette notification ne vous est pas destinée.")
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(*, actor) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
