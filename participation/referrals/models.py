"""Referrals (saisines) of a council, the opinions (avis) drafted on them,
their adoption by vote, and the authority's answers (droit de suite)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.concurrency import RevisionMixin
from participation.core.follows import FollowerMixin
from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class ReferralKind(TitledEnum):
    mandatory = "mandatory", _l("Saisine obligatoire")
    optional = "optional", _l("Saisine facultative")
    self_referral = "self_referral", _l("Auto-saisine")


class ReferralState(TitledEnum):
    proposed = "proposed", _l("Proposée")
    received = "received", _l("Reçue")
    accepted = "accepted", _l("Acceptée")
    declined = "declined", _l("Refusée")
    in_progress = "in_progress", _l("En cours d'instruction")
    adopted = "adopted", _l("Avis adopté")
    transmitted = "transmitted", _l("Avis transmis")
    answered = "answered", _l("Réponse reçue")
    closed = "closed", _l("Clôturée")


# States a visitor may see: a proposal or a declined auto-saisine stays within the council.
PUBLIC_STATES = (ReferralState.received, ReferralState.accepted, ReferralState.in_progress, ReferralState.adopted,
                 ReferralState.transmitted, ReferralState.answered, ReferralState.closed)
# States where the council still owes its opinion: its due date is a deadline ahead (or missed).
AWAITING_OPINION = (ReferralState.received, ReferralState.accepted, ReferralState.in_progress)

referral_themes = sa.Table(
    "referral_themes",
    Base.metadata,
    sa.Column("referral_id", sa.ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Referral(IdMixin, TimestampMixin, Base):
    __tablename__ = "referrals"
    __table_args__ = (
        sa.Index("ix_referrals_council_state", "council_id", "state"),
        sa.CheckConstraint("due_on >= received_on", name="due_after_received"),
        sa.CheckConstraint("state <> 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        sa.CheckConstraint("state NOT IN ('in_progress', 'adopted', 'transmitted', 'answered', 'closed') OR working_group_id IS NOT NULL",
                           name="group_when_in_progress"),
        sa.CheckConstraint("kind = 'self_referral' OR department_id IS NOT NULL", name="authority_names_department"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"))
    kind: Mapped[ReferralKind] = mapped_column(enum_column(ReferralKind))
    state: Mapped[ReferralState] = mapped_column(enum_column(ReferralState))
    previous_state: Mapped[ReferralState | None] = mapped_column(enum_column(ReferralState, name="referralstate_previous"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    # The question put to the council, in Markdown.
    question: Mapped[str] = mapped_column(sa.Text)
    # The act the referral concerns: "Projet de territoire 2026-2032", "PLUi, modification n° 3".
    act: Mapped[str | None] = mapped_column(sa.String(300))
    # Who referred it, as shown publicly: "Le président de la communauté d'agglomération", or the council itself.
    referred_by: Mapped[str] = mapped_column(sa.String(200))
    # The referring department: receives the opinion; empty for an auto-saisine.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    received_on: Mapped[date]
    # When the opinion is due (default: received_on + REFERRALS_DUE_MONTHS).
    due_on: Mapped[date]
    # The member who proposed an auto-saisine.
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    working_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("working_groups.id", ondelete="RESTRICT"), index=True)
    transmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The authority's answer is due by then (transmission + REFERRALS_ANSWER_MONTHS).
    answer_due_on: Mapped[date | None] = mapped_column(index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The authority's general answer, in Markdown.
    general_answer: Mapped[str | None] = mapped_column(sa.Text)
    answer_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"))

    council = relationship("Council", lazy="joined")
    department = relationship("Department", foreign_keys=[department_id], lazy="joined")
    answer_department = relationship("Department", foreign_keys=[answer_department_id])
    working_group = relationship("WorkingGroup")
    proposed_by = relationship("Membership")
    themes = relationship("Theme", secondary=referral_themes, order_by="Theme.name", lazy="selectin")
    opinion: Mapped[Opinion | None] = relationship(back_populates="referral", uselist=False)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    def __str__(self) -> str:
        return self.subject


def _not_mandatory(referral, actor):
    return _("Une saisine obligatoire ne peut pas être refusée par le conseil.") if referral.kind == ReferralKind.mandatory else None


def _has_group(referral, actor):
    return _("Désignez d'abord le groupe de travail.") if referral.working_group_id is None else None


def _opinion_published(referral, actor):
    opinion = referral.opinion
    if opinion is None or opinion.state != OpinionState.published:
        return _("L'avis doit être publié avant d'être transmis.")
    return None


def _has_answer(referral, actor):
    return _("Saisissez la réponse générale de la collectivité.") if not (referral.general_answer or "").strip() else None


_NOT_TRANSMITTED = _l("La réponse ne peut être enregistrée qu'après la transmission de l'avis.")
_NOT_ADOPTED = _l("L'avis doit d'abord être adopté en séance.")

REFERRAL_WORKFLOW = Workflow(
    thing="referral",
    transitions=[
        Transition("accept", {ReferralState.proposed, ReferralState.received}, ReferralState.accepted, permission="referrals.decide",
                   label=_l("accepter la saisine"), refusals={ReferralState.accepted: _l("Cette saisine est déjà acceptée."),
                                                          ReferralState.declined: _l("Cette saisine a été refusée.")}),
        Transition("decline", {ReferralState.proposed, ReferralState.received}, ReferralState.declined, permission="referrals.decide",
                   label=_l("refuser la saisine"), guards=(_not_mandatory,),
                   refusals={ReferralState.declined: _l("Cette saisine est déjà refusée.")}),
        Transition("start", {ReferralState.received, ReferralState.accepted}, ReferralState.in_progress, event="started",
                   permission="referrals.decide", label=_l("confier à un groupe de travail"), guards=(_has_group,),
                   refusals={ReferralState.proposed: _l("Le bureau doit d'abord accepter cette auto-saisine.")}),
        Transition("adopt", {ReferralState.in_progress}, ReferralState.adopted, permission="referrals.vote", label=_l("adopter l'avis")),
        Transition("transmit", {ReferralState.adopted}, ReferralState.transmitted, event="transmitted", permission="referrals.manage",
                   label=_l("transmettre l'avis"), guards=(_opinion_published,),
                   refusals={s: _NOT_ADOPTED for s in (ReferralState.received, ReferralState.accepted, ReferralState.in_progress)}
                   | {ReferralState.transmitted: _l("Cet avis est déjà transmis.")}),
        Transition("answer", {ReferralState.transmitted}, ReferralState.answered, permission="referrals.answer",
                   label=_l("publier la réponse"), guards=(_has_answer,),
                   refusals={s: _NOT_TRANSMITTED for s in (ReferralState.received, ReferralState.accepted, ReferralState.in_progress,
                                                           ReferralState.adopted, ReferralState.proposed)}),
        Transition("close", {ReferralState.answered}, ReferralState.closed, permission="referrals.manage", label=_l("clôturer la saisine"),
                   refusals={ReferralState.transmitted: _l("La saisine ne se clôture qu'une fois la réponse reçue.")}),
    ],
)
REFERRAL_WORKFLOW.bind(Referral)


class ReferralFollower(FollowerMixin, IdMixin, Base):
    """A person told when the opinion and the answer are published."""

    __tablename__ = "referral_followers"
    __table_args__ = (sa.UniqueConstraint("referral_id", "user_id"),)

    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)


# --- Opinions ---------------------------------------------------------------


class OpinionState(TitledEnum):
    drafting = "drafting", _l("En rédaction")
    ready = "ready", _l("Prêt pour le vote")
    adopted = "adopted", _l("Adopté")
    published = "published", _l("Publié")


class Opinion(IdMixin, TimestampMixin, Base):
    """The avis on a referral; its text is its latest version."""

    __tablename__ = "opinions"
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id", ondelete="CASCADE"), unique=True)
    state: Mapped[OpinionState] = mapped_column(enum_column(OpinionState), default=OpinionState.drafting)
    previous_state: Mapped[OpinionState | None] = mapped_column(enum_column(OpinionState, name="opinionstate_previous"))
    # The latest version's number (0 before the first save).
    version_count: Mapped[int] = mapped_column(default=0)
    # The text of the latest version, in Markdown (copied for the public page).
    body: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The point of a sitting's agenda where the vote is scheduled (the vote may still take place elsewhere).
    vote_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="SET NULL"))

    referral: Mapped[Referral] = relationship(back_populates="opinion", lazy="joined")
    vote_item = relationship("AgendaItem")
    # The vote that adopted it (at most one: a unique index on opinion_votes).
    adopted_vote: Mapped[OpinionVote | None] = relationship(
        primaryjoin="and_(OpinionVote.opinion_id == Opinion.id, OpinionVote.adopted.is_(True))", viewonly=True, uselist=False,
        lazy="joined")
    recommendations: Mapped[list[Recommendation]] = relationship(order_by="Recommendation.number", lazy="selectin",
                                                                 back_populates="opinion")


def _has_text(opinion, actor):
    if not opinion.body.strip():
        return _("L'avis est vide : enregistrez d'abord une version.")
    return None


def _has_recommendations(opinion, actor):
    return _("L'avis doit comporter au moins une recommandation.") if not opinion.recommendations else None


_DRAFT_NOT_ADOPTED = _l("Un avis ne se publie qu'une fois adopté en séance.")

OPINION_WORKFLOW = Workflow(
    thing="opinion",
    transitions=[
        Transition("submit", {OpinionState.drafting}, OpinionState.ready, permission="referrals.draft", label=_l("proposer au vote"),
                   guards=(_has_text, _has_recommendations), refusals={OpinionState.ready: _l("Cet avis est déjà prêt pour le vote.")}),
        Transition("reopen", {OpinionState.ready}, OpinionState.drafting, permission="referrals.draft", label=_l("reprendre la rédaction")),
        Transition("adopt", {OpinionState.ready}, OpinionState.adopted, permission="referrals.vote", label=_l("adopter l'avis"),
                   refusals={OpinionState.drafting: _l("L'avis doit d'abord être proposé au vote.")}),
        Transition("reject", {OpinionState.ready}, OpinionState.drafting, event="rejected", permission="referrals.vote",
                   label=_l("rejeter l'avis"), refusals={OpinionState.drafting: _l("L'avis doit d'abord être proposé au vote.")}),
        Transition("publish", {OpinionState.adopted}, OpinionState.published, permission="referrals.manage", label=_l("publier l'avis"),
                   refusals={OpinionState.drafting: _DRAFT_NOT_ADOPTED, OpinionState.ready: _DRAFT_NOT_ADOPTED,
                             OpinionState.published: _l("Cet avis est déjà publié.")}),
    ],
)
OPINION_WORKFLOW.bind(Opinion)


class OpinionVersion(IdMixin, Base):
    """One save of the opinion's text, with its author."""

    __tablename__ = "opinion_versions"
    __table_args__ = (sa.UniqueConstraint("opinion_id", "number"), sa.CheckConstraint("number > 0", name="number_positive"))

    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id", ondelete="CASCADE"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    # What the author says changed.
    note: Mapped[str | None] = mapped_column(sa.String(300))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class OpinionComment(IdMixin, Base):
    """A member's comment on a version, on the whole text or on one paragraph."""

    __tablename__ = "opinion_comments"
    __table_args__ = (sa.CheckConstraint("paragraph IS NULL OR paragraph > 0", name="paragraph_positive"),)

    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("opinion_versions.id", ondelete="CASCADE"), index=True)
    # The paragraph (1, 2…) of that version it is about; empty for the whole text.
    paragraph: Mapped[int | None]
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")
    version: Mapped[OpinionVersion] = relationship(lazy="joined")


class OpinionVote(IdMixin, Base):
    """A vote on the opinion in a sitting; a rejected one stays as history."""

    __tablename__ = "opinion_votes"
    __table_args__ = (
        sa.CheckConstraint("votes_for >= 0 AND votes_against >= 0 AND abstentions >= 0", name="votes_positive"),
        sa.CheckConstraint("votes_for + votes_against + abstentions <= present", name="votes_within_present"),
        sa.CheckConstraint("present <= members", name="present_within_members"),
        # An opinion is adopted once.
        sa.Index("uq_opinion_votes_adopted", "opinion_id", unique=True,
                 sqlite_where=sa.text("adopted"), postgresql_where=sa.text("adopted")),
    )

    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id", ondelete="CASCADE"), index=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="RESTRICT"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="SET NULL"))
    # Members in office (VOTE_EFFECTIF), present or represented, and the votes cast.
    members: Mapped[int]
    present: Mapped[int]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    adopted: Mapped[bool]
    voted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sitting = relationship("Sitting", lazy="joined")

    @property
    def voters(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions


# --- Recommendations and droit de suite -------------------------------------


class RecommendationStatus(TitledEnum):
    pending = "pending", _l("En attente de réponse")
    retained = "retained", _l("Retenue")
    partly_retained = "partly_retained", _l("Partiellement retenue")
    not_retained = "not_retained", _l("Non retenue")
    under_study = "under_study", _l("À l'étude")


ANSWER_STATUSES = (RecommendationStatus.retained, RecommendationStatus.partly_retained, RecommendationStatus.not_retained,
                   RecommendationStatus.under_study)


def _transmitted(recommendation, actor):
    if recommendation.opinion.referral.state not in (ReferralState.transmitted, ReferralState.answered, ReferralState.closed):
        return _NOT_TRANSMITTED
    return None


class Recommendation(IdMixin, Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        sa.UniqueConstraint("opinion_id", "number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("status = 'pending' OR department_id IS NOT NULL", name="answered_names_department"),
    )

    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id", ondelete="CASCADE"))
    # 1, 2, 3… in the opinion's order.
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[RecommendationStatus] = mapped_column(enum_column(RecommendationStatus), default=RecommendationStatus.pending)
    previous_status: Mapped[RecommendationStatus | None] = mapped_column(enum_column(RecommendationStatus, name="recommendationstatus_previous"))
    # The authority's latest explanation and the department in charge.
    explanation: Mapped[str | None] = mapped_column(sa.Text)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="RESTRICT"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    opinion: Mapped[Opinion] = relationship(back_populates="recommendations")
    department = relationship("Department", lazy="joined")


RECOMMENDATION_WORKFLOW = Workflow(
    thing="recommendation",
    field="status",
    previous_field="previous_status",
    transitions=[
        Transition(f"mark_{status.value}", set(RecommendationStatus), status, event=f"marked_{status.value}",
                   permission="referrals.answer", label=_l("indiquer « %(lower)s »", lower=status.label.lower()), guards=(_transmitted,))
        for status in ANSWER_STATUSES
    ],
)
RECOMMENDATION_WORKFLOW.bind(Recommendation)


class RecommendationUpdate(IdMixin, Base):
    """One status given to a recommendation: its history, published with it."""

    __tablename__ = "recommendation_updates"

    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    status: Mapped[RecommendationStatus] = mapped_column(enum_column(RecommendationStatus, name="recommendationupdate_status"))
    explanation: Mapped[str] = mapped_column(sa.Text)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department = relationship("Department", lazy="joined")


# --- Yearly activity reports ------------------------------------------------


class ActivityReportState(TitledEnum):
    draft = "draft", _l("Brouillon")
    published = "published", _l("Publié")


class ActivityReport(IdMixin, TimestampMixin, RevisionMixin, Base):
    """A council's rapport d'activité for one calendar year: figures from the platform, texts from staff.

    ``revision``: one more at each save of its texts (participation/core/concurrency.py)."""

    __tablename__ = "activity_reports"
    __table_args__ = (
        sa.UniqueConstraint("council_id", "year"),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        # A published report never changes: its figures are the snapshot taken when it was published.
        sa.CheckConstraint("state <> 'published' OR (published_at IS NOT NULL AND figures IS NOT NULL)", name="published_has_snapshot"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    # The calendar year reported on, in the territory's time zone.
    year: Mapped[int]
    state: Mapped[ActivityReportState] = mapped_column(enum_column(ActivityReportState), default=ActivityReportState.draft)
    previous_state: Mapped[ActivityReportState | None] = mapped_column(enum_column(ActivityReportState, name="activityreportstate_previous"))
    # Staff's opening words, in Markdown, shown before the figures.
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    # Staff's perspectives for the year ahead and remarks on the figures, in Markdown, shown after them.
    outlook: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The figures as they were at publication (report.ActivityFigures.to_snapshot()); empty while a draft, which shows live figures.
    figures: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))

    council = relationship("Council", lazy="joined")

    @property
    def is_published(self) -> bool:
        return self.state == ActivityReportState.published

    def __str__(self) -> str:
        return _("Rapport d'activité %(year)s", year=self.year)


def _has_introduction(report, actor):
    return _("Rédigez l'introduction du rapport avant de le publier.") if not (report.introduction or "").strip() else None


ACTIVITY_REPORT_WORKFLOW = Workflow(
    thing="activity_report",
    transitions=[
        Transition("publish", {ActivityReportState.draft}, ActivityReportState.published, permission="referrals.report",
                   label=_l("publier le rapport"), guards=(_has_introduction,),
                   refusals={ActivityReportState.published: _l("Ce rapport est déjà publié.")}),
    ],
)
ACTIVITY_REPORT_WORKFLOW.bind(ActivityReport)
