"""Referrals, opinions and answers: what people do, checked and recorded."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from participation.core.dates import format_moment
from participation.core.concurrency import claim_revision
from participation.core.concurrency import paragraphs
from participation.core.errors import DomainError, TransitionRefused
from participation.core.eventlog import DomainEvent, events_about, record
from participation.core.follows import is_following, toggle_follow
from participation.core.models import utcnow
from participation.core.permissions import can, require
from participation.councils.models import (
    AgendaItem,
    Council,
    MemberRole,
    Membership,
    MembershipState,
    Sitting,
    SittingKind,
    SittingState,
    WorkingGroup,
)
from participation.extensions import db
from participation.referrals.models import (
    ANSWER_STATUSES,
    AWAITING_OPINION,
    OPINION_WORKFLOW,
    PUBLIC_STATES,
    RECOMMENDATION_WORKFLOW,
    REFERRAL_WORKFLOW,
    Opinion,
    OpinionComment,
    OpinionState,
    OpinionVersion,
    OpinionVote,
    Recommendation,
    RecommendationStatus,
    RecommendationUpdate,
    Referral,
    ReferralFollower,
    ReferralKind,
    ReferralState,
)
from participation.territory.models import Department, Theme
from flask_babel import gettext as _

def setting(name: str) -> int:
    """A delay of the configuration (``REFERRALS_*`` in participation/config.py)."""
    return int(current_app.config[name])


def add_months(day: date, months: int) -> date:
    """``2025-01-31`` + 1 → ``2025-02-28``: the same day, or the month's last."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clean_text(value: str | None, *, field: str, required: str | None = None, limit: int | None = None) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(required, field=field)
    if limit and len(value) > limit:
        raise DomainError(_("%(limit)s caractères au plus.", limit=limit), field=field)
    return value or None


# --- Referrals --------------------------------------------------------------


def refer(council: Council, *, kind: ReferralKind, subject: str, question: str, act: str | None, referred_by: str | None,
          department: Department | None, received_on: date | None = None, due_on: date | None = None, themes=(), actor) -> Referral:
    """The authority refers a question to the council: the referral starts at « reçue »."""
    require(actor, "referrals.manage", council)
    if kind == ReferralKind.self_referral:
        raise DomainError(_("Une auto-saisine est proposée par les membres du conseil."), field="kind")
    if department is None:
        raise DomainError(_("Indiquez la direction qui saisit le conseil : elle recevra l'avis."), field="department")
    received_on = received_on or date.today()
    referral = Referral(
        council_id=council.id, kind=kind, state=ReferralState.received,
        subject=clean_text(subject, field="subject", required=_("Indiquez l'objet de la saisine."), limit=200),
        question=clean_text(question, field="question", required=_("Formulez la question posée au conseil.")),
        act=clean_text(act, field="act", limit=300),
        referred_by=clean_text(referred_by, field="referred_by", limit=200) or _("La collectivité"),
        department_id=department.id, received_on=received_on,
        due_on=_due_on(received_on, due_on),
    )
    referral.themes = list(themes)
    db.session.add(referral)
    db.session.flush()
    record("referral.received", referral, actor, {"kind": kind.value, "due_on": referral.due_on.isoformat()})
    return referral


def _due_on(received_on: date, due_on: date | None) -> date:
    due_on = due_on or add_months(received_on, setting("REFERRALS_DUE_MONTHS"))
    if due_on < received_on:
        raise DomainError(_("La date de remise de l'avis ne peut pas précéder la réception de la saisine."), field="due_on")
    return due_on


def propose(council: Council, *, subject: str, question: str, act: str | None = None, themes=(), actor) -> Referral:
    """A member proposes that the council take up a question itself (auto-saisine)."""
    from participation.councils.policies import current_membership

    require(actor, "referrals.propose", council)
    today = date.today()
    referral = Referral(
        council_id=council.id, kind=ReferralKind.self_referral, state=ReferralState.proposed,
        subject=clean_text(subject, field="subject", required=_("Indiquez l'objet de l'auto-saisine."), limit=200),
        question=clean_text(question, field="question", required=_("Formulez la question que le conseil se pose.")),
        act=clean_text(act, field="act", limit=300), referred_by=_("Le %(name)s (auto-saisine)", name=council.name),
        received_on=today, due_on=add_months(today, setting("REFERRALS_DUE_MONTHS")),
        proposed_by_id=current_membership(actor, council).id,
    )
    referral.themes = list(themes)
    db.session.add(referral)
    db.session.flush()
    record("referral.proposed", referral, actor)
    return referral


def accept(referral: Referral, *, actor) -> None:
    REFERRAL_WORKFLOW.apply(referral, "accept", actor=actor)


def decline(referral: Referral, *, reason: str, actor) -> None:
    reason = clean_text(reason, field="reason", required=_("Le bureau motive son refus."))
    REFERRAL_WORKFLOW._check(referral, "decline", actor)
    referral.decline_reason = reason
    REFERRAL_WORKFLOW.apply(referral, "decline", actor=actor, data={"reason": reason})


def assign_group(referral: Referral, group: WorkingGroup | None, *, actor) -> None:
    """The bureau entrusts the referral to a working group: the referral is « en cours »."""
    if group is None or group.council_id != referral.council_id or group.archived:
        raise DomainError(_("Choisissez un groupe de travail de ce conseil."), field="group")
    if referral.state == ReferralState.in_progress:
        require(actor, "referrals.decide", referral)
        referral.working_group_id = group.id
        record("referral.group_changed", referral, actor, {"group": group.name})
        return
    previous = referral.working_group_id
    referral.working_group_id = group.id
    try:
        REFERRAL_WORKFLOW.apply(referral, "start", actor=actor, data={"group": group.name, "group_id": group.id})
    except DomainError:
        referral.working_group_id = previous
        raise
    if referral.opinion is not None:
        return
    opinion = Opinion(referral=referral)
    db.session.add(opinion)
    db.session.flush()


def referral_members(referral: Referral, *, roles=None) -> list[Membership]:
    statement = sa.select(Membership).where(Membership.council_id == referral.council_id, Membership.state == MembershipState.active)
    if roles:
        statement = statement.where(Membership.role.in_(roles))
    return db.session.scalars(statement.order_by(Membership.id)).all()


BUREAU_ROLES = (MemberRole.president, MemberRole.co_president, MemberRole.bureau)


def public_referrals(*, council_id: int | None = None, state: ReferralState | None = None):
    statement = sa.select(Referral).where(Referral.state.in_(PUBLIC_STATES))
    if council_id is not None:
        statement = statement.where(Referral.council_id == council_id)
    if state:
        statement = statement.where(Referral.state == state)
    return statement.options(sa.orm.lazyload(Referral.themes)).order_by(Referral.received_on.desc(), Referral.id.desc())


def all_referrals(*, council_id: int | None = None):
    statement = sa.select(Referral).options(sa.orm.lazyload(Referral.themes))
    if council_id is not None:
        statement = statement.where(Referral.council_id == council_id)
    return statement.order_by(Referral.received_on.desc(), Referral.id.desc())


def overdue_referrals(today: date | None = None):
    """Opinions transmitted whose answer is past due."""
    today = today or date.today()
    return (sa.select(Referral).where(Referral.state == ReferralState.transmitted, Referral.answer_due_on < today)
            .options(sa.orm.lazyload(Referral.themes)).order_by(Referral.answer_due_on, Referral.id))


def opinions_due(before: date):
    """Referrals whose opinion is still awaited and due before ``before`` (a missed due date included)."""
    return (sa.select(Referral).where(Referral.state.in_(AWAITING_OPINION), Referral.due_on < before)
            .options(sa.orm.lazyload(Referral.themes)).order_by(Referral.due_on, Referral.id))


# --- The public timeline ----------------------------------------------------


@dataclass
class Step:
    at: datetime
    text: str
    detail: str | None = None


def _body(event: DomainEvent, referral: Referral) -> str:
    """Who acted, as a body: never a person's name."""
    council = referral.council.name
    names = {
        "referral.received": _("%(referred_by)s saisit le %(council)s.", referred_by=referral.referred_by, council=council),
        "referral.proposed": _("Des membres du %(council)s proposent une auto-saisine.", council=council),
        "referral.accepted": _("Le bureau du %(council)s accepte la saisine.", council=council),
        "referral.declined": _("Le bureau du %(council)s refuse la saisine.", council=council),
        "referral.started": _("La saisine est confiée au groupe de travail « %(get)s ».", get=event.data.get('group', '')),
        "referral.group_changed": _("La saisine est confiée au groupe de travail « %(get)s ».", get=event.data.get('group', '')),
        "opinion.submitted": _("Le projet d'avis est prêt pour le vote."),
        "opinion.vote_scheduled": _("Le vote de l'avis est inscrit à l'ordre du jour de la séance « %(get)s ».", get=event.data.get('sitting', '')),
        "opinion.voted": _("Le conseil vote sur le projet d'avis en séance."),
        "opinion.rejected": _("Le projet d'avis n'est pas adopté ; il retourne en rédaction."),
        "referral.adopted": _("Le %(council)s adopte son avis en séance.", council=council),
        "opinion.published": _("L'avis est publié."),
        "referral.transmitted": _("L'avis est transmis à la collectivité."),
        "referral.answered": _("La collectivité publie sa réponse."),
        "referral.closed": _("La saisine est clôturée."),
    }
    return names.get(event.name)


def timeline(referral: Referral) -> list[Step]:
    """The referral's public history, from the event log: two queries."""
    events = list(events_about(referral))
    if referral.opinion is not None:
        events += events_about(referral.opinion)
    steps = []
    for event in sorted(events, key=lambda e: e.id):
        text = _body(event, referral)
        if text is None:
            continue
        detail = None
        if event.name == "referral.declined":
            detail = event.data.get("reason")
        elif event.name == "opinion.voted":
            detail = (_("Pour : %(get)s, contre : %(get2)s, abstentions : %(get3)s, présents : %(get4)s.", get=event.data.get('for'), get2=event.data.get('against'), get3=event.data.get('abstentions'), get4=event.data.get('present')))
        elif event.name == "opinion.vote_scheduled" and event.data.get("starts_at"):
            detail = _("Séance du %(format_moment)s.", format_moment=format_moment(datetime.fromisoformat(event.data['starts_at'])))
        steps.append(Step(at=event.occurred_at, text=text, detail=detail))
    return steps


def follow(referral: Referral, *, actor) -> bool:
    """Follow or stop following; returns whether the person now follows."""
    require(actor, "referrals.follow", referral)
    return toggle_follow(ReferralFollower, actor, referral_id=referral.id)


def follows(referral: Referral, user) -> bool:
    return is_following(ReferralFollower, user, referral_id=referral.id)


# --- Drafting ---------------------------------------------------------------


def _drafting(opinion: Opinion) -> None:
    if opinion.state != OpinionState.drafting:
        raise TransitionRefused(_("L'avis n'est plus en rédaction : reprenez la rédaction pour le modifier.")
                                if opinion.state == OpinionState.ready else _("L'avis est adopté : il ne se modifie plus."))


def save_version(opinion: Opinion, *, body: str, note: str | None = None, actor, based_on=None) -> OpinionVersion:
    """Each save is a new version with its author.

    ``based_on`` is the version the edit started from; when another version
    was saved since, ``EditConflict`` is raised and nothing changes. ``None``
    (a script, the demo) saves on top of the current version.
    """
    require(actor, "referrals.draft", opinion)
    _drafting(opinion)
    body = clean_text(body, field="body", required=_("Le texte de l'avis est vide."))
    number = claim_revision(opinion, opinion.version_count if based_on is None else based_on,
                            column="version_count", text_attr="body")
    if body == opinion.body:
        raise DomainError(_("Le texte n'a pas changé depuis la dernière version."), field="body")
    version = OpinionVersion(opinion_id=opinion.id, number=number, body=body,
                             note=clean_text(note, field="note", limit=300), author_id=getattr(actor, "id", None))
    opinion.body = body
    db.session.add(version)
    db.session.flush()
    record("opinion.version_saved", opinion, actor, {"number": version.number})
    return version


def versions_query(opinion: Opinion):
    return sa.select(OpinionVersion).where(OpinionVersion.opinion_id == opinion.id).order_by(OpinionVersion.number.desc())


def version(opinion: Opinion, number: int) -> OpinionVersion | None:
    return db.session.scalar(sa.select(OpinionVersion).where(OpinionVersion.opinion_id == opinion.id, OpinionVersion.number == number))


def comment(opinion: Opinion, *, body: str, paragraph: int | None = None, actor) -> OpinionComment:
    require(actor, "referrals.comment", opinion)
    if opinion.version_count == 0:
        raise DomainError(_("Il n'y a pas encore de version à commenter."), field="body")
    current = version(opinion, opinion.version_count)
    if paragraph is not None and not 1 <= paragraph <= len(paragraphs(current.body)):
        raise DomainError(_("Ce paragraphe n'existe pas : la version %(number)s en compte %(len)s.", number=current.number, len=len(paragraphs(current.body))),
                          field="paragraph")
    item = OpinionComment(opinion_id=opinion.id, version_id=current.id, paragraph=paragraph,
                          body=clean_text(body, field="body", required=_("Le commentaire est vide.")), author_id=actor.id)
    db.session.add(item)
    db.session.flush()
    record("opinion.commented", opinion, actor, {"comment_id": item.id, "paragraph": paragraph})
    return item


def comments_query(opinion: Opinion):
    return sa.select(OpinionComment).where(OpinionComment.opinion_id == opinion.id).order_by(OpinionComment.id.desc())


def add_recommendation(opinion: Opinion, *, text: str, actor) -> Recommendation:
    require(actor, "referrals.draft", opinion)
    _drafting(opinion)
    number = (db.session.scalar(sa.select(sa.func.max(Recommendation.number)).where(Recommendation.opinion_id == opinion.id)) or 0) + 1
    item = Recommendation(opinion_id=opinion.id, number=number, text=clean_text(text, field="text", required=_("La recommandation est vide.")))
    db.session.add(item)
    db.session.flush()
    db.session.expire(opinion, ["recommendations"])
    record("opinion.recommendation_added", opinion, actor, {"number": number})
    return item


def edit_recommendation(item: Recommendation, *, text: str, actor) -> None:
    require(actor, "referrals.draft", item.opinion)
    _drafting(item.opinion)
    item.text = clean_text(text, field="text", required=_("La recommandation est vide."))
    record("opinion.recommendation_edited", item.opinion, actor, {"number": item.number})


def remove_recommendation(item: Recommendation, *, actor) -> None:
    """Remove one and renumber those after it."""
    opinion = item.opinion
    require(actor, "referrals.draft", opinion)
    _drafting(opinion)
    number = item.number
    db.session.delete(item)
    db.session.flush()
    later = db.session.scalars(sa.select(Recommendation).where(Recommendation.opinion_id == opinion.id, Recommendation.number > number)
                               .order_by(Recommendation.number)).all()
    for rec in later:  # one at a time: (opinion_id, number) stays unique
        rec.number -= 1
        db.session.flush()
    db.session.expire(opinion, ["recommendations"])
    record("opinion.recommendation_removed", opinion, actor, {"number": number})


def submit_opinion(opinion: Opinion, *, actor) -> None:
    OPINION_WORKFLOW.apply(opinion, "submit", actor=actor)


def reopen_opinion(opinion: Opinion, *, actor) -> None:
    OPINION_WORKFLOW.apply(opinion, "reopen", actor=actor)
    _unschedule(opinion)


def _unschedule(opinion: Opinion) -> None:
    """Once voted, or back in drafting, the opinion waits for no sitting (a vote keeps its agenda point)."""
    opinion.vote_item_id = None
    db.session.expire(opinion, ["vote_item"])


# --- Vote, publication, transmission ----------------------------------------


def _check_vote_sitting(opinion: Opinion, sitting: Sitting | None) -> None:
    """An opinion is put to the vote once ready, in a sitting of its own council."""
    if opinion.state != OpinionState.ready:
        raise TransitionRefused(_("L'avis doit d'abord être proposé au vote.") if opinion.state == OpinionState.drafting
                                else _("Cet avis est déjà adopté."))
    if sitting is None or sitting.council_id != opinion.referral.council_id:
        raise DomainError(_("Choisissez une séance de ce conseil."), field="sitting")


def vote_sittings(referral: Referral):
    """The sittings of the council where a vote can be scheduled: plenary or bureau, not cancelled, ahead."""
    return (sa.select(Sitting).where(Sitting.council_id == referral.council_id, Sitting.kind != SittingKind.working_group,
                                     Sitting.state != SittingState.cancelled, Sitting.starts_at > utcnow())
            .order_by(Sitting.starts_at))


def schedule_vote(opinion: Opinion, *, sitting: Sitting | None, actor) -> AgendaItem:
    """Put the opinion ready for the vote on a sitting's agenda; every member of the council is told."""
    from participation.councils.sittings import add_agenda_item

    referral = opinion.referral
    require(actor, "referrals.manage", opinion)
    _check_vote_sitting(opinion, sitting)
    if sitting.kind == SittingKind.working_group:
        raise DomainError(_("Un avis se vote en séance du conseil, pas en réunion de groupe de travail."), field="sitting")
    if sitting.state == SittingState.cancelled or sitting.starts_at <= utcnow():
        raise DomainError(_("Choisissez une séance à venir, qui n'est pas annulée."), field="sitting")
    if opinion.vote_item is not None and opinion.vote_item.sitting_id == sitting.id:
        raise DomainError(_("Le vote est déjà programmé lors de cette séance."), field="sitting")
    moved_from = opinion.vote_item.sitting_id if opinion.vote_item is not None else None
    item = add_agenda_item(sitting, title=_("Vote de l'avis « %(subject)s »", subject=referral.subject),
                           description=_("Projet d'avis du groupe de travail sur la saisine « %(subject)s ».", subject=referral.subject), actor=actor)
    opinion.vote_item_id = item.id
    db.session.expire(opinion, ["vote_item"])
    record("opinion.vote_scheduled", opinion, actor, {"sitting_id": sitting.id, "sitting": sitting.title,
                                                      "starts_at": sitting.starts_at.isoformat(), "moved_from": moved_from})
    return item


def record_vote(opinion: Opinion, *, sitting: Sitting | None, votes_for: int | None, votes_against: int | None,
                abstentions: int | None, present: int | None, agenda_item=None, voted_on: date | None = None, actor) -> OpinionVote:
    """Record the council's vote on the opinion: adopted with more votes for than against, checked against the quorum."""
    from participation.councils.sittings import quorum_status

    referral = opinion.referral
    require(actor, "referrals.vote", opinion)
    _check_vote_sitting(opinion, sitting)
    if sitting.state != SittingState.published:
        raise DomainError(_("Le vote a lieu lors d'une séance publiée (ni en préparation, ni annulée)."), field="sitting")
    numbers = {"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions, "present": present}
    for field, value in numbers.items():
        if value is None or value < 0:
            raise DomainError(_("Indiquez un nombre positif ou nul."), field=field)
    quorum = quorum_status(sitting)
    if present > quorum.members:
        raise DomainError(_("Le conseil compte %(members)s membres : il ne peut pas y avoir %(present)s présents.", members=quorum.members, present=present), field="present")
    if votes_for + votes_against + abstentions > present:
        raise DomainError(_("Il y a plus de votes que de membres présents ou représentés."), field="votes_for")
    if present < quorum.required:
        raise DomainError(_("Le quorum n'est pas atteint : %(present)s présents ou représentés, %(required)s requis.", present=present, required=quorum.required),
                          field="present")
    if agenda_item is not None and agenda_item.sitting_id != sitting.id:
        raise DomainError(_("Ce point n'est pas à l'ordre du jour de cette séance."), field="agenda_item")
    if agenda_item is None and opinion.vote_item is not None and opinion.vote_item.sitting_id == sitting.id:
        agenda_item = opinion.vote_item
    adopted = votes_for > votes_against
    vote = OpinionVote(opinion_id=opinion.id, sitting_id=sitting.id, agenda_item_id=getattr(agenda_item, "id", None),
                       members=quorum.members, present=present, votes_for=votes_for, votes_against=votes_against,
                       abstentions=abstentions, adopted=adopted, voted_on=voted_on or sitting.starts_at.date())
    db.session.add(vote)
    db.session.flush()
    _unschedule(opinion)
    record("opinion.voted", opinion, actor, {"for": votes_for, "against": votes_against, "abstentions": abstentions,
                                              "present": present, "adopted": adopted, "sitting_id": sitting.id})
    if adopted:
        db.session.expire(opinion, ["adopted_vote"])
        OPINION_WORKFLOW.apply(opinion, "adopt", actor=actor, data={"vote_id": vote.id})
        REFERRAL_WORKFLOW.apply(referral, "adopt", actor=actor, data={"vote_id": vote.id})
    else:
        OPINION_WORKFLOW.apply(opinion, "reject", actor=actor, data={"vote_id": vote.id})
    return vote


def votes_of(opinion: Opinion) -> list[OpinionVote]:
    return db.session.scalars(sa.select(OpinionVote).where(OpinionVote.opinion_id == opinion.id).order_by(OpinionVote.id)).all()


def publish_opinion(opinion: Opinion, *, actor) -> None:
    OPINION_WORKFLOW._check(opinion, "publish", actor)
    opinion.published_at = utcnow()
    OPINION_WORKFLOW.apply(opinion, "publish", actor=actor)


def transmit(referral: Referral, *, actor, now: datetime | None = None) -> None:
    """Send the published opinion to the referring department; the answer is due REFERRALS_ANSWER_MONTHS later."""
    REFERRAL_WORKFLOW._check(referral, "transmit", actor)
    now = now or utcnow()
    referral.transmitted_at = now
    referral.answer_due_on = add_months(now.date(), setting("REFERRALS_ANSWER_MONTHS"))
    REFERRAL_WORKFLOW.apply(referral, "transmit", actor=actor, data={"answer_due_on": referral.answer_due_on.isoformat()})


# --- Droit de suite ---------------------------------------------------------


def set_recommendation_status(item: Recommendation, *, status: RecommendationStatus | None, explanation: str,
                              department: Department | None, actor) -> RecommendationUpdate:
    """The authority's position on one recommendation; each change is kept as its history."""
    if status not in ANSWER_STATUSES:
        raise DomainError(_("Choisissez la suite donnée à la recommandation."), field="status")
    RECOMMENDATION_WORKFLOW._check(item, f"mark_{status.value}", actor)
    explanation = clean_text(explanation, field="explanation", required=_("Expliquez la suite donnée."))
    if department is None:
        raise DomainError(_("Indiquez la direction en charge."), field="department")
    item.explanation = explanation
    item.department_id = department.id
    item.status_changed_at = utcnow()
    update = RecommendationUpdate(recommendation_id=item.id, status=status, explanation=explanation, department_id=department.id,
                                  author_id=getattr(actor, "id", None))
    db.session.add(update)
    RECOMMENDATION_WORKFLOW.apply(item, f"mark_{status.value}", actor=actor,
                                  data={"number": item.number, "department": department.name})
    return update


def history(opinion: Opinion) -> dict[int, list[RecommendationUpdate]]:
    """Each recommendation's status history, newest first: one query."""
    ids = [r.id for r in opinion.recommendations]
    result: dict[int, list[RecommendationUpdate]] = {i: [] for i in ids}
    if ids:
        for update in db.session.scalars(sa.select(RecommendationUpdate).where(RecommendationUpdate.recommendation_id.in_(ids))
                                          .order_by(RecommendationUpdate.id.desc())):
            result[update.recommendation_id].append(update)
    return result


def answer(referral: Referral, *, general_answer: str, department: Department | None = None, actor) -> None:
    """Publish the authority's answer to the opinion."""
    text = clean_text(general_answer, field="general_answer", required=_("Saisissez la réponse générale de la collectivité."))
    saved = (referral.general_answer, referral.answer_department_id, referral.answered_at)
    referral.general_answer = text
    # An auto-saisine names no department: the answer is then the answering agent's department's, if any.
    referral.answer_department_id = getattr(department or referral.department, "id", None) or getattr(actor, "department_id", None)
    referral.answered_at = utcnow()
    try:
        REFERRAL_WORKFLOW.apply(referral, "answer", actor=actor)
    except DomainError:
        referral.general_answer, referral.answer_department_id, referral.answered_at = saved
        raise


def close(referral: Referral, *, actor) -> None:
    REFERRAL_WORKFLOW.apply(referral, "close", actor=actor)


def followers_of(referral: Referral):
    return db.session.scalars(sa.select(ReferralFollower).where(ReferralFollower.referral_id == referral.id)
                              .order_by(ReferralFollower.id)).all()


def themes_by_ids(ids) -> list[Theme]:
    return db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids))).all() if ids else []


def has_permission(user, action, obj) -> bool:
    return can(user, action, obj)
