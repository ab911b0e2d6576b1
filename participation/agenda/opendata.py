"""The agenda citoyen as open data: every public dated thing of the mandate (events, public sittings,
consultations' openings and closings…), as collected from the domains' agenda sources.

JSON: one schema.org ``Event`` per item (JSON-LD style, each with its ``@context``);
CSV: the same items in columns; iCalendar: the agenda's own feed (/agenda/agenda.ics).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from participation.agenda import services
from participation.agenda.sources import AgendaItem
from participation.opendata.catalogue import Dataset, Link, latest, register_dataset
from participation.opendata.formats import moment

FIELDS = ("identifiant", "type", "titre", "debut", "fin", "journee_entiere", "lieu", "description", "url", "annule", "mise_a_jour")


def _items() -> list[AgendaItem]:
    return services.mandate_items(MultiDict())


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _start_end(item: AgendaItem) -> tuple[str, str]:
    if item.all_day:
        first = services.local_date(item.start)
        last = max(services.local_date(item.end), first)
        return first.isoformat(), last.isoformat()
    return moment(item.start), moment(item.end)


def rows() -> list[dict]:
    result = []
    for item in _items():
        start, end = _start_end(item)
        result.append({
            "identifiant": item.uid, "type": item.kind_label, "titre": item.title, "debut": start, "fin": end,
            "journee_entiere": item.all_day, "lieu": item.place, "description": item.summary, "url": _absolute(item.url),
            "annule": item.cancelled, "mise_a_jour": moment(item.updated_at or item.published_at),
        })
    return result


def events() -> list[dict]:
    """Each item as a schema.org ``Event``."""
    result = []
    for item in _items():
        start, end = _start_end(item)
        event = {
            "@context": "https://schema.org",
            "@type": "Event",
            "identifier": item.uid,
            "name": item.title,
            "startDate": start,
            "endDate": end,
            "url": _absolute(item.url),
            "eventStatus": "https://schema.org/EventCancelled" if item.cancelled else "https://schema.org/EventScheduled",
            "additionalType": item.kind_label,
        }
        if item.summary:
            event["description"] = item.summary
        if item.place:
            event["location"] = {"@type": "Place", "name": item.place}
        result.append(event)
    return result


def latest_change():
    return latest(*(item.updated_at or item.published_at for item in _items()))


register_dataset(Dataset(
    slug="agenda",
    title=_l("Agenda citoyen"),
    description=_l("Les rendez-vous publics du mandat : événements, séances publiques des conseils, ouvertures et clôtures "
                   "des concertations et des questionnaires… En JSON, chaque rendez-vous est un objet d'événement du vocabulaire schema.org ; "
                   "l'agenda existe aussi au format iCalendar, pour s'y abonner depuis un agenda personnel."),
    fields=FIELDS,
    rows=rows,
    json_rows=events,
    modified=latest_change,
    keywords=("agenda", "événements", "réunions publiques", "iCalendar"),
    theme=_l("Démocratie locale"),
    links=(Link(format="iCalendar", media_type="text/calendar", endpoint="agenda.ical"),),
    order=30,
))
