"""The bilan annuel de la participation.

Its figures are the indicators of the year (``participation/staff/indicators.py``,
territory-wide), its processes the register's published processes of the year
with what they produced and their prise en compte, and it links the councils'
own activity reports rather than copying them. Staff write an introduction,
highlights and perspectives. A draft shows everything live; publishing keeps a
snapshot, so that a published bilan never changes afterwards.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.extensions import db
from participation.processes.models import BILAN_WORKFLOW, Bilan, BilanState, Process, ProcessState
from flask_babel import gettext as _

SNAPSHOT_VERSION = 1


def year_processes(year: int) -> list[dict]:
    """The year's published processes, as the bilan shows them."""
    processes = db.session.scalars(
        sa.select(Process).where(Process.state == ProcessState.published, Process.starts_on >= date(year, 1, 1),
                                 Process.starts_on <= date(year, 12, 31)).order_by(Process.starts_on, Process.id)
    ).all()
    return [{
        "id": p.id, "title": p.title, "leader": p.leader_label, "method": p.method.label, "participants": p.participants,
        "starts_on": p.starts_on.isoformat() if p.starts_on else None, "uptake": p.uptake.label,
        "uptake_explanation": p.uptake_explanation, "uptake_url": p.uptake_url, "results": p.results,
        "communes": [c.name for c in p.communes], "neighbourhoods": [n.name for n in p.neighbourhoods],
    } for p in processes]


def live_content(year: int) -> dict:
    from participation.staff.indicators import IndicatorQuery, collect, related

    return {
        "version": SNAPSHOT_VERSION,
        "year": year,
        "sections": [{"key": indicator.key, "title": str(indicator.title), "figures": [f.to_dict() for f in figures]}
                     for indicator, figures in collect(IndicatorQuery(year=year))],
        "processes": year_processes(year),
        "related": [list(item) for item in related(year)],
    }


def content_of(bilan: Bilan) -> dict:
    """The snapshot of a published bilan; the live figures of a draft."""
    return bilan.snapshot if bilan.is_published and bilan.snapshot else live_content(bilan.year)


def figures_of(content: dict):
    """The snapshot's sections with their figures as ``Figure`` objects, for the templates."""
    from participation.staff.indicators import Figure

    return [(section["title"], [Figure.from_dict(f) for f in section["figures"]]) for section in content["sections"]]


def create_bilan(year: int, *, actor) -> Bilan:
    require(actor, "processes.bilan")
    if not 2000 <= year <= utcnow().year:
        raise ValidationError(_("Choisissez une année passée ou l'année en cours."), field="year")
    if db.session.scalar(sa.select(Bilan.id).where(Bilan.year == year)):
        raise ValidationError(_("Le bilan %(year)s existe déjà.", year=year), field="year")
    bilan = Bilan(year=year)
    db.session.add(bilan)
    db.session.flush()
    record("bilan.created", bilan, actor, {"year": year})
    return bilan


def edit_bilan(bilan: Bilan, *, introduction: str, highlights: str, outlook: str, actor) -> None:
    require(actor, "processes.bilan")
    if bilan.is_published:
        raise ValidationError(_("Un bilan publié ne se modifie plus."))
    bilan.introduction, bilan.highlights, bilan.outlook = introduction.strip(), highlights.strip(), outlook.strip()
    db.session.flush()
    record("bilan.edited", bilan, actor, {"year": bilan.year})


def publish_bilan(bilan: Bilan, *, actor) -> None:
    """Freeze the figures and processes, then publish."""
    refusal = BILAN_WORKFLOW.refusal(bilan, "publish", actor)
    if refusal:
        raise ValidationError(refusal)
    # Set before the transition: the database refuses a published bilan without its snapshot.
    bilan.snapshot = live_content(bilan.year)
    bilan.published_at = utcnow()
    BILAN_WORKFLOW.apply(bilan, "publish", actor=actor, data={"year": bilan.year})


def published_bilans():
    return sa.select(Bilan).where(Bilan.state == BilanState.published).order_by(Bilan.year.desc())
