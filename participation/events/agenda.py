"""The events' source for the agenda citoyen (see participation/agenda/sources.py)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm

from participation.agenda.sources import AgendaItem, AgendaQuery, linked_ids, matches_links, register_source
from participation.events.models import Event, EventState, event_communes, event_themes
from participation.extensions import db
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND, LABEL = "event", _l("Événement")


def event_item(event: Event, theme_ids=None, commune_ids=None) -> AgendaItem:
    place = ", ".join(p for p in (event.place_name, event.address) if p) or (_("En ligne") if event.online_url else None)
    summary = (event.description or "").strip()
    return AgendaItem(
        kind=KIND,
        kind_label=LABEL,
        title=event.title,
        start=event.starts_at,
        end=event.ends_at,
        url=f"/evenements/{event.id}",
        uid=f"event-{event.id}",
        place=place,
        summary=summary[:500] if summary else None,
        theme_ids=frozenset(t.id for t in event.themes) if theme_ids is None else frozenset(theme_ids),
        commune_ids=frozenset(c.id for c in event.communes) if commune_ids is None else frozenset(commune_ids),
        published_at=event.published_at,
        cancelled=event.state == EventState.cancelled,
        updated_at=event.updated_at,
    )


@register_source(KIND, LABEL)
def public_events(query: AgendaQuery) -> list[AgendaItem]:
    """Published and cancelled events overlapping the period: three queries
    (events, their themes, their communes), whatever their number."""
    statement = (
        sa.select(Event)
        .options(sa.orm.lazyload(Event.themes), sa.orm.lazyload(Event.communes), sa.orm.lazyload(Event.questions))
        .where(Event.state.in_([EventState.published, EventState.cancelled]), Event.starts_at < query.end, Event.ends_at > query.start)
        .order_by(Event.starts_at, Event.id)
    )
    if query.theme_ids:
        statement = statement.where(matches_links(Event.id, event_themes, "event_id", "theme_id", query.theme_ids))
    if query.commune_ids:
        statement = statement.where(matches_links(Event.id, event_communes, "event_id", "commune_id", query.commune_ids))
    events = db.session.scalars(statement).all()
    if not events:
        return []
    ids = [e.id for e in events]
    themes = linked_ids(event_themes, "event_id", "theme_id", ids)
    communes = linked_ids(event_communes, "event_id", "commune_id", ids)
    return [event_item(e, themes.get(e.id, ()), communes.get(e.id, ())) for e in events]
