"""Articles (actualités), the newsletter's subscribers, its issues and what each issue sent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.follows import FollowerMixin
from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import lazy_gettext as _l


class ArticleState(TitledEnum):
    draft = "draft", _l("Brouillon")
    scheduled = "scheduled", _l("Programmé")
    published = "published", _l("Publié")
    archived = "archived", _l("Archivé")


article_themes = sa.Table(
    "article_themes",
    Base.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

article_communes = sa.Table(
    "article_communes",
    Base.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Article(IdMixin, TimestampMixin, Base):
    """A news article written by staff in Markdown."""

    __tablename__ = "articles"
    __table_args__ = (
        sa.Index("ix_articles_state_published", "state", "published_at"),
        sa.CheckConstraint("state <> 'scheduled' OR publish_at IS NOT NULL", name="scheduled_has_date"),
        sa.CheckConstraint("state NOT IN ('published', 'archived') OR published_at IS NOT NULL", name="published_has_date"),
        sa.CheckConstraint("image_id IS NULL OR length(image_alt) > 0", name="image_has_alt"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    # The chapô: one or two sentences shown in lists, feeds and the newsletter.
    summary: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text)
    image_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="SET NULL"))
    # The image's text alternative (what it shows, for those who do not see it).
    image_alt: Mapped[str | None] = mapped_column(sa.String(300))
    state: Mapped[ArticleState] = mapped_column(enum_column(ArticleState), default=ArticleState.draft)
    previous_state: Mapped[ArticleState | None] = mapped_column(enum_column(ArticleState, name="articlestate_previous"))
    # When a scheduled article goes out (the worker publishes it).
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # What the article is about, when it is about something on the platform.
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultations.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id", ondelete="SET NULL"))
    # An action of a territorial plan (« informer régulièrement la population des avancées des projets »).
    plan_action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="SET NULL"))

    themes = relationship("Theme", secondary=article_themes, lazy="selectin", order_by="Theme.name")
    communes = relationship("Commune", secondary=article_communes, lazy="selectin", order_by="Commune.name")
    image = relationship("StoredFile", lazy="joined")
    author = relationship("User", lazy="joined")
    consultation = relationship("Consultation", lazy="select")
    event = relationship("Event", lazy="select")
    referral = relationship("Referral", lazy="select")
    plan_action = relationship("Action", lazy="select")

    @property
    def is_public(self) -> bool:
        return self.state in (ArticleState.published, ArticleState.archived)

    def __str__(self) -> str:
        return self.title


ARTICLE_WORKFLOW = Workflow(
    thing="article",
    transitions=[
        Transition("schedule", {ArticleState.draft}, ArticleState.scheduled, permission="news.manage", label="programmer"),
        Transition("unschedule", {ArticleState.scheduled}, ArticleState.draft, event="unscheduled", permission="news.manage",
                   label=_l("repasser en brouillon")),
        Transition("publish", {ArticleState.draft, ArticleState.scheduled}, ArticleState.published, permission="news.manage",
                   label="publier", refusals={ArticleState.published: _l("Cet article est déjà publié.")}),
        Transition("archive", {ArticleState.published}, ArticleState.archived, permission="news.manage", label="archiver"),
    ],
)
ARTICLE_WORKFLOW.bind(Article)


class ThemeFollower(FollowerMixin, IdMixin, Base):
    """A person who follows a theme's news."""

    __tablename__ = "theme_followers"
    __table_args__ = (sa.UniqueConstraint("user_id", "theme_id"),)

    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"), index=True)


# The newsletter ----------------------------------------------------------------

subscriber_communes = sa.Table(
    "newsletter_subscriber_communes",
    Base.metadata,
    sa.Column("subscriber_id", sa.ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

subscriber_themes = sa.Table(
    "newsletter_subscriber_themes",
    Base.metadata,
    sa.Column("subscriber_id", sa.ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Subscriber(IdMixin, Base):
    """An address that asked for the newsletter (opt-in), confirmed by a mailed link unless it is an account's own."""

    __tablename__ = "newsletter_subscribers"
    __table_args__ = (sa.Index("ix_newsletter_subscribers_active", "confirmed_at", "unsubscribed_at"),)

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Digest of the confirmation link's token (double opt-in); cleared once confirmed.
    token_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Consent: when it was given and how ("formulaire", "compte", "démonstration").
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_source: Mapped[str] = mapped_column(sa.String(40))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    communes = relationship("Commune", secondary=subscriber_communes, lazy="selectin", order_by="Commune.name")
    themes = relationship("Theme", secondary=subscriber_themes, lazy="selectin", order_by="Theme.name")

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class IssueState(TitledEnum):
    draft = "draft", _l("Brouillon")
    scheduled = "scheduled", _l("Programmée")
    sending = "sending", _l("En cours d'envoi")
    sent = "sent", _l("Envoyée")


issue_communes = sa.Table(
    "newsletter_issue_communes",
    Base.metadata,
    sa.Column("issue_id", sa.ForeignKey("newsletter_issues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True),
)

issue_themes = sa.Table(
    "newsletter_issue_themes",
    Base.metadata,
    sa.Column("issue_id", sa.ForeignKey("newsletter_issues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Issue(IdMixin, TimestampMixin, Base):
    """One issue of the newsletter: an introduction and items chosen from the platform."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (sa.CheckConstraint("state = 'draft' OR send_at IS NOT NULL", name="scheduled_has_date"),)

    subject: Mapped[str] = mapped_column(sa.String(200))
    intro: Mapped[str] = mapped_column(sa.Text)
    # The items, in order: [{"kind": "article" | "consultation" | "event" | "opinion", "id": 3}, …].
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    # True: every subscriber; false: those of the chosen communes or themes.
    audience_all: Mapped[bool] = mapped_column(default=True)
    state: Mapped[IssueState] = mapped_column(enum_column(IssueState), default=IssueState.draft)
    previous_state: Mapped[IssueState | None] = mapped_column(enum_column(IssueState, name="issuestate_previous"))
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    communes = relationship("Commune", secondary=issue_communes, lazy="selectin", order_by="Commune.name")
    themes = relationship("Theme", secondary=issue_themes, lazy="selectin", order_by="Theme.name")


ISSUE_WORKFLOW = Workflow(
    thing="newsletter_issue",
    transitions=[
        Transition("schedule", {IssueState.draft}, IssueState.scheduled, permission="news.manage", label="programmer"),
        Transition("cancel", {IssueState.scheduled}, IssueState.draft, event="cancelled", permission="news.manage",
                   label=_l("annuler l'envoi"), refusals={IssueState.sending: _l("L'envoi a commencé : il ne peut plus être annulé."),
                                                      IssueState.sent: _l("Cette lettre est déjà envoyée.")}),
        Transition("start_sending", {IssueState.scheduled}, IssueState.sending, event="sending_started", label=_l("commencer l'envoi")),
        Transition("finish", {IssueState.sending}, IssueState.sent, event="sent", label=_l("terminer l'envoi")),
    ],
)
ISSUE_WORKFLOW.bind(Issue)


class IssueDelivery(IdMixin, Base):
    """One issue queued for one subscriber: never twice (unique pair, and the outbox's dedup key)."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (sa.UniqueConstraint("issue_id", "subscriber_id"),)

    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("newsletter_issues.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(sa.ForeignKey("newsletter_subscribers.id", ondelete="SET NULL"), index=True)
    mail_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_mails.id", ondelete="SET NULL"), index=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
