"""Events in the public API: the published (and cancelled) events, never their registrations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, Filter, register_resource
from participation.core.dates import local_to_utc
from participation.events import services
from participation.events.models import Event
from participation.territory.api import CommuneRef, ThemeRef, commune_ref, theme_ref


class EventOut(ApiModel):
    id: int
    title: str
    description: str = Field(description="La description, en Markdown.")
    state: Literal["published", "cancelled"]
    cancellation_reason: str | None
    starts_at: datetime
    ends_at: datetime
    place_name: str | None = Field(description="Le lieu de l'événement.")
    address: str | None = Field(description="L'adresse du lieu de l'événement.")
    venue_accessibility: str | None
    online_url: str | None
    capacity: int | None
    themes: list[ThemeRef]
    communes: list[CommuneRef]
    url: str


def day_start(day: date | None) -> datetime | None:
    """Midnight of ``day`` on the territory's clock, in UTC."""
    return local_to_utc(datetime.combine(day, time())) if day is not None else None


def day_end(day: date | None) -> datetime | None:
    return day_start(day + timedelta(days=1)) if day is not None else None


def _events(theme_id=None, commune_id=None, since=None, until=None):
    return services.public_events(theme_id=theme_id, commune_id=commune_id, starts_from=day_start(since), starts_until=day_end(until))


def _event(e: Event) -> dict:
    return {
        "id": e.id, "title": e.title, "description": e.description, "state": e.state.value, "cancellation_reason": e.cancellation_reason,
        "starts_at": e.starts_at, "ends_at": e.ends_at, "place_name": e.place_name, "address": e.address,
        "venue_accessibility": e.venue_accessibility, "online_url": e.online_url, "capacity": e.capacity,
        "themes": [theme_ref(t) for t in e.themes], "communes": [commune_ref(c) for c in e.communes],
        "url": url_for("events.show", event_id=e.id, _external=True),
    }


DATE_FILTERS = [
    Filter("from", date, _l("Ceux qui finissent ce jour ou après (AAAA-MM-JJ)."), keyword="since"),
    Filter("to", date, _l("Ceux qui commencent ce jour ou avant (AAAA-MM-JJ)."), keyword="until"),
]

register_resource(
    "events", _l("Événements"), EventOut, tags=("events",), order=50,
    description=_l("Les événements publiés (et ceux annulés, avec leur motif), du plus tardif au plus ancien ; sans leurs inscrits."),
    query=_events, to_dict=_event, id_column=Event.id, sort=Event.starts_at, modified="updated_at",
    filters=[Filter("theme", int, _l("Ceux de ce thème (identifiant)."), keyword="theme_id"),
             Filter("commune", int, _l("Ceux de cette commune (identifiant)."), keyword="commune_id"), *DATE_FILTERS],
)
