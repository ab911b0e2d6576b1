"""The API's resources, each declared by the domain that owns it.

A domain publishes a resource in its ``participation/<domain>/api.py``,
which ``create_app()`` imports for every domain (``DOMAIN_MODULES``)::

    from participation.api.registry import Filter, register_resource

    class ArticleOut(ApiModel):
        id: int
        title: str

    register_resource(
        "articles", _l("Actualités"), ArticleOut,
        query=lambda theme=None: services.public_articles(theme_id=theme),
        sort=Article.published_at,
        to_dict=lambda a: {"id": a.id, "title": a.title},
        filters=[Filter("theme", int, _l("Un thème (identifiant)"))],
    )

The rules a resource keeps:

* **Public things only**, chosen by the domain's own function, the one its
  public pages use (``public_articles()``…): the API never decides again
  what is public. A detail is the same ``select`` narrowed to one id, so what
  is absent from the list is absent from the detail (404).
* **The schema serialises**: every item goes through ``schema`` (a pydantic
  model) before it is sent, and the OpenAPI document is built from the same
  models: the document cannot drift from the responses.
* **Bounded queries**: ``query`` loads what ``to_dict`` reads (``selectinload``,
  ``joinedload``), so a page costs the same few queries whatever its size.
* ``sort`` is a column that is never NULL for a public item; the pages run
  on (sort, id), newest first unless ``ascending``.
* **What a page shows**: ``tags`` names the domains or tables whose changes
  change the resource's answers (see ``core/pagecache/``): its lists and
  items are served from the page cache, to every caller, until a domain event
  of one of them. ``None`` (the default): every event. A figure computed for
  each item (a count) is better asked once for the page: ``complete(items)``
  receives the page's items and returns what ``to_dict`` receives for each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """The base of every API schema: extra keys are refused, so a field
    ``to_dict`` gives that the schema does not declare fails the tests rather than leak."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Filter:
    """A query-string filter: ``name`` is passed to the resource's ``query`` as a keyword."""

    name: str
    kind: type  # int, str, date, bool
    description: Any  # str or lazy translation
    # The allowed values; a callable gives them when asked (sources registered after this filter).
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    # The keyword ``query`` receives, when it differs from ``name``.
    keyword: str | None = None

    @property
    def argument(self) -> str:
        return self.keyword or self.name

    def allowed(self) -> tuple[str, ...] | None:
        return self.choices() if callable(self.choices) else self.choices


@dataclass(frozen=True)
class Resource:
    name: str
    title: Any
    schema: type[BaseModel]
    query: Callable[..., Any] | None
    to_dict: Callable[[Any], dict]
    id_column: Any
    sort: Any | None = None
    ascending: bool = False
    filters: tuple[Filter, ...] = ()
    description: Any = ""
    # The attribute giving an item's last change (``Last-Modified``, and 304 to ``If-Modified-Since``
    # on the item): only when it changes with everything the item shows (a count or a child changes no
    # ``updated_at``: leave it None, the ETag still answers).
    modified: str | None = None
    order: int = 100
    # One item may say more than the list does (a questionnaire's results): its own schema and serialiser.
    detail_schema: type[BaseModel] | None = None
    to_detail: Callable[[Any], dict] | None = None
    # A resource built from another registry rather than a ``select`` (the agenda's sources): ``collect(**filters)``
    # gives its items, each with ``cursor_key`` (datetime, str); it has no item page.
    collect: Callable[..., list] | None = None
    # Domains or tables whose events change what the resource shows (page cache); None: every event.
    tags: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    # ``complete(items) -> rows``: one query for the whole page (counts…), the rows given to ``to_dict`` in the same order.
    complete: Callable[[list], list] | None = None

    @property
    def sort_kind(self) -> type | None:
        if self.sort is None:
            return None
        column_type = self.sort.type
        # A TypeDecorator (UTCDateTime) gives no python_type of its own: its stored type does.
        column_type = getattr(column_type, "impl_instance", column_type)
        return column_type.python_type


_resources: dict[str, Resource] = {}


def register_resource(name: str, title, schema: type[BaseModel], *, query=None, to_dict, id_column=None, sort=None, ascending: bool = False,
                      filters=(), description="", modified: str | None = None, order: int = 100,
                      detail_schema: type[BaseModel] | None = None, to_detail=None, collect=None, tags=None,
                      complete=None) -> Resource:
    """Publish ``/api/v1/<name>`` and ``/api/v1/<name>/<id>``."""
    if name in _resources and _resources[name].schema is not schema:
        raise ValueError(f"La ressource d'API « {name} » est déjà déclarée.")
    if (query is None) == (collect is None):
        raise ValueError(f"La ressource d'API « {name} » : query (un select) ou collect, l'un des deux.")
    if (detail_schema is None) != (to_detail is None):
        raise ValueError(f"La ressource d'API « {name} » : detail_schema et to_detail vont ensemble.")
    resource = Resource(name, title, schema, query, to_dict, id_column, sort, ascending, tuple(filters), description, modified, order,
                        detail_schema, to_detail, collect, tags, complete)
    _resources[name] = resource
    return resource


def resources() -> list[Resource]:
    return sorted(_resources.values(), key=lambda r: (r.order, r.name))


def get(name: str) -> Resource | None:
    return _resources.get(name)


