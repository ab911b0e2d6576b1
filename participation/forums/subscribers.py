"""What consultation events cause: mail to followers, to authors, to contributors."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.accounts.models import CLOSED_ACCOUNT_NAME, AccountState, User
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.urls import external_url
from participation.extensions import db
from participation.core.permissions import SYSTEM
from participation.forums.models import (
    CONTRIBUTION_WORKFLOW,
    CharterAcceptance,
    Consultation,
    Contribution,
    ContributionState,
    Follow,
    Reaction,
    Report,
    Topic,
)
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, preferences_of, tell, tell_all, tell_staff
from flask_babel import lazy_gettext as _l

MODERATION_SUBJECTS = {
    "contribution.hidden": _l("Votre contribution a été masquée"),
    "contribution.rejected": _l("Votre contribution n'a pas été publiée"),
    "contribution.restored": _l("Votre contribution est de nouveau visible"),
    "contribution.author_warned": _l("Un avertissement de la modération"),
    "contribution.author_suspended": _l("Votre compte est suspendu"),
}


def _topic_url(contribution: Contribution) -> str:
    return external_url("forums.topic", consultation_id=contribution.consultation_id, topic_id=contribution.topic_id) + f"#contribution-{contribution.id}"


def unfollow_url(user: User, topic: Topic | None = None) -> str:
    """The unsubscribe link of a mail: it works without logging in (a page asks to confirm)."""
    from participation.forums.services import unfollow_token

    return external_url("forums.unfollow_link", token=unfollow_token(user, topic))


@subscribe("contribution.posted", "contribution.approved", deferred=True)
def tell_followers(event: DomainEvent) -> None:
    """Each follower of the topic (not its author) hears of a visible answer: at once, in their digest
    or only in the app, as they chose for « concertations » on /compte/notifications.

    Run by the worker (a topic may have thousands of followers): those who followed the topic
    when the event happened are told; an answer hidden or withdrawn meanwhile, to no one."""
    contribution: Contribution = event.subject
    if contribution.state != ContributionState.published:
        return
    followers = db.session.scalars(
        sa.select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.topic_id == contribution.topic_id, User.id != contribution.author_id, User.state == AccountState.active,
               # Those who followed the topic by then: not someone who came after it was posted.
               Follow.created_at <= event.occurred_at)
        .order_by(User.id)
    ).all()
    topic = contribution.topic
    author_name = contribution.author.public_name if contribution.author else CLOSED_ACCOUNT_NAME
    path = f"/concertations/{contribution.consultation_id}/sujets/{topic.id}#contribution-{contribution.id}"
    deliveries = preferences_of([u.id for u in followers], Category.consultations)
    for user in followers:
        tell(
            user, Category.consultations, _l("%(author_name)s a contribué au sujet « %(value)s »", author_name=author_name, value=topic.title[:120]),
            url=path, event=event, about=topic.title, dedup_key=f"forums.answer:{contribution.id}",
            mail_key=f"forums.answer:{contribution.id}:{user.id}",
            mail_subject=_l("Nouvelle contribution sur « %(value)s »", value=topic.title[:120]),
            mail_template="forums/new_answer",
            topic=topic,
            author_name=author_name,
            excerpt=contribution.body[:500],
            mail_url=_topic_url(contribution),
            unfollow_url=unfollow_url(user, topic),
            delivery=deliveries[user.id],
        )


# The event the "flag" transition records (hidden after enough reports).
FLAGGED = f"contribution.{CONTRIBUTION_WORKFLOW.transitions['flag'].event}"


@subscribe(FLAGGED)
def tell_moderators_hidden(event: DomainEvent) -> None:
    """Hidden after reports: the moderators hear of it at once."""
    contribution: Contribution = event.subject
    tell_staff(("moderator", "admin"), _l("Contribution masquée après %(report_count)s signalements", report_count=contribution.report_count),
               url="/gestion/moderation?file=reported",
               event=event, dedup_key=f"contribution.hidden_by_reports:{event.id}", about=contribution.topic.title,
               body=contribution.body[:300])


@subscribe("contribution.posted", deferred=True)
def tell_moderators_pending(event: DomainEvent) -> None:
    """A contribution awaits pre-moderation: the moderators hear of it (from the worker, unless it was decided meanwhile)."""
    contribution: Contribution = event.subject
    if contribution.state != ContributionState.pending:
        return
    tell_staff(("moderator", "admin"), _l("Une contribution attend votre validation"),
               url="/gestion/moderation?file=pending", event=event,
               dedup_key=f"contribution.pending:{contribution.id}", about=contribution.topic.title, body=contribution.body[:300])


def contest_address() -> str | None:
    """Where an author contests a moderation decision: a person at the authority, never the no-reply sender."""
    from participation.territory.services import current_territory

    territory = current_territory()
    return territory.contact_email or territory.accessibility_contact or territory.dpo_email


@subscribe(*MODERATION_SUBJECTS)
def tell_author(event: DomainEvent) -> None:
    """The author learns what the moderation decided, and why."""
    contribution: Contribution = event.subject
    author = contribution.author
    if author is None or author.state == AccountState.closed or not author.email:
        return
    # The person's own contribution: always mailed.
    tell(author, OWN_CASE, MODERATION_SUBJECTS[event.name], body=event.data.get("reason"),
         url=f"/concertations/{contribution.consultation_id}/sujets/{contribution.topic_id}", event=event,
         mail_key=f"{event.name}:{event.id}", mail_template="forums/moderated",
         action=event.name.split(".", 1)[1],
         reason=event.data.get("reason", ""),
         until=author.suspended_until,
         contribution=contribution,
         consultation=contribution.consultation,
         contest_to=contest_address(),
         mail_url=_topic_url(contribution))


@subscribe("consultation.synthesis_published")
def announce_synthesis(event: DomainEvent) -> None:
    """Contributors and followers learn that the synthesis is out."""
    consultation = event.subject
    contributor_ids = sa.select(Contribution.author_id).where(
        Contribution.consultation_id == consultation.id, Contribution.state == ContributionState.published
    )

    follower_ids = sa.select(Follow.user_id).join(Topic, Topic.id == Follow.topic_id).where(Topic.consultation_id == consultation.id)
    people = db.session.scalars(
        sa.select(User).where(sa.or_(User.id.in_(contributor_ids), User.id.in_(follower_ids)), User.state == AccountState.active).order_by(User.id)
    ).all()
    url = external_url("forums.synthesis", consultation_id=consultation.id)
    tell_all(people, Category.consultations, _l("La synthèse d'une concertation à laquelle vous avez participé est publiée"),
             body=consultation.title, url=f"/concertations/{consultation.id}/synthese", event=event, about=consultation.title,
             dedup_key=f"forums.synthesis:{consultation.id}",
             mail_subject=_l("La synthèse de la concertation « %(value)s » est publiée", value=consultation.title[:120]),
             mail_template="forums/synthesis_published", consultation=consultation, mail_url=url)


@subscribe("user.closed")
def forget_participation(event: DomainEvent) -> None:
    """A closed account's public contributions stay, shown under « Compte supprimé » (User.public_name).

    What only served the person goes: follows and charter acceptances are deleted, the
    contributions still waiting for moderation are withdrawn, reports no longer say who
    made them (an examined report also loses its comment). Reactions stay, as counts
    on the contributions, tied to an account that no longer holds any personal data.
    """
    user_id = event.subject_id
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user_id))
    db.session.execute(sa.delete(CharterAcceptance).where(CharterAcceptance.user_id == user_id))
    db.session.execute(sa.update(Report).where(Report.reporter_id == user_id, Report.resolved_at.is_not(None)).values(comment=None))
    db.session.execute(sa.update(Report).where(Report.reporter_id == user_id).values(reporter_id=None))
    waiting = db.session.scalars(
        sa.select(Contribution).where(Contribution.author_id == user_id, Contribution.state == ContributionState.pending).order_by(Contribution.id)
    ).all()
    for contribution in waiting:
        CONTRIBUTION_WORKFLOW.apply(contribution, "delete", actor=SYSTEM, data={"account_closed": True})
        contribution.body = ""


@personal_data.section("concertations")
def participation_section(user) -> dict:
    """Contributions, topics opened, reactions, follows, reports and charters accepted."""
    contributions = db.session.execute(
        sa.select(Contribution, Topic.title, Consultation.title)
        .join(Topic, Topic.id == Contribution.topic_id)
        .join(Consultation, Consultation.id == Contribution.consultation_id)
        .where(Contribution.author_id == user.id)
        .order_by(Contribution.id)
    ).all()
    topics = db.session.execute(
        sa.select(Topic, Consultation.title).join(Consultation, Consultation.id == Topic.consultation_id)
        .where(Topic.author_id == user.id).order_by(Topic.id)
    ).all()
    reactions = db.session.execute(
        sa.select(Reaction, Topic.title).join(Contribution, Contribution.id == Reaction.contribution_id)
        .join(Topic, Topic.id == Contribution.topic_id).where(Reaction.user_id == user.id).order_by(Reaction.id)
    ).all()
    follows = db.session.execute(
        sa.select(Follow, Topic.title, Consultation.title).join(Topic, Topic.id == Follow.topic_id)
        .join(Consultation, Consultation.id == Topic.consultation_id).where(Follow.user_id == user.id).order_by(Follow.id)
    ).all()
    reports = db.session.scalars(sa.select(Report).where(Report.reporter_id == user.id).order_by(Report.id)).all()
    charters = db.session.execute(
        sa.select(CharterAcceptance, Consultation.title).join(Consultation, Consultation.id == CharterAcceptance.consultation_id)
        .where(CharterAcceptance.user_id == user.id).order_by(CharterAcceptance.id)
    ).all()
    return {
        "contributions": [
            {"id": c.id, "concertation": consultation, "sujet": topic, "reponse_a": c.parent_id, "date": c.created_at.isoformat(),
             "etat": c.state.label, "modifiee_le": c.edited_at.isoformat() if c.edited_at else None, "texte": c.body}
            for c, topic, consultation in contributions
        ],
        "sujets_ouverts": [{"id": t.id, "concertation": consultation, "titre": t.title, "date": t.created_at.isoformat()} for t, consultation in topics],
        "reactions": [{"contribution": r.contribution_id, "sujet": topic, "reaction": r.kind.label, "date": r.created_at.isoformat()}
                      for r, topic in reactions],
        "sujets_suivis": [{"sujet": topic, "concertation": consultation, "depuis": f.created_at.isoformat()}
                          for f, topic, consultation in follows],
        "signalements": [{"contribution": r.contribution_id, "motif": r.reason.label, "precisions": r.comment, "date": r.created_at.isoformat(),
                          "examine_le": r.resolved_at.isoformat() if r.resolved_at else None} for r in reports],
        "chartes_acceptees": [{"concertation": consultation, "date": a.accepted_at.isoformat()} for a, consultation in charters],
    }
