"""Scheduled work on events: reminders, and places not confirmed in time."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.core.urls import external_url
from participation.events import services
from participation.events.models import Event, EventState, Registration, RegistrationState
from participation.extensions import db
from participation.notifications.services import mail_address
from flask_babel import lazy_gettext as _l

# The longest reminder offered (days): events further away are not looked at.
LONGEST_REMINDER_DAYS = 60


@register_job("events.release_expired", seconds=300, description="Places non confirmées à temps rendues à la liste d'attente")
def release_expired_job(now: datetime | None = None) -> int:
    return services.release_expired(now=now)


def reminder_window(event: Event, days: int) -> tuple[datetime, datetime]:
    """A reminder ``days`` before is due from that moment until the next shorter reminder (or the start)."""
    shorter = [d for d in event.reminder_day_list if d < days]
    until = event.starts_at - timedelta(days=max(shorter)) if shorter else event.starts_at
    return event.starts_at - timedelta(days=days), until


@register_job("events.send_reminders", seconds=600, description="Rappels avant les événements")
def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now, derived from each event's current date.

    The dedup key holds the event's start: a moved event gets reminders for
    its new date, and the key of the old date is never used again.
    Re-checked here: the event is still published and the registration confirmed.
    """
    now = now or utcnow()
    events = db.session.scalars(
        sa.select(Event).where(Event.state == EventState.published, Event.starts_at > now,
                               Event.starts_at <= now + timedelta(days=LONGEST_REMINDER_DAYS + 1))
    ).all()
    queued = 0
    for event in events:
        due = [d for d in event.reminder_day_list if reminder_window(event, d)[0] <= now < reminder_window(event, d)[1]]
        if not due:
            continue
        days = due[0]
        for registration in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id, Registration.state == RegistrationState.confirmed)
        ):
            mail = mail_address(
                reason="own_case",  # a reminder of one's own registration, with or without an account
                to=registration.email,
                user=registration.user,
                subject=_l("Rappel : %(title)s, ", title=event.title) + (_l("demain") if days == 1 else _l("dans %(days)s jours", days=days)),
                template="events/notice",
                dedup_key=f"event.reminder:{event.id}:{event.starts_at.isoformat()}:{days}:{registration.id}",
                name=registration.name,
                lines=[_l("Nous vous rappelons l'événement auquel vous êtes inscrit, %(value)s.", value=_l("demain") if days == 1 else _l("dans %(days)s jours", days=days)),
                       _l("Si vous ne pouvez plus venir, annulez votre inscription : votre place ira à quelqu'un d'autre.")],
                event=event,
                code=registration.code,
                link_url=external_url("events.show", event_id=event.id),
                link_label=_l("Voir l'événement ou annuler mon inscription"),
                attached=False,
            )
            queued += mail is not None
    return queued


@register_job("events.purge_answers", seconds=3600, description="Effacement des réponses aux inscriptions après les événements")
def purge_answers(now: datetime | None = None) -> int:
    """Answers and accessibility needs serve the event only: erased after the retention period."""
    from flask import current_app

    limit = (now or utcnow()) - timedelta(days=current_app.config["RETENTION_EVENT_ANSWERS_DAYS"])
    ended = sa.select(Event.id).where(Event.ends_at < limit)
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.event_id.in_(ended), sa.or_(Registration.accessibility_needs.is_not(None), sa.cast(Registration.answers, sa.Text) != "{}"))
        .values(answers={}, accessibility_needs=None)
    )
    return result.rowcount or 0
