"""Councils in the public API: the councils a visitor sees and their public sittings with their agendas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, Filter, register_resource
from participation.councils import services
from participation.councils.models import Council, Sitting
from participation.events.api import day_end, day_start
from participation.territory.api import ThemeRef, theme_ref


class CouncilOut(ApiModel):
    id: int
    name: str
    slug: str
    kind: Literal["development", "citizen", "other"]
    kind_label: str
    state: Literal["published", "archived"]
    purpose: str = Field(description="Sa raison d'être, en Markdown.")
    mandate_start: date | None
    mandate_end: date | None
    url: str


class AgendaPoint(ApiModel):
    position: int
    title: str
    description: str | None


class SittingOut(ApiModel):
    id: int
    council_id: int
    title: str
    kind: str
    state: Literal["published", "cancelled"]
    starts_at: datetime
    ends_at: datetime | None
    place: str | None
    video_url: str | None
    theme: ThemeRef | None
    agenda: list[AgendaPoint] = Field(description="L'ordre du jour.")
    url: str


def _council(c: Council) -> dict:
    return {"id": c.id, "name": c.name, "slug": c.slug, "kind": c.kind.value, "kind_label": c.kind.label, "state": c.state.value,
            "purpose": c.purpose, "mandate_start": c.mandate_start, "mandate_end": c.mandate_end,
            "url": url_for("councils.council", slug=c.slug, _external=True)}


def _sittings(council_id=None, since=None, until=None):
    statement = services.public_sittings(council_id=council_id)
    if since is not None:
        statement = statement.where(Sitting.starts_at >= day_start(since))
    if until is not None:
        statement = statement.where(Sitting.starts_at < day_end(until))
    return statement


def _sitting(s: Sitting) -> dict:
    return {
        "id": s.id, "council_id": s.council_id, "title": s.title, "kind": s.kind.value, "state": s.state.value, "starts_at": s.starts_at,
        "ends_at": s.ends_at, "place": s.place, "video_url": s.video_url, "theme": theme_ref(s.theme) if s.theme else None,
        "agenda": [{"position": i.position, "title": i.title, "description": i.description} for i in s.items],
        "url": url_for("councils.sitting", slug=s.council.slug, sitting_id=s.id, _external=True),
    }


register_resource(
    "councils", _l("Conseils"), CouncilOut, tags=("councils",), order=10,
    description=_l("Les conseils (de développement, citoyens…) publiés ou archivés, par nom."),
    query=lambda: services.public_councils(), to_dict=_council, id_column=Council.id, sort=Council.name, ascending=True,
    modified="updated_at",
)

register_resource(
    "sittings", _l("Séances publiques des conseils"), SittingOut, tags=("councils",), order=11,
    description=_l("Les séances publiques annoncées des conseils, de la plus tardive à la plus ancienne, avec leur ordre du jour."),
    query=_sittings, to_dict=_sitting, id_column=Sitting.id, sort=Sitting.starts_at,
    filters=[Filter("council", int, _l("Celles de ce conseil (identifiant)."), keyword="council_id"),
             Filter("from", date, _l("Celles de ce jour ou après (AAAA-MM-JJ)."), keyword="since"),
             Filter("to", date, _l("Celles de ce jour ou avant (AAAA-MM-JJ)."), keyword="until")],
)
