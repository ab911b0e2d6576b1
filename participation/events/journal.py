"""The events' and registrations' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("events", "Événements")
declare_subject("events", "événement", domain="events", url=lambda i: url_for("events_staff.detail", event_id=i))
declare_subject("registrations", "inscription", domain="events")
declare_events("events", {
    "event.created": "Événement créé",
    "event.updated": "Événement modifié",
    "event.published": "Événement publié",
    "event.canceled": "Événement annulé",
    "event.rescheduled": "Événement reprogrammé",
    "event.relocated": "Lieu de l'événement changé",
    "event.capacity_reached": "Événement complet",
    "event.message_sent": "Message envoyé aux inscrits",
    "event.question_added": "Question d'inscription ajoutée",
    "event.question_removed": "Question d'inscription retirée",
    "registration.created": "Inscription reçue",
    "registration.address_confirmed": "Adresse de l'inscription confirmée",
    "registration.link_requested": "Lien de l'inscription renvoyé",
    "registration.confirmed": "Inscription confirmée",
    "registration.promoted": "Inscription passée de la liste d'attente à une place",
    "registration.offered": "Place proposée à une personne en liste d'attente",
    "registration.accepted": "Place proposée acceptée",
    "registration.canceled": "Inscription annulée",
    "registration.expired": "Inscription expirée",
    "registration.attendance_marked": "Présence pointée",
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("registration.link_requested")
