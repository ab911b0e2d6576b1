"""The questionnaires' source for the agenda citoyen: a questionnaire open to the public, over its answering period."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm

from participation.agenda.sources import AgendaItem, AgendaQuery, linked_ids, matches_links, register_source
from participation.extensions import db
from participation.surveys.models import Access, Questionnaire, SurveyState, questionnaire_themes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND, LABEL = "questionnaire", _l("Questionnaire")


@register_source(KIND, LABEL)
def open_questionnaires(query: AgendaQuery) -> list[AgendaItem]:
    """Questionnaires open to anyone or to account holders, over their period: two queries."""
    start = sa.func.coalesce(Questionnaire.opened_at, Questionnaire.opens_at)
    statement = (
        sa.select(Questionnaire)
        .options(sa.orm.lazyload(Questionnaire.sections), sa.orm.lazyload(Questionnaire.questions), sa.orm.lazyload(Questionnaire.themes),
                 sa.orm.lazyload(Questionnaire.previous_wave), sa.orm.lazyload(Questionnaire.consultation),
                 sa.orm.lazyload(Questionnaire.referral), sa.orm.lazyload(Questionnaire.event))
        .where(Questionnaire.state == SurveyState.open, Questionnaire.access != Access.invitation,
               Questionnaire.closes_at.is_not(None), start.is_not(None), start < query.end, Questionnaire.closes_at > query.start)
        .order_by(start, Questionnaire.id)
    )
    if query.theme_ids:
        statement = statement.where(matches_links(Questionnaire.id, questionnaire_themes, "questionnaire_id", "theme_id", query.theme_ids))
    items = db.session.scalars(statement).all()
    if not items:
        return []
    themes = linked_ids(questionnaire_themes, "questionnaire_id", "theme_id", [q.id for q in items])
    return [
        AgendaItem(
            kind=KIND, kind_label=LABEL, title=_("Questionnaire : %(display_title)s", display_title=q.display_title),
            start=q.opened_at or q.opens_at, end=q.closes_at, all_day=True, url=f"/questionnaires/{q.id}", uid=f"questionnaire-{q.id}",
            summary=(q.purpose or "")[:500] or None, theme_ids=themes.get(q.id, frozenset()), published_at=q.opened_at, updated_at=q.updated_at,
        )
        for q in items
    ]
