"""Consultations, their topics and contributions, reactions, follows and reports."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class ConsultationState(TitledEnum):
    draft = "draft", _l("Brouillon")
    published = "published", _l("À venir")
    open = "open", _l("Ouverte")
    closed = "closed", _l("Close")
    synthesis_published = "synthesis_published", _l("Synthèse publiée")


consultation_themes = sa.Table(
    "consultation_themes",
    Base.metadata,
    sa.Column("consultation_id", sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

consultation_communes = sa.Table(
    "consultation_communes",
    Base.metadata,
    sa.Column("consultation_id", sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Consultation(IdMixin, TimestampMixin, Base):
    __tablename__ = "consultations"
    __table_args__ = (
        sa.CheckConstraint("opens_at < closes_at", name="dates_order"),
        sa.Index("ix_consultations_state_dates", "state", "opens_at", "closes_at"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    # The question put to residents, shown under the title.
    question: Mapped[str] = mapped_column(sa.String(500))
    # Markdown: the project, its context, what the authority will do with the opinions.
    presentation: Mapped[str] = mapped_column(sa.Text, default="")
    # Markdown: the rules contributors accept once before their first contribution here.
    charter: Mapped[str] = mapped_column(sa.Text)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Pre-moderation: contributions stay invisible to others until a moderator approves them.
    premoderated: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ConsultationState] = mapped_column(enum_column(ConsultationState), default=ConsultationState.draft)
    previous_state: Mapped[ConsultationState | None] = mapped_column(enum_column(ConsultationState, name="consultationstate_previous"))
    # The staff member who created it.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Markdown written by staff once the consultation is closed; public when the synthesis is published.
    synthesis: Mapped[str | None] = mapped_column(sa.Text)
    synthesis_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One more at each save of the synthesis (participation/core/concurrency.py).
    synthesis_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    themes = relationship("Theme", secondary=consultation_themes, lazy="selectin", order_by="Theme.name")
    communes = relationship("Commune", secondary=consultation_communes, lazy="selectin", order_by="Commune.name")

    def accepts_contributions(self, now: datetime | None = None) -> bool:
        """Open now: its state says so and its dates agree (the worker may not have run yet)."""
        now = now or utcnow()
        return self.state == ConsultationState.open and self.opens_at <= now < self.closes_at

    def shown_state(self, now: datetime | None = None) -> ConsultationState:
        """The state a page shows: never « ouverte » after the closing date, nor before opening."""
        now = now or utcnow()
        if self.state in (ConsultationState.published, ConsultationState.open):
            if now >= self.closes_at:
                return ConsultationState.closed
            if now >= self.opens_at:
                return ConsultationState.open
            return ConsultationState.published
        return self.state

    @property
    def is_public(self) -> bool:
        return self.state != ConsultationState.draft

    def __repr__(self) -> str:
        return f"<Consultation {self.id} {self.state.value}>"


def _synthesis_written(consultation: Consultation, actor) -> str | None:
    if not (consultation.synthesis or "").strip():
        return _("Rédigez la synthèse avant de la publier.")
    return None


CONSULTATION_WORKFLOW = Workflow(
    thing="consultation",
    transitions=[
        Transition("publish", {ConsultationState.draft}, ConsultationState.published, permission="forums.manage",
                   label=_l("publier la concertation"),
                   refusals={s: _l("Cette concertation est déjà publiée.") for s in ConsultationState if s != ConsultationState.draft}),
        # Applied by the worker when the opening date comes.
        Transition("open", {ConsultationState.published}, ConsultationState.open, permission="forums.manage",
                   label=_l("ouvrir la concertation")),
        Transition("close", {ConsultationState.published, ConsultationState.open}, ConsultationState.closed,
                   permission="forums.manage", label=_l("clore la concertation"),
                   refusals={ConsultationState.closed: _l("Cette concertation est déjà close."),
                             ConsultationState.synthesis_published: _l("Cette concertation est déjà close.")}),
        Transition("publish_synthesis", {ConsultationState.closed}, ConsultationState.synthesis_published,
                   event="synthesis_published", permission="forums.manage", guards=[_synthesis_written],
                   label=_l("publier la synthèse"),
                   refusals={ConsultationState.synthesis_published: _l("La synthèse est déjà publiée."),
                             ConsultationState.open: _l("La synthèse se publie une fois la concertation close."),
                             ConsultationState.published: _l("La synthèse se publie une fois la concertation close."),
                             ConsultationState.draft: _l("La synthèse se publie une fois la concertation close.")}),
    ],
)
CONSULTATION_WORKFLOW.bind(Consultation)


class CharterAcceptance(IdMixin, Base):
    """A person accepted a consultation's participation charter (once)."""

    __tablename__ = "charter_acceptances"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "user_id"),)

    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Topic(IdMixin, Base):
    """A subject of discussion, opened by a resident with its first contribution."""

    __tablename__ = "topics"
    __table_args__ = (sa.Index("ix_topics_consultation_activity", "consultation_id", "last_activity_at"),)

    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # One of the consultation's themes, chosen by the author; counted in the synthesis.
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved by each new visible contribution: topics are listed by their last activity.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    author = relationship("User")
    theme = relationship("Theme")


class ContributionState(TitledEnum):
    pending = "pending", _l("En attente de modération")
    published = "published", _l("Publiée")
    hidden = "hidden", _l("Masquée en attente d'examen")
    removed = "removed", _l("Masquée par la modération")
    deleted = "deleted", _l("Supprimée par son auteur")


DELETED_TEXT = _l("Contribution supprimée par son auteur")


class Contribution(IdMixin, Base):
    __tablename__ = "contributions"
    __table_args__ = (
        sa.Index("ix_contributions_topic_thread", "topic_id", "parent_id", "created_at"),
        sa.Index("ix_contributions_consultation_state", "consultation_id", "state", "created_at"),
        # The API lists every public contribution oldest first, by cursor on (created_at, id).
        sa.Index("ix_contributions_created_at_id", "created_at", "id"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.CheckConstraint("report_count >= 0 AND agree_count >= 0 AND disagree_count >= 0 AND support_count >= 0", name="counts_positive"),
    )

    # Repeated from the topic: counts, exports and search per consultation need no join.
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    # The contribution this one replies to; replies are one level deep.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Markdown, rendered sanitised; emptied when the author deletes the contribution.
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[ContributionState] = mapped_column(enum_column(ContributionState), default=ContributionState.published)
    previous_state: Mapped[ContributionState | None] = mapped_column(enum_column(ContributionState, name="contributionstate_previous"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it became visible to others (posted, or approved by a moderator): what followers' digests collect.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set when the author edited it (within the allowed minutes): shown as « modifié ».
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reports not yet examined by a moderator.
    report_count: Mapped[int] = mapped_column(default=0)
    # Reaction counts, recomputed from the reactions on each change.
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    support_count: Mapped[int] = mapped_column(default=0)

    topic: Mapped[Topic] = relationship()
    consultation: Mapped[Consultation] = relationship()
    author = relationship("User")
    parent = relationship("Contribution", remote_side="Contribution.id")

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    def __repr__(self) -> str:
        return f"<Contribution {self.id} {self.state.value}>"


CONTRIBUTION_WORKFLOW = Workflow(
    thing="contribution",
    transitions=[
        Transition("approve", {ContributionState.pending}, ContributionState.published, permission="forums.moderate",
                   label="approuver", refusals={ContributionState.published: _l("Cette contribution est déjà publiée.")}),
        Transition("reject", {ContributionState.pending}, ContributionState.removed, permission="forums.moderate",
                   label="refuser"),
        # Enough reports: hidden until a moderator looks at it.
        Transition("flag", {ContributionState.published}, ContributionState.hidden, label=_l("masquer après signalements")),
        Transition("hide", {ContributionState.published, ContributionState.hidden}, ContributionState.removed,
                   event="hidden", permission="forums.moderate", label="masquer",
                   refusals={ContributionState.removed: _l("Cette contribution est déjà masquée.")}),
        Transition("restore", {ContributionState.hidden, ContributionState.removed}, ContributionState.published,
                   permission="forums.moderate", label=_l("rétablir"),
                   refusals={ContributionState.published: _l("Cette contribution est déjà visible.")}),
        Transition("delete", {ContributionState.pending, ContributionState.published, ContributionState.hidden},
                   ContributionState.deleted, permission="forums.delete", label="supprimer",
                   refusals={ContributionState.deleted: _l("Cette contribution est déjà supprimée."),
                             ContributionState.removed: _l("Cette contribution a été masquée par la modération.")}),
    ],
)
CONTRIBUTION_WORKFLOW.bind(Contribution)


class ReactionKind(TitledEnum):
    agree = "agree", _l("D'accord")
    disagree = "disagree", _l("Pas d'accord")
    support = "support", _l("Soutien")


class Reaction(IdMixin, Base):
    """One reaction per person per contribution; changing it replaces it."""

    __tablename__ = "reactions"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "user_id"),)

    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReactionKind] = mapped_column(enum_column(ReactionKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Follow(IdMixin, Base):
    """A person follows a topic: its new answers are told as the person chose for « Les concertations et sujets
    que je suis » (``notifications``), like every other notice."""

    __tablename__ = "topic_follows"
    __table_args__ = (sa.UniqueConstraint("topic_id", "user_id"),)

    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    topic: Mapped[Topic] = relationship()


class ReportReason(TitledEnum):
    off_topic = "off_topic", _l("Hors sujet")
    abusive = "abusive", _l("Propos injurieux")
    spam = "spam", _l("Spam")
    personal_data = "personal_data", _l("Données personnelles")
    other = "other", _l("Autre")


class Report(IdMixin, Base):
    """A report that a contribution breaks the charter; one per person per contribution."""

    __tablename__ = "contribution_reports"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "reporter_id"),)

    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason))
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a moderator examined the contribution (whatever they decided).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter = relationship("User")


class AttachmentKind(TitledEnum):
    document = "document", _l("Document")
    image = "image", _l("Image")


class ConsultationAttachment(IdMixin, Base):
    """A document or an image of a consultation's presentation, added by staff."""

    __tablename__ = "consultation_attachments"
    __table_args__ = (
        # An image is never shown without its text alternative.
        sa.CheckConstraint("kind <> 'image' OR length(trim(alt_text)) > 0", name="image_has_alt"),
        sa.Index("ix_consultation_attachments_consultation", "consultation_id", "kind", "id"),
    )

    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"), unique=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    # The link text of a document, the caption of an image.
    title: Mapped[str] = mapped_column(sa.String(200))
    # What the image shows, for those who cannot see it (RGAA 1.1); empty for documents.
    alt_text: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file = relationship("StoredFile", lazy="joined")

    @property
    def description(self) -> str:
        """« PDF, 1,2 Mo »: what a person needs to know before downloading it."""
        kind = FILE_TYPES.get(self.file.mimetype, self.file.mimetype)
        return f"{kind}, {file_size(self.file.size_bytes)}"


FILE_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def file_size(size: int) -> str:
    """A size in French units: « 350 Ko », « 1,2 Mo »."""
    if size < 1024:
        return _("%(size)s octets", size=size)
    if size < 1024 * 1024:
        return _("%(max)s Ko", max=max(1, round(size / 1024)))
    return _("%(value).1f Mo", value=size / (1024 * 1024)).replace(".", ",")
