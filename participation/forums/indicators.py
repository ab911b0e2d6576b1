"""Consultations' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.forums.models import Consultation, ConsultationState, Contribution, ContributionState, consultation_communes
from participation.staff.indicators import Figure, IndicatorQuery, register_indicator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_indicator("forums", _l("Concertations en ligne"), order=20)
def consultations_figures(query: IndicatorQuery) -> list[Figure]:
    """Two queries: the year's consultations, then their contributions, contributors and reactions."""
    statement = (sa.select(Consultation.id, Consultation.title)
                 .where(Consultation.state != ConsultationState.draft, Consultation.opens_at < query.end, Consultation.closes_at >= query.start)
                 .order_by(Consultation.opens_at, Consultation.id))
    if query.commune_id:
        statement = statement.where(sa.or_(
            Consultation.id.in_(sa.select(consultation_communes.c.consultation_id).where(consultation_communes.c.commune_id == query.commune_id)),
            ~Consultation.id.in_(sa.select(consultation_communes.c.consultation_id))))
    items = db.session.execute(statement).all()
    ids = [i for i, _unused in items]
    counted = sa.and_(Contribution.state == ContributionState.published, Contribution.created_at >= query.start,
                      Contribution.created_at < query.end)
    # One pass over the consultations' contributions (their index): the year's published ones and their
    # authors, and every reaction through the contributions' counters (kept from the rows at each reaction).
    reactions = Contribution.agree_count + Contribution.disagree_count + Contribution.support_count
    counts = {cid: (int(n), int(people), int(r or 0)) for cid, n, people, r in db.session.execute(
        sa.select(Contribution.consultation_id, sa.func.count(sa.case((counted, Contribution.id))),
                  sa.func.count(sa.distinct(sa.case((counted, Contribution.author_id)))), sa.func.sum(reactions))
        .where(Contribution.consultation_id.in_(ids)).group_by(Contribution.consultation_id))} if ids else {}
    rows = [(title, *counts.get(cid, (0, 0, 0))) for cid, title in items]
    return [Figure("consultations", _("Contributions, contributeurs et réactions par concertation"),
                   (_("Concertation"), _("Contributions"), _("Contributeurs"), _("Réactions")), rows,
                   summary=[(_("Concertations"), str(len(rows))), (_("Contributions publiées"), str(sum(r[1] for r in rows)))],
                   note=_("Concertations ouvertes pendant l'année ; une concertation sans commune concerne tout le territoire."))]
