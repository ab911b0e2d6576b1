"""Questionnaires' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.staff.indicators import Figure, IndicatorQuery, percent, register_indicator
from participation.surveys.models import Invitation, Questionnaire, Response, SurveyState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_indicator("surveys", _l("Questionnaires"), order=30)
def questionnaires_figures(query: IndicatorQuery) -> list[Figure]:
    """Three queries: the questionnaires open during the year, their responses, their invitations."""
    items = db.session.execute(
        sa.select(Questionnaire.id, Questionnaire.title, Questionnaire.wave_label)
        .where(Questionnaire.state != SurveyState.draft, Questionnaire.opened_at.is_not(None), Questionnaire.opened_at < query.end,
               sa.or_(Questionnaire.closed_at.is_(None), Questionnaire.closed_at >= query.start))
        .order_by(Questionnaire.opened_at, Questionnaire.id)).all()
    ids = [i for i, _unused, _unused in items]
    responses = sa.select(Response.questionnaire_id, sa.func.count(Response.id)).where(Response.questionnaire_id.in_(ids))
    if query.commune_id:
        responses = responses.where(Response.commune_id == query.commune_id)
    submitted = dict(db.session.execute(responses.where(Response.submitted_at >= query.start, Response.submitted_at < query.end)
                                        .group_by(Response.questionnaire_id)).all()) if ids else {}
    invitations = {qid: (sent, responded) for qid, sent, responded in db.session.execute(
        sa.select(Invitation.questionnaire_id, sa.func.count(Invitation.sent_at), sa.func.count(Invitation.responded_at))
        .where(Invitation.questionnaire_id.in_(ids)).group_by(Invitation.questionnaire_id))} if ids else {}
    rows = []
    for qid, title, wave in items:
        sent, responded = invitations.get(qid, (0, 0))
        rows.append((f"{title} ({wave})" if wave else title, submitted.get(qid, 0), sent, percent(responded, sent)))
    return [Figure("questionnaires", _("Réponses aux questionnaires et taux de réponse des invités"),
                   (_("Questionnaire"), _("Réponses envoyées"), _("Invitations envoyées"), _("Taux de réponse des invités")), rows,
                   summary=[(_("Questionnaires"), str(len(rows))), (_("Réponses envoyées"), str(sum(r[1] for r in rows)))],
                   note=_("Questionnaires ouverts pendant l'année, réponses envoyées dans l'année. Par commune : les réponses "
                        "des personnes qui ont indiqué cette commune. Le taux de réponse ne concerne que les questionnaires sur invitation."))]
