"""The register's figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.processes.models import LeaderKind, Method, Process, ProcessState, Uptake, process_communes
from participation.staff.indicators import Figure, IndicatorQuery, register_indicator


@register_indicator("processes", "Démarches participatives", order=70)
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
        Figure("processes_by_leader", "Démarches de l'année par porteur", ("Porteur", "Démarches", "Participants"), by(0, LeaderKind),
               summary=[("Démarches", str(sum(r[3] for r in rows))), ("Participants", str(sum(int(r[4]) for r in rows)))]),
        Figure("processes_by_method", "Démarches de l'année par méthode", ("Méthode", "Démarches", "Participants"),
               [row for row in by(1, Method) if row[1]] or [(Method.other.label, 0, 0)]),
        Figure("processes_uptake", "Prise en compte des résultats des démarches de l'année", ("Prise en compte", "Démarches"),
               [(label, n) for label, n, _ in by(2, Uptake)]),
    ]
