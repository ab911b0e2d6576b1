"""The register of participatory processes, the charte de la participation and the bilan annuel."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# --- The charter ---------------------------------------------------------------


class CharterVersion(IdMixin, TimestampMixin, Base):
    """One version of the charte de la participation, as the authority voted it."""

    __tablename__ = "charter_versions"
    __table_args__ = (sa.CheckConstraint("number > 0", name="number_positive"),)

    # 1, 2, 3…: the order of the versions.
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # The charter's preamble and principles, in Markdown.
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    # The day the authority's assembly voted it; a version not voted yet is a draft, not shown publicly.
    voted_on: Mapped[date | None]
    # Who voted it and the deliberation's reference: « Conseil communautaire, délibération n° 2025-112 ».
    voted_by: Mapped[str] = mapped_column(sa.String(300), default="")

    commitments: Mapped[list[CharterCommitment]] = relationship(
        back_populates="version", order_by="CharterCommitment.position, CharterCommitment.id", lazy="selectin",
        cascade="all, delete-orphan",
    )

    @property
    def is_voted(self) -> bool:
        return self.voted_on is not None


class CharterCommitment(IdMixin, Base):
    """One commitment of a charter version, which a process may say it follows."""

    __tablename__ = "charter_commitments"
    __table_args__ = (sa.UniqueConstraint("version_id", "position"),)

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("charter_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[CharterVersion] = relationship(back_populates="commitments")


# --- Processes --------------------------------------------------------------------


class LeaderKind(TitledEnum):
    authority = "authority", _l("La collectivité")
    commune = "commune", _l("Une commune membre")
    partner = "partner", _l("Un partenaire")
    council = "council", _l("Un conseil (de développement, citoyen)")


class Method(TitledEnum):
    public_meeting = "public_meeting", _l("Réunion publique")
    workshop = "workshop", _l("Atelier participatif")
    online_consultation = "online_consultation", _l("Concertation en ligne")
    questionnaire = "questionnaire", _l("Questionnaire")
    citizen_jury = "citizen_jury", _l("Jury citoyen")
    exploratory_walk = "exploratory_walk", _l("Marche exploratoire")
    referral = "referral", _l("Saisine d'un conseil")
    citizen_forum = "citizen_forum", _l("Forum citoyen")
    other = "other", _l("Autre méthode")


class Uptake(TitledEnum):
    """The prise en compte: what the services and elected officials did with the results."""

    pending = "pending", _l("En attente")
    retained = "retained", _l("Retenus")
    partly = "partly", _l("Partiellement retenus")
    not_retained = "not_retained", _l("Non retenus")


class ProcessState(TitledEnum):
    draft = "draft", _l("Brouillon")
    published = "published", _l("Publiée")


process_communes = sa.Table(
    "process_communes",
    Base.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True),
)
process_neighbourhoods = sa.Table(
    "process_neighbourhoods",
    Base.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("neighbourhood_id", sa.ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
)
process_themes = sa.Table(
    "process_themes",
    Base.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)
process_commitments = sa.Table(
    "process_commitments",
    Base.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commitment_id", sa.ForeignKey("charter_commitments.id", ondelete="CASCADE"), primary_key=True),
)


class Process(IdMixin, TimestampMixin, Base):
    """A démarche participative of the territory, on the platform or outside it."""

    __tablename__ = "processes"
    __table_args__ = (
        # A platform thing is registered once.
        sa.UniqueConstraint("source_kind", "source_id"),
        sa.CheckConstraint("(source_kind IS NULL) = (source_id IS NULL)", name="source_complete"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_order"),
        sa.CheckConstraint("participants IS NULL OR participants >= 0", name="participants_positive"),
        sa.CheckConstraint("leader_kind <> 'commune' OR leader_commune_id IS NOT NULL", name="commune_leader_named"),
        sa.Index("ix_processes_state_starts_on", "state", "starts_on"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    # What the process is about and how it went, in Markdown.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    leader_kind: Mapped[LeaderKind] = mapped_column(enum_column(LeaderKind), default=LeaderKind.authority)
    # The leading commune, when a commune leads.
    leader_commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id", ondelete="RESTRICT"), index=True)
    # The partner or body that leads it, in words: « CAF de Loirande », « Conseil citoyen des Rives ».
    leader_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # The public concerned: « habitants du quartier », « jeunes de 15 à 25 ans »…
    audience: Mapped[str] = mapped_column(sa.String(300), default="")
    method: Mapped[Method] = mapped_column(enum_column(Method))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    # Number of people who took part (filled from the platform for its own processes).
    participants: Mapped[int | None]
    # What the process produced: proposals, opinions, a synthesis (Markdown).
    results: Mapped[str] = mapped_column(sa.Text, default="")
    uptake: Mapped[Uptake] = mapped_column(enum_column(Uptake), default=Uptake.pending)
    # How the results were taken into account, or why not.
    uptake_explanation: Mapped[str] = mapped_column(sa.Text, default="")
    # A link to the decision, the deliberation or the plan action that followed.
    uptake_url: Mapped[str | None] = mapped_column(sa.String(500))
    state: Mapped[ProcessState] = mapped_column(enum_column(ProcessState), default=ProcessState.draft)
    previous_state: Mapped[ProcessState | None] = mapped_column(enum_column(ProcessState, name="processstate_previous"))
    # A platform process: the kind its domain declared ("consultation", "referral", "event"…) and the thing's id.
    source_kind: Mapped[str | None] = mapped_column(sa.String(40))
    source_id: Mapped[int | None]
    # Figures read from the platform: [["Contributions", 34], ["Contributeurs", 12]], refreshed with the process.
    figures: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The platform page of the thing (a path), for a platform process.
    source_url: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    leader_commune = relationship("Commune", lazy="joined")
    communes = relationship("Commune", secondary=process_communes, lazy="selectin", order_by="Commune.name")
    neighbourhoods = relationship("Neighbourhood", secondary=process_neighbourhoods, lazy="selectin", order_by="Neighbourhood.name")
    themes = relationship("Theme", secondary=process_themes, lazy="selectin", order_by="Theme.name")
    commitments = relationship("CharterCommitment", secondary=process_commitments, lazy="selectin",
                               order_by="CharterCommitment.position")

    @property
    def on_platform(self) -> bool:
        return self.source_kind is not None

    @property
    def is_public(self) -> bool:
        return self.state == ProcessState.published

    @property
    def leader_label(self) -> str:
        if self.leader_kind == LeaderKind.commune and self.leader_commune is not None:
            return _("Commune de %(name)s", name=self.leader_commune.name)
        return self.leader_name or self.leader_kind.label

    def __str__(self) -> str:
        return self.title


PROCESS_WORKFLOW = Workflow(
    thing="process",
    transitions=[
        Transition("publish", {ProcessState.draft}, ProcessState.published, permission="processes.edit",
                   label=_l("publier la démarche"), refusals={ProcessState.published: _l("Cette démarche est déjà publiée.")}),
        Transition("unpublish", {ProcessState.published}, ProcessState.draft, event="unpublished", permission="processes.edit",
                   label=_l("retirer la démarche du registre public"),
                   refusals={ProcessState.draft: _l("Cette démarche n'est pas publiée.")}),
    ],
)
PROCESS_WORKFLOW.bind(Process)


class CommuneReferent(IdMixin, Base):
    """A person who enters and updates the processes led by one commune (a commune's referent account)."""

    __tablename__ = "commune_referents"
    __table_args__ = (sa.UniqueConstraint("user_id", "commune_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")
    commune = relationship("Commune", lazy="joined")


class ProcessContact(IdMixin, Base):
    """A person who agreed to be contacted about a process (its results, its follow-up): the only basis of its contact list."""

    __tablename__ = "process_contacts"
    __table_args__ = (sa.UniqueConstraint("process_id", "user_id"),)

    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")


# --- The bilan annuel ----------------------------------------------------------


class BilanState(TitledEnum):
    draft = "draft", _l("Brouillon")
    published = "published", _l("Publié")


class Bilan(IdMixin, TimestampMixin, Base):
    """The bilan annuel de la participation for one calendar year: figures and processes from the platform, texts from staff."""

    __tablename__ = "bilans"
    __table_args__ = (
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        sa.CheckConstraint("state <> 'published' OR (published_at IS NOT NULL AND snapshot IS NOT NULL)", name="published_has_snapshot"),
    )

    year: Mapped[int] = mapped_column(unique=True)
    state: Mapped[BilanState] = mapped_column(enum_column(BilanState), default=BilanState.draft)
    previous_state: Mapped[BilanState | None] = mapped_column(enum_column(BilanState, name="bilanstate_previous"))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    highlights: Mapped[str] = mapped_column(sa.Text, default="")
    outlook: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The figures and the year's processes at publication; empty while a draft, which shows them live.
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))

    @property
    def is_published(self) -> bool:
        return self.state == BilanState.published


def _has_introduction(bilan, actor):
    return _("Rédigez l'introduction du bilan avant de le publier.") if not (bilan.introduction or "").strip() else None


BILAN_WORKFLOW = Workflow(
    thing="bilan",
    transitions=[
        Transition("publish", {BilanState.draft}, BilanState.published, permission="processes.bilan",
                   label=_l("publier le bilan"), guards=(_has_introduction,),
                   refusals={BilanState.published: _l("Ce bilan est déjà publié.")}),
    ],
)
BILAN_WORKFLOW.bind(Bilan)
