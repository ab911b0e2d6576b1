"""What every body's meeting shares: a council's sitting and a plan committee's meeting.

Both have a title, a start and an optional end, a place, a public flag and
the moment their convocation went out; both are convened once, a number of
days before they start, by recording ``<thing>.convened`` (the domain's
subscribers queue the mails). The domains keep their own states, agendas and
attendance rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import UTCDateTime, utcnow


class MeetingMixin:
    """The columns of a meeting of a body (séance, réunion de comité)."""

    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    # Open to the public: shown on the body's page and in the agenda citoyen.
    is_public: Mapped[bool] = mapped_column(default=True)
    # When the convocation went out (by the worker, a number of days before the start).
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def convocation_due_at(starts_at: datetime, days: int) -> datetime:
    return starts_at - timedelta(days=days)


def convene_once(meeting, *, days: int, may_convene: bool, actor=None, now: datetime | None = None) -> bool:
    """Record ``<thing>.convened`` for ``meeting`` once, when its convocation is due.

    ``may_convene`` is the domain's own condition (published, not cancelled).
    A meeting already convened, already begun or not yet due is left alone,
    so the worker may call this as often as it likes.
    """
    from participation.core.eventlog import record

    now = now or utcnow()
    if not may_convene or meeting.convened_at is not None or meeting.starts_at <= now:
        return False
    if convocation_due_at(meeting.starts_at, days) > now:
        return False
    meeting.convened_at = now
    thing = meeting.__workflow__.thing if hasattr(meeting, "__workflow__") else meeting.__tablename__.rstrip("s")
    record(f"{thing}.convened", meeting, actor, {"starts_at": meeting.starts_at})
    return True
