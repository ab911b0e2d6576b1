"""What consultation events cause: mail to followers, to authors, to contributors."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.models import AccountState, User
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.outbox import queue_mail
from participation.core.urls import external_url
from participation.extensions import db
from participation.forums.models import Contribution, ContributionState, Follow
from participation.notifications.services import notify

MODERATION_SUBJECTS = {
    "contribution.hidden": "Votre contribution a été masquée",
    "contribution.rejected": "Votre contribution n'a pas été publiée",
    "contribution.restored": "Votre contribution est de nouveau visible",
    "contribution.author_warned": "Un avertissement de la modération",
    "contribution.author_suspended": "Votre compte est suspendu",
}


def _topic_url(contribution: Contribution) -> str:
    return external_url("forums.topic", consultation_id=contribution.consultation_id, topic_id=contribution.topic_id) + f"#contribution-{contribution.id}"


@subscribe("contribution.posted", "contribution.approved")
def tell_followers(event: DomainEvent) -> None:
    """A mail to each follower of the topic when a visible answer appears (not to its author)."""
    contribution: Contribution = event.subject
    if contribution.state != ContributionState.published:
        return
    followers = db.session.scalars(
        sa.select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.topic_id == contribution.topic_id, User.id != contribution.author_id, User.state == AccountState.active)
    ).all()
    topic = contribution.topic
    for user in followers:
        queue_mail(
            to=user.email,
            user=user,
            subject=f"Nouvelle contribution sur « {topic.title[:120]} »",
            template="forums/new_answer",
            dedup_key=f"forums.answer:{contribution.id}:{user.id}",
            display_name=user.display_name,
            topic=topic,
            author_name=contribution.author.public_name if contribution.author else "Compte supprimé",
            excerpt=contribution.body[:500],
            url=_topic_url(contribution),
            unfollow_url=external_url("forums.topic", consultation_id=contribution.consultation_id, topic_id=topic.id) + "#suivre",
        )


@subscribe(*MODERATION_SUBJECTS)
def tell_author(event: DomainEvent) -> None:
    """The author learns what the moderation decided, and why."""
    contribution: Contribution = event.subject
    author = contribution.author
    if author is None or author.state == AccountState.closed or not author.email:
        return
    queue_mail(
        to=author.email,
        user=author,
        subject=MODERATION_SUBJECTS[event.name],
        template="forums/moderated",
        dedup_key=f"{event.name}:{event.id}",
        display_name=author.display_name,
        action=event.name.split(".", 1)[1],
        reason=event.data.get("reason", ""),
        until=author.suspended_until,
        contribution=contribution,
        consultation=contribution.consultation,
        url=_topic_url(contribution),
    )
    notify(author, MODERATION_SUBJECTS[event.name], body=event.data.get("reason"),
           url=f"/concertations/{contribution.consultation_id}/sujets/{contribution.topic_id}", event=event)


@subscribe("consultation.synthesis_published")
def announce_synthesis(event: DomainEvent) -> None:
    """Contributors and followers learn that the synthesis is out."""
    consultation = event.subject
    contributor_ids = sa.select(Contribution.author_id).where(
        Contribution.consultation_id == consultation.id, Contribution.state == ContributionState.published
    )
    from participation.forums.models import Topic

    follower_ids = sa.select(Follow.user_id).join(Topic, Topic.id == Follow.topic_id).where(Topic.consultation_id == consultation.id)
    people = db.session.scalars(
        sa.select(User).where(sa.or_(User.id.in_(contributor_ids), User.id.in_(follower_ids)), User.state == AccountState.active).order_by(User.id)
    ).all()
    url = external_url("forums.synthesis", consultation_id=consultation.id)
    for user in people:
        queue_mail(
            to=user.email,
            user=user,
            subject=f"La synthèse de la concertation « {consultation.title[:120]} » est publiée",
            template="forums/synthesis_published",
            dedup_key=f"forums.synthesis:{consultation.id}:{user.id}",
            display_name=user.display_name,
            consultation=consultation,
            url=url,
        )
        notify(user, "La synthèse d'une concertation à laquelle vous avez participé est publiée", body=consultation.title,
               url=f"/concertations/{consultation.id}/synthese", event=event, dedup_key=f"forums.synthesis:{consultation.id}")
