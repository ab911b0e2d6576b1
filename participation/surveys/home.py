"""The questionnaires' block on the home page (see participation/pages/homepage.py): those anyone may answer now."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.pages.homepage import HomeLink, register_home_block
from participation.surveys.models import Access, Questionnaire, SurveyState


@register_home_block("questionnaires", _l("Questionnaires ouverts"), order=32, more_endpoint="surveys.index",
                     more_label=_l("Tous les questionnaires"))
def open_questionnaires(limit: int) -> list[HomeLink]:
    """Open questionnaires not kept to invitees, the soonest to close first: one query."""
    statement = (
        sa.select(Questionnaire)
        .options(sa.orm.lazyload("*"))
        .where(Questionnaire.state == SurveyState.open, Questionnaire.access != Access.invitation)
        .order_by(Questionnaire.closes_at.is_(None), Questionnaire.closes_at, Questionnaire.id)
        .limit(limit)
    )
    return [
        HomeLink(q.title, url_for("surveys.show", questionnaire_id=q.id), when=q.closes_at,
                 when_prefix=_l("Réponses jusqu'au") if q.closes_at else None)
        for q in db.session.scalars(statement)
    ]
