"""« Mon espace »: what a council member has to do, across their councils, reached from the header.

Their councils (each leading to its own space), their working groups, the
sittings to come with their answer (or a prompt to give one), the minutes
waiting for approval, and the drafts their groups are writing, which the
referrals domain lends through the template function ``member_opinion_drafts``
(a domain higher up lends, the councils never import it).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from participation.core.models import utcnow
from participation.councils.models import (
    Attendance,
    Council,
    CouncilState,
    Membership,
    MembershipState,
    Minutes,
    MinutesState,
    Sitting,
    SittingState,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.extensions import db

bp = Blueprint("councils_member", __name__)

# Each list of the page shows at most this many lines; each links to the full list in the council's space.
LIMIT = 20


def member_summary(user) -> dict:
    """The member's seats, groups, next sittings with their answer, and minutes to approve: five queries."""
    seats = db.session.execute(
        sa.select(Membership, Council)
        .join(Council, Council.id == Membership.council_id)
        .where(Membership.user_id == user.id, Membership.state == MembershipState.active, Council.state == CouncilState.published)
        .order_by(Council.name)
        .limit(LIMIT)
    ).all()
    seat_ids = [seat.id for seat, _ in seats]
    council_ids = [council.id for _, council in seats]
    if not seats:
        return {"seats": [], "groups": [], "sittings": [], "minutes": []}
    groups = db.session.execute(
        sa.select(WorkingGroup, Council.slug)
        .join(WorkingGroupMember, WorkingGroupMember.group_id == WorkingGroup.id)
        .join(Council, Council.id == WorkingGroup.council_id)
        .where(WorkingGroupMember.membership_id.in_(seat_ids), WorkingGroup.archived.is_(False))
        .options(sa.orm.lazyload(WorkingGroup.lead))
        .order_by(WorkingGroup.name)
        .limit(LIMIT)
    ).all()
    group_ids = [group.id for group, _ in groups]
    sittings = db.session.execute(
        sa.select(Sitting, Council.slug, Council.name, Attendance.answer)
        .join(Council, Council.id == Sitting.council_id)
        .outerjoin(Attendance, sa.and_(Attendance.sitting_id == Sitting.id, Attendance.membership_id.in_(seat_ids)))
        .where(Sitting.council_id.in_(council_ids), Sitting.state == SittingState.published, Sitting.starts_at >= utcnow(),
               sa.or_(Sitting.working_group_id.is_(None), Sitting.working_group_id.in_(group_ids or [-1])))
        .options(sa.orm.lazyload(Sitting.items), sa.orm.lazyload(Sitting.council))
        .order_by(Sitting.starts_at)
        .limit(LIMIT)
    ).all()
    minutes = db.session.execute(
        sa.select(Minutes, Sitting.id, Sitting.title, Council.slug)
        .join(Sitting, Sitting.id == Minutes.sitting_id)
        .join(Council, Council.id == Sitting.council_id)
        .where(Sitting.council_id.in_(council_ids), Minutes.state == MinutesState.submitted)
        .options(sa.orm.lazyload(Minutes.sitting))
        .order_by(Sitting.starts_at.desc())
        .limit(LIMIT)
    ).all()
    return {"seats": seats, "groups": groups, "sittings": sittings, "minutes": minutes}


@bp.route("/mon-espace")
@login_required
def my_space():
    summary = member_summary(current_user)
    group_ids = [group.id for group, _ in summary["groups"]]
    return render_template("councils/my_space.html", group_ids=group_ids, **summary)
