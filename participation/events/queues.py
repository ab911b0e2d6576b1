"""The events' work for the back office's « what waits for me » (see ``participation/staff/queues.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import ngettext

from participation.core.models import utcnow
from participation.events.models import Event, EventState, Registration, RegistrationState
from participation.staff.queues import QueueItem, register_queue
from flask_babel import lazy_gettext as _l

# An event is « filling up » once this share of its places is taken.
FILLING_SHARE = 0.8


@register_queue("events_filling_up", _l("Événements bientôt complets"), permission="events.manage",
                url_endpoint="events_staff.staff_index", order=50,
                help=_l("Événements à venir dont 80 % des places au moins sont prises : ouvrir une salle plus grande, une autre date ?"))
def events_filling_up(user):
    now = utcnow()
    taken = (
        sa.select(sa.func.coalesce(sa.func.sum(1 + Registration.guests), 0))
        .where(Registration.event_id == Event.id, sa.or_(
            Registration.state == RegistrationState.confirmed,
            sa.and_(Registration.state.in_([RegistrationState.held, RegistrationState.offered]), Registration.hold_until > now),
        ))
        .correlate(Event).scalar_subquery()
    )
    statement = sa.select(Event, taken.label("taken")).where(
        Event.state == EventState.published, Event.starts_at > now, Event.capacity.is_not(None),
        taken >= Event.capacity * FILLING_SHARE,
    )

    def item(row) -> QueueItem:
        event, places = row
        detail = ngettext("%(num)d place prise sur %(capacity)d", "%(num)d places prises sur %(capacity)d", places,
                          capacity=event.capacity)
        return QueueItem(title=event.title, url=url_for("events_staff.detail", event_id=event.id), since=event.starts_at, detail=detail)

    return statement, Event.starts_at, item
