"""Steering committees: members, meetings with an agenda built from the plan,
convocation (core/meetings.py, as councils' sittings), attendance, minutes
and decisions followed by their owner until done."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from participation.core import meetings
from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.extensions import db
from participation.plans.models import (
    MEETING_WORKFLOW,
    Action,
    Committee,
    CommitteeKind,
    CommitteeMember,
    Decision,
    Indicator,
    ItemKind,
    Meeting,
    MeetingAttendance,
    MeetingItem,
    MeetingState,
    Plan,
)
from participation.plans.services import clean
from participation.territory.services import EMAIL, EMAIL_MESSAGE
from flask_babel import gettext as _


def create_committee(plan: Plan, *, kind: CommitteeKind | str, name: str, convocation_days: int = 10, actor) -> Committee:
    require(actor, "plans.manage", plan)
    name = clean(name, field_name="name", required=_("Nommez le comité."), limit=200)
    if convocation_days is None or not 0 <= convocation_days <= 60:
        raise ValidationError(_("Le délai de convocation va de 0 à 60 jours."), field="convocation_days")
    committee = Committee(plan_id=plan.id, kind=CommitteeKind(kind), name=name, convocation_days=convocation_days)
    db.session.add(committee)
    db.session.flush()
    record("plan.committee_created", plan, actor, {"committee_id": committee.id, "name": name})
    return committee


def add_member(committee: Committee, *, name: str, email: str | None = None, user=None, organisation: str = "", actor) -> CommitteeMember:
    require(actor, "plans.manage", committee.plan)
    email = (email or "").strip().lower() or None
    if user is None and email is None:
        raise ValidationError(_("Indiquez l'adresse électronique d'une personne invitée."), field="email")
    if email and not EMAIL.match(email):
        raise ValidationError(EMAIL_MESSAGE, field="email")
    name = clean(name or getattr(user, "display_name", ""), field_name="name", required=_("Indiquez le nom du membre."), limit=160)
    key = email or user.email
    if any((m.email or (m.user.email if m.user else None)) == key for m in committee.members):
        raise ValidationError(_("Cette personne est déjà membre du comité."), field="email")
    member = CommitteeMember(name=name, email=email, user_id=getattr(user, "id", None),
                             organisation=clean(organisation, field_name="organisation", limit=160))
    committee.members.append(member)
    db.session.flush()
    record("plan.committee_member_added", committee.plan, actor, {"committee_id": committee.id, "name": name})
    return member


def remove_member(member: CommitteeMember, *, actor) -> None:
    """Take a member off the committee: the journal keeps their name; attendance already taken goes with them."""
    committee = db.session.get(Committee, member.committee_id)
    require(actor, "plans.manage", committee.plan)
    name = member.name
    committee.members.remove(member)  # delete-orphan: the row goes
    db.session.flush()
    record("plan.committee_member_removed", committee.plan, actor, {"committee_id": committee.id, "name": name})


def schedule_meeting(committee: Committee, *, title: str, starts_at: datetime | None, ends_at: datetime | None = None,
                     place: str | None = None, is_public: bool = False, actor) -> Meeting:
    require(actor, "plans.manage", committee.plan)
    title = clean(title, field_name="title", required=_("Donnez un titre à la réunion."), limit=200)
    if starts_at is None:
        raise ValidationError(_("Indiquez la date et l'heure de la réunion."), field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("La fin suit le début."), field="ends_at")
    meeting = Meeting(committee_id=committee.id, title=title, starts_at=starts_at, ends_at=ends_at,
                      place=clean(place, field_name="place") or None, is_public=is_public)
    db.session.add(meeting)
    db.session.flush()
    record("plan_meeting.scheduled", meeting, actor, {"plan_id": committee.plan_id})
    return meeting


def move_meeting(meeting: Meeting, *, starts_at: datetime | None, place: str | None = None, actor) -> None:
    """Move a planned meeting to another date or place; members already convened are told by mail (subscribers)."""
    require(actor, "plans.manage", meeting.committee.plan)
    if meeting.state != MeetingState.planned:
        raise DomainError("Seule une réunion programmée se déplace.")
    if starts_at is None:
        raise ValidationError("Indiquez la date et l'heure de la réunion.", field="starts_at")
    if starts_at <= utcnow():
        raise ValidationError("Une réunion se déplace dans le futur.", field="starts_at")
    place = clean(place, field_name="place") or None
    if starts_at == meeting.starts_at and place == meeting.place:
        raise ValidationError("Rien n'a changé.", field="starts_at")
    before = {"starts_at": meeting.starts_at, "place": meeting.place}
    if meeting.ends_at is not None:
        meeting.ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    meeting.starts_at, meeting.place = starts_at, place
    db.session.flush()
    record("plan_meeting.moved", meeting, actor, {"plan_id": meeting.committee.plan_id, "before": before,
                                                   "starts_at": starts_at, "place": place})


def add_item(meeting: Meeting, *, kind: ItemKind | str, title: str | None = None, action: Action | None = None,
             indicator: Indicator | None = None, actor) -> MeetingItem:
    """An agenda point: an action to review or an indicator to read (titled after it), or a decision to take."""
    require(actor, "plans.manage", meeting.committee.plan)
    kind = ItemKind(kind)
    plan_id = meeting.committee.plan_id
    if kind == ItemKind.action:
        if action is None or action.plan_id != plan_id:
            raise ValidationError(_("Choisissez une action du plan."), field="action")
        title = title or _("Point sur l'action %(code)s — %(title)s", code=action.code, title=action.title)
    elif kind == ItemKind.indicator:
        if indicator is None or indicator.plan_id != plan_id:
            raise ValidationError(_("Choisissez un indicateur du plan."), field="indicator")
        title = title or _("Lecture de l'indicateur %(code)s — %(name)s", code=indicator.code, name=indicator.name)
    title = clean(title, field_name="title", required=_("Donnez un intitulé au point."))
    position = max((i.position for i in meeting.items), default=0) + 1
    item = MeetingItem(position=position, kind=kind, title=title, action_id=getattr(action, "id", None),
                       indicator_id=getattr(indicator, "id", None))
    meeting.items.append(item)
    db.session.flush()
    record("plan_meeting.agenda_changed", meeting, actor, {"added": title, "plan_id": plan_id})
    return item


def convene_if_due(meeting: Meeting, *, now: datetime | None = None) -> bool:
    """Record the convocation once, when due: the subscribers mail the agenda and the dashboard to each member."""
    return meetings.convene_once(meeting, days=meeting.committee.convocation_days,
                                 may_convene=meeting.state == MeetingState.planned and bool(meeting.items), now=now)


def convene_now(meeting: Meeting, *, actor) -> None:
    """Staff send the convocation at once, without waiting for the worker."""
    require(actor, "plans.manage", meeting.committee.plan)
    if not meeting.items:
        raise DomainError(_("Ajoutez au moins un point à l'ordre du jour avant de convoquer."))
    if meeting.convened_at is not None:
        raise DomainError(_("La convocation est déjà partie."))
    if not meetings.convene_once(meeting, days=10_000, may_convene=meeting.state == MeetingState.planned, actor=actor):
        raise DomainError(_("Cette réunion ne peut plus être convoquée."))


def record_attendance(meeting: Meeting, present_ids: set[int], *, actor) -> None:
    require(actor, "plans.manage", meeting.committee.plan)
    members = {m.id for m in meeting.committee.members}
    if not present_ids <= members:
        raise ValidationError(_("Cette personne n'est pas membre du comité."), field="present")
    rows = {a.member_id: a for a in db.session.scalars(sa.select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))}
    for member_id in members:
        row = rows.get(member_id) or MeetingAttendance(meeting_id=meeting.id, member_id=member_id, attended=False)
        row.attended = member_id in present_ids
        db.session.add(row)
    db.session.flush()
    record("plan_meeting.attendance_recorded", meeting, actor, {"present": len(present_ids), "plan_id": meeting.committee.plan_id})


def attendance(meeting: Meeting) -> dict[int, bool]:
    return dict(db.session.execute(sa.select(MeetingAttendance.member_id, MeetingAttendance.attended)
                                   .where(MeetingAttendance.meeting_id == meeting.id)).all())


def hold_meeting(meeting: Meeting, *, minutes: str, actor) -> None:
    meeting.minutes = clean(minutes, field_name="minutes", limit=50_000)
    MEETING_WORKFLOW.apply(meeting, "hold", actor=actor, data={"plan_id": meeting.committee.plan_id})


def cancel_meeting(meeting: Meeting, *, actor) -> None:
    MEETING_WORKFLOW.apply(meeting, "cancel", actor=actor, data={"plan_id": meeting.committee.plan_id})


def take_decision(meeting: Meeting, *, text: str, owner=None, due_on: date | None = None, actions=(), actor) -> Decision:
    """Record a decision of the meeting, linked to the actions it changes, with who follows it up and by when."""
    plan = meeting.committee.plan
    require(actor, "plans.manage", plan)
    if meeting.state == MeetingState.cancelled:
        raise DomainError(_("Une réunion annulée ne prend pas de décision."))
    text = clean(text, field_name="text", required=_("Rédigez la décision."), limit=4000)
    actions = list(actions)
    if any(a.plan_id != plan.id for a in actions):
        raise ValidationError(_("Les actions liées appartiennent au plan."), field="actions")
    decision = Decision(meeting_id=meeting.id, plan_id=plan.id, text=text, owner_id=getattr(owner, "id", None), due_on=due_on)
    decision.actions = actions
    db.session.add(decision)
    db.session.flush()
    record("plan_decision.taken", decision, actor, {"plan_id": plan.id, "actions": [a.id for a in actions],
                                                    "owner_id": decision.owner_id})
    return decision


def complete_decision(decision: Decision, *, outcome: str = "", actor) -> None:
    require(actor, "plans.follow_up", decision)
    if decision.done_at is not None:
        raise DomainError(_("Cette décision est déjà marquée comme mise en œuvre."))
    decision.done_at = utcnow()
    decision.outcome = clean(outcome, field_name="outcome", limit=4000) or None
    record("plan_decision.done", decision, actor, {"plan_id": decision.plan_id})


def decisions_to_follow(user) -> list[Decision]:
    """The open decisions whose follow-up ``user`` owns, earliest due first: for the staff queue."""
    return list(db.session.scalars(sa.select(Decision).where(Decision.owner_id == user.id, Decision.done_at.is_(None))
                                   .order_by(Decision.due_on.is_(None), Decision.due_on, Decision.id)).unique())


def meetings_of(plan: Plan, *, limit: int = 20) -> list[Meeting]:
    return list(db.session.scalars(sa.select(Meeting).join(Committee, Committee.id == Meeting.committee_id)
                                   .where(Committee.plan_id == plan.id).order_by(Meeting.starts_at.desc()).limit(limit)).unique())


def committees_of(plan: Plan) -> list[Committee]:
    return list(db.session.scalars(sa.select(Committee).where(Committee.plan_id == plan.id).order_by(Committee.kind, Committee.id)).unique())
