"""What waits for me: the work queues that domains declare for the back office.

A domain declares each of its queues in ``participation/<domain>/queues.py``
(a module ``create_app()`` imports for every domain, ``DOMAIN_MODULES``); the
page ``/gestion/`` asks every queue the signed-in person may see and never
imports a domain by name::

    from participation.staff.queues import QueueItem, register_queue

    @register_queue("minutes_to_approve", "Comptes rendus à approuver", permission="councils.manage_sitting",
                     url_endpoint="councils_staff.councils", order=40)
    def minutes_to_approve(user, limit):
        base = sa.select(Minutes).where(Minutes.state == MinutesState.submitted)
        return base, Minutes.updated_at, lambda m: QueueItem(
            title=f"{m.sitting.council.name} : {m.sitting.title}",
            url=url_for("councils_staff.sitting_admin", sitting_id=m.sitting_id),
            since=m.updated_at,
        )

A queue function takes the person (``user``) and returns a triple: a
``select`` of the waiting rows already restricted to what this person may
handle (their department, their councils…), the column that dates each row
(the oldest first), and a function turning one row into a :class:`QueueItem`.
The registry counts the rows (one query) and loads the ``limit`` oldest (one
query), so each queue costs two queries whatever the size of its table.

``permission`` is a ``can()`` action: a person who may not do it does not see
the queue at all. ``order`` sorts the sections of the page (lower first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, UTC

import sqlalchemy as sa

from participation.core.models import utcnow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# How many of the oldest items each queue shows on the page.
SHOWN = 5


@dataclass(frozen=True)
class QueueItem:
    title: str
    # A path on this site.
    url: str
    # Since when the item waits (a moment, or a day for a due date).
    since: datetime | date | None
    # One more line: « due le 3 mars 2026 », « 38 inscrits sur 40 places ».
    detail: str | None = None

    @property
    def age_days(self) -> int | None:
        """Whole days waited, from ``since`` to now (0 the same day; negative for a date ahead)."""
        if self.since is None:
            return None
        if isinstance(self.since, datetime):
            return (utcnow().date() - self.since.astimezone(UTC).date()).days
        return (utcnow().date() - self.since).days


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    # A ``can()`` action: who sees the queue.
    permission: str
    func: Callable
    # Where the whole list is (an endpoint without arguments, or a function of the user returning a path).
    url_endpoint: str | None = None
    url_values: dict = field(default_factory=dict)
    order: int = 100
    # Short explanation under the queue's title.
    help: str = ""


@dataclass
class QueueResult:
    queue: Queue
    count: int
    items: list[QueueItem]
    url: str | None

    @property
    def oldest_since(self):
        return self.items[0].since if self.items else None


_queues: dict[str, Queue] = {}


def register_queue(key: str, label: str, *, permission: str, url_endpoint: str | None = None, url_values: dict | None = None,
                   order: int = 100, help: str = ""):
    """Decorator: ``func(user) -> (select, date_column, to_item)`` declares the queue ``key``."""

    def decorator(func):
        if key in _queues and _queues[key].func is not func:
            raise ValueError(_("La file « %(key)s » est déjà déclarée.", key=key))
        _queues[key] = Queue(key, label, permission, func, url_endpoint, dict(url_values or {}), order, help)  # lazy: read in the reader's language
        return func

    return decorator


def queues() -> list[Queue]:
    """Every declared queue, in page order."""
    return sorted(_queues.values(), key=lambda q: (q.order, str(q.label)))


def visible_queues(user) -> list[Queue]:
    from participation.core.permissions import can

    return [queue for queue in queues() if can(user, queue.permission)]


def run(queue: Queue, user, *, limit: int = SHOWN) -> QueueResult:
    """Count the queue's rows for ``user`` and load its ``limit`` oldest: two queries."""
    from flask import url_for

    from participation.extensions import db

    statement, date_column, to_item = queue.func(user)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = []
    if count:
        entity = statement.column_descriptions[0].get("entity")
        tiebreak = (entity.id.asc(),) if entity is not None and hasattr(entity, "id") else ()
        ordered = statement.order_by(None).order_by(date_column.asc(), *tiebreak)
        rows = db.session.execute(ordered.limit(limit)).unique().all() if limit else []
    url = url_for(queue.url_endpoint, **queue.url_values) if queue.url_endpoint else None
    # A select of one entity gives the entity; of several columns, the whole row.
    return QueueResult(queue, count, [to_item(row[0] if len(row) == 1 else row) for row in rows], url)


def collect(user, *, limit: int = SHOWN) -> list[QueueResult]:
    """Every queue ``user`` may see, with its count and oldest items."""
    return [run(queue, user, limit=limit) for queue in visible_queues(user)]


def department_of(user) -> int | None:
    """The department id a staff member works in (``None`` for none)."""
    return getattr(user, "department_id", None)


def sees_all_departments(user) -> bool:
    """Admins handle every department's cases."""
    return "admin" in getattr(user, "role_names", set())


# The platform's own queue: mail that could not be delivered (admins).


def _failed_mail(user):
    from flask import url_for

    from participation.core.outbox import MailStatus, OutboxMail

    return (
        sa.select(OutboxMail).where(OutboxMail.status == MailStatus.failed),
        OutboxMail.created_at,
        lambda m: QueueItem(title=f"{m.subject} ({m.recipient})", url=url_for("staff.mail", mail_id=m.id), since=m.created_at,
                            detail=(m.last_error or "")[:120] or None),
    )


register_queue("failed_mail", _l("Courriels en échec"), permission="staff.retry_mail", url_endpoint="staff.mails",
               url_values={"status": "failed"}, order=90,
               help=_l("Ils n'ont pas pu être remis : vérifiez l'erreur, puis relancez l'envoi."))(_failed_mail)
