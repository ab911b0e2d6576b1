"""What plan events cause: convocations with the agenda and the dashboard, notices to
followers when an action's status changes, the owner of a decision told of it.

A convocation is mailed by the worker (``jobs.send_due_convocations``), which renders the
dashboard's PDF: a request that convenes a meeting only records it.

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
from participation.core.urls import external_url
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, mail_address, tell, tell_all
from participation.pages.privacy import Processing, register_processing
from participation.plans.models import Action, ActionFollower, Plan, PlanFollower
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

STATUS_EVENTS = ("plan_action.engaged", "plan_action.completed", "plan_action.postponed", "plan_action.abandoned", "plan_action.reopened")


def path_for(endpoint: str, **values) -> str:
    from urllib.parse import urlsplit

    return urlsplit(external_url(endpoint, **values)).path




def meeting_ics(meeting, committee, plan: Plan) -> str:
    """The committee meeting as an iCalendar file, for the convocation mail."""
    from datetime import timedelta

    from participation.agenda.ical import build_calendar
    from participation.agenda.sources import AgendaItem as CalendarItem

    item = CalendarItem(kind="plan_meeting", kind_label="Réunion", title=f"{committee.name} — {meeting.title}",
                        start=meeting.starts_at, end=meeting.ends_at or meeting.starts_at + timedelta(hours=2),
                        url=path_for("plans.plan", slug=plan.slug), uid=f"plan-meeting-{meeting.id}", place=meeting.place,
                        updated_at=getattr(meeting, "updated_at", None))
    return build_calendar([item], name=meeting.title, method="PUBLISH").decode()


def dashboard_document(plan: Plan):
    from flask_babel import gettext as _

    from participation.core.documents import issue

    return issue("TDB", plan, title=_("Tableau de bord — %(title)s", title=plan.title), url=external_url("plans.plan", slug=plan.slug))


def dashboard_pdf(plan: Plan) -> bytes | None:
    """The plan's dashboard as PDF, for a convocation; ``None`` when PDF rendering is unavailable."""
    from participation.core.pdf import PDFUnavailable, render_pdf
    from participation.plans.dashboard import dashboard

    try:
        return render_pdf("plans/dashboard_pdf.html", document=dashboard_document(plan), **dashboard(plan))
    except PDFUnavailable:
        log.warning("Tableau de bord non joint : WeasyPrint indisponible")
        return None


def _mail_members(meeting, *, key: str, subject: str, title: str, template: str, attachments=None, event=None) -> int:
    """Mail each member of the meeting's committee, once per ``key``: a convocation, or its move, is the member's own case."""
    committee = meeting.committee
    plan = committee.plan
    url = path_for("plans.plan", slug=plan.slug)
    context = {"meeting": meeting, "committee": committee, "plan": plan}
    for member in committee.members:
        member_key = f"{key}:{member.id}"
        if member.user is None:
            # A partner without an account: the mail to their address is all there is (no notice, no preferences).
            mail_address(to=member.address, subject=subject, template=template, dedup_key=member_key, reason="own_case",
                         attachments=attachments, url=external_url("plans.plan", slug=plan.slug), member=member, **context)
            continue
        # Always mailed, at the address the committee knows.
        tell(member.user, OWN_CASE, title, url=url, event=event, dedup_key=member_key, mail_key=member_key, mail_subject=subject,
             mail_template=template, to=member.address or None, attachments=attachments,
             mail_url=external_url("plans.plan", slug=plan.slug), about=plan.title, member=member, **context)
    return len(committee.members)


def convocation_key(meeting) -> str:
    return f"plan-meeting-convocation:{meeting.id}"


def send_convocation(meeting) -> int:
    """Mail the convocation with the agenda and the dashboard's PDF to each member.

    Called by the worker (``plans.convocations``), never in a request: rendering the PDF takes seconds.
    """
    committee = meeting.committee
    plan = committee.plan
    pdf = dashboard_pdf(plan)
    attachments = [{"filename": f"tableau-de-bord-{plan.slug}.pdf", "content_type": "application/pdf", "content": pdf}] if pdf else []
    attachments.append({"filename": "reunion.ics", "content_type": "text/calendar; charset=utf-8; method=PUBLISH",
                        "content": meeting_ics(meeting, committee, plan)})
    return _mail_members(meeting, key=convocation_key(meeting),
                         subject=_l("Convocation : %(name)s — %(title)s", name=committee.name, title=meeting.title),
                         title=_l("Vous êtes convoqué·e : %(name)s, %(title)s", name=committee.name, title=meeting.title),
                         template="plans/convocation", attachments=attachments)


@subscribe("plan_meeting.moved")
def tell_meeting_moved(event: DomainEvent) -> None:
    """Members already convened hear of the new date or place (those not yet convened will be, with the new date)."""
    meeting = event.subject
    if meeting.convened_at is None:
        return
    committee = meeting.committee
    plan = committee.plan
    _mail_members(meeting, key=f"plan-meeting-moved:{meeting.id}:{meeting.starts_at.isoformat()}:{meeting.place or ''}",
                  subject=_l("Réunion déplacée : %(name)s — %(title)s", name=committee.name, title=meeting.title),
                  title=_l("Réunion déplacée : %(name)s, %(title)s", name=committee.name, title=meeting.title),
                  template="plans/meeting_moved", event=event,
                  attachments=[{"filename": "reunion.ics", "content_type": "text/calendar; charset=utf-8; method=PUBLISH",
                                "content": meeting_ics(meeting, committee, plan)}])


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
    name=_l("Suivi des plans territoriaux"),
    purpose=_l("Tenir les comités de pilotage des plans (convocations, présences, décisions), recueillir les mesures des indicateurs "
            "auprès des personnes qui en sont chargées, prévenir les habitants qui suivent un plan ou une action."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD)."),
    data=_l("Nom, adresse électronique et organisme des membres des comités ; présences ; décisions suivies ; auteur des mesures ; "
         "plans et actions suivis par les habitants."),
    recipients=_l("Les agents chargés des plans et les membres des comités. Sont publics : les décisions et le nom des organismes partenaires."),
    retention=lambda c: _l("Pendant la durée du plan, puis avec ses archives ; les suivis des habitants sont effacés quand la personne ferme son compte."),
))
