"""Scheduled work on questionnaires: closing on time, inviting an event's attendees, one reminder, retention."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.extensions import db
from participation.surveys import services
from participation.surveys.models import Invitation, Questionnaire, SurveyState


@register_job("surveys.close_due", seconds=300, description="Clôture des questionnaires arrivés à leur date")
def close_due(now: datetime | None = None) -> int:
    return services.close_due(now)


@register_job("surveys.invite_attendees", seconds=900, description="Questionnaires envoyés aux participants d'un événement terminé")
def invite_attendees(now: datetime | None = None) -> int:
    now = now or utcnow()
    questionnaires = db.session.scalars(sa.select(Questionnaire).where(
        Questionnaire.state == SurveyState.open, Questionnaire.event_id.is_not(None), Questionnaire.attendees_invited_at.is_(None))).all()
    return sum(services.invite_attendees(q, now=now) for q in questionnaires)


@register_job("surveys.send_reminders", seconds=3600, description="Un rappel aux invités qui n'ont pas répondu")
def send_reminders(now: datetime | None = None) -> int:
    """Each invitation is claimed by a conditional update before its mail is queued (and the mail's
    dedup key is per invitation): with two workers, each person gets one reminder, once."""
    now = now or utcnow()
    ids = db.session.scalars(sa.select(Questionnaire.id).where(
        Questionnaire.state == SurveyState.open,
        sa.exists().where(Invitation.questionnaire_id == Questionnaire.id, Invitation.reminded_at.is_(None),
                          Invitation.responded_at.is_(None), Invitation.sent_at.is_not(None)))).all()
    return sum(services.remind_invitations(db.session.get(Questionnaire, i), now=now) for i in ids)


@register_job("surveys.purge", seconds=3600 * 6, description="Effacement des réponses libres et des invitations après la durée de conservation")
def purge(now: datetime | None = None) -> int:
    return services.purge_expired(now)
