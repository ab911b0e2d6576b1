"""The register of participatory processes in the public API: its published entries, with the page's filters."""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, Filter, register_resource
from participation.processes import services
from participation.processes.models import LeaderKind, Method, Process, Uptake
from participation.territory.api import CommuneRef, ThemeRef, commune_ref, theme_ref


class FigureOut(ApiModel):
    label: str
    value: str


class ProcessOut(ApiModel):
    id: int
    title: str
    summary: str
    method: str
    method_label: str
    leader_kind: str
    leader: str = Field(description="Qui porte la démarche.")
    leader_commune: CommuneRef | None
    audience: str
    starts_on: date | None
    ends_on: date | None
    participants: int | None
    figures: list[FigureOut]
    results: str = Field(description="Ce qui en est ressorti, en Markdown.")
    uptake: str = Field(description="La prise en compte des résultats.")
    uptake_label: str
    uptake_explanation: str
    uptake_url: str | None
    source_url: str | None = Field(description="La page de la démarche sur la plateforme, quand elle s'y est tenue.")
    themes: list[ThemeRef]
    communes: list[CommuneRef]
    published_at: datetime | None
    url: str


def _process(p: Process) -> dict:
    return {
        "id": p.id, "title": p.title, "summary": p.summary, "method": p.method.value, "method_label": p.method.label,
        "leader_kind": p.leader_kind.value, "leader": p.leader_name or p.leader_kind.label,
        "leader_commune": commune_ref(p.leader_commune) if p.leader_commune else None, "audience": p.audience,
        "starts_on": p.starts_on, "ends_on": p.ends_on, "participants": p.participants,
        "figures": [{"label": str(label), "value": str(value)} for label, value in (p.figures or [])],
        "results": p.results, "uptake": p.uptake.value, "uptake_label": p.uptake.label, "uptake_explanation": p.uptake_explanation,
        "uptake_url": p.uptake_url, "source_url": p.source_url, "themes": [theme_ref(t) for t in p.themes],
        "communes": [commune_ref(c) for c in p.communes], "published_at": p.published_at,
        "url": url_for("processes.show", process_id=p.id, _external=True),
    }


def _processes(commune_id=None, theme_id=None, method=None, leader=None, uptake=None, year=None):
    return services.public_processes(commune_id=commune_id, theme_id=theme_id, method=Method(method) if method else None,
                                     leader_kind=LeaderKind(leader) if leader else None, uptake=Uptake(uptake) if uptake else None,
                                     year=int(year) if year else None)


register_resource(
    "processes", _l("Registre des démarches participatives"), ProcessOut, tags=("processes",), order=85,
    description=_l("Les démarches participatives publiées au registre, de la plus récente à la plus ancienne."),
    query=_processes, to_dict=_process, id_column=Process.id, modified="updated_at",
    filters=[Filter("commune", int, _l("Celles de cette commune (identifiant)."), keyword="commune_id"),
             Filter("theme", int, _l("Celles de ce thème (identifiant)."), keyword="theme_id"),
             Filter("method", str, _l("Celles de cette méthode."), choices=tuple(m.value for m in Method)),
             Filter("leader", str, _l("Celles portées par ce type de porteur."), choices=tuple(k.value for k in LeaderKind)),
             Filter("uptake", str, _l("Celles dont la prise en compte en est là."), choices=tuple(u.value for u in Uptake)),
             Filter("year", str, _l("Celles qui ont commencé cette année-là."), choices=tuple(str(y) for y in range(2000, 2101)))],
)
