"""The open data catalogue: datasets declared by their domains.

The catalogue imports no domain. A domain that publishes a dataset declares
it in its own ``participation/<domain>/opendata.py``, which ``create_app()``
imports for every domain (``DOMAIN_MODULES``), the way domains declare home
blocks or agenda sources::

    from flask_babel import lazy_gettext as _l
    from participation.opendata.catalogue import Dataset, register_dataset

    register_dataset(Dataset(
        slug="demarches", title=_l("Registre des démarches participatives"),
        description=_l("…"), fields=("identifiant", "titre", …),
        rows=public_rows,            # () -> list[dict]: public items only, values in ``fields`` order
        modified=latest_change,      # () -> datetime | date | None: the latest change of the data
        keywords=("participation", "concertation"), theme=_l("Démocratie locale"),
    ))

The catalogue then serves ``/opendata/<slug>.csv`` and ``/opendata/<slug>.json``
(see ``participation/opendata/formats.py`` for their one shape), lists the
dataset on ``/opendata/`` and in ``/opendata/catalogue.jsonld`` (DCAT).

The rules a dataset keeps:

* **Public things only**: nothing draft, private or unpublished, ever; a
  test puts a draft or private twin next to a public item and checks it is
  absent.
* **Bounded queries**: ``rows`` runs a fixed number of queries (or one per
  published parent, such as a questionnaire), whatever the number of rows.
* **A national schema when there is one** (SCDL…): its exact column names,
  order, formats and allowed values; ``schema`` names it for ``dct:conformsTo``.
* ``rows`` values are ``str``, ``int``, ``float``, ``bool`` or ``None`` (an
  empty cell in CSV); ``json_rows`` may give richer JSON items (schema.org
  ``Event`` objects for the agenda).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, UTC


@dataclass(frozen=True)
class Licence:
    title: str
    url: str
    # The identifier data.gouv.fr knows the licence by.
    identifier: str


# Licence Ouverte / Open Licence 2.0 (Etalab), the licence of the French administrations' open data.
LICENCE = Licence(
    title="Licence Ouverte / Open Licence version 2.0",
    url="https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    identifier="etalab-2.0",
)


@dataclass(frozen=True)
class Schema:
    """A published data schema the dataset follows (schema.data.gouv.fr)."""

    name: str
    version: str
    # The schema's machine-readable description (Table Schema JSON).
    url: str
    # Its page for people.
    page: str


@dataclass(frozen=True)
class Link:
    """A format served by another page of the platform (the agenda's iCalendar feed)."""

    format: str
    media_type: str
    endpoint: str
    values: tuple[tuple[str, str], ...] = ()


# The formats the catalogue serves itself, and their media types.
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
FORMAT_LABELS = {"csv": "CSV", "json": "JSON"}


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object  # str or lazy translation
    description: object
    fields: tuple[str, ...]
    rows: Callable[[], list[dict]]
    modified: Callable[[], datetime | date | None]
    keywords: tuple[str, ...] = ()
    theme: object = ""
    schema: Schema | None = None
    formats: tuple[str, ...] = ("csv", "json")
    links: tuple[Link, ...] = ()
    # JSON items when they differ from the CSV rows (None: the rows).
    json_rows: Callable[[], list[dict]] | None = None
    # Place on the page (smaller first).
    order: int = 100
    # Per-field notes shown on the page: {"montant": "en euros, point décimal"}.
    notes: dict = field(default_factory=dict)


_datasets: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> Dataset:
    if dataset.slug in _datasets and _datasets[dataset.slug] is not dataset:
        raise ValueError(f"Le jeu de données « {dataset.slug} » est déjà déclaré.")
    for fmt in dataset.formats:
        if fmt not in MEDIA_TYPES:
            raise ValueError(f"Format inconnu pour « {dataset.slug} » : {fmt}.")
    _datasets[dataset.slug] = dataset
    return dataset


def datasets() -> list[Dataset]:
    return sorted(_datasets.values(), key=lambda d: (d.order, d.slug))


def get_dataset(slug: str) -> Dataset | None:
    return _datasets.get(slug)


def latest(*moments: datetime | date | None) -> datetime | date | None:
    """The latest of several moments (datetimes and dates mixed), or None."""
    known = [m for m in moments if m is not None]
    if not known:
        return None
    return max(known, key=lambda m: m if isinstance(m, datetime) else datetime(m.year, m.month, m.day, tzinfo=UTC))

