"""Scheduled work on accounts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from participation.accounts.models import AccountState, User
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.core.scheduler import register_job
from participation.extensions import db


@register_job("accounts.purge_unconfirmed", seconds=3600, description="Suppression des comptes jamais confirmés")
def purge_unconfirmed_accounts() -> int:
    """Delete accounts never confirmed after the retention period (they hold nothing public)."""
    limit = utcnow() - timedelta(days=current_app.config["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"])
    result = db.session.execute(
        sa.delete(User).where(User.state == AccountState.unconfirmed, User.created_at < limit)
    )
    return result.rowcount or 0


@register_job("accounts.end_suspensions", seconds=300, description="Rétablissement des comptes dont la suspension a pris fin")
def end_suspensions(now=None) -> int:
    """Reinstate the accounts whose suspension for a period has ended (re-checked row by row)."""
    from participation.accounts.services import reinstate

    now = now or utcnow()
    users = db.session.scalars(
        sa.select(User).where(User.state == AccountState.suspended, User.suspended_until.is_not(None), User.suspended_until <= now)
    ).all()
    for user in users:
        reinstate(user, actor=SYSTEM)
    return len(users)
