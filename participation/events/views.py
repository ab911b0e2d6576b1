"""Event pages: the public list and pages, registration; the back office under /gestion/evenements."""

from __future__ import annotations

import csv
import functools
import io
import json

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from participation.core import holes
from participation.core.pagecache import cached_page
from participation.core.french import de
from participation.core.dates import utc_to_local
from participation.agenda.ical import build_calendar
from participation.core.errors import DomainError, PermissionDenied
from participation.core.locking import begin_writing
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.core.urls import external_url
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate, render_error
from participation.events import services
from participation.events.agenda import event_item
from participation.events.forms import (
    AttendanceForm,
    ButtonForm,
    CancelEventForm,
    EventForm,
    MessageForm,
    QuestionForm,
    answers_of,
    registration_form,
)
from participation.events.models import EVENT_WORKFLOW, Attendance, Event, EventQuestion, EventState, QuestionKind, Registration, RegistrationState
from participation.events.qr import qr_svg
from participation.extensions import auth_limit, db, limiter
from flask_babel import gettext as _

bp = Blueprint("events", __name__, url_prefix="/evenements")
staff_bp = Blueprint("events_staff", __name__, url_prefix="/gestion/evenements")
EXTRA_BLUEPRINTS = ("staff_bp",)


def _is_registrant(registration) -> bool:
    return registration is not None and current_user.is_authenticated and registration.user_id == current_user.id


# ---------------------------------------------------------------------------
# Public pages


@bp.route("/")
@cached_page(tags=("events",))
def index():
    past = request.args.get("passes") == "1"
    now = utcnow()
    statement = services.public_events()
    statement = statement.where(Event.ends_at <= now).order_by(Event.starts_at.desc()) if past else \
        statement.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    page = paginate(statement)
    return render_template("events/index.html", page=page, past=past)


def _json_ld(event: Event) -> str:
    """schema.org Event, for search engines and calendar tools."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "eventStatus": "https://schema.org/EventCancelled" if event.state == EventState.cancelled else "https://schema.org/EventScheduled",
        "url": external_url("events.show", event_id=event.id),
        "description": (event.description or "")[:500],
        "organizer": {"@type": "GovernmentOrganization", "name": _territory_name()},
    }
    if event.place_name and event.online_url:
        data["eventAttendanceMode"] = "https://schema.org/MixedEventAttendanceMode"
    elif event.online_url:
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
    else:
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
    locations = []
    if event.place_name:
        locations.append({"@type": "Place", "name": event.place_name, "address": event.address or event.place_name})
    if event.online_url:
        locations.append({"@type": "VirtualLocation", "url": event.online_url})
    data["location"] = locations[0] if len(locations) == 1 else locations
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
    # Escaped so that the text can never close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _territory_name() -> str:
    from participation.territory.services import current_territory

    return current_territory().name


@bp.route("/<int:event_id>")
@cached_page(tags=("events",))
def show(event_id: int):
    event = get_or_404(Event, event_id)
    require(current_user, "events.view", event)
    return render_template("events/show.html", event=event, json_ld=_json_ld(event))


@holes.person_part("event")
def _personal_part(about: str):
    """A part of an event's page for the person asking: their registration or the way to register
    (``registration``), the link to manage it for staff (``manage``)."""
    event_id, _unused, part = about.partition(".")
    event = holes.part_subject(Event, event_id)
    if part != "registration":
        return render_template("events/_event_personal.html", part=part, event=event)
    registration = services.registration_of(event, current_user)
    return render_template(
        "events/_event_personal.html",
        part=part,
        event=event,
        registration=registration,
        qr=qr_svg(registration.code, label=_("Code d'inscription %(code)s", code=registration.code)) if registration and registration.state == RegistrationState.confirmed else None,
        places_left=services.places_left(event),
        refusal=services.registration_refusal(event),
    )


@bp.route("/<int:event_id>.ics")
@cached_page(tags=("events",))
def ical(event_id: int):
    event = get_or_404(Event, event_id)
    require(current_user, "events.view", event)
    body = build_calendar([event_item(event)], name=event.title)
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": f"attachment; filename=\"evenement-{event.id}.ics\""})


def _account_or_reading() -> bool:
    """Only a stranger posting the form is rate-limited: each post may send a mail."""
    return request.method != "POST" or current_user.is_authenticated


@functools.cache
def _registering() -> tuple:
    # Registering needs the questions (read with the event: one query), not the themes or communes (read only if
    # the form is shown again). Built once: options built anew at each request pay for their cache key each time.
    return (sa.orm.joinedload(Event.questions), sa.orm.lazyload(Event.themes), sa.orm.lazyload(Event.communes))


@bp.route("/<int:event_id>/inscription", methods=["GET", "POST"])
@limiter.limit(auth_limit, exempt_when=_account_or_reading)
def register(event_id: int):
    if request.method == "POST":
        # Places are counted and taken in one transaction that writes from its start (SQLite).
        begin_writing()
    event = get_or_404(Event, event_id, options=_registering() if request.method == "POST" else ())
    require(current_user, "events.view", event)
    if event.requires_account and not current_user.is_authenticated:
        flash(_("Connectez-vous pour vous inscrire à cet événement."), "info")
        return redirect(url_for("accounts.login", next=request.path))
    if services.registration_of(event, current_user) is not None:
        flash(_("Vous êtes déjà inscrit à cet événement."), "info")
        return redirect(url_for("events.show", event_id=event.id))
    form = registration_form(event, with_identity=not current_user.is_authenticated)
    if form.validate_on_submit():
        try:
            registration = services.register(
                event,
                actor=current_user,
                name=getattr(form, "name", None) and form.name.data,
                email=getattr(form, "email", None) and form.email.data,
                guests=form.guests.data if hasattr(form, "guests") else 0,
                answers=answers_of(form, event),
                accessibility_needs=form.accessibility_needs.data,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            if not current_user.is_authenticated:  # the same answer whether the address was registered or not
                flash(_("Presque fini : ouvrez le lien que nous venons de vous envoyer par courriel pour confirmer votre inscription."), "info")
            elif registration.state == RegistrationState.waiting:
                flash(_("L'événement est complet : vous êtes sur la liste d'attente. Nous vous écrirons si une place se libère."), "info")
            else:
                flash(_("Votre inscription est confirmée. Un courriel de confirmation vous est envoyé."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/register.html", event=event, form=form, refusal=services.registration_refusal(event),
                           places_left=services.places_left(event)), form_status(form)


@bp.route("/<int:event_id>/mon-inscription/<action>", methods=["POST"])
@login_required
def my_registration(event_id: int, action: str):
    event = get_or_404(Event, event_id)
    registration = services.registration_of(event, current_user)
    if registration is None:
        abort(404)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if action == "annuler":
        services.cancel_registration(registration, actor=current_user)
        flash(_("Votre inscription est annulée."), "success")
    elif action == "accepter":
        services.accept_offer(registration, actor=current_user)
        flash(_("Votre place est confirmée."), "success")
    else:
        abort(404)
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/inscription/<token>", methods=["GET"])
def manage(token: str):
    try:
        registration = services.registration_by_token(token)
    except DomainError as error:
        return render_error(404, error.message)
    qr = qr_svg(registration.code, label=_("Code d'inscription %(code)s", code=registration.code)) if registration.state == RegistrationState.confirmed else None
    return render_template("events/manage.html", registration=registration, event=registration.event, token=token, form=ButtonForm(), qr=qr)


@bp.route("/inscription/<token>/<action>", methods=["POST"])
def manage_action(token: str, action: str):
    begin_writing()
    try:
        registration = services.registration_by_token(token)
    except DomainError as error:
        return render_error(404, error.message)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if action == "confirmer":
        services.confirm_address(registration)
        flash(_("Votre adresse est confirmée.") + (_(" Votre inscription est confirmée.") if registration.state == RegistrationState.confirmed
                                                else _(" Vous êtes sur la liste d'attente.")), "success")
    elif action == "accepter":
        services.accept_offer(registration, actor=None)
        flash(_("Votre place est confirmée."), "success")
    elif action == "annuler":
        services.cancel_registration(registration, actor=None)
        flash(_("Votre inscription est annulée."), "success")
    else:
        abort(404)
    return redirect(url_for("events.manage", token=token))


# ---------------------------------------------------------------------------
# Back office


staff_bp.register_error_handler(PermissionDenied, forbidden_page)


def _staff_event(event_id: int) -> Event:
    event = get_or_404(Event, event_id)
    require(current_user, "events.manage", event)
    return event


def _event_form(event: Event | None = None) -> EventForm:
    from participation.territory.models import Commune, Theme

    form = EventForm(obj=None if request.method == "POST" or event is None else event)
    if request.method == "GET" and event is not None:
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            getattr(form, name).data = utc_to_local(getattr(event, name))
        form.themes.data = [t.id for t in event.themes]
        form.communes.data = [c.id for c in event.communes]
    themes = db.session.execute(sa.select(Theme.id, Theme.name).where(Theme.archived.is_(False)).order_by(Theme.name))
    form.themes.choices = [(tid, name) for tid, name in themes]
    form.communes.choices = [(cid, name) for cid, name in db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name))]
    return form


def _chosen(form: EventForm):
    from participation.territory.models import Commune, Theme

    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(form.themes.data or []))).all()
    communes = db.session.scalars(sa.select(Commune).where(Commune.id.in_(form.communes.data or []))).all()
    return themes, communes


@staff_bp.route("/")
@login_required
def staff_index():
    require(current_user, "events.manage")
    taken = (
        sa.select(sa.func.coalesce(sa.func.sum(1 + Registration.guests), 0))
        .where(Registration.event_id == Event.id, Registration.state == RegistrationState.confirmed)
        .scalar_subquery()
    )
    waiting = (
        sa.select(sa.func.count(Registration.id))
        .where(Registration.event_id == Event.id, Registration.state == RegistrationState.waiting)
        .scalar_subquery()
    )
    from participation.core.web import paginate_rows

    page = paginate_rows(sa.select(Event, taken.label("taken"), waiting.label("waiting"))
                         .options(sa.orm.lazyload(Event.themes), sa.orm.lazyload(Event.communes), sa.orm.lazyload(Event.questions))
                         .order_by(Event.starts_at.desc(), Event.id.desc()))
    return render_template("events/staff/index.html", page=page)


@staff_bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "events.manage")
    form = _event_form()
    if form.validate_on_submit():
        themes, communes = _chosen(form)
        try:
            event = services.create_event(form.values(), themes=themes, communes=communes, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'événement est créé en brouillon. Ajoutez des questions si besoin, puis publiez-le."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/form.html", form=form, event=None), form_status(form)


@staff_bp.route("/<int:event_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = _staff_event(event_id)
    form = _event_form(event)
    if form.validate_on_submit():
        themes, communes = _chosen(form)
        try:
            services.update_event(event, form.values(), themes=themes, communes=communes, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'événement est enregistré."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/form.html", form=form, event=event), form_status(form)


@staff_bp.route("/<int:event_id>")
@login_required
def detail(event_id: int):
    event = _staff_event(event_id)
    form = ButtonForm()
    state = request.args.get("etat")
    states = [RegistrationState(state)] if state in RegistrationState._value2member_map_ else None
    page = paginate(services.search_registrations(event, request.args.get("q"), states=states).options(sa.orm.lazyload(Registration.event)))
    return render_template("events/staff/detail.html", event=event, page=page, counts=services.counts_by_state(event),
                           taken=services.places_taken(event), form=form, states=RegistrationState, state=state,
                           q=request.args.get("q", ""), transitions=[t.name for t in EVENT_WORKFLOW.allowed(event, current_user)],
                           question_form=QuestionForm())


@staff_bp.route("/<int:event_id>/publier", methods=["POST"])
@login_required
def publish(event_id: int):
    event = _staff_event(event_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.publish_event(event, actor=current_user)
    flash(_("L'événement est publié : il apparaît dans l'agenda et les inscriptions sont ouvertes."), "success")
    return redirect(url_for("events_staff.detail", event_id=event.id))


@staff_bp.route("/<int:event_id>/annuler", methods=["GET", "POST"])
@login_required
def cancel(event_id: int):
    event = _staff_event(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            services.cancel_event(event, reason=form.reason.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'événement est annulé ; les inscrits en sont avertis par courriel."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/cancel.html", event=event, form=form), form_status(form)


@staff_bp.route("/<int:event_id>/questions", methods=["POST"])
@login_required
def add_question(event_id: int):
    event = _staff_event(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(event, label=form.label.data, kind=QuestionKind(form.kind.data), choices=form.choices.data,
                                  required=form.required.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La question est ajoutée."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id) + "#questions")
    page = paginate(services.search_registrations(event, None))
    return render_template("events/staff/detail.html", event=event, page=page, counts=services.counts_by_state(event),
                           taken=services.places_taken(event), form=ButtonForm(), states=RegistrationState, state=None, q="",
                           transitions=[t.name for t in EVENT_WORKFLOW.allowed(event, current_user)], question_form=form), 422


@staff_bp.route("/<int:event_id>/questions/<int:question_id>/supprimer", methods=["POST"])
@login_required
def remove_question(event_id: int, question_id: int):
    event = _staff_event(event_id)
    question = get_or_404(EventQuestion, question_id)
    if question.event_id != event.id or not ButtonForm().validate_on_submit():
        abort(404)
    services.remove_question(question, actor=current_user)
    flash(_("La question est retirée."), "success")
    return redirect(url_for("events_staff.detail", event_id=event.id) + "#questions")


@staff_bp.route("/<int:event_id>/accueil")
@login_required
def check_in(event_id: int):
    event = get_or_404(Event, event_id)
    require(current_user, "events.check_in", event)
    q = request.args.get("q", "")
    page = paginate(services.search_registrations(event, q, states=[RegistrationState.confirmed]).options(sa.orm.lazyload(Registration.event)))
    counts = db.session.execute(
        sa.select(Registration.attendance, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id, Registration.state == RegistrationState.confirmed).group_by(Registration.attendance)
    ).all()
    return render_template("events/staff/check_in.html", event=event, page=page, q=q, form=AttendanceForm(),
                           attendance=dict.fromkeys(Attendance, 0) | dict(counts))


@staff_bp.route("/<int:event_id>/inscriptions/<int:registration_id>/presence", methods=["POST"])
@login_required
def mark(event_id: int, registration_id: int):
    event = get_or_404(Event, event_id)
    registration = get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    form = AttendanceForm()
    if not form.validate_on_submit():
        flash(_("Choisissez présent ou absent."), "error")
    else:
        services.mark_attendance(registration, Attendance(form.attendance.data), actor=current_user)
        flash(f"{registration.name} : {Attendance(form.attendance.data).label.lower()}.", "success")
    return redirect(url_for("events_staff.check_in", event_id=event.id, q=request.args.get("q", "")))


@staff_bp.route("/<int:event_id>/inscriptions/<int:registration_id>/annuler", methods=["POST"])
@login_required
def cancel_registration(event_id: int, registration_id: int):
    event = _staff_event(event_id)
    registration = get_or_404(Registration, registration_id)
    if registration.event_id != event.id or not ButtonForm().validate_on_submit():
        abort(404)
    services.cancel_registration(registration, actor=current_user)
    flash(_("L'inscription %(de_name)s est annulée.", de_name=de(registration.name)), "success")
    return redirect(url_for("events_staff.detail", event_id=event.id))


@staff_bp.route("/<int:event_id>/inscriptions.csv")
@login_required
def export(event_id: int):
    event = _staff_event(event_id)
    rows = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id).options(sa.orm.lazyload(Registration.event), sa.orm.lazyload(Registration.user))
        .order_by(Registration.created_at, Registration.id)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    questions = event.questions
    writer.writerow(["code", "nom", "adresse", "accompagnants", "etat", "presence", "inscrit_le", "besoins_accessibilite",
                     *[q.label for q in questions]])
    for r in rows:
        writer.writerow([r.code, r.name, r.email, r.guests, r.state.label, r.attendance.label, r.created_at.isoformat(),
                         r.accessibility_needs or "", *[(r.answers or {}).get(str(q.id), "") for q in questions]])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=\"inscriptions-evenement-{event.id}.csv\""})


@staff_bp.route("/<int:event_id>/message", methods=["GET", "POST"])
@login_required
def message(event_id: int):
    event = _staff_event(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.message_registrants(event, subject=form.subject.data, body=form.body.data, include_waiting=form.include_waiting.data,
                                         actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le message part aux inscrits."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/message.html", event=event, form=form, counts=services.counts_by_state(event)), form_status(form)
