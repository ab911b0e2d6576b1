from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import Base, IdMixin, UTCDateTime, utcnow


class Notification(IdMixin, Base):
    """A notice shown to one person in the platform."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.UniqueConstraint("user_id", "dedup_key"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The domain event that caused it, when there is one.
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("domain_events.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str | None] = mapped_column(sa.Text)
    # Where opening the notice leads (a path on this site).
    url: Mapped[str | None] = mapped_column(sa.String(500))
    # One notice per person and key: a job run twice does not notify twice.
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
