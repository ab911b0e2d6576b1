"""The register's figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.processes.models import LeaderKind, Method, Process, ProcessState, Uptake, process_communes
from participation.staff.indicators import Figure, IndicatorQuery, register_indicator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_indicator("processes", _l("Démarches participatives"), order=70)
def processes_figures(query: IndicatorQuery) -> list[Figure]:
    """One query: the year's published processes by leader, method and prise en compte."""
    conditions = [Process.state == ProcessState.published, Process.starts_on >= query.first_day, Process.starts_on <= query.last_day]
    if query.commune_id:
        conditions.append(sa.or_(Process.leader_commune_id == query.commune_id,
                                 Process.id.in_(sa.select(process_communes.c.process_id).where(process_communes.c.commune_id == query.commune_id)),
                                 ~Process.id.in_(sa.select(process_communes.c.process_id))))
    rows = db.session.execute(sa.select(Process.leader_kind, Process.method, Process.uptake, sa.func.count(Process.id),
                                        sa.func.coalesce(sa.func.sum(Process.participants), 0))
                              .where(*conditions).group_by(Process.leader_kind, Process.method, Process.uptake)).all()

    def by(index, enum):
        return [(member.label, sum(r[3] for r in rows if r[index] == member), sum(int(r[4]) for r in rows if r[index] == member))
                for member in enum]

    return [
        Figure("processes_by_leader", _("Démarches de l'année par porteur"), (_("Porteur"), _("Démarches"), _("Participants")), by(0, LeaderKind),
               summary=[(_("Démarches"), str(sum(r[3] for r in rows))), (_("Participants"), str(sum(int(r[4]) for r in rows)))]),
        Figure("processes_by_method", _("Démarches de l'année par méthode"), (_("Méthode"), _("Démarches"), _("Participants")),
               [row for row in by(1, Method) if row[1]] or [(Method.other.label, 0, 0)]),
        Figure("processes_uptake", _("Prise en compte des résultats des démarches de l'année"), (_("Prise en compte"), _("Démarches")),
               [(label, n) for label, n, _unused in by(2, Uptake)]),
    ]
