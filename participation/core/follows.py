"""Following something (a referral, a council): one row per person, added or removed by a button."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from participation.core.models import UTCDateTime, utcnow


class FollowerMixin:
    """The follower's side of a follow row; the model adds what is followed and a unique constraint on the pair."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def user(cls):
        return relationship("User", lazy="joined")


def toggle_follow(model, user, **target) -> bool:
    """Add ``user``'s row of ``model`` for ``target`` (``referral_id=3``), or remove it; returns whether they now follow."""
    from participation.extensions import db

    existing = db.session.scalar(sa.select(model).filter_by(user_id=user.id, **target))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
        return False
    db.session.add(model(user_id=user.id, **target))
    db.session.flush()
    return True


def is_following(model, user, **target) -> bool:
    """Whether ``user`` follows ``target`` (one column and its value: ``referral_id=3``)."""
    from participation.extensions import db

    if not getattr(user, "is_authenticated", False):
        return False
    [(column, value)] = target.items()
    return db.session.scalar(_following_statement(model, column), {"follower": user.id, "followed": value}) is not None


@functools.cache
def _following_statement(model, column: str):
    # Built once per kind: a page asks it for every signed-in reader, and building it cost more than running it.
    return sa.select(model.id).where(model.user_id == sa.bindparam("follower"), getattr(model, column) == sa.bindparam("followed"))
