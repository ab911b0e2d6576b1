"""In-app notices, and how each person wants to hear of each kind of thing by mail."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import Base, IdMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from flask_babel import lazy_gettext as _l


class Category(TitledEnum):
    """What a notice is about, as a person chooses how to hear of it.

    Mail about a person's own case (a registration, an application, a convocation,
    a password reset) has no category: it is always sent.
    """

    councils_work = "councils_work", _l("Les travaux de mes conseils")
    followed_councils = "followed_councils", _l("Les saisines et les conseils que je suis")
    consultations = "consultations", _l("Les concertations et les sujets que je suis")
    events = "events", _l("Mes inscriptions et les événements")
    grants = "grants", _l("Les subventions de mon association")
    plans = "plans", _l("Les projets et les actions que je suis")
    questionnaires = "questionnaires", _l("Les questionnaires")
    news = "news", _l("Les actualités de ma commune et de mes thèmes")
    newsletter = "newsletter", _l("La lettre d'information")
    staff_work = "staff_work", _l("Le travail qui m'attend (agents)")


class Delivery(TitledEnum):
    each = "each", _l("Un courriel à chaque fois")
    daily = "daily", _l("Un résumé par jour")
    weekly = "weekly", _l("Un résumé par semaine")
    none = "none", _l("Pas de courriel (notifications sur la plateforme seulement)")


# What a person gets when they have not chosen: their own work and their
# association at once, what they follow in a daily digest, news weekly.
DEFAULT_DELIVERY: dict[Category, Delivery] = {
    Category.councils_work: Delivery.each,
    Category.followed_councils: Delivery.daily,
    Category.consultations: Delivery.each,
    Category.events: Delivery.each,
    Category.grants: Delivery.each,
    Category.plans: Delivery.weekly,
    Category.questionnaires: Delivery.each,
    Category.news: Delivery.weekly,
    Category.newsletter: Delivery.each,
    Category.staff_work: Delivery.each,
}
# The newsletter is a mail in itself: there is no digest of it.
NO_DIGEST = {Category.newsletter}
DEFAULT_DIGEST_HOUR = 8
# Monday (ISO weekday 1).
DEFAULT_DIGEST_WEEKDAY = 1


class Notification(IdMixin, Base):
    """A notice shown to one person in the platform."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_digest", "digest", "user_id"),
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
    # The preference category; none for a person's own case.
    category: Mapped[Category | None] = mapped_column(enum_column(Category, name="notification_category"))
    # The thing it is about (« Plan vélo intercommunal »), under which a digest groups it.
    about: Mapped[str | None] = mapped_column(sa.String(200))
    # Set while the notice waits for the person's daily or weekly digest; cleared when it is mailed.
    digest: Mapped[Delivery | None] = mapped_column(enum_column(Delivery, name="notification_digest"))

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(IdMixin, Base):
    """How one person hears of one category by mail (a missing row means the default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "category"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category, name="preference_category"))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, name="preference_delivery"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When a mailed one-click link turned the category off (kept for proof).
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestSchedule(IdMixin, Base):
    """When a person's digests go out (Europe/Paris time); a missing row means 8 h on Monday."""

    __tablename__ = "digest_schedules"
    __table_args__ = (
        sa.CheckConstraint("hour >= 0 AND hour <= 23", name="hour_range"),
        sa.CheckConstraint("weekday >= 1 AND weekday <= 7", name="weekday_range"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    hour: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_HOUR)
    # ISO weekday of the weekly digest: 1 Monday … 7 Sunday.
    weekday: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_WEEKDAY)


class Unsubscription(IdMixin, Base):
    """The record of a one-click unsubscription: who, what, when, how."""

    __tablename__ = "unsubscriptions"

    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # A newsletter subscriber without an account is named by address.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    category: Mapped[Category] = mapped_column(enum_column(Category, name="unsubscription_category"))
    # "link" (the page), "one-click" (a mail client's RFC 8058 POST), "preferences".
    source: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
