from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.extensions import db
from participation.notifications.models import Notification


@register_job("notifications.purge", seconds=3600, description="Effacement des notifications anciennes")
def purge_old_notifications() -> int:
    limit = utcnow() - timedelta(days=current_app.config["RETENTION_NOTIFICATION_DAYS"])
    return db.session.execute(sa.delete(Notification).where(Notification.created_at < limit)).rowcount or 0
