"""A council's yearly rapport d'activité.

Its figures come from the platform's data for one calendar year, in the
territory's time zone: referrals received, answers from the authority,
opinions adopted and the take-up of their recommendations, sittings and
attendance, working groups and trainings. A draft shows them live; publishing
keeps a snapshot, so a published report never changes afterwards. Staff add
their own texts (an introduction, perspectives and remarks) around them.

The figures are read with a fixed number of queries (aggregates), whatever
the year's size.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime

import sqlalchemy as sa

from participation.core.concurrency import claim_revision
from participation.core.dates import local_to_utc, utc_to_local
from participation.core.errors import TransitionRefused, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.councils.models import (
    Answer,
    Attendance,
    Council,
    Sitting,
    SittingKind,
    SittingState,
    Training,
    TrainingRegistration,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.extensions import db
from participation.referrals.models import (
    ACTIVITY_REPORT_WORKFLOW,
    PUBLIC_STATES,
    ActivityReport,
    ActivityReportState,
    Opinion,
    OpinionState,
    OpinionVote,
    Recommendation,
    RecommendationStatus,
    Referral,
    ReferralKind,
    ReferralState,
)
from participation.referrals.services import clean_text
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The snapshot's layout; a later change of the figures bumps it and reads the older ones.
SNAPSHOT_VERSION = 1
# The order in which the take-up of recommendations is shown.
TAKE_UP_ORDER = (RecommendationStatus.retained, RecommendationStatus.partly_retained, RecommendationStatus.not_retained,
                 RecommendationStatus.under_study, RecommendationStatus.pending)
TEXT_LIMIT = 20_000
# How a sentence names one or several meetings of each kind.
SITTING_NAMES = {
    SittingKind.plenary: (_l("séance plénière"), _l("séances plénières")),
    SittingKind.bureau: (_l("réunion du bureau"), _l("réunions du bureau")),
    SittingKind.working_group: (_l("réunion de groupe de travail"), _l("réunions de groupe de travail")),
}


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage rounded half up (5 of 8: 63), or None when there is nothing to divide."""
    return (200 * part + whole) // (2 * whole) if whole else None


# --- The figures ------------------------------------------------------------


@dataclass
class ReferralLine:
    id: int
    subject: str
    kind: str  # a ReferralKind value
    received_on: date
    state: str  # a ReferralState value, when the figures were taken
    group: str | None  # the working group it is entrusted to

    @property
    def kind_label(self) -> str:
        return ReferralKind(self.kind).label

    @property
    def state_label(self) -> str:
        return ReferralState(self.state).label


@dataclass
class AnswerLine:
    id: int
    subject: str
    answered_on: date
    # Answered by the date the answer was due (transmission + REFERRALS_ANSWER_MONTHS).
    on_time: bool


@dataclass
class OpinionLine:
    referral_id: int
    subject: str
    voted_on: date
    votes_for: int
    votes_against: int
    abstentions: int
    present: int
    members: int
    published: bool


@dataclass
class SittingLine:
    id: int
    title: str
    kind: str  # a SittingKind value
    starts_at: datetime
    # From the attendance marked on the day; all 0 when it was not marked.
    convened: int
    present: int
    represented: int

    @property
    def kind_label(self) -> str:
        return SittingKind(self.kind).label

    @property
    def marked(self) -> bool:
        return self.convened > 0

    @property
    def rate(self) -> int | None:
        return percent(self.present + self.represented, self.convened)


@dataclass
class GroupLine:
    name: str
    members: int
    referrals: list[str]  # subjects of the year's referrals entrusted to it


@dataclass
class TrainingLine:
    title: str
    starts_at: datetime
    participants: int


@dataclass
class ActivityFigures:
    year: int
    # When they were taken: now for a draft, the publication for a published report.
    taken_at: datetime
    referrals: list[ReferralLine]
    answers: list[AnswerLine]
    opinions: list[OpinionLine]
    # Recommendations of the opinions adopted in the year, by RecommendationStatus value.
    recommendations: dict[str, int]
    sittings: list[SittingLine]
    groups: list[GroupLine]
    trainings: list[TrainingLine]

    @property
    def referrals_by_kind(self) -> list[tuple[str, int]]:
        return [(kind.label, sum(1 for r in self.referrals if r.kind == kind.value)) for kind in ReferralKind]

    @property
    def answered_on_time(self) -> int:
        return sum(1 for a in self.answers if a.on_time)

    @property
    def recommendations_total(self) -> int:
        return sum(self.recommendations.values())

    @property
    def take_up(self) -> list[tuple[str, int, int | None]]:
        """(status, count, % of the recommendations) in the order a reader expects."""
        total = self.recommendations_total
        return [(s.label, self.recommendations.get(s.value, 0), percent(self.recommendations.get(s.value, 0), total))
                for s in TAKE_UP_ORDER]

    @property
    def sittings_by_kind(self) -> list[str]:
        """« 1 séance plénière », « 2 réunions du bureau »…, for the kinds held."""
        counts = [(kind, sum(1 for s in self.sittings if s.kind == kind.value)) for kind in SittingKind]
        return [f"{n} {SITTING_NAMES[kind][n > 1]}" for kind, n in counts if n]

    @property
    def attendance(self) -> tuple[int, int, int | None]:
        """(present or represented, convened, rate) over the sittings whose attendance was marked."""
        counted = sum(s.present + s.represented for s in self.sittings if s.marked)
        convened = sum(s.convened for s in self.sittings if s.marked)
        return counted, convened, percent(counted, convened)

    @property
    def unmarked_sittings(self) -> int:
        return sum(1 for s in self.sittings if not s.marked)

    def to_snapshot(self) -> dict:
        return {"version": SNAPSHOT_VERSION, **_dump(self)}

    @classmethod
    def from_snapshot(cls, data: dict) -> ActivityFigures:
        lines = {"referrals": ReferralLine, "answers": AnswerLine, "opinions": OpinionLine, "sittings": SittingLine,
                 "groups": GroupLine, "trainings": TrainingLine}
        return cls(year=data["year"], taken_at=datetime.fromisoformat(data["taken_at"]), recommendations=dict(data["recommendations"]),
                   **{name: [_load(line, item) for item in data[name]] for name, line in lines.items()})


def _dump(value):
    if is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def _load(line: type, data: dict):
    hints = typing.get_type_hints(line)
    values = {}
    for f in fields(line):
        raw = data[f.name]
        if hints[f.name] is datetime:
            raw = datetime.fromisoformat(raw)
        elif hints[f.name] is date:
            raw = date.fromisoformat(raw)
        values[f.name] = raw
    return line(**values)


def _bounds(year: int) -> tuple[date, date, datetime, datetime]:
    """The year's first day and the next year's, and the same as UTC moments of the territory's midnight."""
    first, following = date(year, 1, 1), date(year + 1, 1, 1)
    return first, following, local_to_utc(datetime(year, 1, 1)), local_to_utc(datetime(year + 1, 1, 1))


def activity_figures(council: Council, year: int, *, now: datetime | None = None) -> ActivityFigures:
    """The council's figures for ``year``, from the data as it is now: seven queries."""
    now = now or utcnow()
    first, following, start, end = _bounds(year)
    held_before = min(end, now)

    # Referrals received in the year: those a visitor may see (not a pending proposal, not a declined auto-saisine).
    rows = db.session.execute(
        sa.select(Referral.id, Referral.subject, Referral.kind, Referral.received_on, Referral.state, Referral.working_group_id,
                  WorkingGroup.name)
        .outerjoin(WorkingGroup, WorkingGroup.id == Referral.working_group_id)
        .where(Referral.council_id == council.id, Referral.state.in_(PUBLIC_STATES), Referral.received_on >= first,
               Referral.received_on < following)
        .order_by(Referral.received_on, Referral.id)
    ).all()
    referrals = [ReferralLine(id=r.id, subject=r.subject, kind=r.kind.value, received_on=r.received_on, state=r.state.value, group=r.name)
                 for r in rows]
    entrusted: dict[int, list[str]] = {}
    for r in rows:
        if r.working_group_id is not None:
            entrusted.setdefault(r.working_group_id, []).append(r.subject)

    # The authority's answers published in the year, whenever the referral was received.
    answers = [
        AnswerLine(id=r.id, subject=r.subject, answered_on=utc_to_local(r.answered_at).date(),
                   on_time=r.answer_due_on is None or utc_to_local(r.answered_at).date() <= r.answer_due_on)
        for r in db.session.execute(
            sa.select(Referral.id, Referral.subject, Referral.answered_at, Referral.answer_due_on)
            .where(Referral.council_id == council.id, Referral.answered_at >= start, Referral.answered_at < end)
            .order_by(Referral.answered_at, Referral.id))
    ]

    # Opinions adopted in the year, with their vote.
    adopted_in_year = (OpinionVote.adopted.is_(True), OpinionVote.voted_on >= first, OpinionVote.voted_on < following,
                       Referral.council_id == council.id)
    opinions = [
        OpinionLine(referral_id=r.id, subject=r.subject, voted_on=r.voted_on, votes_for=r.votes_for, votes_against=r.votes_against,
                    abstentions=r.abstentions, present=r.present, members=r.members, published=r.state == OpinionState.published)
        for r in db.session.execute(
            sa.select(Referral.id, Referral.subject, OpinionVote.voted_on, OpinionVote.votes_for, OpinionVote.votes_against,
                      OpinionVote.abstentions, OpinionVote.present, OpinionVote.members, Opinion.state)
            .select_from(OpinionVote).join(Opinion, Opinion.id == OpinionVote.opinion_id).join(Referral, Referral.id == Opinion.referral_id)
            .where(*adopted_in_year).order_by(OpinionVote.voted_on, Referral.id))
    ]

    # The take-up of those opinions' recommendations, by status.
    recommendations = {
        status.value: count for status, count in db.session.execute(
            sa.select(Recommendation.status, sa.func.count(Recommendation.id))
            .join(Opinion, Opinion.id == Recommendation.opinion_id).join(Referral, Referral.id == Opinion.referral_id)
            .join(OpinionVote, OpinionVote.opinion_id == Opinion.id)
            .where(*adopted_in_year).group_by(Recommendation.status))
    }

    # Sittings held (published, already started) and their attendance as marked on the day. A represented member counts
    # when the member holding the proxy came, as for the quorum.
    proxy = sa.orm.aliased(Attendance)

    def tally(condition):
        return sa.func.count(sa.case((condition, 1)))

    sittings = [
        SittingLine(id=r.id, title=r.title, kind=r.kind.value, starts_at=r.starts_at, convened=r.convened, present=r.present,
                    represented=r.represented)
        for r in db.session.execute(
            sa.select(Sitting.id, Sitting.title, Sitting.kind, Sitting.starts_at,
                      tally(Attendance.attended.is_not(None)).label("convened"),
                      tally(Attendance.attended.is_(True)).label("present"),
                      tally(sa.and_(Attendance.attended.is_(False), Attendance.answer == Answer.represented,
                                    proxy.attended.is_(True))).label("represented"))
            .outerjoin(Attendance, Attendance.sitting_id == Sitting.id)
            .outerjoin(proxy, sa.and_(proxy.sitting_id == Attendance.sitting_id, proxy.membership_id == Attendance.proxy_id))
            .where(Sitting.council_id == council.id, Sitting.state == SittingState.published, Sitting.starts_at >= start,
                   Sitting.starts_at < held_before)
            .group_by(Sitting.id, Sitting.title, Sitting.kind, Sitting.starts_at)
            .order_by(Sitting.starts_at, Sitting.id))
    ]

    # Working groups in place by the year's end and not archived, and any group one of its referrals went to, with their members.
    members = (sa.select(WorkingGroupMember.group_id, sa.func.count(WorkingGroupMember.id).label("n"))
               .group_by(WorkingGroupMember.group_id).subquery())
    groups = [
        GroupLine(name=r.name, members=r.members, referrals=entrusted.get(r.id, []))
        for r in db.session.execute(
            sa.select(WorkingGroup.id, WorkingGroup.name, sa.func.coalesce(members.c.n, 0).label("members"))
            .outerjoin(members, members.c.group_id == WorkingGroup.id)
            .where(WorkingGroup.council_id == council.id,
                   sa.or_(sa.and_(WorkingGroup.created_at < end, WorkingGroup.archived.is_(False)), WorkingGroup.id.in_(list(entrusted))))
            .order_by(WorkingGroup.name))
    ]

    # Trainings held in the year, with the members registered.
    registered = (sa.select(TrainingRegistration.training_id, sa.func.count(TrainingRegistration.id).label("n"))
                  .where(TrainingRegistration.cancelled_at.is_(None)).group_by(TrainingRegistration.training_id).subquery())
    trainings = [
        TrainingLine(title=r.title, starts_at=r.starts_at, participants=r.participants)
        for r in db.session.execute(
            sa.select(Training.title, Training.starts_at, sa.func.coalesce(registered.c.n, 0).label("participants"))
            .outerjoin(registered, registered.c.training_id == Training.id)
            .where(Training.council_id == council.id, Training.cancelled.is_(False), Training.starts_at >= start,
                   Training.starts_at < held_before)
            .order_by(Training.starts_at, Training.id))
    ]

    return ActivityFigures(year=year, taken_at=now, referrals=referrals, answers=answers, opinions=opinions,
                           recommendations=recommendations, sittings=sittings, groups=groups, trainings=trainings)


def figures_of(report: ActivityReport) -> ActivityFigures:
    """A published report's snapshot; a draft's live figures."""
    if report.is_published:
        return ActivityFigures.from_snapshot(report.figures)
    return activity_figures(report.council, report.year)


# --- The reports ------------------------------------------------------------


def current_year() -> int:
    return utc_to_local(utcnow()).year


def first_year(council: Council) -> int:
    """The first year the council can report on: when it came onto the platform, or its mandate's start if earlier."""
    years = [utc_to_local(council.created_at).year]
    if council.mandate_start is not None:
        years.append(council.mandate_start.year)
    return min(years)


def open_years(council: Council) -> list[int]:
    """The years a report may still be created for, newest first: one query."""
    taken = set(db.session.scalars(sa.select(ActivityReport.year).where(ActivityReport.council_id == council.id)))
    return [year for year in range(current_year(), first_year(council) - 1, -1) if year not in taken]


def create_report(council: Council, *, year: int | None, actor) -> ActivityReport:
    """Start the report of a year that has begun, once per council and year."""
    require(actor, "referrals.report", council)
    if year is None:
        raise ValidationError(_("Indiquez l'année du rapport."), field="year")
    if year > current_year():
        raise ValidationError(_("L'année %(year)s n'a pas commencé : son rapport ne peut pas encore être établi.", year=year), field="year")
    first = first_year(council)
    if year < first:
        raise ValidationError(_("Le conseil n'existait pas encore sur la plateforme en %(year)s : son premier rapport peut porter sur %(first)s.", year=year, first=first),
                              field="year")
    if db.session.scalar(sa.select(ActivityReport.id).where(ActivityReport.council_id == council.id, ActivityReport.year == year)):
        raise ValidationError(_("Le rapport d'activité %(year)s de ce conseil existe déjà.", year=year), field="year")
    report = ActivityReport(council_id=council.id, year=year, state=ActivityReportState.draft, introduction="", outlook="")
    db.session.add(report)
    db.session.flush()
    record("activity_report.created", report, actor, {"council": council.id, "year": year})
    return report


def edit_report(report: ActivityReport, *, introduction: str | None, outlook: str | None, actor, based_on=None) -> None:
    """Staff's texts, while the report is a draft.

    ``based_on``: the revision the edit started from; ``EditConflict`` when
    someone saved since (``None``, for scripts: on top of the current texts).
    """
    require(actor, "referrals.report", report)
    if report.is_published:
        raise TransitionRefused(_("Ce rapport est publié : ses textes ne se modifient plus."))
    claim_revision(report, report.revision if based_on is None else based_on, text_attr=("introduction", "outlook"))
    report.introduction = clean_text(introduction, field="introduction", limit=TEXT_LIMIT) or ""
    report.outlook = clean_text(outlook, field="outlook", limit=TEXT_LIMIT) or ""
    record("activity_report.edited", report, actor, {"year": report.year})


def publish_report(report: ActivityReport, *, actor, now: datetime | None = None) -> None:
    """Publish, keeping the figures of this moment: later changes to the data leave the report as it is."""
    ACTIVITY_REPORT_WORKFLOW._check(report, "publish", actor)
    now = now or utcnow()
    report.figures = activity_figures(report.council, report.year, now=now).to_snapshot()
    report.published_at = now
    ACTIVITY_REPORT_WORKFLOW.apply(report, "publish", actor=actor, data={"year": report.year})


def reports_query(*, council_id: int | None = None):
    statement = sa.select(ActivityReport)
    if council_id is not None:
        statement = statement.where(ActivityReport.council_id == council_id)
    return statement.order_by(ActivityReport.year.desc(), ActivityReport.id.desc())


def published_years(council_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(ActivityReport.year).where(
        ActivityReport.council_id == council_id, ActivityReport.state == ActivityReportState.published).order_by(ActivityReport.year.desc())))
