"""Calls for projects in the agenda citoyen: the closing date, as an all-day
deadline (see participation/agenda/sources.py)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.agenda.sources import AgendaItem, AgendaQuery, linked_ids, matches_links, register_source
from participation.core.french import quoted
from participation.extensions import db
from participation.grants.models import GrantCall, call_themes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND, LABEL = "grant_call", _l("Appel à projets")


@register_source(KIND, LABEL)
def call_deadlines(query: AgendaQuery) -> list[AgendaItem]:
    """Calls closing in the period (they concern the whole territory): two queries."""
    statement = (
        sa.select(GrantCall)
        .options(sa.orm.lazyload(GrantCall.themes))
        .where(GrantCall.closes_at >= query.start, GrantCall.closes_at < query.end)
        .order_by(GrantCall.closes_at, GrantCall.id)
    )
    if query.theme_ids:
        statement = statement.where(matches_links(GrantCall.id, call_themes, "call_id", "theme_id", query.theme_ids))
    calls = db.session.scalars(statement).all()
    if not calls:
        return []
    themes = linked_ids(call_themes, "call_id", "theme_id", [c.id for c in calls])
    return [
        AgendaItem(
            kind=KIND,
            kind_label=LABEL,
            title=_("Clôture de l'appel à projets %(title)s", title=quoted(call.title)),
            start=call.closes_at,
            end=call.closes_at,
            all_day=True,
            url=f"/subventions/appels/{call.id}",
            uid=f"grant-call-{call.id}-closing",
            summary=_("Date limite de dépôt des demandes de subvention."),
            theme_ids=themes.get(call.id, frozenset()),
            published_at=call.created_at,
        )
        for call in calls
    ]
