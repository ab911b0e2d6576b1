"""Events, the questions they ask, and registrations with their waiting list."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import lazy_gettext as _l


class EventState(TitledEnum):
    draft = "draft", _l("Brouillon")
    published = "published", _l("Publié")
    cancelled = "cancelled", _l("Annulé")


class QuestionKind(TitledEnum):
    text = "text", _l("Réponse courte")
    choice = "choice", _l("Choix dans une liste")
    yesno = "yesno", _l("Oui ou non")


class RegistrationState(TitledEnum):
    held = "held", _l("Adresse à confirmer")
    confirmed = "confirmed", _l("Inscrit")
    waiting = "waiting", _l("Liste d'attente")
    offered = "offered", _l("Place proposée, à confirmer")
    cancelled = "cancelled", _l("Annulée")
    expired = "expired", _l("Expirée")


class Attendance(TitledEnum):
    unknown = "unknown", _l("Non pointé")
    present = "present", _l("Présent")
    absent = "absent", _l("Absent")


# The states that take a place (the rest of the waiting list does not).
HOLDING_STATES = (RegistrationState.held, RegistrationState.confirmed, RegistrationState.offered)
# The states of a registration still alive: one per address and event.
ACTIVE_STATES = (*HOLDING_STATES, RegistrationState.waiting)

event_themes = sa.Table(
    "event_themes",
    Base.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

event_communes = sa.Table(
    "event_communes",
    Base.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Event(IdMixin, TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("max_guests >= 0 AND max_guests <= 10", name="max_guests_range"),
        sa.CheckConstraint("waiting_list_cap IS NULL OR waiting_list_cap >= 0", name="waiting_list_cap_positive"),
        sa.CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL OR registration_opens_at < registration_closes_at",
            name="registration_window_order",
        ),
        sa.CheckConstraint("promotion_hours > 0", name="promotion_hours_positive"),
        sa.CheckConstraint("place_name IS NOT NULL OR online_url IS NOT NULL", name="place_or_link"),
        sa.Index("ix_events_state_starts_at", "state", "starts_at"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    # Markdown, rendered sanitised.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Where it happens: a venue's name and address, and/or a link for an online event.
    place_name: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.Text)
    # What a person with a disability needs to know about the venue (step-free access, induction loop…).
    venue_accessibility: Mapped[str | None] = mapped_column(sa.Text)
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Places, guests included; empty means no limit.
    capacity: Mapped[int | None]
    # Registration is possible between these moments (empty: from publication, until the start).
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Guests a registrant may bring (0: none); each takes a place.
    max_guests: Mapped[int] = mapped_column(default=0)
    waiting_list_enabled: Mapped[bool] = mapped_column(default=True)
    # At most this many waiting registrations (empty: no limit).
    waiting_list_cap: Mapped[int | None]
    # False: a resident without an account registers with an address confirmed by a link.
    requires_account: Mapped[bool] = mapped_column(default=False)
    # True: a person promoted from the waiting list must confirm within promotion_hours.
    promotion_needs_confirmation: Mapped[bool] = mapped_column(default=False)
    promotion_hours: Mapped[int] = mapped_column(default=48)
    # Days before the start when registrants get a reminder, "7,1".
    reminder_days: Mapped[str] = mapped_column(sa.String(40), default="7,1")
    state: Mapped[EventState] = mapped_column(enum_column(EventState), default=EventState.draft)
    previous_state: Mapped[EventState | None] = mapped_column(enum_column(EventState, name="eventstate_previous"))
    # First publication: the agenda's Atom feed orders by it.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    themes = relationship("Theme", secondary=event_themes, lazy="selectin", order_by="Theme.name")
    communes = relationship("Commune", secondary=event_communes, lazy="selectin", order_by="Commune.name")
    questions: Mapped[list[EventQuestion]] = relationship(
        back_populates="event", lazy="selectin", order_by="EventQuestion.position", cascade="all, delete-orphan"
    )
    created_by = relationship("User")

    @property
    def reminder_day_list(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip().isdigit()}, reverse=True)

    @property
    def is_public(self) -> bool:
        return self.state in (EventState.published, EventState.cancelled)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.state.value}>"


class EventQuestion(IdMixin, Base):
    """A question every registrant answers (or may answer)."""

    __tablename__ = "event_questions"
    __table_args__ = (sa.UniqueConstraint("event_id", "position"),)

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    # For a choice: the options, one a line.
    choices: Mapped[str | None] = mapped_column(sa.Text)
    required: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="questions")

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in (self.choices or "").splitlines() if c.strip()]


class Registration(IdMixin, Base):
    __tablename__ = "registrations"
    __table_args__ = (
        sa.CheckConstraint("guests >= 0", name="guests_positive"),
        # One live registration per address and event; a cancelled one may be followed by another.
        sa.Index(
            "uq_registrations_event_email_active",
            "event_id",
            "email",
            unique=True,
            postgresql_where=sa.text("state IN ('held', 'confirmed', 'waiting', 'offered')"),
            sqlite_where=sa.text("state IN ('held', 'confirmed', 'waiting', 'offered')"),
        ),
        sa.Index("ix_registrations_event_state", "event_id", "state", "id"),
    )

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    # Empty for a registration made without an account.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Lower-cased; where mail about the registration goes.
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(120))
    guests: Mapped[int] = mapped_column(default=0)
    # Answers to the event's questions, by question id.
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    accessibility_needs: Mapped[str | None] = mapped_column(sa.Text)
    # Shown as text and QR code, typed or scanned at check-in.
    code: Mapped[str] = mapped_column(sa.String(9), unique=True)
    # SHA-256 of the link sent by mail (confirm the address, manage without an account).
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # When the address was confirmed (at once for an account's registration).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[RegistrationState] = mapped_column(enum_column(RegistrationState))
    previous_state: Mapped[RegistrationState | None] = mapped_column(enum_column(RegistrationState, name="registrationstate_previous"))
    # A held or offered place is kept until then, and released after.
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance), default=Attendance.unknown)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    user = relationship("User")

    @property
    def seats(self) -> int:
        return 1 + self.guests

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def __repr__(self) -> str:
        return f"<Registration {self.code} {self.state.value}>"


EVENT_WORKFLOW = Workflow(
    thing="event",
    transitions=[
        Transition("publish", {EventState.draft}, EventState.published, permission="events.manage", label="publier",
                   refusals={EventState.published: _l("Cet événement est déjà publié.")}),
        Transition("cancel", {EventState.draft, EventState.published}, EventState.cancelled, permission="events.manage",
                   label=_l("annuler l'événement"), refusals={EventState.cancelled: _l("Cet événement est déjà annulé.")}),
    ],
)
EVENT_WORKFLOW.bind(Event)

_ENDED = {RegistrationState.cancelled: _l("Cette inscription est annulée."), RegistrationState.expired: _l("Cette inscription a expiré.")}

REGISTRATION_WORKFLOW = Workflow(
    thing="registration",
    transitions=[
        Transition("confirm", {RegistrationState.held}, RegistrationState.confirmed, label=_l("confirmer l'inscription"),
                   refusals={RegistrationState.confirmed: _l("Votre inscription est déjà confirmée."), **_ENDED}),
        Transition("promote", {RegistrationState.waiting}, RegistrationState.confirmed, label=_l("donner une place")),
        Transition("offer", {RegistrationState.waiting}, RegistrationState.offered, label=_l("proposer une place")),
        Transition("accept", {RegistrationState.offered}, RegistrationState.confirmed, label=_l("accepter la place"),
                   refusals={RegistrationState.confirmed: _l("Vous avez déjà accepté cette place."), **_ENDED}),
        Transition("cancel", set(ACTIVE_STATES), RegistrationState.cancelled, label=_l("annuler l'inscription"),
                   refusals=_ENDED),
        Transition("expire", {RegistrationState.held, RegistrationState.offered, RegistrationState.waiting},
                   RegistrationState.expired, label=_l("faire expirer")),
    ],
)
REGISTRATION_WORKFLOW.bind(Registration)
