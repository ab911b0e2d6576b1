"""Sittings and their minutes: creation, agenda, publication and convocation, moves and cancellation,
the members' answers and proxies, attendance, quorum; the minutes from draft to publication."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from participation.core.concurrency import claim_revision
from participation.core.errors import DomainError, TransitionRefused, ValidationError
from participation.core.eventlog import record
from participation.core import meetings
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.councils.models import (
    MINUTES_WORKFLOW,
    SITTING_WORKFLOW,
    AgendaItem,
    Answer,
    Attendance,
    Council,
    MemberRole,
    Membership,
    MembershipState,
    Minutes,
    MinutesState,
    Sitting,
    SittingKind,
    SittingState,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.councils.policies import current_membership
from participation.councils.services import checked_text
from participation.extensions import db
from flask_babel import gettext as _


# --- Sittings ---------------------------------------------------------------


def _sitting_values(values: dict) -> dict:
    title = checked_text(values.get("title"), limit=200, field_name="title", required=_("Donnez un titre à la séance."))
    starts_at = values.get("starts_at")
    if starts_at is None:
        raise ValidationError(_("Indiquez la date et l'heure de la séance."), field="starts_at")
    ends_at = values.get("ends_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("La fin doit être après le début."), field="ends_at")
    place = checked_text(values.get("place"), limit=300, field_name="place")
    video_url = checked_text(values.get("video_url"), limit=500, field_name="video_url")
    if video_url and not video_url.startswith("https://"):
        raise ValidationError("Le lien de visioconférence doit commencer par https://.", field="video_url")
    if not place and not video_url:
        raise ValidationError(_("Indiquez le lieu, ou le lien de la visioconférence."), field="place")
    return {"title": title, "starts_at": starts_at, "ends_at": ends_at, "place": place, "video_url": video_url}


def create_sitting(council: Council, *, kind=SittingKind.plenary, working_group: WorkingGroup | None = None, is_public: bool = True,
                   theme=None, actor, **values) -> Sitting:
    require(actor, "councils.manage_sitting", council)
    kind = SittingKind(kind)
    if kind == SittingKind.working_group and (working_group is None or working_group.council_id != council.id):
        raise ValidationError(_("Choisissez le groupe de travail qui se réunit."), field="working_group")
    cleaned = _sitting_values(values)
    if cleaned["starts_at"] <= utcnow():
        raise ValidationError(_("Une séance se prévoit dans le futur."), field="starts_at")
    sitting = Sitting(council_id=council.id, kind=kind, working_group_id=getattr(working_group, "id", None) if kind == SittingKind.working_group else None,
                      is_public=bool(is_public) and kind == SittingKind.plenary, theme_id=getattr(theme, "id", None),
                      state=SittingState.draft, **cleaned)
    db.session.add(sitting)
    db.session.flush()
    record("sitting.created", sitting, actor, {"council": council.id})
    return sitting


def add_agenda_item(sitting: Sitting, *, title: str, description: str | None = None, actor) -> AgendaItem:
    require(actor, "councils.manage_sitting", sitting)
    if sitting.state == SittingState.cancelled:
        raise DomainError(_("Cette séance est annulée."))
    title = checked_text(title, limit=300, field_name="title", required=_("Indiquez l'intitulé du point."))
    position = (max((i.position for i in sitting.items), default=0)) + 1
    item = AgendaItem(sitting_id=sitting.id, position=position, title=title, description=checked_text(description, limit=4000))
    sitting.items.append(item)
    db.session.flush()
    record("sitting.agenda_changed", sitting, actor, {"added": title})
    return item


def publish_sitting(sitting: Sitting, *, actor, now: datetime | None = None) -> None:
    """Publish: the convocation goes out now if the sitting is close enough, otherwise the worker sends it on time."""
    SITTING_WORKFLOW.apply(sitting, "publish", actor=actor)
    convene_if_due(sitting, now=now)


def convocation_due_at(sitting: Sitting) -> datetime:
    return meetings.convocation_due_at(sitting.starts_at, sitting.council.convocation_days)


def convene_if_due(sitting: Sitting, *, now: datetime | None = None) -> bool:
    """Record the convocation once, when it is due; the subscribers queue one mail per member."""
    return meetings.convene_once(sitting, days=sitting.council.convocation_days,
                                 may_convene=sitting.state == SittingState.published, now=now)


def convened_members(sitting: Sitting) -> list[Membership]:
    """Who is convened: the council's members; the bureau for a bureau meeting; the group's for a group meeting."""
    query = sa.select(Membership).where(Membership.council_id == sitting.council_id, Membership.state == MembershipState.active)
    if sitting.kind == SittingKind.bureau:
        query = query.where(Membership.role != MemberRole.member)
    elif sitting.kind == SittingKind.working_group:
        query = query.join(WorkingGroupMember, WorkingGroupMember.membership_id == Membership.id).where(
            WorkingGroupMember.group_id == sitting.working_group_id)
    return list(db.session.scalars(query.options(sa.orm.joinedload(Membership.user)).order_by(Membership.name, Membership.id)).unique())


def move_sitting(sitting: Sitting, *, actor, **values) -> None:
    """Change the date, time or place; everyone already convened is told."""
    require(actor, "councils.manage_sitting", sitting)
    if sitting.state == SittingState.cancelled:
        raise DomainError(_("Cette séance est annulée : elle ne se déplace plus."))
    cleaned = _sitting_values({"title": sitting.title, **values})
    before = {"starts_at": sitting.starts_at, "place": sitting.place, "video_url": sitting.video_url}
    if cleaned["starts_at"] <= utcnow():
        raise ValidationError(_("Une séance se déplace dans le futur."), field="starts_at")
    if (cleaned["starts_at"], cleaned["place"], cleaned["video_url"]) == (before["starts_at"], before["place"], before["video_url"]) \
            and cleaned["ends_at"] == sitting.ends_at:
        raise ValidationError(_("Rien n'a changé."), field="starts_at")
    for key in ("starts_at", "ends_at", "place", "video_url"):
        setattr(sitting, key, cleaned[key])
    record("sitting.moved", sitting, actor, {"before": before, "starts_at": sitting.starts_at, "place": sitting.place})


def cancel_sitting(sitting: Sitting, *, actor) -> None:
    SITTING_WORKFLOW.apply(sitting, "cancel", actor=actor)


def answer_convocation(sitting: Sitting, *, answer, proxy: Membership | None = None, actor) -> Attendance:
    """A member answers present, absent, or represented by another member who holds their proxy."""
    require(actor, "councils.answer_convocation", sitting)
    if sitting.state != SittingState.published:
        raise DomainError(_("Cette séance n'est pas ouverte aux réponses."))
    if sitting.starts_at <= utcnow():
        raise DomainError(_("La séance a commencé : la présence est maintenant relevée sur place."))
    seat = current_membership(actor, sitting.council)
    convened = {m.id for m in convened_members(sitting)}
    if seat.id not in convened:
        raise DomainError(_("Vous n'êtes pas convoqué à cette réunion."))
    answer = Answer(answer) if answer else None
    if answer is None:
        raise ValidationError(_("Choisissez votre réponse."), field="answer")
    if answer == Answer.represented:
        if proxy is None or proxy.id not in convened or proxy.id == seat.id:
            raise ValidationError(_("Choisissez le membre convoqué qui vous représentera."), field="proxy")
        proxy_answer = db.session.scalar(sa.select(Attendance.answer).where(Attendance.sitting_id == sitting.id,
                                                                              Attendance.membership_id == proxy.id))
        if proxy_answer in (Answer.represented, Answer.absent):
            raise ValidationError(_("%(name)s a indiqué être %(lower)s : choisissez un membre présent.", name=proxy.name, lower=proxy_answer.label.lower()), field="proxy")
        held = db.session.scalar(sa.select(sa.func.count(Attendance.id)).where(
            Attendance.sitting_id == sitting.id, Attendance.proxy_id == proxy.id, Attendance.membership_id != seat.id))
        if held >= sitting.council.max_proxies:
            raise ValidationError(_("%(name)s détient déjà %(held)s procuration%(value)s, le maximum pour ce conseil.", name=proxy.name, held=held, value='s' if held > 1 else ''),
                                  field="proxy")
    else:
        proxy = None
    if answer != Answer.present:
        holding = db.session.scalar(sa.select(sa.func.count(Attendance.id)).where(Attendance.sitting_id == sitting.id,
                                                                                  Attendance.proxy_id == seat.id))
        if holding:
            raise ValidationError(_("Vous détenez une procuration : vous ne pouvez pas vous déclarer absent sans que la personne change la sienne."),
                                  field="answer")
    attendance = db.session.scalar(sa.select(Attendance).where(Attendance.sitting_id == sitting.id, Attendance.membership_id == seat.id))
    if attendance is None:
        attendance = Attendance(sitting_id=sitting.id, membership_id=seat.id)
        db.session.add(attendance)
    previous_proxy = attendance.proxy_id
    attendance.answer, attendance.proxy_id, attendance.answered_at = answer, getattr(proxy, "id", None), utcnow()
    db.session.flush()
    record("sitting.answered", sitting, actor, {"membership": seat.id, "answer": answer, "proxy": getattr(proxy, "id", None),
                                               "previous_proxy": previous_proxy})
    return attendance


def proxies_held(sitting: Sitting, seat: Membership | None) -> list[Membership]:
    """The members whose proxy ``seat`` holds for this sitting. One query."""
    if seat is None:
        return []
    return db.session.scalars(sa.select(Membership).join(Attendance, Attendance.membership_id == Membership.id)
                              .where(Attendance.sitting_id == sitting.id, Attendance.proxy_id == seat.id)
                              .order_by(Membership.id)).all()


def mark_attendance(sitting: Sitting, present_ids: set[int], *, actor) -> None:
    """Staff mark on the day who came; the others convened are marked absent."""
    require(actor, "councils.manage_sitting", sitting)
    if sitting.state != SittingState.published:
        raise DomainError(_("La présence ne se relève que pour une séance publiée."))
    if sitting.starts_at - timedelta(hours=12) > utcnow():
        raise DomainError(_("La présence se relève le jour de la séance."))
    existing = {a.membership_id: a for a in db.session.scalars(sa.select(Attendance).where(Attendance.sitting_id == sitting.id))}
    for member in convened_members(sitting):
        attendance = existing.get(member.id)
        if attendance is None:
            attendance = Attendance(sitting_id=sitting.id, membership_id=member.id)
            db.session.add(attendance)
        attendance.attended = member.id in present_ids
    db.session.flush()
    record("sitting.attendance_marked", sitting, actor, {"present": sorted(present_ids)})


@dataclass
class QuorumStatus:
    members: int  # convened members
    required: int
    present: int
    represented: int
    # From the members' answers (before the sitting) or the attendance marked on the day.
    basis: str
    proxies_count: bool

    @property
    def counted(self) -> int:
        return self.present + (self.represented if self.proxies_count else 0)

    @property
    def reached(self) -> bool:
        return self.counted >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.counted, 0)


def quorum_required(members: int, percent: int) -> int:
    """More than ``percent`` % of the members: with 50, half of the members plus one (10 → 6, 11 → 6)."""
    return members * percent // 100 + 1


def quorum_status(sitting: Sitting) -> QuorumStatus:
    """Whether the quorum is met, counting a proxy only when its holder is (or says they will be) there. Two queries."""
    members = convened_members(sitting)
    ids = {m.id for m in members}
    rows = [a for a in db.session.scalars(sa.select(Attendance).where(Attendance.sitting_id == sitting.id)) if a.membership_id in ids]
    marked = any(a.attended is not None for a in rows)
    if marked:
        here = {a.membership_id for a in rows if a.attended}
        basis = "attendance"
    else:
        here = {a.membership_id for a in rows if a.answer == Answer.present}
        basis = "answers"
    represented = sum(1 for a in rows if a.membership_id not in here and a.answer == Answer.represented and a.proxy_id in here)
    council = sitting.council
    return QuorumStatus(members=len(members), required=quorum_required(len(members), council.quorum_percent), present=len(here),
                        represented=represented, basis=basis, proxies_count=council.proxies_count_for_quorum)


# --- Minutes ----------------------------------------------------------------


def save_minutes(sitting: Sitting, *, body: str, actor, based_on=None) -> Minutes:
    """Save the draft's text. ``based_on`` is the revision the edit started
    from (0 before the first save): ``EditConflict`` when someone saved since.
    ``None`` (scripts, the demo) saves on top of the current text."""
    require(actor, "councils.write_minutes", sitting)
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if minutes is None:
        try:
            with db.session.begin_nested():
                minutes = Minutes(sitting_id=sitting.id, state=MinutesState.draft, revision=0)
                db.session.add(minutes)
        except sa.exc.IntegrityError:  # written at the same moment by someone else: theirs is the current text
            minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if minutes.state != MinutesState.draft:
        raise DomainError(_("Le compte rendu n'est plus un brouillon : repassez-le en brouillon pour le modifier."))
    claim_revision(minutes, minutes.revision if based_on is None else based_on, text_attr="body")
    minutes.body = checked_text(body, limit=100_000, field_name="body") or ""
    db.session.flush()
    record("minutes.saved", minutes, actor, {"sitting": sitting.id})
    return minutes


def submit_minutes(minutes: Minutes, *, actor) -> None:
    MINUTES_WORKFLOW.apply(minutes, "submit", actor=actor)


def return_minutes(minutes: Minutes, *, actor) -> None:
    MINUTES_WORKFLOW.apply(minutes, "return", actor=actor)


def approve_minutes(minutes: Minutes, *, at_sitting: Sitting | None, actor) -> None:
    """Minutes are approved at a later sitting of the same council."""
    sitting = minutes.sitting
    if at_sitting is None or at_sitting.council_id != sitting.council_id or at_sitting.starts_at <= sitting.starts_at \
            or at_sitting.state == SittingState.cancelled:
        raise ValidationError(_("Choisissez la séance suivante, au cours de laquelle le compte rendu a été approuvé."), field="at_sitting")
    refusal = MINUTES_WORKFLOW.refusal(minutes, "approve", actor)
    if refusal:
        raise TransitionRefused(refusal)
    minutes.approved_at_id = at_sitting.id
    MINUTES_WORKFLOW.apply(minutes, "approve", actor=actor, data={"at_sitting": at_sitting.id})


def publish_minutes(minutes: Minutes, *, actor) -> None:
    MINUTES_WORKFLOW.apply(minutes, "publish", actor=actor)
    minutes.published_at = utcnow()
