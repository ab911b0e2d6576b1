"""Scheduled work on consultations: opening and closing them on time, followers' daily digests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from participation.accounts.models import CLOSED_ACCOUNT_NAME, AccountState, User

from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.extensions import db
from participation.forums.models import Consultation, ConsultationState, Contribution, ContributionState, Follow, FollowFrequency, Topic
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


DIGEST_TOPIC_LINES = 10


def digest_day(now: datetime) -> date:
    """The day whose answers go out now: yesterday (Paris time) from the digest hour, the day before until then."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(zone)
    return local.date() - timedelta(days=1 if local.hour >= current_app.config["FORUMS_DIGEST_HOUR"] else 2)


@register_job("forums.send_digests", seconds=3600, description="Résumé quotidien des nouvelles contributions aux sujets suivis")
def send_digests(now=None) -> int:
    """One mail per follower who chose the daily digest, grouping the day's new answers by topic.

    Idempotent: one dedup key per follower and day. Re-checked at run time: only contributions
    still published, only topics still followed « en résumé quotidien », only active accounts,
    never the follower's own contributions, nor those from before they followed. Returns the number of mails queued.
    """
    from participation.core.dates import format_day
    from participation.core.outbox import OutboxMail, queue_mail
    from participation.core.urls import external_url
    from participation.forums.subscribers import unfollow_url

    now = now or utcnow()
    day = digest_day(now)
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    start = datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(UTC)
    rows = db.session.execute(
        sa.select(Follow.user_id, Contribution)
        .join(Contribution, Contribution.topic_id == Follow.topic_id)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.frequency == FollowFrequency.daily,
            User.state == AccountState.active,
            Contribution.state == ContributionState.published,
            Contribution.published_at >= start,
            Contribution.published_at < end,
            # Only what appeared since the person started following.
            Contribution.published_at >= Follow.created_at,
            sa.or_(Contribution.author_id.is_(None), Contribution.author_id != Follow.user_id),
        )
        .options(joinedload(Contribution.author), joinedload(Contribution.topic).joinedload(Topic.consultation))
        .order_by(Follow.user_id, Contribution.topic_id, Contribution.published_at, Contribution.id)
    ).all()
    if not rows:
        return 0
    by_user: dict[int, dict[int, list[Contribution]]] = {}
    for user_id, contribution in rows:
        by_user.setdefault(user_id, {}).setdefault(contribution.topic_id, []).append(contribution)
    keys = {user_id: f"forums.digest:{user_id}:{day.isoformat()}" for user_id in by_user}
    done = set(db.session.scalars(sa.select(OutboxMail.dedup_key).where(OutboxMail.dedup_key.in_(list(keys.values())))))
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_([i for i in by_user if keys[i] not in done])))}
    queued = 0
    for user_id, topics in by_user.items():
        user = users.get(user_id)
        if user is None:
            continue
        items = []
        for contributions in topics.values():
            topic = contributions[0].topic
            shown = contributions[:DIGEST_TOPIC_LINES]
            items.append({
                "topic": topic,
                "consultation_title": topic.consultation.title,
                "count": len(contributions),
                "more": len(contributions) - len(shown),
                "contributions": [
                    {"author_name": c.author.public_name if c.author else CLOSED_ACCOUNT_NAME, "excerpt": _excerpt(c.body)} for c in shown
                ],
                "url": external_url("forums.topic", consultation_id=topic.consultation_id, topic_id=topic.id) + f"#contribution-{contributions[0].id}",
                "unfollow_url": unfollow_url(user, topic),
            })
        count = sum(item["count"] for item in items)
        mail = queue_mail(
            to=user.email,
            user=user,
            subject=f"Concertations : {count} nouvelle{'s' if count > 1 else ''} contribution{'s' if count > 1 else ''} aux sujets que vous suivez",
            template="forums/digest",
            dedup_key=keys[user_id],
            display_name=user.display_name,
            day_label=format_day(day),
            topics=items,
            unfollow_all_url=unfollow_url(user),
        )
        queued += mail is not None
    return queued


def _excerpt(body: str, length: int = 300) -> str:
    text = " ".join((body or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
