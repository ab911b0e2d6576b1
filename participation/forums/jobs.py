"""Scheduled work on consultations: opening and closing them on time (followers' digests are the notifications' ones)."""

from __future__ import annotations


import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.extensions import db
from participation.forums.models import Consultation, ConsultationState
from participation.forums.services import advance


@register_job("forums.advance_consultations", seconds=60, description="Ouverture et clôture des concertations à leurs dates")
def advance_consultations(now=None) -> int:
    """Open the consultations whose opening date has come and close those whose closing date has passed.

    Idempotent: each consultation's state is re-read and moved only if its dates call for it.
    """
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Consultation)
        .where(
            sa.or_(
                sa.and_(Consultation.state == ConsultationState.published, Consultation.opens_at <= now),
                sa.and_(Consultation.state == ConsultationState.open, Consultation.closes_at <= now),
            )
        )
        .order_by(Consultation.id)
        .with_for_update(skip_locked=True)
    ).all()
    moved = 0
    for consultation in due:
        while advance(consultation, now=now):
            moved += 1
    return moved
