"""What plan events cause: convocations with the agenda and the dashboard, notices to
followers when an action's status changes, the owner of a decision told of it.

Every notice goes through ``notifications.services.tell()``: followers get their
mail as they chose for « Les projets et les actions que je suis » (``Category.plans``);
a convocation is the member's own case (always mailed; a member without an account
gets the mail at their address only); a decision to follow is staff work.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.outbox import queue_mail
from participation.core.urls import external_url
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, tell, tell_all
from participation.pages.privacy import Processing, register_processing
from participation.plans.models import Action, ActionFollower, Plan, PlanFollower
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

STATUS_EVENTS = ("plan_action.engaged", "plan_action.completed", "plan_action.postponed", "plan_action.abandoned", "plan_action.reopened")


def path_for(endpoint: str, **values) -> str:
    from urllib.parse import urlsplit

    return urlsplit(external_url(endpoint, **values)).path




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
        subject = _l("Convocation : %(name)s — %(title)s", name=committee.name, title=meeting.title)
        context = {"member": member, "meeting": meeting, "committee": committee, "plan": plan}
        if member.user is None:
            # A partner without an account: the mail to their address is all there is.
            queue_mail(to=member.address, subject=subject, template="plans/convocation", dedup_key=key, attachments=attachments,
                       url=external_url("plans.plan", slug=plan.slug), **context)
            continue
        # A convocation is the member's own case: always mailed, at the address the committee knows.
        tell(member.user, OWN_CASE, _l("Vous êtes convoqué·e : %(name)s, %(title)s", name=committee.name, title=meeting.title), url=url, event=event, dedup_key=key,
             mail_key=key, mail_subject=subject, mail_template="plans/convocation", to=member.address or None, attachments=attachments,
             mail_url=external_url("plans.plan", slug=plan.slug), about=plan.title, **context)


@subscribe(*STATUS_EVENTS)
def tell_followers(event: DomainEvent) -> None:
    from participation.plans.services import action_followers

    action: Action = event.subject
    plan = db.session.get(Plan, action.plan_id)
    if not plan.is_public:
        return
    url = path_for("plans.action", slug=plan.slug, action_id=action.id)
    title = f"{action.label} « {action.title} » : {action.status.label.lower()}"
    # Each follower hears of it as they chose for the plans (a notice, and a mail at once, in a digest or not at all).
    tell_all(action_followers(action), Category.plans, title, url=url, event=event, dedup_key=f"{event.name}:{event.id}",
             about=plan.title, mail_template="plans/action_status", action=action, plan=plan, reason=action.status_reason,
             mail_url=external_url("plans.action", slug=plan.slug, action_id=action.id))


@subscribe("plan_decision.taken")
def tell_decision_owner(event: DomainEvent) -> None:
    decision = event.subject
    if decision.owner is None:
        return
    plan = db.session.get(Plan, decision.plan_id)
    key = f"plan-decision:{decision.id}"
    url = path_for("plans_staff.plan", plan_id=plan.id) + "#decisions"
    # Following up a committee's decision is staff work.
    tell(decision.owner, Category.staff_work, _l("Décision à suivre (%(title)s) : %(value)s", title=plan.title, value=decision.text[:120]), url=url, event=event,
         dedup_key=key, mail_key=key, mail_subject=_l("Décision à suivre : %(title)s", title=plan.title), mail_template="plans/decision", about=plan.title,
         decision=decision, plan=plan, mail_url=external_url("plans_staff.plan", plan_id=plan.id))


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
    purpose=_l("Tenir les comités de pilotage des plans (convocations, présences, décisions), recueillir les mesures des indicateurs "
            "auprès des personnes qui en sont chargées, prévenir les habitants qui suivent un plan ou une action."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD)."),
    data=_l("Nom, adresse électronique et organisme des membres des comités ; présences ; décisions suivies ; auteur des mesures ; "
         "plans et actions suivis par les habitants."),
    recipients=_l("Les agents chargés des plans et les membres des comités. Sont publics : les décisions et le nom des organismes partenaires."),
    retention=lambda c: _l("Pendant la durée du plan, puis avec ses archives ; les suivis des habitants sont effacés quand la personne ferme son compte."),
))
