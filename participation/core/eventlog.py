"""The append-only log of domain events, which is also the audit trail.

``record()`` appends an event in the current transaction and runs the
subscribers registered for its name, in that same transaction. Subscribers
only write rows (notifications, outbox mail); they never send anything, so a
rolled-back request leaves neither event nor mail behind.

A subscriber whose work grows with the audience (every follower of a topic)
is registered with ``deferred=True``: ``record()`` then writes the event with
the moment its deferred subscribers are due (``deferred_due_at``, in the same
INSERT) and the worker runs them just before it delivers mail
(``run_deferred``, called by ``outbox.deliver_due``). The three ``deferred_*``
columns are the worker's bookkeeping, the only ones ever written after the
INSERT; what the event says is never changed. Such a subscriber gets the event
with its subject and actor read again from the database, and no ``context``; it
re-checks that what it tells is still true (a contribution hidden meanwhile is
announced to no one).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core import pagecache
from participation.core.models import Base, IdMixin, UTCDateTime, utcnow
from participation.core.rows import append_row

log = logging.getLogger(__name__)

Subscriber = Callable[["DomainEvent"], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)
# Subscribers the worker runs after the commit (see the module's docstring).
_deferred: dict[str, list[Subscriber]] = defaultdict(list)


class DomainEvent(IdMixin, Base):
    __tablename__ = "domain_events"
    __table_args__ = (
        sa.Index("ix_domain_events_subject", "subject_type", "subject_id", "id"),
        # The page cache's generations without Redis: the latest event of a tag.
        sa.Index("ix_domain_events_cache_tag", "cache_tag", "id"),
        # The worker's queue: the few events whose deferred subscribers have yet to run.
        sa.Index("ix_domain_events_deferred_due", "deferred_due_at", "id",
                 postgresql_where=sa.text("deferred_due_at IS NOT NULL"), sqlite_where=sa.text("deferred_due_at IS NOT NULL")),
    )

    # Past-tense name, "<thing>.<what happened>": "user.registered".
    name: Mapped[str] = mapped_column(sa.String(80), index=True)
    # The table name of the thing the event is about, and its id.
    subject_type: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[int | None]
    # Who did it; empty for the system (worker, command line without a user).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The page cache's tag this event bumps (its subject's table), empty for an
    # event that changes nothing public (a log-in): see core/pagecache/.
    cache_tag: Mapped[str | None] = mapped_column(sa.String(60))
    # When the worker is to run its deferred subscribers; empty once they ran (or when it has none).
    deferred_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many times they failed, and the last error (see ``run_deferred``).
    deferred_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    deferred_error: Mapped[str | None] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<DomainEvent {self.name} {self.subject_type}:{self.subject_id}>"


# The journal names who acted; what a page shows of that person lives in rows of their own.
pagecache.impersonal_rows(DomainEvent)


def subscribe(*event_names: str, deferred: bool = False) -> Callable[[Subscriber], Subscriber]:
    """Register a function run for each event of these names.

    A name ending with ``.*`` matches every event of that thing. With
    ``deferred=True`` the worker runs it after the commit, not the request.
    """
    registry = _deferred if deferred else _subscribers

    def decorator(func: Subscriber) -> Subscriber:
        for name in event_names:
            if func not in registry[name]:
                registry[name].append(func)
        return func

    return decorator


def subscribers_for(event_name: str, registry: dict[str, list[Subscriber]] = _subscribers) -> list[Subscriber]:
    thing = event_name.split(".", 1)[0]
    return [*registry.get(event_name, []), *registry.get(f"{thing}.*", [])]


def record(event_name: str, subject, actor=None, data: dict[str, Any] | None = None, *, context: dict[str, Any] | None = None) -> DomainEvent:
    """Append ``event_name`` about ``subject`` and run its subscribers.

    ``data`` is stored and becomes part of the audit trail. ``context`` is
    handed to subscribers only and never stored: a one-time token that a
    mail must carry goes there.
    """
    from participation.extensions import db

    if subject is not None and getattr(subject, "id", None) is None:
        db.session.add(subject)
    # What is pending is written before the event that tells of it (a flush with nothing to write costs nothing).
    db.session.flush()
    subject_type = subject.__tablename__ if subject is not None else "platform"
    from participation.core.outbox import is_quiet

    deferred = subscribers_for(event_name, _deferred)
    # The demo building its past runs them now (the notices are written, no mail goes out later);
    # else the worker will, queued by the event's own row.
    queued = bool(deferred) and not is_quiet()
    now = utcnow()
    # Appended, not flushed (core/rows.py): an event is written at every change.
    event = append_row(db.session, DomainEvent, {
        "name": event_name,
        "subject_type": subject_type,
        "cache_tag": pagecache.event_tag(event_name, subject_type),
        "subject_id": subject.id if subject is not None else None,
        "actor_id": getattr(actor, "id", None),
        "data": _jsonable(data or {}),
        "occurred_at": now,
        "deferred_due_at": now if queued else None,
    })
    # Not columns: what subscribers need from this very call.
    event.subject = subject
    event.actor = actor
    event.context = context or {}
    # Pages cached before this change are out of date once it commits.
    pagecache.mark_changed(db.session, event.cache_tag)
    for subscriber in subscribers_for(event_name):
        subscriber(event)
    if deferred and not queued:
        for subscriber in deferred:
            subscriber(event)
    return event


def run_deferred(*, now: datetime | None = None, limit: int = 100) -> int:
    """Run the deferred subscribers of up to ``limit`` events queued until ``now`` (the worker);
    returns how many events were done.

    One event per transaction, its row claimed with ``FOR UPDATE SKIP LOCKED`` (a second worker
    takes another): a topic with thousands of followers holds no other event back, and a failing
    event is retried later, with back-off, without undoing the others. Commits.
    """
    from flask import current_app

    from participation.core.locking import begin_writing
    from participation.core.outbox import backoff
    from participation.extensions import db

    now = now or utcnow()
    done = 0
    for _unused in range(limit):
        begin_writing()
        event = db.session.scalars(
            sa.select(DomainEvent).where(DomainEvent.deferred_due_at <= now)
            .order_by(DomainEvent.deferred_due_at, DomainEvent.id).limit(1)
            # NO KEY UPDATE: a notification written meanwhile may still name the event (its foreign key's KEY SHARE).
            .with_for_update(skip_locked=True, key_share=True)
        ).first()
        if event is None:
            db.session.commit()
            break
        try:
            with db.session.begin_nested():
                if _reload(event):
                    for subscriber in subscribers_for(event.name, _deferred):
                        subscriber(event)
        except Exception as error:  # noqa: BLE001 - one event's failure must not stop the others
            log.exception("Échec des suites différées de l'événement %s", event.id)
            event.deferred_attempts += 1
            event.deferred_error = f"{type(error).__name__}: {error}"[:2000]
            event.deferred_due_at = now + backoff(event.deferred_attempts, current_app.config["OUTBOX_RETRY_BASE_SECONDS"])
        else:
            event.deferred_due_at = None
            done += 1
        db.session.commit()
    return done


@dataclass(frozen=True)
class DeferredFailures:
    """Events whose deferred subscribers failed at least once and still wait for the worker's next try."""

    waiting: int
    oldest_at: datetime  # when the oldest of them was recorded
    last_error: str | None


def deferred_failures() -> DeferredFailures | None:
    """What the admin's dashboard says of deferred subscribers that fail; ``None`` when none does. One query."""
    from participation.extensions import db

    failing = sa.and_(DomainEvent.deferred_due_at.is_not(None), DomainEvent.deferred_attempts > 0)
    last_error = sa.select(DomainEvent.deferred_error).where(failing).order_by(DomainEvent.id.desc()).limit(1).scalar_subquery()
    waiting, oldest, error = db.session.execute(
        sa.select(sa.func.count(DomainEvent.id), sa.func.min(DomainEvent.occurred_at), last_error).where(failing)
    ).one()
    return DeferredFailures(waiting=waiting, oldest_at=oldest, last_error=error) if waiting else None


def _reload(event: DomainEvent) -> bool:
    """Give a stored event its subject and actor again; ``False`` when the subject is gone."""
    from participation.extensions import db

    classes = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers if hasattr(mapper.class_, "__tablename__")}
    event.subject = db.session.get(classes[event.subject_type], event.subject_id) if event.subject_type in classes else None
    event.actor = db.session.get(classes["users"], event.actor_id) if event.actor_id else None
    event.context = {}
    return event.subject is not None


def events_about(subject, *, limit: int | None = None):
    """The events about ``subject``, oldest first."""
    from participation.extensions import db

    query = (
        sa.select(DomainEvent)
        .where(DomainEvent.subject_type == subject.__tablename__, DomainEvent.subject_id == subject.id)
        .order_by(DomainEvent.id)
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, (str, int)):
        return value.value
    return value
