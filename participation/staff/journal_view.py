"""The journal as people read it: filters, department scope, keyset pages, French rows and CSV.

The event log stores internal names; what is shown comes from the labels the
domains declare (``participation/core/eventlabels.py``). Pages go by id
(``?avant=<id>`` / ``?apres=<id>``), never by ``OFFSET``: a page costs the
same at the end of a year of events as at its start.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from participation.accounts.models import Role, User
from participation.core import eventlabels
from participation.core.eventlog import DomainEvent
from participation.extensions import db
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.core.numbers import euros, is_french

PAGE_SIZE = 50
# A CSV export holds at most this many rows (the newest); narrow the filters beyond.
CSV_LIMIT = 50_000

# The stored data a person may read, with its French name; other keys are internal.
DATA_LABELS = {
    "reason": _l("Motif"),
    "role": _l("Rôle"),
    "attempts": _l("Tentatives d'envoi"),
    "name": _l("Nom"),
    "title": _l("Titre"),
    "subject": _l("Objet"),
    "code": _l("Code"),
    "amount_cents": _l("Montant"),
    "created": _l("Créées"),
    "updated": _l("Modifiées"),
    "unchanged": _l("Inchangées"),
    "message": _l("Message"),
    "missing": _l("Pièces demandées"),
    "votes_for": _l("Pour"),
    "votes_against": _l("Contre"),
    "abstentions": _l("Abstentions"),
    "until": _l("Jusqu'au"),
}


@dataclass(frozen=True)
class JournalFilters:
    domain: str | None = None
    person: str | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    start: date | None = None
    end: date | None = None


def journal_query(filters: JournalFilters, *, viewer):
    """``select(DomainEvent, actor name)`` for ``filters``, restricted to what ``viewer`` may read."""
    query = sa.select(DomainEvent, User.display_name.label("actor_name")).outerjoin(User, User.id == DomainEvent.actor_id)
    query = query.where(scope_condition(viewer))
    if filters.domain:
        query = query.where(DomainEvent.name.in_(eventlabels.event_names(filters.domain)))
    if filters.person:
        term = filters.person.strip()
        people = sa.select(User.id).where(sa.or_(User.display_name.icontains(term, autoescape=True), User.email.icontains(term, autoescape=True)))
        query = query.where(DomainEvent.actor_id.in_(people))
    if filters.subject_type:
        query = query.where(DomainEvent.subject_type == filters.subject_type)
        if filters.subject_id is not None:
            query = query.where(DomainEvent.subject_id == filters.subject_id)
    if filters.start:
        query = query.where(DomainEvent.occurred_at >= _paris_midnight(filters.start))
    if filters.end:
        query = query.where(DomainEvent.occurred_at < _paris_midnight(filters.end + timedelta(days=1)))
    return query


def scope_condition(viewer):
    """Admins read everything; a staff member their department's cases and their own actions."""
    if Role.admin.value in viewer.role_names:
        return sa.true()
    conditions = [DomainEvent.actor_id == viewer.id]
    department_id = getattr(viewer, "department_id", None)
    if department_id is not None:
        for table, subject in eventlabels.subjects().items():
            if subject.department is not None:
                conditions.append(sa.and_(DomainEvent.subject_type == table, DomainEvent.subject_id.in_(subject.department(department_id))))
    return sa.or_(*conditions)


@dataclass
class KeysetPage:
    items: list
    # Ids for the links: newer events (``apres``), older events (``avant``).
    newer_than: int | None
    older_than: int | None


def keyset_page(query, *, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of ``query`` newest first, from an id: one query (``size + 1`` rows tell whether more follow)."""
    if after is not None:
        rows = db.session.execute(query.where(DomainEvent.id > after).order_by(DomainEvent.id.asc()).limit(size + 1)).all()
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows, rows[0][0].id if rows and more_newer else None, rows[-1][0].id if rows else None)
    if before is not None:
        query = query.where(DomainEvent.id < before)
    rows = db.session.execute(query.order_by(DomainEvent.id.desc()).limit(size + 1)).all()
    more_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, rows[0][0].id if rows and before is not None else None, rows[-1][0].id if rows and more_older else None)


def describe(event: DomainEvent, actor_name: str | None) -> dict:
    """One row as a person reads it."""
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "label": eventlabels.event_label(event.name),
        "subject": eventlabels.subject_label(event.subject_type, event.subject_id),
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "subject_url": eventlabels.subject_url(event.subject_type, event.subject_id),
        "actor": _("Système") if event.actor_id is None else (actor_name or _("Compte supprimé")),
        "actor_id": event.actor_id,
        "details": details(event),
    }


def details(event: DomainEvent) -> list[tuple[str, str]]:
    """The stored data a person may read, in French: a state change, a role, a reason…"""
    from participation.core.workflow import WORKFLOWS

    data = event.data or {}
    lines: list[tuple[str, str]] = []
    thing = event.name.split(".", 1)[0]
    workflow = WORKFLOWS.get(thing)
    if "from" in data and "to" in data and workflow is not None:
        before, after = workflow.state_label(data["from"]), workflow.state_label(data["to"])
        if before and after:
            lines.append((_("État"), _("de « %(before)s » à « %(after)s »", before=before, after=after)))
    for key, label in DATA_LABELS.items():
        if key not in data or data[key] in (None, "", [], {}):
            continue
        value = data[key]
        if key == "role":
            try:
                value = Role(value).label
            except ValueError:
                continue
        elif key == "amount_cents" and isinstance(value, int):
            value = f"{value / 100:,.2f} €".replace(",", "\u202f").replace(".", ",") if is_french() else euros(value)
        elif isinstance(value, (list, dict)):
            continue
        lines.append((label, str(value)))
    return lines


def csv_text(query, *, limit: int = CSV_LIMIT) -> str:
    """The filtered journal as CSV (semicolons, as French spreadsheets expect), newest first."""
    from participation.core.dates import format_short

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Numéro"), _("Date (heure de Paris)"), _("Événement"), _("Objet"), _("Auteur"), _("Détails")])
    for event, actor_name in db.session.execute(query.order_by(DomainEvent.id.desc()).limit(limit)):
        row = describe(event, actor_name)
        writer.writerow([row["id"], format_short(row["occurred_at"]), row["label"], row["subject"], row["actor"],
                         " ; ".join(f"{k} : {v}" for k, v in row["details"])])
    return "\ufeff" + out.getvalue()


def _paris_midnight(day: date) -> datetime:
    from participation.core.dates import local_to_utc

    return local_to_utc(datetime.combine(day, time()))
