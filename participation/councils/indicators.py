"""Councils' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations


import sqlalchemy as sa

from participation.core.models import utcnow
from participation.councils.models import Attendance, Council, Gender, Membership, MembershipState, Sitting, SittingState
from participation.extensions import db
from participation.staff.indicators import Figure, IndicatorQuery, percent, register_indicator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

AGE_BANDS = ((16, 29, _l("16 à 29 ans")), (30, 44, _l("30 à 44 ans")), (45, 59, _l("45 à 59 ans")), (60, 74, _l("60 à 74 ans")), (75, 200, _l("75 ans et plus")))


@register_indicator("councils", _l("Conseils et séances"), order=40)
def councils_figures(query: IndicatorQuery) -> list[Figure]:
    """Three queries: sittings held and attendance by council, members by gender, members by birth year."""
    now = utcnow()
    held = [Sitting.state == SittingState.published, Sitting.starts_at >= query.start, Sitting.starts_at < min(query.end, now)]
    came = sa.func.sum(sa.case((Attendance.attended.is_(True), 1), else_=0))
    marked = sa.func.sum(sa.case((Attendance.attended.is_not(None), 1), else_=0))
    rows = db.session.execute(
        sa.select(Council.name, sa.func.count(sa.distinct(Sitting.id)), sa.func.coalesce(came, 0), sa.func.coalesce(marked, 0))
        .join(Sitting, Sitting.council_id == Council.id).outerjoin(Attendance, Attendance.sitting_id == Sitting.id)
        .where(*held).group_by(Council.id, Council.name).order_by(Council.name)
    ).all()
    sittings = [(name, n, int(c), percent(int(c), int(m))) for name, n, c, m in rows]
    # Members in office during the year: the spread the bilan compares with the population.
    in_office = [Membership.state.in_([MembershipState.active, MembershipState.ended]),
                 sa.or_(Membership.start_date.is_(None), Membership.start_date <= query.last_day),
                 sa.or_(Membership.end_date.is_(None), Membership.end_date >= query.first_day)]
    genders = dict(db.session.execute(sa.select(Membership.gender, sa.func.count(Membership.id)).where(*in_office)
                                      .group_by(Membership.gender)).all())
    years = dict(db.session.execute(sa.select(Membership.birth_year, sa.func.count(Membership.id)).where(*in_office)
                                    .group_by(Membership.birth_year)).all())
    bands = []
    for low, high, label in AGE_BANDS:
        bands.append((label, sum(n for y, n in years.items() if y is not None and low <= query.year - y <= high)))
    bands.append((_("Âge non indiqué"), years.get(None, 0)))
    total_came, total_marked = sum(int(r[2]) for r in rows), sum(int(r[3]) for r in rows)
    return [
        Figure("sittings", _("Séances tenues et présence, par conseil"), (_("Conseil"), _("Séances tenues"), _("Présences"), _("Taux de présence")), sittings,
               summary=[(_("Séances tenues"), str(sum(r[1] for r in sittings))), (_("Taux de présence"), percent(total_came, total_marked))],
               note=_("Le taux de présence rapporte les membres venus aux présences pointées.")),
        Figure("members_gender", _("Membres des conseils en fonction dans l'année, par genre"), (_("Genre"), _("Membres")),
               [*((g.label, genders.get(g, 0)) for g in Gender), (_("Non indiqué"), genders.get(None, 0))]),
        Figure("members_age", _("Membres des conseils en fonction dans l'année, par tranche d'âge"), (_("Tranche d'âge"), _("Membres")), bands),
    ]
