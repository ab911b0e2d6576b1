"""Event and registration operations: the only code that changes them.

Places are given under a lock on the event's row (``FOR UPDATE`` on
PostgreSQL; on SQLite the request took the write lock first with
``begin_writing()``), so two people registering in the same instant never
both get the last place.
"""

from __future__ import annotations

from flask_babel import ngettext
import functools
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from participation.core.forms import parse_int
from participation.core.errors import DomainError, PermissionDenied, ValidationError
from participation.core.eventlog import record
from participation.core.locking import lock_row
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, can, require
from participation.core.rows import append_row
from participation.core.tokens import make_token, token_digest
from participation.events.models import (
    ACTIVE_STATES,
    EVENT_WORKFLOW,
    REGISTRATION_WORKFLOW,
    Attendance,
    Event,
    EventQuestion,
    EventState,
    QuestionKind,
    Registration,
    RegistrationState,
)
from participation.extensions import db
from flask_babel import gettext as _

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# Capacity thresholds (in %) at which staff are told.
CAPACITY_ALERTS = (80, 100)

EVENT_FIELDS = (
    "title", "description", "place_name", "address", "venue_accessibility", "online_url", "starts_at", "ends_at",
    "capacity", "registration_opens_at", "registration_closes_at", "max_guests", "waiting_list_enabled",
    "waiting_list_cap", "requires_account", "promotion_needs_confirmation", "promotion_hours", "reminder_days",
)


# ---------------------------------------------------------------------------
# Events


PUBLIC_EVENT_STATES = (EventState.published, EventState.cancelled)


def public_events(*, theme_id: int | None = None, commune_id: int | None = None, starts_from=None, starts_until=None):
    """A ``select`` of the events a visitor sees (published or cancelled), for the list, the feeds and the API.

    ``starts_from``/``starts_until``: moments (aware) the event ends after / starts before."""
    statement = sa.select(Event).where(Event.state.in_(PUBLIC_EVENT_STATES))
    if theme_id is not None:
        statement = statement.where(Event.themes.any(id=theme_id))
    if commune_id is not None:
        statement = statement.where(Event.communes.any(id=commune_id))
    if starts_from is not None:
        statement = statement.where(Event.ends_at > starts_from)
    if starts_until is not None:
        statement = statement.where(Event.starts_at < starts_until)
    return statement.options(sa.orm.lazyload(Event.questions))


def _check_event_values(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ValidationError(_("Indiquez le titre de l'événement."), field="title")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None:
        raise ValidationError(_("Indiquez le début de l'événement."), field="starts_at")
    if ends is None or ends <= starts:
        raise ValidationError(_("La fin doit être postérieure au début."), field="ends_at")
    if not values.get("place_name") and not values.get("online_url"):
        raise ValidationError(_("Indiquez un lieu ou un lien pour suivre l'événement en ligne."), field="place_name")
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and opens >= closes:
        raise ValidationError(_("La clôture des inscriptions doit suivre leur ouverture."), field="registration_closes_at")
    if closes and closes > ends:
        raise ValidationError(_("Les inscriptions doivent fermer avant la fin de l'événement."), field="registration_closes_at")
    days = values.get("reminder_days") or ""
    parts = [p.strip() for p in days.split(",") if p.strip()]
    if any(parse_int(p, minimum=1, maximum=60) is None for p in parts):
        raise ValidationError(_("Indiquez des nombres de jours entre 1 et 60, séparés par des virgules (par exemple « 7,1 »)."),
                              field="reminder_days")
    values["reminder_days"] = ",".join(str(d) for d in sorted({int(p) for p in parts}, reverse=True))


def create_event(values: dict, *, themes=(), communes=(), actor) -> Event:
    require(actor, "events.manage")
    values = {k: values.get(k) for k in EVENT_FIELDS if k in values}
    _check_event_values(values)
    event = Event(**values, created_by_id=getattr(actor, "id", None), state=EventState.draft)
    event.themes = list(themes)
    event.communes = list(communes)
    db.session.add(event)
    db.session.flush()
    record("event.created", event, actor, {"title": event.title})
    return event


def update_event(event: Event, values: dict, *, themes=(), communes=(), actor) -> Event:
    """Change an event. A new date or place is announced to the registrants;
    a larger capacity gives places to the waiting list."""
    require(actor, "events.manage", event)
    if event.state == EventState.cancelled:
        raise DomainError(_("Un événement annulé ne se modifie plus."))
    values = {k: values.get(k) for k in EVENT_FIELDS if k in values}
    _check_event_values(values)
    lock_row(Event, event.id)
    before = {"starts_at": event.starts_at, "ends_at": event.ends_at, "place_name": event.place_name, "address": event.address,
              "online_url": event.online_url}
    old_capacity = event.capacity
    for key, value in values.items():
        setattr(event, key, value)
    event.themes = list(themes)
    event.communes = list(communes)
    if event.capacity is not None and event.capacity < places_taken(event):
        raise ValidationError(_("La capacité ne peut pas descendre sous le nombre de places déjà prises."), field="capacity")
    changed = [k for k, v in before.items() if getattr(event, k) != v]
    record("event.updated", event, actor, {"changed": changed})
    if changed and event.state == EventState.published:
        moved = {"starts_at", "ends_at"} & set(changed)
        record("event.rescheduled" if moved else "event.relocated", event, actor,
               {"from": {k: before[k] for k in changed}, "to": {k: getattr(event, k) for k in changed}})
    if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
        fill_places(event)
    return event


def publish_event(event: Event, *, actor) -> None:
    EVENT_WORKFLOW.apply(event, "publish", actor=actor)
    if event.published_at is None:
        event.published_at = utcnow()


def cancel_event(event: Event, *, reason: str, actor) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez la raison de l'annulation : elle est écrite aux inscrits."), field="reason")
    event.cancellation_reason = reason
    EVENT_WORKFLOW.apply(event, "cancel", actor=actor, data={"reason": reason})


def add_question(event: Event, *, label: str, kind: QuestionKind, choices: str | None, required: bool, actor) -> EventQuestion:
    require(actor, "events.manage", event)
    label = (label or "").strip()
    if not label:
        raise ValidationError(_("Indiquez la question."), field="label")
    if kind == QuestionKind.choice and len([c for c in (choices or "").splitlines() if c.strip()]) < 2:
        raise ValidationError(_("Indiquez au moins deux choix, un par ligne."), field="choices")
    position = 1 + max((q.position for q in event.questions), default=0)
    question = EventQuestion(event=event, position=position, label=label[:200], kind=kind,
                             choices=choices if kind == QuestionKind.choice else None, required=required)
    db.session.add(question)
    db.session.flush()
    record("event.question_added", event, actor, {"question": label})
    return question


def remove_question(question: EventQuestion, *, actor) -> None:
    event = question.event
    require(actor, "events.manage", event)
    event.questions.remove(question)
    record("event.question_removed", event, actor, {"question": question.label})


# ---------------------------------------------------------------------------
# Places


def _holding(now: datetime):
    """Registrations that take a place now: confirmed ones, and held or offered ones before their deadline."""
    return sa.or_(
        Registration.state == RegistrationState.confirmed,
        sa.and_(Registration.state.in_([RegistrationState.held, RegistrationState.offered]), Registration.hold_until > now),
    )


def places_taken(event: Event, now: datetime | None = None) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(1 + Registration.guests), 0)).where(
            Registration.event_id == event.id, _holding(now or utcnow())
        )
    )


def counts_by_state(event: Event) -> dict[RegistrationState, int]:
    """Registrations (not places) of the event by state, in one query."""
    rows = db.session.execute(
        sa.select(Registration.state, sa.func.count(Registration.id)).where(Registration.event_id == event.id).group_by(Registration.state)
    ).all()
    counts = dict.fromkeys(RegistrationState, 0)
    counts.update({state: n for state, n in rows})
    return counts


def places_left(event: Event, now: datetime | None = None) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - places_taken(event, now), 0)


def registration_refusal(event: Event, now: datetime | None = None) -> str | None:
    """Why nobody can register now, or ``None``."""
    now = now or utcnow()
    if event.state == EventState.cancelled:
        return _("Cet événement est annulé.")
    if event.state != EventState.published:
        return _("Cet événement n'est pas encore publié.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Les inscriptions ne sont pas encore ouvertes.")
    if now >= (event.registration_closes_at or event.starts_at):
        return _("Les inscriptions sont closes.")
    return None


def _new_code() -> str:
    """A short code (40 bits): unique by the column's constraint, drawn again in the rare case it is taken."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _unused in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(value: str) -> str:
    raw = "".join(c for c in (value or "").upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:8]}" if len(raw) == 8 else (value or "").strip().upper()


def _hold_hours() -> int:
    return current_app.config.get("EVENTS_UNCONFIRMED_HOLD_HOURS", 2)


def _check_answers(event: Event, answers: dict) -> dict:
    cleaned = {}
    for question in event.questions:
        value = answers.get(str(question.id))
        value = value.strip() if isinstance(value, str) else value
        field = f"q_{question.id}"
        if value in (None, ""):
            if question.required:
                raise ValidationError(_("Répondez à cette question."), field=field)
            continue
        if question.kind == QuestionKind.choice and value not in question.choice_list:
            raise ValidationError(_("Choisissez une des réponses proposées."), field=field)
        if question.kind == QuestionKind.yesno and value not in ("oui", "non"):
            raise ValidationError(_("Répondez par oui ou par non."), field=field)
        cleaned[str(question.id)] = str(value)[:500]
    return cleaned


def register(event: Event, *, actor, name: str | None = None, email: str | None = None, guests: int = 0,
             answers: dict | None = None, accessibility_needs: str | None = None, now: datetime | None = None) -> Registration:
    """Register ``actor`` (an account) or, without one, ``name`` and ``email``.

    Without an account, an address already registered gets its registration back
    (and a fresh link by mail), so that the answer reveals nothing.

    With a free place the registration is confirmed (an account) or held
    while the address is confirmed by the mailed link; otherwise it joins
    the waiting list, if the event has one and it is not full.
    """
    from participation.accounts.services import normalise_email

    now = now or utcnow()
    require(actor, "events.register", event)
    refusal = registration_refusal(event, now)
    if refusal:
        raise DomainError(refusal)
    user = actor if getattr(actor, "is_authenticated", False) and actor is not SYSTEM else None
    if user is None and event.requires_account:
        raise PermissionDenied(_("Connectez-vous pour vous inscrire à cet événement."))
    if user is not None:
        address, name = user.email, user.display_name
    else:
        address, name = normalise_email(email), (name or "").strip()
        if not name:
            raise ValidationError(_("Indiquez votre nom."), field="name")
        if not address or "@" not in address:
            raise ValidationError(_("Indiquez une adresse électronique valide, par exemple nom@exemple.fr."), field="email")
    guests = int(guests or 0)
    if guests < 0 or guests > event.max_guests:
        message = _("Cet événement n'accepte pas d'accompagnant.") if not event.max_guests else ngettext("%(num)d accompagnant au plus.", "%(num)d accompagnants au plus.", event.max_guests)
        raise ValidationError(message, field="guests")
    cleaned = _check_answers(event, answers or {})

    # Places are counted one registration at a time: the event's row is held until the commit, and an address
    # already registered is looked for first (it is told so, not that the event is full). Without a capacity
    # nothing is counted: registrations run side by side, and the unique index on a live address finds the
    # address already registered (two requests for one address at once included).
    counted = event.capacity is not None
    if counted:
        lock_row(Event, event.id)
        existing = _live_registration_id(event, address)
        if existing is not None:
            return _already_registered(event, user, existing)

    seats = 1 + guests
    # Without a capacity the places taken need not be summed (a sum over every registration).
    taken = places_taken(event, now) if counted else 0
    if not counted or taken + seats <= event.capacity:
        state = RegistrationState.confirmed if user else RegistrationState.held
    elif event.waiting_list_enabled and (event.waiting_list_cap is None or _waiting_count(event) < event.waiting_list_cap):
        state = RegistrationState.waiting
    else:
        raise DomainError(_("Cet événement est complet.") if event.capacity >= seats or taken else
                          _("Il ne reste pas assez de places pour vous et vos accompagnants."))
    values = dict(
        event_id=event.id,
        user_id=getattr(user, "id", None),
        email=address,
        name=name[:120],
        guests=guests,
        answers=cleaned,
        accessibility_needs=(accessibility_needs or "").strip()[:2000] or None,
        email_confirmed_at=now if user else None,
        confirmed_at=now if state == RegistrationState.confirmed else None,
        hold_until=None if user else now + timedelta(hours=_hold_hours()),
        state=state,
        created_at=now,
    )
    for _attempt in range(3):
        # A unique index refuses it when its address already has a live registration for the event (another
        # request for it at the same moment included), or when its code was drawn before: skipped, no savepoint.
        registration = append_row(db.session, Registration, {**values, "code": _new_code()}, skip_conflicts=True)
        if registration is not None:
            break
        existing = _live_registration_id(event, address)
        if existing is not None:
            return _already_registered(event, user, existing)
        # Refused for its code, already given to another registration: another one is drawn.
    else:
        raise RuntimeError("Trois codes d'inscription tirés, tous déjà pris.")
    # The subscribers read the event: given, not loaded (and not a change to flush).
    sa.orm.attributes.set_committed_value(registration, "event", event)
    record("registration.created", registration, user, {"state": state, "event_id": event.id})
    if state != RegistrationState.waiting:
        _capacity_alerts(event, taken, taken + seats)
    return registration


def _live_registration_id(event: Event, address: str) -> int | None:
    return db.session.scalar(
        sa.select(Registration.id).where(Registration.event_id == event.id, Registration.email == address,
                                         Registration.state.in_(ACTIVE_STATES))
    )


def _already_registered(event: Event, user, registration_id: int) -> Registration:
    if user is not None:
        raise ValidationError(_("Une inscription à cet événement existe déjà pour cette adresse."))
    # Without an account, saying so would tell anyone whether an address is registered: the
    # registrant is sent a fresh link to their registration instead, and the page says the same as for a new one.
    registration = db.session.get(Registration, registration_id)
    record("registration.link_requested", registration, None, {"event_id": event.id})
    return registration


def _waiting_count(event: Event) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(Registration.event_id == event.id, Registration.state == RegistrationState.waiting)
    )


def _capacity_alerts(event: Event, before: int, after: int) -> None:
    if not event.capacity:
        return
    for threshold in CAPACITY_ALERTS:
        limit = event.capacity * threshold / 100
        if before < limit <= after:
            record("event.capacity_reached", event, None, {"threshold": threshold, "capacity": event.capacity, "taken": after})


def registration_by_token(raw: str) -> Registration:
    registration = db.session.scalar(sa.select(Registration).where(Registration.token_hash == token_digest(raw)))
    if registration is None:
        raise DomainError(_("Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse en entier."))
    return registration


def confirm_address(registration: Registration, *, now: datetime | None = None) -> Registration:
    """The registrant opened the mailed link: a held place becomes theirs; on the waiting list, they now count."""
    now = now or utcnow()
    if registration.email_confirmed_at is not None:
        raise DomainError(_("Votre adresse est déjà confirmée."))
    if registration.state not in (RegistrationState.held, RegistrationState.waiting) or (
        registration.hold_until and registration.hold_until <= now
    ):
        raise DomainError(_("Ce lien a expiré : la place n'a pas été gardée. Vous pouvez vous inscrire à nouveau s'il en reste."))
    lock_row(Event, registration.event_id)
    registration.email_confirmed_at = now
    registration.hold_until = None
    if registration.state == RegistrationState.held:
        registration.confirmed_at = now
        REGISTRATION_WORKFLOW.apply(registration, "confirm", actor=None)
    else:
        record("registration.address_confirmed", registration, None, {})
        fill_places(registration.event, now=now)
    return registration


def accept_offer(registration: Registration, *, actor, now: datetime | None = None) -> None:
    now = now or utcnow()
    if actor is not None:
        require(actor, "events.cancel_registration", registration)
    if registration.state == RegistrationState.offered and registration.hold_until and registration.hold_until <= now:
        raise DomainError(_("Le délai pour accepter cette place est passé."))
    registration.hold_until = None
    registration.confirmed_at = now
    REGISTRATION_WORKFLOW.apply(registration, "accept", actor=actor)


def cancel_registration(registration: Registration, *, actor, now: datetime | None = None) -> None:
    """Cancel; the places it held go to the first of the waiting list. ``actor=None``: by the mailed link."""
    if actor is not None:
        require(actor, "events.cancel_registration", registration)
    lock_row(Event, registration.event_id)
    registration.cancelled_at = now or utcnow()
    REGISTRATION_WORKFLOW.apply(registration, "cancel", actor=actor)
    fill_places(registration.event, now=now)


def fill_places(event: Event, *, now: datetime | None = None) -> list[Registration]:
    """Give free places to the waiting list, first come first served.

    A waiting registration whose address is unconfirmed is passed over; one
    that needs more places than are free is passed over too (the next may
    fit). With ``promotion_needs_confirmation`` the place is offered for
    ``promotion_hours``; otherwise it is given at once. Call under the event's lock.
    """
    now = now or utcnow()
    if event.state != EventState.published or now >= event.starts_at:
        return []
    free = None if event.capacity is None else event.capacity - places_taken(event, now)
    if free is not None and free <= 0:
        return []
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.state == RegistrationState.waiting,
               Registration.email_confirmed_at.is_not(None))
        .order_by(Registration.created_at, Registration.id)
        .limit(200)
    ).all()
    promoted = []
    before = None if free is None else event.capacity - free
    for registration in waiting:
        if free is not None and registration.seats > free:
            continue
        if event.promotion_needs_confirmation:
            registration.hold_until = now + timedelta(hours=event.promotion_hours)
            REGISTRATION_WORKFLOW.apply(registration, "offer", actor=None)
        else:
            registration.confirmed_at = now
            REGISTRATION_WORKFLOW.apply(registration, "promote", actor=None)
        promoted.append(registration)
        if free is not None:
            free -= registration.seats
            if free <= 0:
                break
    if promoted and before is not None:
        _capacity_alerts(event, before, event.capacity - free)
    return promoted


def release_expired(*, now: datetime | None = None) -> int:
    """Held places whose address was not confirmed and offers not taken in
    time expire; their places go to the next. Returns how many expired."""
    now = now or utcnow()
    stale = db.session.scalars(
        sa.select(Registration)
        .where(Registration.state.in_([RegistrationState.held, RegistrationState.offered, RegistrationState.waiting]),
               Registration.hold_until.is_not(None), Registration.hold_until <= now)
        .order_by(Registration.event_id, Registration.id)
        .limit(500)
    ).all()
    events = {}
    for registration in stale:
        lock_row(Event, registration.event_id)
        REGISTRATION_WORKFLOW.apply(registration, "expire", actor=None)
        events[registration.event_id] = registration.event
    for event in events.values():
        fill_places(event, now=now)
    return len(stale)


# ---------------------------------------------------------------------------
# On the day, and writing to registrants


def mark_attendance(registration: Registration, attendance: Attendance, *, actor) -> None:
    require(actor, "events.check_in", registration.event)
    if registration.state != RegistrationState.confirmed:
        raise DomainError(_("Seule une inscription confirmée se pointe."))
    if registration.attendance != attendance:
        registration.attendance = attendance
        record("registration.attendance_marked", registration, actor, {"attendance": attendance})


def message_registrants(event: Event, *, subject: str, body: str, include_waiting: bool, actor):
    require(actor, "events.manage", event)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ValidationError(_("Indiquez l'objet du message."), field="subject")
    if not body:
        raise ValidationError(_("Écrivez le message."), field="body")
    return record("event.message_sent", event, actor, {"subject": subject[:200], "body": body, "include_waiting": include_waiting})


def registrants(event: Event, *, states=(RegistrationState.confirmed, RegistrationState.offered, RegistrationState.held)):
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.state.in_(states)).order_by(Registration.id)
    ).all()


def search_registrations(event: Event, query: str | None, *, states=None):
    """A ``select`` of the event's registrations matching a name or code, for pagination."""
    statement = sa.select(Registration).where(Registration.event_id == event.id)
    if states:
        statement = statement.where(Registration.state.in_(states))
    query = (query or "").strip()
    if query:
        code = normalise_code(query)
        pattern = f"%{query.lower()}%"
        statement = statement.where(sa.or_(Registration.code == code, sa.func.lower(Registration.name).like(pattern),
                                           Registration.email.like(pattern)))
    return statement.order_by(Registration.name, Registration.id)


def registration_of(event: Event, user) -> Registration | None:
    """The person's live registration to the event, if any."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(_registration_of_statement(), {"event": event.id, "user": user.id})


@functools.cache
def _registration_of_statement():
    # Built once: an event's page asks it for every signed-in reader, and building it cost more than running it.
    return sa.select(Registration).where(Registration.event_id == sa.bindparam("event"), Registration.user_id == sa.bindparam("user"),
                                         Registration.state.in_(ACTIVE_STATES))


def can_manage(user, registration) -> bool:
    return can(user, "events.cancel_registration", registration)


def new_token(registration: Registration) -> str:
    """A new link for a registration made without an account; the previous one stops working."""
    raw = make_token()
    registration.token_hash = token_digest(raw)
    return raw
