"""Public sittings in the agenda citoyen (see participation/agenda/sources.py).

A sitting belongs to the commune of its council's neighbourhood (conseils
citoyens); a council without one concerns the whole territory.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.agenda.sources import AgendaItem as CalendarItem
from participation.agenda.sources import AgendaQuery, register_source
from participation.councils.models import Council, CouncilState, Sitting, SittingState
from participation.extensions import db
from participation.territory.models import Neighbourhood
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND, LABEL = "sitting", _l("Séance publique")
# A sitting with no end time is shown as lasting this long.
DEFAULT_LENGTH = timedelta(hours=2)


@register_source(KIND, LABEL)
def public_sittings(query: AgendaQuery) -> list[CalendarItem]:
    """Public sittings (published or cancelled) of published councils: one query."""
    statement = (
        sa.select(Sitting, Council, Neighbourhood.commune_id)
        .join(Council, Council.id == Sitting.council_id)
        .outerjoin(Neighbourhood, Neighbourhood.id == Council.neighbourhood_id)
        .where(
            Sitting.is_public.is_(True),
            Sitting.state.in_([SittingState.published, SittingState.cancelled]),
            Council.state == CouncilState.published,
            Sitting.starts_at < query.end,
            sa.func.coalesce(Sitting.ends_at, Sitting.starts_at) >= query.start,
        )
        .order_by(Sitting.starts_at, Sitting.id)
    )
    if query.theme_ids:
        statement = statement.where(Sitting.theme_id.in_(query.theme_ids))
    if query.commune_ids:
        statement = statement.where(sa.or_(Neighbourhood.commune_id.in_(query.commune_ids), Council.neighbourhood_id.is_(None)))
    return [
        CalendarItem(
            kind=KIND,
            kind_label=LABEL,
            title=f"{council.name} — {sitting.title}",
            start=sitting.starts_at,
            end=sitting.ends_at or sitting.starts_at + DEFAULT_LENGTH,
            url=f"/conseils/{council.slug}/seances/{sitting.id}",
            uid=f"sitting-{sitting.id}",
            place=sitting.place or (_("En visioconférence") if sitting.video_url else None),
            summary=", ".join(item.title for item in sitting.items) or None,
            theme_ids=frozenset({sitting.theme_id}) if sitting.theme_id else frozenset(),
            commune_ids=frozenset({commune_id}) if commune_id else frozenset(),
            published_at=sitting.convened_at,
            cancelled=sitting.state == SittingState.cancelled,
            updated_at=sitting.updated_at,
        )
        for sitting, council, commune_id in db.session.execute(statement).unique()
    ]


def sitting_item(sitting: Sitting) -> CalendarItem:
    """One sitting, public or not, as a calendar item: the file sent with its convocation."""
    council = sitting.council
    return CalendarItem(
        kind=KIND,
        kind_label="Séance",
        title=f"{council.name} — {sitting.title}",
        start=sitting.starts_at,
        end=sitting.ends_at or sitting.starts_at + DEFAULT_LENGTH,
        url=f"/conseils/{council.slug}/seances/{sitting.id}",
        uid=f"sitting-{sitting.id}",
        place=sitting.place or ("En visioconférence" if sitting.video_url else None),
        summary=", ".join(item.title for item in sitting.items) or None,
        published_at=sitting.convened_at,
        cancelled=sitting.state == SittingState.cancelled,
        updated_at=sitting.updated_at,
    )
