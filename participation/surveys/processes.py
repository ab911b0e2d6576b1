"""Questionnaires as participatory processes of the register (see ``participation/processes/sources.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.agenda.sources import linked_ids
from participation.core.dates import utc_to_local
from participation.extensions import db
from participation.processes.sources import PlatformProcess, path, register_process_source
from participation.surveys.models import Access, Questionnaire, Response, SurveyState, questionnaire_themes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _day(moment):
    return utc_to_local(moment).date() if moment else None


@register_process_source("questionnaire", _l("Questionnaire"), automatic=True)
def questionnaires(ids: list[int] | None) -> list[PlatformProcess]:
    """Every questionnaire open to the public (not a draft, not by invitation only), with its responses: three queries."""
    statement = (sa.select(Questionnaire).where(Questionnaire.state != SurveyState.draft, Questionnaire.access != Access.invitation)
                 .order_by(Questionnaire.id))
    if ids is not None:
        statement = statement.where(Questionnaire.id.in_(ids))
    items = db.session.scalars(statement.options(sa.orm.lazyload("*"))).all()
    if not items:
        return []
    item_ids = [q.id for q in items]
    responses = dict(db.session.execute(
        sa.select(Response.questionnaire_id, sa.func.count(Response.id))
        .where(Response.questionnaire_id.in_(item_ids), Response.submitted_at.is_not(None)).group_by(Response.questionnaire_id)).all())
    themes = linked_ids(questionnaire_themes, "questionnaire_id", "theme_id", item_ids)
    result = []
    for q in items:
        count = responses.get(q.id, 0)
        result.append(PlatformProcess(
            source_id=q.id, title=q.display_title, method="questionnaire", url=path("surveys.show", questionnaire_id=q.id),
            starts_on=_day(q.opened_at or q.opens_at), ends_on=_day(q.closed_at or q.closes_at), participants=count,
            figures=((_("Réponses"), count),), summary=q.introduction[:500] if q.introduction else "",
            results=q.analysis if q.state == SurveyState.published else "",
            theme_ids=themes.get(q.id, frozenset()),
        ))
    return result

