"""The territory in the public API: its communes and themes (all public: the site's pages name them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, register_resource
from participation.territory import services
from participation.territory.models import Commune, Theme


class CommuneRef(ApiModel):
    id: int
    name: str = Field(description="Le nom de la commune.")
    insee_code: str = Field(description="Le code officiel géographique (INSEE).")


class ThemeRef(ApiModel):
    id: int
    name: str
    slug: str


class CommuneOut(CommuneRef):
    postal_code: str | None = Field(description="Le code postal principal.")
    population: int | None = Field(description="La population municipale.")


class ThemeOut(ThemeRef):
    description: str | None
    archived: bool = Field(description="Un thème archivé ne sert plus aux nouvelles publications.")


def commune_ref(commune: Commune) -> dict:
    return {"id": commune.id, "name": commune.name, "insee_code": commune.insee_code}


def theme_ref(theme: Theme) -> dict:
    return {"id": theme.id, "name": theme.name, "slug": theme.slug}


register_resource(
    "communes", _l("Communes"), CommuneOut, tags=(), order=1,
    description=_l("Les communes du territoire, par nom."),
    query=lambda: services.communes_query(),
    to_dict=lambda c: {**commune_ref(c), "postal_code": c.postal_code, "population": c.population},
    id_column=Commune.id, sort=Commune.name, ascending=True,
)

register_resource(
    "themes", _l("Thèmes"), ThemeOut, tags=(), order=2,
    description=_l("Les thèmes qui classent les publications, par nom."),
    query=lambda: services.themes_query(),
    to_dict=lambda t: {**theme_ref(t), "description": t.description, "archived": t.archived},
    id_column=Theme.id, sort=Theme.name, ascending=True,
)
