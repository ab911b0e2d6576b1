"""Consultation operations: the code that changes consultations, topics and contributions.

Every function takes the acting person (``actor=``), checks what they may do
and says why not in French, changes the rows, records a domain event and
returns. Nothing here commits or reads the request.

Here: consultations (staff) and taking part (the charter, topics,
contributions, reactions, follows). Reports and moderation are in
``moderation.py``, a consultation's documents and images in
``attachments.py``, what the pages read in ``reading.py``.
"""

from __future__ import annotations

from flask_babel import ngettext
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from participation.accounts.models import AccountState, User
from participation.core.concurrency import claim_revision
from participation.core.errors import DomainError, PermissionDenied, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, can, require
from participation.core.rows import append_row
from participation.extensions import db
from participation.forums.models import (
    CONSULTATION_WORKFLOW,
    CONTRIBUTION_WORKFLOW,
    CharterAcceptance,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Follow,
    Reaction,
    ReactionKind,
    Topic,
)
from participation.forums.reading import Standing, standing
from participation.territory.models import Theme
from flask_babel import gettext as _

BODY_MAX = 10_000
TITLE_MAX = 200
LINK_RE = re.compile(r"https?://|www\.|\]\(|mailto:", re.IGNORECASE)


# Consultations (staff) ------------------------------------------------------


def save_consultation(
    consultation: Consultation | None,
    *,
    title: str,
    question: str,
    presentation: str,
    charter: str,
    opens_at: datetime,
    closes_at: datetime,
    premoderated: bool = False,
    themes=(),
    communes=(),
    actor,
) -> Consultation:
    """Create or change a consultation; dates may change until it closes."""
    require(actor, "forums.manage", consultation)
    title, question, charter = (title or "").strip(), (question or "").strip(), (charter or "").strip()
    if not title:
        raise ValidationError(_("Indiquez le titre de la concertation."), field="title")
    if not question:
        raise ValidationError(_("Indiquez la question posée aux habitants."), field="question")
    if not charter:
        raise ValidationError(_("Indiquez la charte de participation que les contributeurs acceptent."), field="charter")
    if opens_at is None:
        raise ValidationError(_("Indiquez la date d'ouverture."), field="opens_at")
    if closes_at is None:
        raise ValidationError(_("Indiquez la date de clôture."), field="closes_at")
    if closes_at <= opens_at:
        raise ValidationError(_("La clôture doit venir après l'ouverture."), field="closes_at")
    created = consultation is None
    if created:
        consultation = Consultation(created_by_id=getattr(actor, "id", None))
        db.session.add(consultation)
    elif consultation.state in (ConsultationState.closed, ConsultationState.synthesis_published):
        raise DomainError(_("Cette concertation est close : seule sa synthèse peut encore être rédigée."))
    consultation.title = title[:TITLE_MAX]
    consultation.question = question[:500]
    consultation.presentation = presentation or ""
    consultation.charter = charter
    consultation.opens_at = opens_at
    consultation.closes_at = closes_at
    consultation.premoderated = bool(premoderated)
    consultation.themes = list(themes)
    consultation.communes = list(communes)
    db.session.flush()
    record("consultation.created" if created else "consultation.updated", consultation, actor, {"title": consultation.title})
    return consultation


def publish_consultation(consultation: Consultation, *, actor) -> None:
    CONSULTATION_WORKFLOW.apply(consultation, "publish", actor=actor)
    # Already within its dates: open at once rather than at the worker's next round.
    advance(consultation, now=utcnow())


def close_consultation(consultation: Consultation, *, actor) -> None:
    """Close before the planned date (staff), or at it (the worker)."""
    CONSULTATION_WORKFLOW.apply(consultation, "close", actor=actor)


def advance(consultation: Consultation, *, now: datetime) -> str | None:
    """Move a consultation to the state its dates call for; returns the transition applied, if any."""
    if consultation.state in (ConsultationState.published, ConsultationState.open) and now >= consultation.closes_at:
        CONSULTATION_WORKFLOW.apply(consultation, "close", actor=SYSTEM, data={"scheduled": True})
        return "close"
    if consultation.state == ConsultationState.published and consultation.opens_at <= now:
        CONSULTATION_WORKFLOW.apply(consultation, "open", actor=SYSTEM)
        return "open"
    return None


def save_synthesis(consultation: Consultation, *, text: str, actor, based_on=None) -> None:
    """``based_on``: the revision the edit started from; ``EditConflict`` when
    someone saved since (``None``, for scripts: on top of the current text)."""
    require(actor, "forums.manage", consultation)
    if consultation.state not in (ConsultationState.closed, ConsultationState.synthesis_published):
        raise DomainError(_("La synthèse se rédige une fois la concertation close."))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Rédigez la synthèse : elle ne peut pas être vide."), field="text")
    claim_revision(consultation, consultation.synthesis_revision if based_on is None else based_on,
                   column="synthesis_revision", text_attr="synthesis")
    consultation.synthesis = text
    record("consultation.synthesis_saved", consultation, actor, {})


def publish_synthesis(consultation: Consultation, *, actor) -> None:
    CONSULTATION_WORKFLOW.apply(consultation, "publish_synthesis", actor=actor)
    consultation.synthesis_published_at = utcnow()


# Taking part ----------------------------------------------------------------


def has_accepted_charter(consultation: Consultation, user) -> bool:
    if not getattr(user, "is_authenticated", False) or user is SYSTEM:
        return False
    return db.session.scalar(
        sa.select(CharterAcceptance.id).where(CharterAcceptance.consultation_id == consultation.id, CharterAcceptance.user_id == user.id)
    ) is not None


def accept_charter(consultation: Consultation, *, actor) -> None:
    require(actor, "forums.participate", consultation)
    if has_accepted_charter(consultation, actor):
        return
    db.session.add(CharterAcceptance(consultation_id=consultation.id, user_id=actor.id))
    db.session.flush()
    record("consultation.charter_accepted", consultation, actor, {})


def participation_refusal(consultation: Consultation, actor, *, accepted: bool | None = None, now: datetime | None = None) -> str | None:
    """Why ``actor`` may not contribute to ``consultation`` now, or ``None``."""
    from participation.core.dates import format_moment

    now = now or utcnow()
    if not getattr(actor, "is_authenticated", False):
        return _("Connectez-vous pour contribuer : il faut un compte confirmé.")
    if actor.state == AccountState.suspended:
        if actor.suspended_until:
            return _("Votre compte est suspendu jusqu'au %(suspended_until)s : vous ne pouvez pas contribuer.", suspended_until=format_moment(actor.suspended_until))
        return _("Votre compte est suspendu : vous ne pouvez pas contribuer.")
    if actor.state != AccountState.active:
        return _("Confirmez d'abord votre adresse électronique : le lien est dans le courriel reçu à l'inscription.")
    shown = consultation.shown_state(now)
    if shown == ConsultationState.draft:
        return _("Cette concertation n'est pas publiée.")
    if shown == ConsultationState.published:
        return _("La concertation ouvrira le %(opens_at)s : vous pourrez contribuer à partir de cette date.", opens_at=format_moment(consultation.opens_at))
    if shown != ConsultationState.open or not consultation.accepts_contributions(now):
        if now < consultation.opens_at:
            return _("La concertation ouvrira le %(opens_at)s.", opens_at=format_moment(consultation.opens_at))
        return _("La concertation est close depuis le %(closes_at)s : il n'est plus possible de contribuer.", closes_at=format_moment(consultation.closes_at))
    if accepted is None:
        accepted = has_accepted_charter(consultation, actor)
    if not accepted:
        return _("Acceptez la charte de participation de cette concertation pour contribuer.")
    return None


def _check_can_contribute(consultation: Consultation, actor, *, accepted: bool | None = None) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Connectez-vous pour contribuer."))
    require(actor, "forums.view", consultation)
    reason = participation_refusal(consultation, actor, accepted=accepted)
    if reason:
        raise DomainError(reason)


def _clean_body(body: str, actor) -> str:
    body = (body or "").strip()
    if len(body) < 2:
        raise ValidationError(_("Écrivez votre contribution."), field="body")
    if len(body) > BODY_MAX:
        raise ValidationError(_("Votre contribution dépasse %(BODY_MAX)s caractères : raccourcissez-la.", BODY_MAX=BODY_MAX), field="body")
    config = current_app.config
    created = getattr(actor, "created_at", None)
    if created is not None and utcnow() - created < timedelta(days=config["FORUMS_NEW_ACCOUNT_DAYS"]):
        allowed = config["FORUMS_NEW_ACCOUNT_MAX_LINKS"]
        if len(LINK_RE.findall(body)) > allowed:
            raise ValidationError(
                ngettext("Les comptes de moins de %(days)d jours peuvent mettre au plus %(num)d lien par contribution.",
                         "Les comptes de moins de %(days)d jours peuvent mettre au plus %(num)d liens par contribution.",
                         allowed, days=config['FORUMS_NEW_ACCOUNT_DAYS']),
                field="body",
            )
    return body


def _initial_state(consultation: Consultation, actor) -> ContributionState:
    if consultation.premoderated and not can(actor, "forums.moderate", consultation):
        return ContributionState.pending
    return ContributionState.published


def _follow(topic: Topic, user) -> Follow:
    """Follow the topic (once); how the person hears of it is their notification preference."""
    existing = db.session.scalar(sa.select(Follow).where(Follow.topic_id == topic.id, Follow.user_id == user.id))
    if existing is None:
        existing = Follow(topic_id=topic.id, user_id=user.id)
        db.session.add(existing)
        db.session.flush()
    return existing


def open_topic(consultation: Consultation, *, title: str, body: str, theme: Theme | None = None, actor) -> Topic:
    """Open a topic with its first contribution; its author follows it."""
    _check_can_contribute(consultation, actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Donnez un titre à votre sujet."), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(_("Le titre dépasse %(TITLE_MAX)s caractères.", TITLE_MAX=TITLE_MAX), field="title")
    body = _clean_body(body, actor)
    if theme is not None and theme not in consultation.themes:
        raise ValidationError(_("Choisissez un des thèmes de la concertation."), field="theme")
    now = utcnow()
    topic = Topic(consultation_id=consultation.id, author_id=actor.id, title=title, theme_id=getattr(theme, "id", None),
                  created_at=now, last_activity_at=now)
    db.session.add(topic)
    db.session.flush()
    contribution = Contribution(consultation_id=consultation.id, topic_id=topic.id, author_id=actor.id, body=body,
                                state=_initial_state(consultation, actor), created_at=now)
    if contribution.state == ContributionState.published:
        contribution.published_at = now
    db.session.add(contribution)
    db.session.flush()
    _follow(topic, actor)
    record("topic.opened", topic, actor, {"title": title})
    record("contribution.posted", contribution, actor, {"topic_id": topic.id, "state": contribution.state})
    return topic


def contribute(topic: Topic, *, body: str, parent: Contribution | None = None, actor, stands: Standing | None = None) -> Contribution:
    """Answer a topic, or reply to one of its contributions (one level of replies).

    ``stands``: whether ``actor`` accepted the charter and follows the topic, when read with it (``topic_for``)."""
    consultation = topic.consultation
    if stands is None:  # (one query for both)
        stands = standing(consultation, actor, topic)
    _check_can_contribute(consultation, actor, accepted=stands.accepted_charter)
    body = _clean_body(body, actor)
    if parent is not None:
        if parent.topic_id != topic.id:
            raise ValidationError(_("Cette réponse ne correspond pas au sujet."), field="body")
        if parent.state not in (ContributionState.published,):
            raise DomainError(_("On ne peut pas répondre à cette contribution."))
        # Replies stay one level deep: a reply to a reply joins its thread.
        if parent.parent_id is not None:
            parent = db.session.get(Contribution, parent.parent_id)
    now = utcnow()
    state = _initial_state(consultation, actor)
    published = state == ContributionState.published
    # Appended, not flushed (core/rows.py): the busiest write of a consultation.
    contribution = append_row(db.session, Contribution, {
        "consultation_id": consultation.id, "topic_id": topic.id, "parent_id": getattr(parent, "id", None), "author_id": actor.id,
        "body": body, "state": state, "created_at": now, "published_at": now if published else None})
    if not stands.following:  # its author follows the topic (see ``_follow``); written with the event
        db.session.add(Follow(topic_id=topic.id, user_id=actor.id))
    record("contribution.posted", contribution, actor, {"topic_id": topic.id, "parent_id": contribution.parent_id, "state": contribution.state})
    if published:
        # Written last: the topic's row is locked from this UPDATE to the COMMIT only, not while the rest is
        # written (contributions to one topic at once wait for each other there). Every page that shows the
        # topic is renewed by the event's tag.
        db.session.connection().execute(_TOPIC_ACTIVITY, {"topic_id": topic.id, "at": now})
        sa.orm.attributes.set_committed_value(topic, "last_activity_at", now)
    return contribution


_topics = Topic.__table__
_TOPIC_ACTIVITY = (sa.update(_topics).where(_topics.c.id == sa.bindparam("topic_id"))
                   .values(last_activity_at=sa.bindparam("at", type_=_topics.c.last_activity_at.type)))


def edit_deadline(contribution: Contribution) -> datetime:
    """Until when its author may edit a contribution."""
    return contribution.created_at + timedelta(minutes=current_app.config["FORUMS_EDIT_MINUTES"])


def edit_refusal(contribution: Contribution, actor, now: datetime | None = None) -> str | None:
    if not can(actor, "forums.edit", contribution):
        return _("Seul son auteur peut modifier une contribution.")
    if contribution.state not in (ContributionState.published, ContributionState.pending):
        return _("Cette contribution ne peut plus être modifiée.")
    if (now or utcnow()) > edit_deadline(contribution):
        minutes = current_app.config["FORUMS_EDIT_MINUTES"]
        return _("Une contribution se modifie dans les %(minutes)s minutes qui suivent sa publication.", minutes=minutes)
    if not contribution.consultation.accepts_contributions(now):
        return _("La concertation est close : les contributions ne se modifient plus.")
    return None


def edit_contribution(contribution: Contribution, *, body: str, actor) -> None:
    require(actor, "forums.edit", contribution)
    reason = edit_refusal(contribution, actor)
    if reason:
        raise DomainError(reason)
    body = _clean_body(body, actor)
    if body == contribution.body:
        return
    contribution.body = body
    contribution.edited_at = utcnow()
    record("contribution.edited", contribution, actor, {})


def delete_contribution(contribution: Contribution, *, actor) -> None:
    """The author withdraws a contribution: its text is erased; replies to it stay."""
    if not can(actor, "forums.edit", contribution) and actor is not SYSTEM:
        raise PermissionDenied(_("Seul son auteur peut supprimer une contribution."))
    CONTRIBUTION_WORKFLOW.apply(contribution, "delete", actor=actor)
    contribution.body = ""


def react(contribution: Contribution, kind: ReactionKind, *, actor) -> ReactionKind | None:
    """Set the person's reaction; the same one again withdraws it. Returns the reaction now held."""
    require(actor, "forums.participate", contribution)
    if contribution.state != ContributionState.published:
        raise DomainError(_("On ne peut pas réagir à cette contribution."))
    if contribution.author_id == actor.id:
        raise DomainError(_("Vous ne pouvez pas réagir à votre propre contribution."))
    if not contribution.consultation.accepts_contributions():
        raise DomainError(_("La concertation est close : les réactions ne sont plus possibles."))
    existing = db.session.scalar(sa.select(Reaction).where(Reaction.contribution_id == contribution.id, Reaction.user_id == actor.id))
    if existing is not None and existing.kind == kind:
        db.session.delete(existing)
        result = None
    elif existing is not None:
        existing.kind = kind
        result = kind
    else:
        try:
            with db.session.begin_nested():
                db.session.add(Reaction(contribution_id=contribution.id, user_id=actor.id, kind=kind))
        except sa.exc.IntegrityError:
            # The same person's other request (a double click) added one meanwhile: it now says this.
            existing = db.session.scalar(sa.select(Reaction).where(Reaction.contribution_id == contribution.id, Reaction.user_id == actor.id))
            existing.kind = kind
        result = kind
    db.session.flush()
    _recount_reactions(contribution)
    record("contribution.reacted", contribution, actor, {"kind": result})
    return result


def _recount_reactions(contribution: Contribution) -> None:
    """Counts recomputed from the rows: two people reacting at once still give the right number."""
    def count(kind):
        return (
            sa.select(sa.func.count(Reaction.id))
            .where(Reaction.contribution_id == contribution.id, Reaction.kind == kind)
            .scalar_subquery()
        )

    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.id == contribution.id)
        .values(agree_count=count(ReactionKind.agree), disagree_count=count(ReactionKind.disagree), support_count=count(ReactionKind.support))
        .execution_options(people=())  # counts everyone sees (the page's tags), nothing of its author's
    )
    db.session.refresh(contribution, ["agree_count", "disagree_count", "support_count"])


def follow(topic: Topic, *, actor) -> None:
    """Follow a topic: its answers are told as the person chose for the consultations (each time, a digest, or in the app only)."""
    require(actor, "forums.participate", topic.consultation)
    _follow(topic, actor)
    record("topic.followed", topic, actor)


def unfollow(topic: Topic, *, actor) -> None:
    """Stop following a topic. Open to a suspended person too: a mail's unsubscribe link always works."""
    if not getattr(actor, "is_authenticated", False) or actor is SYSTEM:
        raise PermissionDenied(_("Connectez-vous pour ne plus suivre ce sujet."))
    result = db.session.execute(sa.delete(Follow).where(Follow.topic_id == topic.id, Follow.user_id == actor.id).execution_options(people=(actor.id,)))
    if result.rowcount:
        record("topic.unfollowed", topic, actor, {})


def unfollow_all(*, actor) -> int:
    """Stop following every topic (the « ne plus rien recevoir » link of the mails)."""
    if not getattr(actor, "is_authenticated", False) or actor is SYSTEM:
        raise PermissionDenied(_("Connectez-vous pour ne plus suivre de sujet."))
    result = db.session.execute(sa.delete(Follow).where(Follow.user_id == actor.id).execution_options(people=(actor.id,)))
    if result.rowcount:
        record("user.topics_unfollowed", actor, actor, {"count": result.rowcount})
    return result.rowcount or 0


def following(topic: Topic, user) -> Follow | None:
    """The person's follow of the topic, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(Follow).where(Follow.topic_id == topic.id, Follow.user_id == user.id))


def is_following(topic: Topic, user) -> bool:
    return following(topic, user) is not None


def follow_count(user, topic: Topic | None = None) -> int:
    """How many topics the person follows (of this one: 0 or 1)."""
    select = sa.select(sa.func.count(Follow.id)).where(Follow.user_id == user.id)
    if topic is not None:
        select = select.where(Follow.topic_id == topic.id)
    return db.session.scalar(select) or 0


def _unfollow_serializer():
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="forums-unfollow")


def unfollow_token(user, topic: Topic | None = None) -> str:
    """A token for a mail's unsubscribe link: it stands for the person, for this topic or for all."""
    return _unfollow_serializer().dumps({"u": user.id, "t": getattr(topic, "id", None)})


def read_unfollow_token(token: str) -> tuple[User, Topic | None] | None:
    """The person and topic an unsubscribe link stands for, or ``None`` if it is not one of ours."""
    from itsdangerous import BadSignature

    try:
        data = _unfollow_serializer().loads(token)
        user = db.session.get(User, int(data["u"]))
        topic = db.session.get(Topic, int(data["t"])) if data.get("t") is not None else None
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or user.state == AccountState.closed or (data.get("t") is not None and topic is None):
        return None
    return user, topic
