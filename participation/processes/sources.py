"""Platform processes: what each domain declares so that the register fills itself.

A domain whose things are participatory processes (a consultation, a
referral, a questionnaire, an event of the participation kind) declares a
*source* in ``participation/<domain>/processes.py`` (imported at start-up,
``DOMAIN_MODULES``)::

    from participation.processes.sources import PlatformProcess, register_process_source

    @register_process_source("consultation", "Concertation en ligne", automatic=True)
    def consultations(ids: list[int] | None) -> list[PlatformProcess]:
        ...  # the published consultations (only ``ids`` when given), in a fixed number of queries

Each :class:`PlatformProcess` carries what the platform knows: title, dates,
method, participants and the figures to show. ``automatic=True`` registers
every thing the source returns (``sync()``, run by the worker and after the
domain's publication events); ``automatic=False`` lets staff pick which
things to register (events: only those of the participation kind), from the
candidates the source returns. Staff's own fields (the prise en compte, the
charter commitments, the audience) are never overwritten by a refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from flask_babel import gettext as _


@dataclass(frozen=True)
class PlatformProcess:
    source_id: int
    title: str
    # A Method value: "online_consultation", "referral", "public_meeting"…
    method: str
    url: str
    starts_on: date | None = None
    ends_on: date | None = None
    participants: int | None = None
    # Labelled figures: (("Contributions", 34), ("Contributeurs", 12)).
    figures: tuple[tuple[str, int], ...] = ()
    summary: str = ""
    # "authority", "council"…, and the leader's name when not the authority.
    leader_kind: str = "authority"
    leader_name: str = ""
    commune_ids: frozenset[int] = field(default_factory=frozenset)
    theme_ids: frozenset[int] = field(default_factory=frozenset)
    # What the process produced, when the platform knows it (a synthesis, an opinion).
    results: str = ""


@dataclass(frozen=True)
class ProcessSource:
    kind: str
    label: str
    func: Callable[[list[int] | None], list[PlatformProcess]]
    automatic: bool


_sources: dict[str, ProcessSource] = {}


def register_process_source(kind: str, label: str, *, automatic: bool = True):
    def decorator(func):
        if kind in _sources and _sources[kind].func is not func:
            raise ValueError(_("La source de démarches « %(kind)s » est déjà déclarée.", kind=kind))
        _sources[kind] = ProcessSource(kind, str(label), func, automatic)
        return func

    return decorator


def process_sources() -> dict[str, ProcessSource]:
    return dict(_sources)


def path(endpoint: str, **values) -> str:
    """A path on this site, in a request as in the worker (no request there): sources use it for ``url``."""
    from urllib.parse import urlsplit

    from flask import current_app

    base = urlsplit(current_app.config.get("BASE_URL") or "http://localhost")
    adapter = current_app.url_map.bind(base.netloc or "localhost", script_name=base.path or "/")
    return adapter.build(endpoint, values)
