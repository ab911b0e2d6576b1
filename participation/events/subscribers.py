"""What event and registration events cause: mail to registrants, notices to staff."""

from __future__ import annotations

from flask_babel import ngettext
import sqlalchemy as sa

from participation.agenda.ical import build_calendar
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.outbox import MailStatus, OutboxMail
from participation.core.urls import external_url
from participation.events import personal_data, services  # noqa: F401  (personal_data registers its parts)
from participation.events.agenda import event_item
from participation.events.models import ACTIVE_STATES, Registration, RegistrationState
from participation.extensions import db
from participation.notifications.services import OWN_CASE, mail_address, staff_audience, tell
from participation.notifications.models import Category
from flask_babel import lazy_gettext as _l

from participation.core.i18n import lazy_join


def ics_attachment(event) -> dict:
    return {
        "filename": "evenement.ics",
        "content_type": "text/calendar; charset=utf-8; method=PUBLISH",
        "content": build_calendar([event_item(event)], name=event.title, method="PUBLISH").decode(),
    }


def _link(registration: Registration, token: str | None) -> tuple[str, str]:
    """Where the registrant manages their registration: the event page with an account, the mailed link without."""
    if registration.user_id is not None or not token:
        return external_url("events.show", event_id=registration.event_id), _l("Voir l'événement et mon inscription")
    return external_url("events.manage", token=token), _l("Voir ou annuler mon inscription")


def _mail(registration: Registration, key: str, subject: str, lines: list[str], *, token=None, link=None, attach=False) -> None:
    event = registration.event
    link_url, link_label = link or _link(registration, token)
    context = dict(
        attachments=[ics_attachment(event)] if attach else None,
        name=registration.name,
        lines=lines,
        event=event,
        code=registration.code if registration.state == RegistrationState.confirmed else None,
        link_url=link_url,
        link_label=link_label,
        attached=attach,
    )
    if registration.user is not None:
        # A registration is the person's own case: always mailed, and noted in the app.
        attachments = context.pop("attachments")
        tell(registration.user, OWN_CASE, subject, body=lazy_join(" ", lines), url=f"/evenements/{event.id}", dedup_key=key, mail_key=key,
             to=registration.email, mail_template="events/notice", attachments=attachments, mail_context=context)
        return
    mail_address(reason="own_case", to=registration.email, user=None, subject=subject, template="events/notice", dedup_key=key, **context)


# The registrant's first mail is written by the worker, not the request that registers: rendering it is
# most of a registration's cost, and the worker's pass that delivers mail writes it just before. Its
# one-time link is made then (only its digest is stored, so the request's could not be mailed later);
# the latest link is the one that works, as the mail asking again for a link says.


def _registrant_link(registration: Registration) -> str | None:
    return services.new_token(registration) if registration.user_id is None else None


@subscribe("registration.created", deferred=True)
def registration_created(event: DomainEvent) -> None:
    registration: Registration = event.subject
    key = f"{event.name}:{registration.id}"
    title = registration.event.title
    if registration.state not in ACTIVE_STATES:
        return  # cancelled or expired before the worker came: nothing to confirm
    if registration.email_confirmed_at is None:
        hours = services._hold_hours()
        lines = [_l("Pour confirmer votre inscription, ouvrez le lien ci-dessous et validez.")]
        lines.append(ngettext("Une place vous est gardée pendant %(num)d heure ; sans confirmation, elle sera proposée à d'autres.",
                              "Une place vous est gardée pendant %(num)d heures ; sans confirmation, elle sera proposée à d'autres.", hours)
                     if registration.state == RegistrationState.held else
                     ngettext("L'événement est complet : vous serez inscrit sur la liste d'attente une fois l'adresse confirmée (dans l'heure).",
                              "L'événement est complet : vous serez inscrit sur la liste d'attente une fois l'adresse confirmée (dans les %(num)d heures).",
                              hours))
        _mail(registration, key, _l("Confirmez votre inscription : %(title)s", title=title), lines,
              link=(external_url("events.manage", token=_registrant_link(registration)), _l("Confirmer mon inscription")))
    elif registration.state == RegistrationState.confirmed:
        _mail(registration, key, _l("Inscription confirmée : %(title)s", title=title), [_l("Votre inscription est confirmée.")],
              token=_registrant_link(registration), attach=True)
    elif registration.state == RegistrationState.waiting:
        _mail(registration, key, _l("Liste d'attente : %(title)s", title=title),
              [_l("L'événement est complet : vous êtes sur la liste d'attente. Nous vous écrirons si une place se libère.")],
              token=_registrant_link(registration))


@subscribe("registration.link_requested", deferred=True)
def registration_link_requested(event: DomainEvent) -> None:
    registration: Registration = event.subject
    if registration.state not in ACTIVE_STATES:
        return
    _mail(registration, f"{event.name}:{registration.id}:{event.id}", _l("Votre inscription : %(title)s", title=registration.event.title),
          [_l("Une inscription à cet événement a été demandée avec votre adresse, qui y est déjà inscrite : rien n'a changé."),
           _l("Voici un nouveau lien vers votre inscription ; les liens reçus auparavant ne fonctionnent plus."),
           _l("Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer ce courriel.")],
          link=(external_url("events.manage", token=services.new_token(registration)), _l("Voir ou annuler mon inscription")))


@subscribe("registration.confirmed", "registration.accepted")
def registration_confirmed(event: DomainEvent) -> None:
    registration: Registration = event.subject
    _mail(registration, f"{event.name}:{registration.id}", _l("Inscription confirmée : %(title)s", title=registration.event.title),
          [_l("Votre inscription est confirmée.")], attach=True)


@subscribe("registration.promoted")
def registration_promoted(event: DomainEvent) -> None:
    registration: Registration = event.subject
    _mail(registration, f"{event.name}:{registration.id}", _l("Une place s'est libérée : %(title)s", title=registration.event.title),
          [_l("Une place s'est libérée : vous passez de la liste d'attente aux inscrits. Votre inscription est confirmée.")], attach=True)


@subscribe("registration.offered")
def registration_offered(event: DomainEvent) -> None:
    registration: Registration = event.subject
    lines = [_l("Une place s'est libérée et vous est proposée."),
             _l("Confirmez-la avant le %(moment)s ; sans réponse, elle ira à la personne suivante.", moment=_moment(registration.hold_until))]
    if registration.user_id is None:
        token = services.new_token(registration)
        link = (external_url("events.manage", token=token), _l("Accepter la place"))
    else:
        link = (external_url("events.show", event_id=registration.event_id), _l("Accepter la place"))
    _mail(registration, f"{event.name}:{registration.id}:{event.id}", _l("Une place vous est proposée : %(title)s", title=registration.event.title), lines, link=link)


def _moment(value) -> str:
    from participation.core.dates import format_moment

    return format_moment(value)


def _registrants(event, states=ACTIVE_STATES) -> list[Registration]:
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.state.in_(states)).order_by(Registration.id)
    ).all()


@subscribe("event.rescheduled", "event.relocated")
def event_moved(event: DomainEvent) -> None:
    """Registrants learn the new date or place (with the new calendar file); reminders
    queued for the old date and not sent yet are dropped."""
    subject = event.subject
    if event.name == "event.rescheduled":
        db.session.execute(
            sa.delete(OutboxMail).where(OutboxMail.dedup_key.like(f"event.reminder:{subject.id}:%"),
                                        OutboxMail.status == MailStatus.pending,
                                        OutboxMail.dedup_key.not_like(f"event.reminder:{subject.id}:{subject.starts_at.isoformat()}:%"))
        )
    what = _l("la date") if event.name == "event.rescheduled" else _l("le lieu")
    for registration in _registrants(subject, (RegistrationState.confirmed, RegistrationState.offered, RegistrationState.held, RegistrationState.waiting)):
        _mail(registration, f"{event.name}:{event.id}:{registration.id}", _l("Changement : %(title)s", title=subject.title),
              [_l("Attention : %(what)s de l'événement a changé. Voici les nouvelles informations.", what=what)],
              attach=registration.state == RegistrationState.confirmed,
              link=(external_url("events.show", event_id=subject.id), _l("Voir l'événement")))


@subscribe("event.canceled", "event.cancelled")  # the workflow records « canceled »
def event_cancelled(event: DomainEvent) -> None:
    subject = event.subject
    for registration in _registrants(subject):
        _mail(registration, f"{event.name}:{event.id}:{registration.id}", _l("Événement annulé : %(title)s", title=subject.title),
              [_l("Nous sommes désolés : cet événement est annulé."), _l("Raison : %(cancellation_reason)s", cancellation_reason=subject.cancellation_reason)],
              link=(external_url("events.show", event_id=subject.id), _l("Voir l'événement")))


@subscribe("event.message_sent")
def message_sent(event: DomainEvent) -> None:
    subject = event.subject
    states = ACTIVE_STATES if event.data.get("include_waiting") else (RegistrationState.confirmed, RegistrationState.offered, RegistrationState.held)
    for registration in _registrants(subject, states):
        _mail(registration, f"{event.name}:{event.id}:{registration.id}", event.data["subject"], event.data["body"].split("\n\n"),
              link=(external_url("events.show", event_id=subject.id), _l("Voir l'événement")))


@subscribe("event.capacity_reached")
def capacity_reached(event: DomainEvent) -> None:
    subject = event.subject
    threshold = event.data["threshold"]
    title = _l("« %(title)s » est complet", title=subject.title) if threshold >= 100 else _l("« %(title)s » est rempli à %(threshold)s %%", title=subject.title, threshold=threshold)
    staff = {p.id: p for p in [subject.created_by, *staff_audience("admin")] if p is not None}
    for person in staff.values():
        tell(person, Category.staff_work, title, body=_l("%(value)s places prises sur %(value2)s.", value=event.data['taken'], value2=event.data['capacity']),
             url=f"/gestion/evenements/{subject.id}", event=event, about=subject.title,
             dedup_key=f"event-capacity:{subject.id}:{threshold}:{event.data['capacity']}")
