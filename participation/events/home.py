"""The next events on the home page (see participation/pages/homepage.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.events.models import Event, EventState
from participation.extensions import db
from participation.pages.homepage import HomeLink, register_home_block


@register_home_block("events", _l("Prochains événements"), order=20, more_endpoint="events.index",
                     more_label=_l("Tous les événements"), empty=_l("Aucun événement n'est annoncé pour l'instant."))
def next_events(limit: int) -> list[HomeLink]:
    """Published events still to come, the soonest first: one query."""
    statement = (
        sa.select(Event)
        .options(sa.orm.lazyload(Event.themes), sa.orm.lazyload(Event.communes), sa.orm.lazyload(Event.questions))
        .where(Event.state == EventState.published, Event.ends_at > utcnow())
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return [
        HomeLink(e.title, url_for("events.show", event_id=e.id), when=e.starts_at,
                 detail=e.place_name or (str(_l("En ligne")) if e.online_url else None))
        for e in db.session.scalars(statement)
    ]
