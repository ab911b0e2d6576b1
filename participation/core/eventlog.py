"""The append-only log of domain events, which is also the audit trail.

``record()`` appends an event in the current transaction and runs the
subscribers registered for its name, in that same transaction. Subscribers
only write rows (notifications, outbox mail); they never send anything, so a
rolled-back request leaves neither event nor mail behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core import pagecache
from participation.core.models import Base, IdMixin, UTCDateTime, utcnow

Subscriber = Callable[["DomainEvent"], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


class DomainEvent(IdMixin, Base):
    __tablename__ = "domain_events"
    __table_args__ = (sa.Index("ix_domain_events_subject", "subject_type", "subject_id", "id"),)

    # Past-tense name, "<thing>.<what happened>": "user.registered".
    name: Mapped[str] = mapped_column(sa.String(80), index=True)
    # The table name of the thing the event is about, and its id.
    subject_type: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[int | None]
    # Who did it; empty for the system (worker, command line without a user).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<DomainEvent {self.name} {self.subject_type}:{self.subject_id}>"


def subscribe(*event_names: str) -> Callable[[Subscriber], Subscriber]:
    """Register a function run for each event of these names.

    A name ending with ``.*`` matches every event of that thing.
    """

    def decorator(func: Subscriber) -> Subscriber:
        for name in event_names:
            if func not in _subscribers[name]:
                _subscribers[name].append(func)
        return func

    return decorator


def subscribers_for(event_name: str) -> list[Subscriber]:
    thing = event_name.split(".", 1)[0]
    return [*_subscribers.get(event_name, []), *_subscribers.get(f"{thing}.*", [])]


def record(event_name: str, subject, actor=None, data: dict[str, Any] | None = None, *, context: dict[str, Any] | None = None) -> DomainEvent:
    """Append ``event_name`` about ``subject`` and run its subscribers.

    ``data`` is stored and becomes part of the audit trail. ``context`` is
    handed to subscribers only and never stored: a one-time token that a
    mail must carry goes there.
    """
    from participation.extensions import db

    if subject is not None and getattr(subject, "id", None) is None:
        db.session.add(subject)
        db.session.flush()
    event = DomainEvent(
        name=event_name,
        subject_type=subject.__tablename__ if subject is not None else "platform",
        subject_id=subject.id if subject is not None else None,
        actor_id=getattr(actor, "id", None),
        data=_jsonable(data or {}),
    )
    # Not columns: what subscribers need from this very call.
    event.subject = subject
    event.actor = actor
    event.context = context or {}
    db.session.add(event)
    db.session.flush()
    # Pages cached before this change are out of date once it commits.
    pagecache.mark_changed(db.session)
    for subscriber in subscribers_for(event_name):
        subscriber(event)
    return event


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
