"""The OpenAPI 3.1 document, built from the resources' pydantic schemas.

The same models serialise the responses (``views._item``, ``list_model``,
``item_model``): the document says what the API sends because the API sends
it through what the document says. OpenAPI 3.1 speaks JSON Schema 2020-12,
which pydantic writes.
"""

from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import models_json_schema

from participation.api import registry
from participation.core.forms import INT_MAX


class Links(BaseModel):
    self: str = Field(description="L'adresse de cette page.")
    next: str | None = Field(description="L'adresse de la page suivante ; aucune sur la dernière page.")


class Problem(BaseModel):
    """Une erreur, au format RFC 9457 (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str


def _model_name(resource) -> str:
    return resource.schema.__name__.removesuffix("Out")


_envelopes: dict[tuple[str, str], type[BaseModel]] = {}


def list_model(resource) -> type[BaseModel]:
    """``{"data": [...], "links": {...}}``: a page of the resource."""
    key = (resource.name, "list")
    if key not in _envelopes:
        _envelopes[key] = create_model(f"{_model_name(resource)}List", data=(list[resource.schema], ...), links=(Links, ...))
    return _envelopes[key]


def item_model(resource) -> type[BaseModel]:
    """``{"data": {...}}``: one item of the resource."""
    key = (resource.name, "item")
    if key not in _envelopes:
        _envelopes[key] = create_model(f"{_model_name(resource)}Item", data=(resource.detail_schema or resource.schema, ...))
    return _envelopes[key]


def _parameter(name, schema, description, *, where="query", required=False) -> dict:
    return {"name": name, "in": where, "required": required, "description": str(description), "schema": schema}


def _filter_schema(flt) -> dict:
    if flt.kind is int:
        return {"type": "integer", "minimum": 1, "maximum": INT_MAX}
    if flt.kind.__name__ == "date":
        return {"type": "string", "format": "date"}
    if flt.allowed() is not None:
        return {"type": "string", "enum": list(flt.allowed())}
    return {"type": "string", "maxLength": 200}


def _responses(ok_ref: str, *, with_404: bool) -> dict:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    rate = {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")}
    cache_headers = {"ETag": {"$ref": "#/components/headers/ETag"}, "Access-Control-Allow-Origin": {"$ref": "#/components/headers/CORS"}}
    responses = {
        "200": {"description": _("La ressource demandée."), "headers": {**cache_headers, **rate},
                "content": {"application/json": {"schema": {"$ref": ok_ref}}}},
        "304": {"description": _("Inchangée depuis la version indiquée par If-None-Match ou If-Modified-Since.")},
        "400": {"description": _("Un paramètre est incorrect."), "content": problem},
        "429": {"description": _("Trop de requêtes : patientez (Retry-After)."), "content": problem},
    }
    if with_404:
        responses["404"] = {"description": _("Aucune ressource publique de ce nom ou de cet identifiant."), "content": problem}
    return responses


@cache
def _schemas() -> dict:
    models = [(Problem, "serialization")]
    for resource in registry.resources():
        models.append((list_model(resource), "serialization"))
        if resource.collect is None:
            models.append((item_model(resource), "serialization"))
    _, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")
    return definitions.get("$defs", {})


def document() -> dict:
    paths = {}
    common = [
        _parameter("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, _("Le nombre d'éléments par page (100 au plus).")),
        _parameter("cursor", {"type": "string", "maxLength": 300},
                   _("Le curseur opaque de la page suivante : ne le fabriquez pas, reprenez le lien de la page suivante."), ),
    ]
    for resource in registry.resources():
        name = _model_name(resource)
        tag = str(resource.title)
        filters = [_parameter(f.name, _filter_schema(f), f.description) for f in resource.filters]
        paths[f"/api/v1/{resource.name}"] = {"get": {
            "operationId": f"list_{resource.name}", "tags": [tag], "summary": str(resource.title),
            "description": str(resource.description or ""),
            "parameters": filters + common,
            "responses": _responses(f"#/components/schemas/{name}List", with_404=False),
        }}
        if resource.collect is not None:
            continue
        paths[f"/api/v1/{resource.name}/{{id}}"] = {"get": {
            "operationId": f"get_{resource.name}", "tags": [tag], "summary": _("Un élément : %(title)s", title=resource.title),
            "parameters": [_parameter("id", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, _("L'identifiant."), where="path",
                                      required=True)],
            "responses": _responses(f"#/components/schemas/{name}Item", with_404=True),
        }}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("API publique de la plateforme de participation"),
            "version": "1.0.0",
            "description": _("Tout ce que la plateforme publie, en lecture seule, au format JSON. Les listes se parcourent par curseur "
                             "(lien de la page suivante dans le corps et dans l'en-tête Link) ; chaque réponse porte un ETag ; les erreurs suivent la RFC 9457."),
            "license": {"name": "Licence Ouverte 2.0", "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
        },
        "servers": [{"url": url_for("pages.home", _external=True).rstrip("/") or "/"}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "headers": {
                "ETag": {"description": _("La version de la réponse, pour If-None-Match."), "schema": {"type": "string"}},
                "CORS": {"description": _("Toute origine peut lire l'API."), "schema": {"type": "string", "const": "*"}},
                "X-RateLimit-Limit": {"description": _("Le nombre de requêtes permises dans la fenêtre."), "schema": {"type": "string"}},
                "X-RateLimit-Remaining": {"description": _("Les requêtes qui restent dans la fenêtre."), "schema": {"type": "string"}},
                "X-RateLimit-Reset": {"description": _("Quand la fenêtre se renouvelle (secondes depuis l'époque Unix)."),
                                      "schema": {"type": "string"}},
            },
        },
    }
