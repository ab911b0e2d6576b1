"""Events of the participation kind as processes of the register (see ``participation/processes/sources.py``).

Not every event is a participatory process (a training, a ceremony): staff
pick, among the published events, those the register lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from participation.agenda.sources import linked_ids
from participation.core.dates import utc_to_local
from participation.events.models import Attendance, Event, EventState, Registration, RegistrationState, event_communes, event_themes
from participation.extensions import db
from participation.processes.sources import PlatformProcess, path, register_process_source
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_process_source("event", _l("Événement participatif"), automatic=False)
def events(ids: list[int] | None) -> list[PlatformProcess]:
    """Published events (only ``ids`` when given), with registrations and attendance: four queries."""
    statement = sa.select(Event).where(Event.state == EventState.published).order_by(Event.starts_at.desc(), Event.id)
    statement = statement.options(sa.orm.lazyload("*"))
    if ids is not None:
        statement = statement.where(Event.id.in_(ids))
    else:
        statement = statement.limit(200)
    items = db.session.scalars(statement).all()
    if not items:
        return []
    item_ids = [e.id for e in items]
    present = sa.func.sum(sa.case((Registration.attendance == Attendance.present, 1 + Registration.guests), else_=0))
    counts = {
        eid: (int(registered or 0), int(came or 0))
        for eid, registered, came in db.session.execute(
            sa.select(Registration.event_id, sa.func.sum(1 + Registration.guests), present)
            .where(Registration.event_id.in_(item_ids), Registration.state == RegistrationState.confirmed)
            .group_by(Registration.event_id)
        )
    }
    communes = linked_ids(event_communes, "event_id", "commune_id", item_ids)
    themes = linked_ids(event_themes, "event_id", "theme_id", item_ids)
    result = []
    for e in items:
        registered, came = counts.get(e.id, (0, 0))
        result.append(PlatformProcess(
            source_id=e.id, title=e.title, method="public_meeting", url=path("events.show", event_id=e.id),
            starts_on=utc_to_local(e.starts_at).date(), ends_on=utc_to_local(e.ends_at).date(),
            participants=came or registered,
            figures=((_("Inscrits"), registered), (_("Présents"), came)),
            commune_ids=communes.get(e.id, frozenset()), theme_ids=themes.get(e.id, frozenset()),
        ))
    return result
