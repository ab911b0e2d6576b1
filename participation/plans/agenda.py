"""Public committee meetings of public plans in the agenda citoyen."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.agenda.sources import AgendaItem as CalendarItem
from participation.agenda.sources import AgendaQuery, register_source
from participation.extensions import db
from participation.plans.models import PUBLIC_PLAN_STATES, Committee, Meeting, MeetingState, Plan
from flask_babel import lazy_gettext as _l

KIND, LABEL = "plan_meeting", _l("Comité d'un plan")
DEFAULT_LENGTH = timedelta(hours=2)


@register_source(KIND, LABEL)
def public_meetings(query: AgendaQuery) -> list[CalendarItem]:
    """Public meetings (planned, held or cancelled) of public plans: one query. They concern the whole territory."""
    if query.theme_ids:
        return []
    statement = (
        sa.select(Meeting, Committee.name, Plan.slug, Plan.title)
        .join(Committee, Committee.id == Meeting.committee_id).join(Plan, Plan.id == Committee.plan_id)
        .where(Meeting.is_public.is_(True), Plan.state.in_(PUBLIC_PLAN_STATES), Meeting.starts_at < query.end,
               sa.func.coalesce(Meeting.ends_at, Meeting.starts_at) >= query.start)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [
        CalendarItem(
            kind=KIND, kind_label=LABEL, title=f"{committee} — {meeting.title}", start=meeting.starts_at,
            end=meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH, url=f"/plans/{slug}#comites", uid=f"plan-meeting-{meeting.id}",
            place=meeting.place, summary=", ".join(i.title for i in meeting.items) or plan_title,
            theme_ids=frozenset(), commune_ids=frozenset(), published_at=meeting.created_at,
            cancelled=meeting.state == MeetingState.cancelled, updated_at=meeting.updated_at,
        )
        for meeting, committee, slug, plan_title in db.session.execute(statement).unique()
    ]
