"""Reports and moderation of contributions: a person's report, the moderation queue, its bulk actions.

A contribution reported past the threshold is hidden until a moderator
examines it; a moderator's action applies to several contributions at once,
all or nothing, with its reason kept in the event log and sent to each author.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from participation.accounts.models import AccountState
from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, can, require
from participation.extensions import db
from participation.forums.models import (
    CONTRIBUTION_WORKFLOW,
    Contribution,
    ContributionState,
    Report,
    ReportReason,
    Topic,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# What the moderation queue's bulk form offers.
MODERATION_ACTIONS = {
    "approve": _l("Approuver"),
    "reject": _l("Refuser"),
    "hide": _l("Masquer"),
    "restore": _l("Rétablir"),
    "dismiss": _l("Classer les signalements"),
    "warn": _l("Avertir l'auteur"),
    "suspend": _l("Suspendre l'auteur"),
}


# Reports --------------------------------------------------------------------


def report(contribution: Contribution, *, reason: ReportReason, comment: str | None = None, actor) -> Report:
    """Report a contribution; past the threshold it is hidden until a moderator examines it."""
    require(actor, "forums.participate", contribution)
    if contribution.author_id == actor.id:
        raise DomainError(_("Vous ne pouvez pas signaler votre propre contribution."))
    if contribution.state not in (ContributionState.published, ContributionState.hidden):
        raise DomainError(_("Cette contribution n'est pas visible : il n'y a rien à signaler."))
    already = db.session.scalar(
        sa.select(Report.id).where(Report.contribution_id == contribution.id, Report.reporter_id == actor.id, Report.resolved_at.is_(None))
    )
    if already is not None:
        raise DomainError(_("Vous avez déjà signalé cette contribution : la modération va l'examiner."))
    if reason == ReportReason.other and not (comment or "").strip():
        raise ValidationError(_("Précisez en quoi la contribution enfreint la charte."), field="comment")
    # An earlier, examined report by the same person gives way to the new one.
    db.session.execute(sa.delete(Report).where(Report.contribution_id == contribution.id, Report.reporter_id == actor.id)
                       .execution_options(people=(actor.id,)))
    item = Report(contribution_id=contribution.id, reporter_id=actor.id, reason=reason, comment=(comment or "").strip()[:500] or None)
    db.session.add(item)
    db.session.flush()
    db.session.execute(
        sa.update(Contribution).where(Contribution.id == contribution.id).values(
            report_count=sa.select(sa.func.count(Report.id))
            .where(Report.contribution_id == contribution.id, Report.resolved_at.is_(None))
            .scalar_subquery()
        ).execution_options(people=())  # a count for moderators, nothing of its author's
    )
    db.session.refresh(contribution, ["report_count"])
    record("contribution.reported", contribution, actor, {"reason": reason})
    if contribution.state == ContributionState.published and contribution.report_count >= current_app.config["FORUMS_REPORT_THRESHOLD"]:
        CONTRIBUTION_WORKFLOW.apply(contribution, "flag", actor=SYSTEM, data={"reports": contribution.report_count})
    return item


# Moderation -----------------------------------------------------------------


def _resolve_reports(contribution: Contribution) -> None:
    db.session.execute(
        sa.update(Report).where(Report.contribution_id == contribution.id, Report.resolved_at.is_(None)).values(resolved_at=utcnow())
    )
    contribution.report_count = 0


def moderate(contributions: list[Contribution], *, action: str, reason: str, actor, suspend_days: int | None = None) -> int:
    """Apply one moderation action to several contributions, with its reason; all or nothing.

    The reason is kept in the event log and sent to each author.
    """
    require(actor, "forums.moderate")
    reason = (reason or "").strip()
    if action not in MODERATION_ACTIONS:
        raise ValidationError(_("Choisissez une action."), field="action")
    if not contributions:
        raise ValidationError(_("Cochez au moins une contribution."), field="contributions")
    if not reason:
        raise ValidationError(_("Indiquez le motif : il est conservé et envoyé à l'auteur."), field="reason")
    if action == "suspend" and not (suspend_days and 1 <= suspend_days <= 365):
        raise ValidationError(_("Indiquez une durée de suspension entre 1 et 365 jours."), field="suspend_days")
    reason = reason[:500]
    suspended: set[int] = set()
    for contribution in contributions:
        require(actor, "forums.moderate", contribution)
        try:
            _moderate_one(contribution, action, reason, actor, suspend_days, suspended)
        except DomainError as error:
            raise DomainError(_("Contribution n° %(id)s : %(message)s", id=contribution.id, message=error.message)) from error
    return len(contributions)


def _moderate_one(contribution, action, reason, actor, suspend_days, suspended) -> None:
    from participation.accounts import services as accounts

    data = {"reason": reason}
    if action in ("approve", "reject"):
        CONTRIBUTION_WORKFLOW.apply(contribution, action, actor=actor, data=data)
        if action == "approve":
            contribution.published_at = utcnow()
            contribution.topic.last_activity_at = max(contribution.topic.last_activity_at, contribution.published_at)
    elif action in ("hide", "restore"):
        CONTRIBUTION_WORKFLOW.apply(contribution, action, actor=actor, data=data)
        _resolve_reports(contribution)
    elif action == "dismiss":
        if contribution.state == ContributionState.hidden:
            CONTRIBUTION_WORKFLOW.apply(contribution, "restore", actor=actor, data=data)
        elif contribution.report_count == 0:
            raise DomainError(_("elle n'a aucun signalement à classer."))
        _resolve_reports(contribution)
        record("contribution.reports_dismissed", contribution, actor, data)
    elif action == "warn":
        if contribution.author_id is None:
            raise DomainError(_("son auteur a fermé son compte."))
        record("contribution.author_warned", contribution, actor, data)
    elif action == "suspend":
        author = contribution.author
        if author is None or author.state == AccountState.closed:
            raise DomainError(_("son auteur a fermé son compte."))
        if author.id in suspended:
            return
        if author.id == actor.id:
            raise DomainError(_("vous ne pouvez pas suspendre votre propre compte."))
        if not can(actor, "accounts.suspend", author):
            raise DomainError(_("son auteur est un agent ou un membre de l'équipe : seul un administrateur peut suspendre son compte."))
        until = utcnow() + timedelta(days=suspend_days)
        if author.state == AccountState.active:
            accounts.suspend(author, reason=reason, until=until, actor=actor)
        suspended.add(author.id)
        record("contribution.author_suspended", contribution, actor, {**data, "until": until, "days": suspend_days})


# The moderation queue -------------------------------------------------------


def moderation_queue(kind: str):
    """``pending``: awaiting approval, oldest first; ``reported``: hidden or with open reports, most reported first."""
    select = sa.select(Contribution).options(joinedload(Contribution.author), joinedload(Contribution.topic).joinedload(Topic.consultation))
    if kind == "pending":
        return select.where(Contribution.state == ContributionState.pending).order_by(Contribution.created_at, Contribution.id)
    return select.where(
        sa.or_(Contribution.state == ContributionState.hidden, sa.and_(Contribution.report_count > 0, Contribution.state == ContributionState.published))
    ).order_by(Contribution.report_count.desc(), Contribution.created_at, Contribution.id)


def open_reports(contribution_ids: list[int]) -> dict[int, list[Report]]:
    if not contribution_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Report).where(Report.contribution_id.in_(contribution_ids), Report.resolved_at.is_(None)).order_by(Report.created_at)
    ).all()
    result: dict[int, list[Report]] = {}
    for item in rows:
        result.setdefault(item.contribution_id, []).append(item)
    return result
