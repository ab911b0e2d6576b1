"""Councils: colleges, memberships, volunteers and draws, sittings with their
agenda, attendance and minutes, working groups, trainings and budget."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.concurrency import RevisionMixin
from participation.core.follows import FollowerMixin
from participation.core.meetings import MeetingMixin
from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class CouncilKind(TitledEnum):
    development = "development", _l("Conseil de développement")
    citizen = "citizen", _l("Conseil citoyen")
    other = "other", _l("Autre instance")


class CouncilState(TitledEnum):
    draft = "draft", _l("En préparation")
    published = "published", _l("Publié")
    archived = "archived", _l("Archivé")


# The default age bands (INSEE census bands) and their share of the population, in %.
DEFAULT_AGE_BANDS = [
    {"label": "16-29 ans", "min": 16, "max": 29, "share": 22},
    {"label": "30-59 ans", "min": 30, "max": 59, "share": 48},
    {"label": "60 ans et plus", "min": 60, "max": None, "share": 30},
]


class Council(IdMixin, TimestampMixin, Base):
    __tablename__ = "councils"
    __table_args__ = (
        sa.CheckConstraint("convocation_days >= 0 AND convocation_days <= 60", name="convocation_days_range"),
        sa.CheckConstraint("quorum_percent > 0 AND quorum_percent <= 100", name="quorum_percent_range"),
        sa.CheckConstraint("max_proxies >= 0", name="max_proxies_positive"),
        sa.CheckConstraint("mandate_start IS NULL OR mandate_end IS NULL OR mandate_start < mandate_end", name="mandate_order"),
        sa.CheckConstraint("kind <> 'citizen' OR neighbourhood_id IS NOT NULL", name="citizen_has_neighbourhood"),
    )

    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[CouncilKind] = mapped_column(enum_column(CouncilKind))
    state: Mapped[CouncilState] = mapped_column(enum_column(CouncilState), default=CouncilState.draft)
    previous_state: Mapped[CouncilState | None] = mapped_column(enum_column(CouncilState, name="councilstate_previous"))
    # What the council is for, in Markdown, shown on its public page.
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    # The règlement intérieur, in Markdown, published on the public page.
    rules: Mapped[str] = mapped_column(sa.Text, default="")
    # The quartier prioritaire of a conseil citoyen.
    neighbourhood_id: Mapped[int | None] = mapped_column(sa.ForeignKey("neighbourhoods.id", ondelete="RESTRICT"), index=True)
    mandate_start: Mapped[date | None]
    mandate_end: Mapped[date | None]
    # The staff member in charge: receives the notices meant for the authority.
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Days before a sitting its convocation is sent.
    convocation_days: Mapped[int] = mapped_column(default=7)
    # Quorum: more than this share of the members (50 → half plus one).
    quorum_percent: Mapped[int] = mapped_column(default=50)
    # How many proxies one member may hold at a sitting.
    max_proxies: Mapped[int] = mapped_column(default=1)
    # Members represented by a proxy count towards the quorum.
    proxies_count_for_quorum: Mapped[bool] = mapped_column(default=True)
    # Age bands and their share of the territory's population: [{"label", "min", "max", "share"}].
    age_bands: Mapped[list] = mapped_column(sa.JSON, default=lambda: [dict(b) for b in DEFAULT_AGE_BANDS])

    neighbourhood = relationship("Neighbourhood", lazy="joined")
    manager = relationship("User", lazy="joined")
    colleges: Mapped[list[College]] = relationship(back_populates="council", order_by="College.position, College.id", lazy="selectin")

    def __str__(self) -> str:
        return self.name


COUNCIL_WORKFLOW = Workflow(
    thing="council",
    transitions=[
        Transition("publish", {CouncilState.draft, CouncilState.archived}, CouncilState.published, permission="councils.manage",
                   label=_l("publier le conseil"), refusals={CouncilState.published: _l("Ce conseil est déjà publié.")}),
        Transition("archive", {CouncilState.published}, CouncilState.archived, permission="councils.manage", label=_l("archiver le conseil")),
    ],
)
COUNCIL_WORKFLOW.bind(Council)


class CollegeKind(TitledEnum):
    drawn_residents = "drawn_residents", _l("Habitants tirés au sort")
    local_actors = "local_actors", _l("Associations et acteurs locaux")
    other = "other", _l("Autre collège")


class College(IdMixin, Base):
    __tablename__ = "colleges"
    __table_args__ = (
        sa.UniqueConstraint("council_id", "name"),
        sa.CheckConstraint("seats > 0", name="seats_positive"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[CollegeKind] = mapped_column(enum_column(CollegeKind), default=CollegeKind.other)
    seats: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    council: Mapped[Council] = relationship(back_populates="colleges")

    def __str__(self) -> str:
        return self.name


class MemberRole(TitledEnum):
    president = "president", _l("Président·e")
    co_president = "co_president", _l("Co-président·e")
    bureau = "bureau", _l("Membre du bureau")
    secretary = "secretary", _l("Secrétaire")
    member = "member", _l("Membre")


class Gender(TitledEnum):
    woman = "woman", _l("Femme")
    man = "man", _l("Homme")
    other = "other", _l("Autre ou ne se prononce pas")


class MembershipState(TitledEnum):
    invited = "invited", _l("Invitation envoyée")
    applied = "applied", _l("Candidature reçue")
    active = "active", _l("En fonction")
    declined = "declined", _l("Invitation déclinée")
    refused = "refused", _l("Candidature refusée")
    ended = "ended", _l("Mandat terminé")


class Membership(IdMixin, TimestampMixin, Base):
    """A seat held (or offered, or asked for) in a council; ended ones stay as its history."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.Index("ix_memberships_council_state", "council_id", "state"),
        # One current seat per person and council; ended, declined and refused ones are history.
        sa.Index(
            "uq_memberships_current_seat", "council_id", "user_id", unique=True,
            sqlite_where=sa.text("state IN ('invited', 'applied', 'active')"),
            postgresql_where=sa.text("state IN ('invited', 'applied', 'active')"),
        ),
        sa.CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)", name="birth_year_range"),
        sa.CheckConstraint("start_date IS NULL OR end_date IS NULL OR start_date <= end_date", name="dates_order"),
        sa.CheckConstraint("state NOT IN ('applied', 'active') OR user_id IS NOT NULL", name="account_when_seated"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    college_id: Mapped[int] = mapped_column(sa.ForeignKey("colleges.id", ondelete="RESTRICT"), index=True)
    # Empty while an invitation sent to an address has not been accepted.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The name shown in the composition (a person's own name, or an organisation's representative).
    name: Mapped[str] = mapped_column(sa.String(160))
    # Where the invitation was sent; emptied once accepted or when the account closes.
    invited_email: Mapped[str | None] = mapped_column(sa.String(254))
    # The structure a member of the local actors' college represents.
    organisation: Mapped[str | None] = mapped_column(sa.String(160))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole), default=MemberRole.member)
    state: Mapped[MembershipState] = mapped_column(enum_column(MembershipState))
    previous_state: Mapped[MembershipState | None] = mapped_column(enum_column(MembershipState, name="membershipstate_previous"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # Asked of members only, for the composition checks (parity, age bands); never public.
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    birth_year: Mapped[int | None]
    # Declared or known: an elected community councillor may not sit (CGCT L5211-10-1).
    elected_councillor: Mapped[bool] = mapped_column(default=False)
    # A resident's application: why they want to sit.
    motivation: Mapped[str | None] = mapped_column(sa.Text)
    # SHA-256 of the invitation link's token.
    invitation_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # The draw pick this seat comes from, for a drawn resident.
    draw_pick_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draw_picks.id", ondelete="SET NULL"), index=True)

    council: Mapped[Council] = relationship()
    college: Mapped[College] = relationship(lazy="joined")
    user = relationship("User")

    @property
    def is_current(self) -> bool:
        return self.state == MembershipState.active


MEMBERSHIP_WORKFLOW = Workflow(
    thing="membership",
    transitions=[
        Transition("accept_invitation", {MembershipState.invited}, MembershipState.active, event="joined",
                   label=_l("accepter l'invitation"),
                   refusals={MembershipState.active: _l("Cette invitation est déjà acceptée."),
                             MembershipState.declined: _l("Cette invitation a été déclinée.")}),
        Transition("decline", {MembershipState.invited}, MembershipState.declined, label=_l("décliner l'invitation"),
                   refusals={MembershipState.active: _l("Cette invitation est déjà acceptée.")}),
        Transition("accept", {MembershipState.applied}, MembershipState.active, permission="councils.manage",
                   label=_l("accepter la candidature"),
                   guards=(lambda m, actor: _("Un conseiller communautaire ne peut pas être membre d'un conseil de développement.")
                           if m.elected_councillor and m.council.kind == CouncilKind.development else None,)),
        Transition("refuse", {MembershipState.applied}, MembershipState.refused, permission="councils.manage", label=_l("refuser la candidature")),
        Transition("end", {MembershipState.active}, MembershipState.ended, permission="councils.manage", label=_l("mettre fin au mandat")),
        Transition("withdraw", {MembershipState.invited}, MembershipState.declined, event="invitation_withdrawn",
                   permission="councils.manage", label=_l("retirer l'invitation")),
    ],
)
MEMBERSHIP_WORKFLOW.bind(Membership)


# --- Draws ------------------------------------------------------------------


class VolunteerSource(TitledEnum):
    application = "application", _l("Candidature en ligne")
    imported = "imported", _l("Liste importée")


class Volunteer(IdMixin, TimestampMixin, Base):
    """A person in a council's pool for its draws."""

    __tablename__ = "volunteers"
    __table_args__ = (
        sa.UniqueConstraint("council_id", "public_id"),
        sa.CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)", name="birth_year_range"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    # The anonymised identifier published with a draw: "V-0007"; says nothing about the person.
    public_id: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[VolunteerSource] = mapped_column(enum_column(VolunteerSource))
    # Which list an imported name comes from ("Bailleur Val Habitat").
    source_label: Mapped[str | None] = mapped_column(sa.String(160))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, name="volunteer_gender"))
    birth_year: Mapped[int | None]
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id", ondelete="SET NULL"))
    neighbourhood_id: Mapped[int | None] = mapped_column(sa.ForeignKey("neighbourhoods.id", ondelete="SET NULL"))
    # Withdrawn volunteers stay for past draws but are not in new ones.
    withdrawn: Mapped[bool] = mapped_column(default=False)

    commune = relationship("Commune", lazy="joined")
    neighbourhood = relationship("Neighbourhood", lazy="joined")


class DrawState(TitledEnum):
    prepared = "prepared", _l("Préparé")
    performed = "performed", _l("Effectué")


class Draw(IdMixin, TimestampMixin, Base):
    """A published, reproducible draw of members from a council's pool."""

    __tablename__ = "draws"
    __table_args__ = (sa.CheckConstraint("seats > 0", name="seats_positive"),)

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    college_id: Mapped[int] = mapped_column(sa.ForeignKey("colleges.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    seats: Mapped[int]
    # Quotas: {"gender": {"woman": 6, "man": 6}, "age_band": {...}, "commune": {...}}; counts to draw.
    quotas: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The published seed (hexadecimal); fixed when the draw is performed.
    seed: Mapped[str | None] = mapped_column(sa.String(64))
    state: Mapped[DrawState] = mapped_column(enum_column(DrawState), default=DrawState.prepared)
    previous_state: Mapped[DrawState | None] = mapped_column(enum_column(DrawState, name="drawstate_previous"))
    # The published pool: [{"id": "V-0007", "gender": "woman", "age_band": "…", "commune": "…"}].
    candidates: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The published result: anonymised ids drawn, in the order they were taken.
    selected: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Anonymised ids of the rest of the pool, in the order replacements are invited.
    reserve: Mapped[list] = mapped_column(sa.JSON, default=list)
    performed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    council: Mapped[Council] = relationship()
    college: Mapped[College] = relationship()


DRAW_WORKFLOW = Workflow(
    thing="draw",
    transitions=[
        Transition("perform", {DrawState.prepared}, DrawState.performed, permission="councils.manage",
                   label=_l("effectuer le tirage"), refusals={DrawState.performed: _l("Ce tirage a déjà été effectué ; il ne se refait pas.")}),
    ],
)
DRAW_WORKFLOW.bind(Draw)


class DrawPick(IdMixin, Base):
    """A volunteer invited because of a draw (drawn, or next in order after a refusal)."""

    __tablename__ = "draw_picks"
    __table_args__ = (sa.UniqueConstraint("draw_id", "volunteer_id"), sa.UniqueConstraint("draw_id", "rank"))

    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteers.id", ondelete="CASCADE"))
    # 1 for the first person invited, and so on, replacements included.
    rank: Mapped[int]
    # Invited as the replacement of this pick, who declined.
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draw_picks.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer: Mapped[Volunteer] = relationship(lazy="joined")


# --- Working groups ---------------------------------------------------------


class WorkingGroup(IdMixin, TimestampMixin, Base):
    """A group within a council working on a theme (a referral, once referrals exist)."""

    __tablename__ = "working_groups"
    __table_args__ = (sa.UniqueConstraint("council_id", "name"),)

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id", ondelete="SET NULL"))
    archived: Mapped[bool] = mapped_column(default=False)

    council: Mapped[Council] = relationship()
    lead: Mapped[Membership | None] = relationship(lazy="joined")


class WorkingGroupMember(IdMixin, Base):
    __tablename__ = "working_group_members"
    __table_args__ = (sa.UniqueConstraint("group_id", "membership_id"),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True)

    membership: Mapped[Membership] = relationship(lazy="joined")


# --- Sittings ---------------------------------------------------------------


class SittingKind(TitledEnum):
    plenary = "plenary", _l("Séance plénière")
    bureau = "bureau", _l("Réunion du bureau")
    working_group = "working_group", _l("Réunion de groupe de travail")


class SittingState(TitledEnum):
    draft = "draft", _l("En préparation")
    published = "published", _l("Publiée")
    cancelled = "cancelled", _l("Annulée")


class Sitting(MeetingMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "sittings"
    __table_args__ = (
        sa.Index("ix_sittings_council_starts", "council_id", "starts_at"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("kind <> 'working_group' OR working_group_id IS NOT NULL", name="group_meeting_has_group"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"))
    kind: Mapped[SittingKind] = mapped_column(enum_column(SittingKind), default=SittingKind.plenary)
    working_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    # title, starts_at, ends_at, place, is_public, convened_at: from MeetingMixin.
    video_url: Mapped[str | None] = mapped_column(sa.String(500))
    state: Mapped[SittingState] = mapped_column(enum_column(SittingState), default=SittingState.draft)
    previous_state: Mapped[SittingState | None] = mapped_column(enum_column(SittingState, name="sittingstate_previous"))
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="SET NULL"))

    council: Mapped[Council] = relationship(lazy="joined")
    working_group: Mapped[WorkingGroup | None] = relationship()
    theme = relationship("Theme", lazy="joined")
    items: Mapped[list[AgendaItem]] = relationship(back_populates="sitting", order_by="AgendaItem.position", lazy="selectin",
                                                   cascade="all, delete-orphan")


SITTING_WORKFLOW = Workflow(
    thing="sitting",
    transitions=[
        Transition("publish", {SittingState.draft}, SittingState.published, permission="councils.manage_sitting",
                   label=_l("publier la séance"), refusals={SittingState.published: _l("Cette séance est déjà publiée.")},
                   guards=(lambda s, actor: _("La séance doit avoir au moins un point à l'ordre du jour.") if not s.items else None,)),
        Transition("cancel", {SittingState.draft, SittingState.published}, SittingState.cancelled, event="cancelled",
                   permission="councils.manage_sitting",
                   label=_l("annuler la séance"), refusals={SittingState.cancelled: _l("Cette séance est déjà annulée.")}),
    ],
)
SITTING_WORKFLOW.bind(Sitting)


class CouncilFollower(FollowerMixin, IdMixin, Base):
    """A person who follows the council: told when it publishes an opinion and when the authority answers one."""

    __tablename__ = "council_followers"
    __table_args__ = (sa.UniqueConstraint("council_id", "user_id"),)

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)


class AgendaItem(IdMixin, Base):
    """A point of a sitting's agenda (ordre du jour); other domains (referrals, opinions) refer to it."""

    __tablename__ = "agenda_items"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "position"),)

    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)

    sitting: Mapped[Sitting] = relationship(back_populates="items")


class Answer(TitledEnum):
    present = "present", _l("Présent·e")
    absent = "absent", _l("Absent·e")
    represented = "represented", _l("Représenté·e (procuration)")


class Attendance(IdMixin, Base):
    """A member's answer to a convocation, and whether they came (marked by staff on the day)."""

    __tablename__ = "attendances"
    __table_args__ = (
        sa.UniqueConstraint("sitting_id", "membership_id"),
        sa.CheckConstraint("(answer = 'represented') = (proxy_id IS NOT NULL)", name="proxy_when_represented"),
        sa.CheckConstraint("proxy_id IS NULL OR proxy_id <> membership_id", name="no_proxy_to_self"),
    )

    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer))
    # The member who holds this member's proxy.
    proxy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id", ondelete="SET NULL"), index=True)
    # Marked on the day: came (true), did not (false), not marked yet (null).
    attended: Mapped[bool | None]
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    membership: Mapped[Membership] = relationship(foreign_keys=[membership_id], lazy="joined")


class MinutesState(TitledEnum):
    draft = "draft", _l("Brouillon")
    submitted = "submitted", _l("Soumis à approbation")
    approved = "approved", _l("Approuvé")
    published = "published", _l("Publié")


class Minutes(IdMixin, TimestampMixin, RevisionMixin, Base):
    """The compte rendu of a sitting (``revision``: one more at each save of its text)."""

    __tablename__ = "minutes"
    __table_args__ = (sa.CheckConstraint("state NOT IN ('approved', 'published') OR approved_at_id IS NOT NULL", name="approved_at_sitting"),)

    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[MinutesState] = mapped_column(enum_column(MinutesState), default=MinutesState.draft)
    previous_state: Mapped[MinutesState | None] = mapped_column(enum_column(MinutesState, name="minutesstate_previous"))
    # The later sitting at which the minutes were approved.
    approved_at_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sitting: Mapped[Sitting] = relationship(foreign_keys=[sitting_id], lazy="joined")
    approved_at: Mapped[Sitting | None] = relationship(foreign_keys=[approved_at_id])


MINUTES_WORKFLOW = Workflow(
    thing="minutes",
    transitions=[
        Transition("submit", {MinutesState.draft}, MinutesState.submitted, permission="councils.write_minutes",
                   label=_l("soumettre à approbation"),
                   guards=(lambda m, actor: _("Le compte rendu est vide.") if not (m.body or "").strip() else None,)),
        Transition("return", {MinutesState.submitted}, MinutesState.draft, event="returned", permission="councils.write_minutes",
                   label=_l("revenir au brouillon")),
        Transition("approve", {MinutesState.submitted}, MinutesState.approved, permission="councils.manage_sitting",
                   label="approuver", refusals={MinutesState.draft: _l("Le compte rendu doit d'abord être soumis à approbation.")}),
        Transition("publish", {MinutesState.approved}, MinutesState.published, permission="councils.manage_sitting",
                   label="publier", refusals={MinutesState.draft: _l("Un compte rendu ne se publie qu'une fois approuvé."),
                                              MinutesState.submitted: _l("Un compte rendu ne se publie qu'une fois approuvé.")}),
    ],
)
MINUTES_WORKFLOW.bind(Minutes)


class CouncilDocument(IdMixin, Base):
    """A document of a council, of one of its sittings or working groups."""

    __tablename__ = "council_documents"

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    working_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(sa.String(200))
    # Shown on the public page (with a public sitting) rather than in the members' space only.
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file = relationship("StoredFile", lazy="joined")


# --- Trainings and budget ---------------------------------------------------


class Training(IdMixin, TimestampMixin, Base):
    """A training offered to a council's members, with its own registrations."""

    __tablename__ = "trainings"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    capacity: Mapped[int]
    cancelled: Mapped[bool] = mapped_column(default=False)


class TrainingRegistration(IdMixin, Base):
    __tablename__ = "training_registrations"
    __table_args__ = (sa.UniqueConstraint("training_id", "membership_id"),)

    training_id: Mapped[int] = mapped_column(sa.ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    # Cancelled registrations are kept (history) and free the place.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BudgetYear(IdMixin, Base):
    __tablename__ = "council_budgets"
    __table_args__ = (
        sa.UniqueConstraint("council_id", "year"),
        sa.CheckConstraint("allocation_cents >= 0", name="allocation_positive"),
    )

    council_id: Mapped[int] = mapped_column(sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    # The yearly allocation, in euro cents.
    allocation_cents: Mapped[int]

    lines: Mapped[list[SpendingLine]] = relationship(order_by="SpendingLine.spent_on", lazy="selectin", cascade="all, delete-orphan")


class SpendingLine(IdMixin, Base):
    __tablename__ = "council_spending_lines"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount_positive"),)

    budget_id: Mapped[int] = mapped_column(sa.ForeignKey("council_budgets.id", ondelete="CASCADE"), index=True)
    spent_on: Mapped[date]
    label: Mapped[str] = mapped_column(sa.String(200))
    # In euro cents.
    amount_cents: Mapped[int]
