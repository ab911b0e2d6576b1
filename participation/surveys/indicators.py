"""Questionnaires' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.staff.indicators import Figure, IndicatorQuery, percent, register_indicator
from participation.surveys.models import Invitation, Questionnaire, Response, SurveyState
from flask_babel import gettext as _


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
                        "des personnes qui ont indiqué cette commune. Le taux de réponse ne concerne que les questionnaires sur invitation.")),
            *_spread(query)]


# Groups of fewer respondents are merged into one line (statistical confidentiality, as in the cross-tabulations).
SMALL_GROUP = 5
SPREADS = (
    ("respondents_by_qpv", Response.qpv, _l("Répondants aux questionnaires, par quartier prioritaire"), _l("Quartier prioritaire"),
     _l("Hors quartier prioritaire ou non indiqué")),
    ("respondents_by_age", Response.age_band, _l("Répondants aux questionnaires, par tranche d'âge"), _l("Tranche d'âge"), _l("Non indiquée")),
    ("respondents_by_gender", Response.gender, _l("Répondants aux questionnaires, par genre"), _l("Genre"), _l("Non indiqué")),
)


def _spread(query: IndicatorQuery) -> list[Figure]:
    """Who answered, by quartier prioritaire, age band and gender (where they said): one query, counted by the three at once."""
    from participation.surveys.models import AGE_BANDS, GENDERS, NO_ANSWER, NOT_IN_QPV

    where = [Response.submitted_at >= query.start, Response.submitted_at < query.end]
    if query.commune_id:
        where.append(Response.commune_id == query.commune_id)
    order = {label: i for i, label in enumerate((*AGE_BANDS, *GENDERS))}
    columns = [column for _key, column, *_rest in SPREADS]
    # A few hundred combinations at most (the answers are chosen from lists), summed per dimension below.
    combinations = db.session.execute(sa.select(*columns, sa.func.count(Response.id)).where(*where).group_by(*columns)).all()
    figures = []
    for index, (key, _column, title, heading, unknown) in enumerate(SPREADS):
        counts: dict = {}
        for row in combinations:
            counts[row[index]] = counts.get(row[index], 0) + row[-1]
        unknown_values = (None, "", NO_ANSWER, NOT_IN_QPV)
        not_given = sum(n for value, n in counts.items() if value in unknown_values)
        given = {value: n for value, n in counts.items() if value not in unknown_values}
        total = sum(counts.values())
        rows = [(value, n, percent(n, total)) for value, n in sorted(given.items(), key=lambda item: (order.get(item[0], 99), item[0]))
                if n >= SMALL_GROUP]
        small = sum(n for n in given.values() if n < SMALL_GROUP)
        if small:
            rows.append((str(_l("Groupes de moins de 5 répondants")), small, percent(small, total)))
        if not_given:
            rows.append((str(unknown), not_given, percent(not_given, total)))
        figures.append(Figure(key, str(title), (str(heading), str(_l("Répondants")), str(_l("Part des répondants"))), rows,
                              note=str(_l("Réponses envoyées dans l'année, tous questionnaires confondus, selon ce que les répondants "
                                          "ont indiqué (questions facultatives). Un groupe de moins de 5 répondants n'est pas détaillé."))))
    return figures
