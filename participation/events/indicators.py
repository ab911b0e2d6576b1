"""Events' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.events.models import Attendance, Event, EventState, Registration, RegistrationState, event_communes
from participation.extensions import db
from participation.staff.indicators import Figure, IndicatorQuery, month_rows, percent, register_indicator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_indicator("events", _l("Événements"), order=50)
def events_figures(query: IndicatorQuery) -> list[Figure]:
    """Two queries: events held by month, registrations and attendance by month."""
    month = query.month_of(Event.starts_at)
    held = [Event.state == EventState.published, Event.starts_at >= query.start, Event.starts_at < min(query.end, utcnow())]
    if query.commune_id:
        held.append(sa.or_(Event.id.in_(sa.select(event_communes.c.event_id).where(event_communes.c.commune_id == query.commune_id)),
                           ~Event.id.in_(sa.select(event_communes.c.event_id))))
    events = dict(db.session.execute(sa.select(month, sa.func.count(Event.id)).where(*held).group_by(month)).all())
    places = 1 + Registration.guests
    came = sa.func.sum(sa.case((Registration.attendance == Attendance.present, places), else_=0))
    marked = sa.func.sum(sa.case((Registration.attendance != Attendance.unknown, places), else_=0))
    registrations = {m: (int(r or 0), int(c or 0), int(k or 0)) for m, r, c, k in db.session.execute(
        sa.select(month, sa.func.sum(places), came, marked).join(Registration, Registration.event_id == Event.id)
        .where(*held, Registration.state == RegistrationState.confirmed).group_by(month))}
    months = {m: (int(events.get(m, 0)), *registrations.get(m, (0, 0, 0))[:2]) for m in range(1, 13)}
    total_came = sum(v[1] for v in registrations.values())
    total_marked = sum(v[2] for v in registrations.values())
    return [Figure("events", _("Événements tenus, inscrits et présents, par mois"), (_("Mois"), _("Événements"), _("Inscrits"), _("Présents")),
                   month_rows(months, 3), summary=[
                       (_("Événements tenus"), str(sum(events.values()))),
                       (_("Inscrits"), str(sum(v[0] for v in registrations.values()))),
                       (_("Taux de présence"), percent(total_came, total_marked))],
                   note=_("Accompagnants compris. Le taux de présence rapporte les présents aux inscrits pointés à l'accueil."))]
