"""Exports staff ask for, declared by their domains: a CSV of one thing (a council, a call…) over a period.

A domain declares an export in ``participation/<domain>/exports.py``
(imported at start-up, ``DOMAIN_MODULES``); the page ``/gestion/exports``
offers every export the person may use::

    from participation.staff.exports import Export, register_export

    register_export(Export(
        key="council_attendance", title="Membres d'un conseil et leur présence", permission="councils.manage",
        choice_label="Conseil", choices=lambda: [(c.id, c.name) for c in …],
        rows=lambda choice_id, start, end: (("Nom", "Présences"…), [(…), …]),
        uses_period=True,
    ))

``rows`` returns the header and the rows (a fixed number of queries), or
``None`` when ``choice_id`` names nothing (a 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from flask_babel import gettext as _


@dataclass(frozen=True)
class Export:
    key: str
    title: str
    description: str
    permission: str
    choice_label: str
    choices: Callable[[], list[tuple[int, str]]]
    rows: Callable[[int, date | None, date | None], tuple[tuple[str, ...], list[tuple]] | None]
    uses_period: bool = False


_exports: dict[str, Export] = {}


def register_export(export: Export) -> Export:
    if export.key in _exports and _exports[export.key] is not export:
        raise ValueError(_("L'export « %(key)s » est déjà déclaré.", key=export.key))
    _exports[export.key] = export
    return export


def exports() -> list[Export]:
    return sorted(_exports.values(), key=lambda e: e.title)


def get_export(key: str) -> Export | None:
    return _exports.get(key)
