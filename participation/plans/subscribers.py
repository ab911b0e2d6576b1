"""What plan events cause: convocations with the agenda and the dashboard, notices to
followers when an action's status changes, the owner of a decision told of it.

Every notice and mail goes through ``_notice`` and ``_mail``, so that delivery
rules (preferences, digests) can be applied in one place.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.outbox import queue_mail
from participation.core.urls import external_url
from participation.extensions import db
from participation.notifications.services import notify
from participation.pages.privacy import Processing, register_processing
from participation.plans.models import Action, ActionFollower, Plan, PlanFollower

log = logging.getLogger(__name__)

STATUS_EVENTS = ("plan_action.engaged", "plan_action.completed", "plan_action.postponed", "plan_action.abandoned", "plan_action.reopened")


def path_for(endpoint: str, **values) -> str:
    from urllib.parse import urlsplit

    return urlsplit(external_url(endpoint, **values)).path


def _notice(user, title: str, *, url: str, event=None, key: str) -> None:
    """One in-app notice for ``user`` (once per key)."""
    notify(user, title, url=url, event=event, dedup_key=key)


def _mail(*, to: str | None, user=None, subject: str, template: str, key: str, attachments=None, **context):
    """One mail, queued in the outbox (once per key)."""
    return queue_mail(to=to, user=user, subject=subject, template=f"plans/{template}", dedup_key=key, attachments=attachments, **context)


def dashboard_pdf(plan: Plan) -> bytes | None:
    """The plan's dashboard as PDF, for a convocation; ``None`` when PDF rendering is unavailable."""
    from participation.core.pdf import PDFUnavailable, render_pdf
    from participation.plans.dashboard import dashboard

    try:
        return render_pdf("plans/dashboard_pdf.html", **dashboard(plan))
    except PDFUnavailable:
        log.warning("Tableau de bord non joint : WeasyPrint indisponible")
        return None


@subscribe("plan_meeting.convened")
def send_convocations(event: DomainEvent) -> None:
    meeting = event.subject
    committee = meeting.committee
    plan = committee.plan
    pdf = dashboard_pdf(plan)
    attachments = [{"filename": f"tableau-de-bord-{plan.slug}.pdf", "content_type": "application/pdf", "content": pdf}] if pdf else None
    url = path_for("plans.plan", slug=plan.slug)
    for member in committee.members:
        key = f"plan-meeting-convocation:{meeting.id}:{member.id}"
        _mail(to=member.address, user=member.user, subject=f"Convocation : {committee.name} — {meeting.title}", template="convocation",
              key=key, attachments=attachments, member=member, meeting=meeting, committee=committee, plan=plan,
              url=external_url("plans.plan", slug=plan.slug))
        if member.user is not None:
            _notice(member.user, f"Vous êtes convoqué·e : {committee.name}, {meeting.title}", url=url, event=event, key=key)


@subscribe(*STATUS_EVENTS)
def tell_followers(event: DomainEvent) -> None:
    from participation.plans.services import action_followers

    action: Action = event.subject
    plan = db.session.get(Plan, action.plan_id)
    if not plan.is_public:
        return
    url = path_for("plans.action", slug=plan.slug, action_id=action.id)
    title = f"{action.label} « {action.title} » : {action.status.label.lower()}"
    for user in action_followers(action):
        key = f"{event.name}:{event.id}:{user.id}"
        _notice(user, title, url=url, event=event, key=key)
        _mail(to=user.email, user=user, subject=title, template="action_status", key=key, action=action, plan=plan,
              reason=action.status_reason, url=external_url("plans.action", slug=plan.slug, action_id=action.id))


@subscribe("plan_decision.taken")
def tell_decision_owner(event: DomainEvent) -> None:
    decision = event.subject
    if decision.owner is None:
        return
    plan = db.session.get(Plan, decision.plan_id)
    key = f"plan-decision:{decision.id}"
    url = path_for("plans_staff.plan", plan_id=plan.id) + "#decisions"
    _notice(decision.owner, f"Décision à suivre ({plan.title}) : {decision.text[:120]}", url=url, event=event, key=key)
    _mail(to=decision.owner.email, user=decision.owner, subject=f"Décision à suivre : {plan.title}", template="decision", key=key,
          decision=decision, plan=plan, url=external_url("plans_staff.plan", plan_id=plan.id))


@subscribe("user.closed")
def forget_follows(event: DomainEvent) -> None:
    db.session.execute(sa.delete(PlanFollower).where(PlanFollower.user_id == event.subject_id))
    db.session.execute(sa.delete(ActionFollower).where(ActionFollower.user_id == event.subject_id))


@personal_data.section("plans")
def plans_section(user) -> dict:
    """The plans and actions the person follows, the committees they sit in, the measurements they entered."""
    from participation.plans.models import CommitteeMember, Measurement

    plans = db.session.execute(sa.select(Plan.title, PlanFollower.created_at).join(PlanFollower, PlanFollower.plan_id == Plan.id)
                               .where(PlanFollower.user_id == user.id).order_by(PlanFollower.id)).all()
    actions = db.session.execute(sa.select(Action.code, Action.title, ActionFollower.created_at)
                                 .join(ActionFollower, ActionFollower.action_id == Action.id)
                                 .where(ActionFollower.user_id == user.id).order_by(ActionFollower.id)).all()
    seats = db.session.scalars(sa.select(CommitteeMember).where(CommitteeMember.user_id == user.id).order_by(CommitteeMember.id)).all()
    measured = db.session.scalar(sa.select(sa.func.count(Measurement.id)).where(Measurement.author_id == user.id))
    return {
        "plans_suivis": [{"plan": title, "depuis": since.isoformat()} for title, since in plans],
        "actions_suivies": [{"action": f"{code} {title}", "depuis": since.isoformat()} for code, title, since in actions],
        "comites": [{"comite": m.committee_id, "organisme": m.organisation} for m in seats],
        "mesures_saisies": measured,
    }


register_processing(Processing(
    name="Suivi des plans territoriaux",
    purpose="Tenir les comités de pilotage des plans (convocations, présences, décisions), recueillir les mesures des indicateurs "
            "auprès des personnes qui en sont chargées, prévenir les habitants qui suivent un plan ou une action.",
    legal_basis="Exécution d'une mission d'intérêt public (article 6-1-e du RGPD).",
    data="Nom, adresse électronique et organisme des membres des comités ; présences ; décisions suivies ; auteur des mesures ; "
         "plans et actions suivis par les habitants.",
    recipients="Les agents chargés des plans et les membres des comités. Sont publics : les décisions et le nom des organismes partenaires.",
    retention=lambda c: "Pendant la durée du plan, puis avec ses archives ; les suivis des habitants sont effacés quand la personne ferme son compte.",
))
