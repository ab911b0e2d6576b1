"""The agenda citoyen in the public API: what every domain's agenda source gives for a window of days.

The agenda keeps no table: its items come from the sources (``sources.collect()``),
as on the agenda page and in its feeds. A list runs on a window (``from``,
``to``: 366 days at most); items have no page of their own (their ``url`` leads to the thing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.agenda.sources import AgendaItem, AgendaQuery, cache_tags, collect, sources
from participation.api.registry import ApiModel, Filter, register_resource
from participation.core.dates import territory_zone
from participation.events.api import day_end, day_start

DEFAULT_DAYS = 90
MAX_DAYS = 366


class AgendaEntryOut(ApiModel):
    uid: str = Field(description="L'identifiant stable de l'entrée : son genre et son numéro.")
    kind: str
    kind_label: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    place: str | None
    summary: str | None
    cancelled: bool
    theme_ids: list[int]
    commune_ids: list[int]
    url: str


@dataclass(frozen=True)
class Entry:
    entry: AgendaItem

    @property
    def cursor_key(self) -> tuple[datetime, str]:
        return (self.entry.start, self.entry.uid)


def _entries(theme_id=None, commune_id=None, kind=None, since=None, until=None) -> list[Entry]:
    since = since or datetime.now(territory_zone()).date()
    until = until or since + timedelta(days=DEFAULT_DAYS)
    if until < since or (until - since).days > MAX_DAYS:
        from participation.api.views import BadRequest

        raise BadRequest(_l("La période « from » – « to » doit aller dans l'ordre et durer %(days)s jours au plus.", days=MAX_DAYS))
    query = AgendaQuery(start=day_start(since), end=day_end(until), theme_ids=frozenset({theme_id} if theme_id else ()),
                        commune_ids=frozenset({commune_id} if commune_id else ()), kinds=frozenset({kind} if kind else ()))
    return [Entry(item) for item in collect(query)]


def _entry(wrapped: Entry) -> dict:
    item = wrapped.entry
    return {"uid": item.uid, "kind": item.kind, "kind_label": str(item.kind_label), "title": item.title, "start": item.start,
            "end": item.end, "all_day": item.all_day, "place": item.place, "summary": item.summary, "cancelled": item.cancelled,
            "theme_ids": sorted(item.theme_ids), "commune_ids": sorted(item.commune_ids), "url": request.host_url.rstrip("/") + item.url}


register_resource(
    "agenda", _l("Agenda citoyen"), AgendaEntryOut, tags=cache_tags, order=55,
    description=_l("Les rendez-vous publics de toute la plateforme (événements, séances, concertations, appels à projets…), "
                   "par date, sur une période de 90 jours à partir d'aujourd'hui si la requête n'en donne pas d'autre."),
    collect=_entries, to_dict=_entry,
    filters=[Filter("theme", int, _l("Ceux de ce thème (identifiant)."), keyword="theme_id"),
             Filter("commune", int, _l("Ceux de cette commune (identifiant)."), keyword="commune_id"),
             Filter("kind", str, _l("Ceux de ce genre."), choices=lambda: tuple(s.kind for s in sources())),
             Filter("from", date, _l("À partir de ce jour (AAAA-MM-JJ ; aujourd'hui par défaut)."), keyword="since"),
             Filter("to", date, _l("Jusqu'à ce jour inclus (AAAA-MM-JJ ; 90 jours plus tard par défaut)."), keyword="until")],
)
