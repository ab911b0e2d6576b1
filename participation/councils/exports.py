"""The councils' export: members and their attendance over a period (see ``participation/staff/exports.py``)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from participation.core.dates import local_to_utc
from participation.councils.models import Attendance, College, Council, Membership, MembershipState, Sitting, SittingState
from participation.extensions import db
from participation.staff.exports import Export, register_export
from participation.staff.indicators import percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _councils():
    return [(cid, name) for cid, name in db.session.execute(sa.select(Council.id, Council.name).order_by(Council.name))]


def _rows(council_id: int, start: date | None, end: date | None):
    """Every member who sat in the period, with the sittings held then and their attendance: two queries."""
    from datetime import datetime, time, timedelta

    if db.session.get(Council, council_id) is None:
        return None
    held = [Sitting.council_id == council_id, Sitting.state == SittingState.published]
    if start:
        held.append(Sitting.starts_at >= local_to_utc(datetime.combine(start, time())))
    if end:
        held.append(Sitting.starts_at < local_to_utc(datetime.combine(end + timedelta(days=1), time())))
    came = sa.func.sum(sa.case((Attendance.attended.is_(True), 1), else_=0))
    convened = sa.func.count(Attendance.id)
    represented = sa.func.sum(sa.case((Attendance.answer == "represented", 1), else_=0))
    counts = {mid: (int(n), int(c or 0), int(r or 0)) for mid, n, c, r in db.session.execute(
        sa.select(Attendance.membership_id, convened, came, represented).join(Sitting, Sitting.id == Attendance.sitting_id)
        .where(*held).group_by(Attendance.membership_id))}
    sat = [Membership.council_id == council_id, Membership.state.in_([MembershipState.active, MembershipState.ended])]
    if end:
        sat.append(sa.or_(Membership.start_date.is_(None), Membership.start_date <= end))
    if start:
        sat.append(sa.or_(Membership.end_date.is_(None), Membership.end_date >= start))
    members = db.session.execute(
        sa.select(Membership.id, Membership.name, College.name, Membership.role, Membership.start_date, Membership.end_date,
                  Membership.organisation)
        .join(College, College.id == Membership.college_id).where(*sat).order_by(Membership.name, Membership.id)
    ).all()
    header = (_("Nom"), _("Collège"), _("Fonction"), _("Structure"), _("Début du mandat"), _("Fin du mandat"), _("Séances convoquées"), _("Présences"),
              _("Procurations données"), _("Taux de présence"))
    rows = []
    for mid, name, college, role, began, ended, organisation in members:
        n, c, r = counts.get(mid, (0, 0, 0))
        rows.append((name, college, role.label, organisation or "", began.isoformat() if began else "", ended.isoformat() if ended else "",
                     n, c, r, percent(c, n)))
    return header, rows


register_export(Export(
    key="council_attendance", title=_l("Membres d'un conseil et leur présence"),
    description=_l("Les membres qui ont siégé pendant la période, les séances auxquelles ils étaient convoqués, leurs présences et procurations."),
    permission="councils.manage", choice_label=_l("Conseil"), choices=_councils, rows=_rows, uses_period=True,
))
