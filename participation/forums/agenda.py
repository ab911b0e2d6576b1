"""Consultations in the agenda citoyen: their opening and their closing, as
two all-day items (see participation/agenda/sources.py)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.agenda.sources import AgendaItem, AgendaQuery, linked_ids, matches_links, register_source
from participation.core.models import utcnow
from participation.extensions import db
from participation.forums.models import Consultation, ConsultationState, consultation_communes, consultation_themes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND, LABEL = "consultation", _l("Concertation")


# Reads consultations only: a contribution or a reaction leaves the agenda as it was.
@register_source(KIND, LABEL, tags=("consultations",))
def consultation_dates(query: AgendaQuery) -> list[AgendaItem]:
    """Published consultations whose opening or closing falls in the period: three queries."""
    statement = (
        sa.select(Consultation)
        .options(sa.orm.lazyload(Consultation.themes), sa.orm.lazyload(Consultation.communes))
        .where(
            Consultation.state != ConsultationState.draft,
            sa.or_(
                sa.and_(Consultation.opens_at >= query.start, Consultation.opens_at < query.end),
                sa.and_(Consultation.closes_at >= query.start, Consultation.closes_at < query.end),
            ),
        )
        .order_by(Consultation.opens_at, Consultation.id)
    )
    if query.theme_ids:
        statement = statement.where(matches_links(Consultation.id, consultation_themes, "consultation_id", "theme_id", query.theme_ids))
    if query.commune_ids:
        # A consultation without communes concerns the whole territory.
        statement = statement.where(
            matches_links(Consultation.id, consultation_communes, "consultation_id", "commune_id", query.commune_ids, empty_matches=True)
        )
    consultations = db.session.scalars(statement).all()
    if not consultations:
        return []
    ids = [c.id for c in consultations]
    themes = linked_ids(consultation_themes, "consultation_id", "theme_id", ids)
    communes = linked_ids(consultation_communes, "consultation_id", "commune_id", ids)
    now = utcnow()
    items = []
    for consultation in consultations:
        common = {
            "kind": KIND,
            "kind_label": LABEL,
            "url": f"/concertations/{consultation.id}",
            "all_day": True,
            "summary": consultation.question,
            "theme_ids": themes.get(consultation.id, frozenset()),
            "commune_ids": communes.get(consultation.id, frozenset()),
        }
        for moment, what, suffix in ((consultation.opens_at, _("Ouverture"), "opening"), (consultation.closes_at, _("Clôture"), "closing")):
            if query.start <= moment < query.end:
                items.append(AgendaItem(
                    title=_("%(what)s de la concertation « %(title)s »", what=what, title=consultation.title),
                    start=moment,
                    end=moment,
                    uid=f"consultation-{consultation.id}-{suffix}",
                    published_at=consultation.opens_at if consultation.opens_at <= now else None,
                    **common,
                ))
    return items
