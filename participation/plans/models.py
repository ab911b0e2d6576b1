"""Territorial plans: a plan is a tree of axes and objectives ending in actions,
with indicators measured period after period, steering committees whose
meetings record decisions, and progress reports frozen when published."""

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


class PlanKind(TitledEnum):
    territory_project = "territory_project", _l("Projet de territoire")
    ctg = "ctg", _l("Convention territoriale globale")
    city_contract = "city_contract", _l("Contrat de ville")
    governance_pact = "governance_pact", _l("Pacte de gouvernance")
    other = "other", _l("Autre plan")


class PlanState(TitledEnum):
    drafting = "drafting", _l("En élaboration")
    consultation = "consultation", _l("En consultation")
    adopted = "adopted", _l("Adopté")
    running = "running", _l("En cours")
    evaluation = "evaluation", _l("En évaluation")
    closed = "closed", _l("Clos")


# States in which residents see the plan.
PUBLIC_PLAN_STATES = (PlanState.consultation, PlanState.adopted, PlanState.running, PlanState.evaluation, PlanState.closed)


class Plan(IdMixin, TimestampMixin, Base):
    __tablename__ = "plans"
    __table_args__ = (
        sa.CheckConstraint("start_year >= 2000 AND end_year <= 2100 AND start_year <= end_year", name="period_order"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[PlanKind] = mapped_column(enum_column(PlanKind))
    # What the plan is for, in Markdown, on its public page.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    start_year: Mapped[int]
    end_year: Mapped[int]
    # Who signs the plan and who takes part, one per line.
    signatories: Mapped[str] = mapped_column(sa.Text, default="")
    partners: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[PlanState] = mapped_column(enum_column(PlanState), default=PlanState.drafting)
    previous_state: Mapped[PlanState | None] = mapped_column(enum_column(PlanState, name="planstate_previous"))
    # The staff member in charge (chargé·e de mission): warned of deadlines.
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The saisine of the council of development on this plan, whose opinion the public page shows.
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id", ondelete="SET NULL"))
    adopted_on: Mapped[date | None]

    manager = relationship("User", lazy="joined")
    referral = relationship("Referral")

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_PLAN_STATES

    def __str__(self) -> str:
        return self.title


def _has_axis_and_action(plan, actor):
    from participation.extensions import db

    axes = db.session.scalar(sa.select(sa.func.count(PlanNode.id)).where(PlanNode.plan_id == plan.id, PlanNode.parent_id.is_(None),
                                                                         PlanNode.archived.is_(False)))
    actions = db.session.scalar(sa.select(sa.func.count(Action.id)).where(Action.plan_id == plan.id, Action.archived.is_(False)))
    if not axes or not actions:
        return _("Un plan ne peut être adopté sans au moins un axe et une action.")
    return None


PLAN_WORKFLOW = Workflow(
    thing="plan",
    transitions=[
        Transition("consult", {PlanState.drafting}, PlanState.consultation, event="consultation_opened", permission="plans.manage",
                   label=_l("ouvrir la consultation")),
        Transition("adopt", {PlanState.drafting, PlanState.consultation}, PlanState.adopted, permission="plans.manage",
                   label=_l("adopter le plan"), guards=(_has_axis_and_action,),
                   refusals={PlanState.adopted: _l("Ce plan est déjà adopté.")}),
        Transition("start", {PlanState.adopted}, PlanState.running, event="started", permission="plans.manage",
                   label=_l("lancer la mise en œuvre")),
        Transition("evaluate", {PlanState.running}, PlanState.evaluation, event="evaluation_started", permission="plans.manage",
                   label=_l("ouvrir l'évaluation")),
        Transition("resume", {PlanState.evaluation}, PlanState.running, event="resumed", permission="plans.manage",
                   label=_l("reprendre la mise en œuvre")),
        Transition("close", {PlanState.evaluation}, PlanState.closed, permission="plans.manage", label=_l("clore le plan"),
                   refusals={PlanState.closed: _l("Ce plan est déjà clos.")}),
    ],
)
PLAN_WORKFLOW.bind(Plan)


class PlanFollower(FollowerMixin, IdMixin, Base):
    """A resident following a plan: told when one of its actions changes status."""

    __tablename__ = "plan_followers"
    __table_args__ = (sa.UniqueConstraint("plan_id", "user_id"),)

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)


class PlanDocument(IdMixin, Base):
    """A document of the plan (diagnostic, délibération), stored through core/uploads."""

    __tablename__ = "plan_documents"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"))
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file = relationship("StoredFile", lazy="joined")


# --- The tree ---------------------------------------------------------------


class NodeKind(TitledEnum):
    axis = "axis", _l("Axe")
    objective = "objective", _l("Objectif")


class PlanNode(IdMixin, Base):
    """An axe (no parent) or an objectif (under an axe); numbered in its parent's order."""

    __tablename__ = "plan_nodes"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "parent_id", "number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("(kind = 'axis') = (parent_id IS NULL)", name="axes_are_roots"),
        sa.Index("ix_plan_nodes_plan", "plan_id", "parent_id", "number"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    # NO ACTION (checked at the end of the statement): deleting a whole plan removes its tree at once; services refuse cutting it.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_nodes.id"))
    kind: Mapped[NodeKind] = mapped_column(enum_column(NodeKind))
    number: Mapped[int]
    # The full number: "2" for an axe, "2.3" for an objectif.
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Archived nodes keep their history and number but leave the plan's pages.
    archived: Mapped[bool] = mapped_column(default=False)

    @property
    def label(self) -> str:
        return f"{self.kind.label} {self.code}"


class ActionStatus(TitledEnum):
    to_start = "to_start", _l("À engager")
    ongoing = "ongoing", _l("En cours")
    done = "done", _l("Réalisée")
    postponed = "postponed", _l("Reportée")
    abandoned = "abandoned", _l("Abandonnée")


class Funder(TitledEnum):
    authority = "authority", _l("Collectivité")
    caf = "caf", "CAF"
    state = "state", _l("État")
    region = "region", _l("Région")
    europe = "europe", _l("Europe")
    other = "other", _l("Autres")


action_communes = sa.Table(
    "plan_action_communes", Base.metadata,
    sa.Column("action_id", sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True),
)
action_neighbourhoods = sa.Table(
    "plan_action_neighbourhoods", Base.metadata,
    sa.Column("action_id", sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("neighbourhood_id", sa.ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
)
action_themes = sa.Table(
    "plan_action_themes", Base.metadata,
    sa.Column("action_id", sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Action(IdMixin, TimestampMixin, Base):
    __tablename__ = "plan_actions"
    __table_args__ = (
        sa.UniqueConstraint("node_id", "number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.CheckConstraint("start_date IS NULL OR end_date IS NULL OR start_date <= end_date", name="dates_order"),
        sa.CheckConstraint("status NOT IN ('postponed', 'abandoned') OR status_reason IS NOT NULL", name="reason_given"),
        sa.Index("ix_plan_actions_plan", "plan_id", "node_id", "number"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    # The objectif (or the axe, in a two-level plan) the action belongs to.
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_nodes.id", ondelete="RESTRICT"))
    number: Mapped[int]
    # The full number: "2.3.1".
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    lead_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    partners: Mapped[str] = mapped_column(sa.Text, default="")
    target_public: Mapped[str] = mapped_column(sa.String(300), default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.to_start)
    previous_status: Mapped[ActionStatus | None] = mapped_column(enum_column(ActionStatus, name="actionstatus_previous"))
    # Why the action was postponed or abandoned (required then), or a note on its status.
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Progress in percent, reported by the lead department.
    progress: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)

    node: Mapped[PlanNode] = relationship(lazy="joined")
    lead_department = relationship("Department", lazy="joined")
    fundings: Mapped[list[ActionFunding]] = relationship(order_by="ActionFunding.id", cascade="all, delete-orphan", lazy="selectin")
    milestones: Mapped[list[Milestone]] = relationship(order_by="Milestone.due_on, Milestone.id", cascade="all, delete-orphan",
                                                       lazy="selectin")
    communes = relationship("Commune", secondary=action_communes, order_by="Commune.name", lazy="selectin")
    neighbourhoods = relationship("Neighbourhood", secondary=action_neighbourhoods, order_by="Neighbourhood.name", lazy="selectin")
    themes = relationship("Theme", secondary=action_themes, order_by="Theme.name", lazy="selectin")

    @property
    def planned_cents(self) -> int:
        return sum(f.planned_cents for f in self.fundings)

    @property
    def spent_cents(self) -> int:
        return sum(f.spent_cents for f in self.fundings)

    @property
    def overspent(self) -> bool:
        return self.spent_cents > self.planned_cents

    @property
    def label(self) -> str:
        return _("Action %(code)s", code=self.code)

    def __str__(self) -> str:
        return _("Action %(code)s — %(title)s", code=self.code, title=self.title)


ACTION_WORKFLOW = Workflow(
    thing="plan_action",
    field="status",
    previous_field="previous_status",
    transitions=[
        Transition("engage", {ActionStatus.to_start, ActionStatus.postponed}, ActionStatus.ongoing, event="engaged",
                   permission="plans.report", label=_l("engager l'action")),
        Transition("complete", {ActionStatus.ongoing}, ActionStatus.done, event="completed", permission="plans.report",
                   label=_l("marquer réalisée"), refusals={ActionStatus.to_start: _l("Une action se réalise après avoir été engagée.")}),
        Transition("postpone", {ActionStatus.to_start, ActionStatus.ongoing}, ActionStatus.postponed, event="postponed",
                   permission="plans.report", label=_l("reporter l'action")),
        Transition("abandon", {ActionStatus.to_start, ActionStatus.ongoing, ActionStatus.postponed}, ActionStatus.abandoned,
                   event="abandoned", permission="plans.manage", label=_l("abandonner l'action")),
        Transition("reopen", {ActionStatus.done, ActionStatus.abandoned}, ActionStatus.ongoing, permission="plans.manage",
                   label=_l("rouvrir l'action")),
    ],
)
ACTION_WORKFLOW.bind(Action)


class ActionFunding(IdMixin, Base):
    """What one funder planned for an action and what was spent; spent above planned is shown, not refused."""

    __tablename__ = "plan_action_fundings"
    __table_args__ = (
        sa.UniqueConstraint("action_id", "funder"),
        sa.CheckConstraint("planned_cents >= 0 AND spent_cents >= 0", name="amounts_positive"),
    )

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    funder: Mapped[Funder] = mapped_column(enum_column(Funder))
    planned_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    spent_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class Milestone(IdMixin, Base):
    __tablename__ = "plan_milestones"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    due_on: Mapped[date]
    done_on: Mapped[date | None]

    def is_late(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today


class LinkKind(TitledEnum):
    consultation = "consultation", _l("Concertation")
    event = "event", _l("Événement")
    grant_call = "grant_call", _l("Appel à projets")
    grant_application = "grant_application", _l("Projet financé")


class ActionLink(IdMixin, Base):
    """What the platform already holds that carries the action out: exactly one target per row."""

    __tablename__ = "plan_action_links"
    __table_args__ = (
        sa.UniqueConstraint("action_id", "consultation_id", "event_id", "grant_call_id", "grant_application_id"),
        sa.CheckConstraint(
            "(CASE WHEN consultation_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN event_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN grant_call_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN grant_application_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind))
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    grant_call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grant_calls.id", ondelete="CASCADE"))
    grant_application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grant_applications.id", ondelete="CASCADE"))


class ActionRecommendation(IdMixin, Base):
    """A council recommendation (retenue or partiellement retenue) that the action answers."""

    __tablename__ = "plan_action_recommendations"
    __table_args__ = (sa.UniqueConstraint("action_id", "recommendation_id"),)

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recommendation = relationship("Recommendation", lazy="joined")


class ActionFollower(FollowerMixin, IdMixin, Base):
    """A resident following one action: told when its status changes."""

    __tablename__ = "plan_action_followers"
    __table_args__ = (sa.UniqueConstraint("action_id", "user_id"),)

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)


# --- Indicators ---------------------------------------------------------------


class Direction(TitledEnum):
    higher = "higher", _l("Plus c'est haut, mieux c'est")
    lower = "lower", _l("Plus c'est bas, mieux c'est")


class Periodicity(TitledEnum):
    monthly = "monthly", _l("Mensuelle")
    quarterly = "quarterly", _l("Trimestrielle")
    half_yearly = "half_yearly", _l("Semestrielle")
    yearly = "yearly", _l("Annuelle")


# Months in one period of each periodicity.
PERIOD_MONTHS = {Periodicity.monthly: 1, Periodicity.quarterly: 3, Periodicity.half_yearly: 6, Periodicity.yearly: 12}


class Indicator(IdMixin, TimestampMixin, Base):
    __tablename__ = "plan_indicators"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "code"),
        sa.CheckConstraint("(node_id IS NULL) <> (action_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value < max_value", name="range_order"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    # An indicator follows an objectif (or axe) or an action: exactly one of them.
    node_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_nodes.id", ondelete="RESTRICT"), index=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    # The code used in CSV imports: "I-2.3-1".
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(300))
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    direction: Mapped[Direction] = mapped_column(enum_column(Direction), default=Direction.higher)
    baseline_value: Mapped[float | None]
    baseline_date: Mapped[date | None]
    # Target value by year: {"2028": 40.0, "2035": 60.0}.
    targets: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    periodicity: Mapped[Periodicity] = mapped_column(enum_column(Periodicity), default=Periodicity.yearly)
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    # Who enters the measurements: reminded when one is due.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The declared range: a measurement outside it is refused.
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    archived: Mapped[bool] = mapped_column(default=False)

    owner = relationship("User", lazy="joined")

    def target_for(self, year: int) -> float | None:
        """The target of ``year``, or of the next year that has one."""
        years = sorted(int(y) for y in (self.targets or {}))
        for y in years:
            if y >= year:
                return float(self.targets[str(y)])
        return None

    @property
    def final_target(self) -> tuple[int, float] | None:
        if not self.targets:
            return None
        year = max(int(y) for y in self.targets)
        return year, float(self.targets[str(year)])


class Measurement(IdMixin, Base):
    """One measured value for one period of an indicator; one per period."""

    __tablename__ = "plan_measurements"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "period_start"),
        sa.CheckConstraint("measured_on >= period_start", name="measured_in_period"),
    )

    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_indicators.id", ondelete="CASCADE"))
    # The first day of the period measured (month, quarter, half-year or year).
    period_start: Mapped[date]
    measured_on: Mapped[date]
    value: Mapped[float]
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- Committees -----------------------------------------------------------------


class CommitteeKind(TitledEnum):
    steering = "steering", _l("Comité de pilotage")
    technical = "technical", _l("Comité technique")
    thematic = "thematic", _l("Groupe thématique")


class Committee(IdMixin, Base):
    __tablename__ = "plan_committees"
    __table_args__ = (sa.CheckConstraint("convocation_days >= 0 AND convocation_days <= 60", name="convocation_days_range"),)

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CommitteeKind] = mapped_column(enum_column(CommitteeKind))
    name: Mapped[str] = mapped_column(sa.String(200))
    # Days before a meeting its convocation is sent.
    convocation_days: Mapped[int] = mapped_column(default=10)

    plan: Mapped[Plan] = relationship(lazy="joined")
    members: Mapped[list[CommitteeMember]] = relationship(order_by="CommitteeMember.name", lazy="selectin",
                                                          cascade="all, delete-orphan")


class CommitteeMember(IdMixin, Base):
    """A member from the authority or a partner: an account, or an invited person known by their address."""

    __tablename__ = "plan_committee_members"
    __table_args__ = (
        sa.UniqueConstraint("committee_id", "email"),
        sa.CheckConstraint("user_id IS NOT NULL OR email IS NOT NULL", name="reachable"),
    )

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_committees.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # The organisation represented: "CAF", "Préfecture", "Commune de …".
    organisation: Mapped[str] = mapped_column(sa.String(160), default="")

    user = relationship("User", lazy="joined")

    @property
    def address(self) -> str | None:
        return self.user.email if self.user is not None else self.email


class MeetingState(TitledEnum):
    planned = "planned", _l("Prévue")
    held = "held", _l("Tenue")
    cancelled = "cancelled", _l("Annulée")


class Meeting(MeetingMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "plan_meetings"
    __table_args__ = (sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),)

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_committees.id", ondelete="CASCADE"), index=True)
    state: Mapped[MeetingState] = mapped_column(enum_column(MeetingState), default=MeetingState.planned)
    previous_state: Mapped[MeetingState | None] = mapped_column(enum_column(MeetingState, name="meetingstate_previous"))
    # The relevé de décisions and discussion, in Markdown.
    minutes: Mapped[str] = mapped_column(sa.Text, default="")

    committee: Mapped[Committee] = relationship(lazy="joined")
    items: Mapped[list[MeetingItem]] = relationship(order_by="MeetingItem.position", lazy="selectin", cascade="all, delete-orphan")


MEETING_WORKFLOW = Workflow(
    thing="plan_meeting",
    transitions=[
        Transition("hold", {MeetingState.planned}, MeetingState.held, permission="plans.manage", label=_l("marquer la réunion tenue"),
                   refusals={MeetingState.held: _l("Cette réunion est déjà tenue.")}),
        Transition("cancel", {MeetingState.planned}, MeetingState.cancelled, event="cancelled", permission="plans.manage",
                   label=_l("annuler la réunion")),
    ],
)
MEETING_WORKFLOW.bind(Meeting)


class ItemKind(TitledEnum):
    action = "action", _l("Action à examiner")
    indicator = "indicator", _l("Indicateur à lire")
    decision = "decision", _l("Décision à prendre")
    other = "other", _l("Point divers")


class MeetingItem(IdMixin, Base):
    """A point of the agenda, built from the plan: an action, an indicator or a decision to take."""

    __tablename__ = "plan_meeting_items"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "position"),)

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    title: Mapped[str] = mapped_column(sa.String(300))
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_actions.id", ondelete="SET NULL"))
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_indicators.id", ondelete="SET NULL"))


class MeetingAttendance(IdMixin, Base):
    __tablename__ = "plan_meeting_attendances"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id"),)

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_committee_members.id", ondelete="CASCADE"), index=True)
    attended: Mapped[bool]


decision_actions = sa.Table(
    "plan_decision_actions", Base.metadata,
    sa.Column("decision_id", sa.ForeignKey("plan_decisions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("action_id", sa.ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True),
)


class Decision(IdMixin, TimestampMixin, Base):
    """A decision of a committee meeting, followed by its owner until done."""

    __tablename__ = "plan_decisions"
    __table_args__ = (sa.Index("ix_plan_decisions_owner_open", "owner_id", "done_at"),)

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_meetings.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What was done, written when it is marked done.
    outcome: Mapped[str | None] = mapped_column(sa.Text)

    owner = relationship("User", lazy="joined")
    meeting: Mapped[Meeting] = relationship(lazy="joined")
    actions: Mapped[list[Action]] = relationship(secondary=decision_actions, order_by="Action.code", lazy="selectin")

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


# --- Pacte de gouvernance ------------------------------------------------------


class PactStep(TitledEnum):
    debate = "debate", _l("Débat et délibération sur l'élaboration du pacte")
    transmission = "transmission", _l("Transmission du projet aux communes")
    adoption = "adoption", _l("Adoption du pacte")


class PactMilestone(IdMixin, Base):
    """A step of the pacte de gouvernance done, with its date."""

    __tablename__ = "plan_pact_milestones"
    __table_args__ = (sa.UniqueConstraint("plan_id", "step"),)

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    step: Mapped[PactStep] = mapped_column(enum_column(PactStep))
    done_on: Mapped[date]


class CommuneOpinion(IdMixin, Base):
    """A commune's opinion on the draft pacte: given, or deemed given two months after transmission."""

    __tablename__ = "plan_commune_opinions"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "commune_id"),
        sa.CheckConstraint("given_on IS NULL OR given_on >= transmitted_on", name="given_after_transmission"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id", ondelete="CASCADE"))
    transmitted_on: Mapped[date]
    given_on: Mapped[date | None]
    # favourable, unfavourable, with reservations: free text from the deliberation.
    opinion: Mapped[str | None] = mapped_column(sa.Text)

    commune = relationship("Commune", lazy="joined")


# --- Progress reports ----------------------------------------------------------


class ReportState(TitledEnum):
    draft = "draft", _l("Brouillon")
    published = "published", _l("Publié")


class ProgressReport(IdMixin, TimestampMixin, RevisionMixin, Base):
    """A bilan (mid-term, yearly, half-yearly): live figures while a draft, a frozen snapshot once published.

    ``revision``: one more at each save of its texts (participation/core/concurrency.py)."""

    __tablename__ = "plan_progress_reports"
    __table_args__ = (
        sa.CheckConstraint("period_start <= period_end", name="period_order"),
        sa.CheckConstraint("state <> 'published' OR (published_at IS NOT NULL AND figures IS NOT NULL)", name="published_has_snapshot"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    state: Mapped[ReportState] = mapped_column(enum_column(ReportState, name="planreportstate"), default=ReportState.draft)
    previous_state: Mapped[ReportState | None] = mapped_column(enum_column(ReportState, name="planreportstate_previous"))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    figures: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))

    plan: Mapped[Plan] = relationship(lazy="joined")


REPORT_WORKFLOW = Workflow(
    thing="plan_report",
    transitions=[
        Transition("publish", {ReportState.draft}, ReportState.published, permission="plans.manage", label=_l("publier le bilan"),
                   guards=(lambda r, actor: _("Rédigez l'introduction du bilan avant de le publier.") if not (r.introduction or "").strip() else None,),
                   refusals={ReportState.published: _l("Ce bilan est déjà publié.")}),
    ],
)
REPORT_WORKFLOW.bind(ProgressReport)
