"""The events' and registrations' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("events", _l("Événements"))
declare_subject("events", _l("événement"), domain="events", url=lambda i: url_for("events_staff.detail", event_id=i))
declare_subject("registrations", _l("inscription"), domain="events")
declare_events("events", {
    "event.created": _l("Événement créé"),
    "event.updated": _l("Événement modifié"),
    "event.published": _l("Événement publié"),
    "event.canceled": _l("Événement annulé"),
    "event.rescheduled": _l("Événement reprogrammé"),
    "event.relocated": _l("Lieu de l'événement changé"),
    "event.capacity_reached": _l("Événement complet"),
    "event.message_sent": _l("Message envoyé aux inscrits"),
    "event.question_added": _l("Question d'inscription ajoutée"),
    "event.question_removed": _l("Question d'inscription retirée"),
    "registration.created": _l("Inscription reçue"),
    "registration.address_confirmed": _l("Adresse de l'inscription confirmée"),
    "registration.link_requested": _l("Lien de l'inscription renvoyé"),
    "registration.confirmed": _l("Inscription confirmée"),
    "registration.promoted": _l("Inscription passée de la liste d'attente à une place"),
    "registration.offered": _l("Place proposée à une personne en liste d'attente"),
    "registration.accepted": _l("Place proposée acceptée"),
    "registration.canceled": _l("Inscription annulée"),
    "registration.expired": _l("Inscription expirée"),
    "registration.attendance_marked": _l("Présence pointée"),
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("registration.link_requested")
