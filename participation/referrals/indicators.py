"""Referrals' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.referrals.models import Opinion, OpinionVote, Recommendation, RecommendationStatus, Referral
from participation.staff.indicators import Figure, IndicatorQuery, percent, register_indicator, register_related
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

TAKE_UP = (RecommendationStatus.retained, RecommendationStatus.partly_retained, RecommendationStatus.not_retained,
           RecommendationStatus.under_study, RecommendationStatus.pending)


@register_indicator("referrals", _l("Saisines, avis et réponses"), order=30)
def referrals_figures(query: IndicatorQuery) -> list[Figure]:
    """Four queries: referrals received, opinions adopted, answers with their delays, the take-up of recommendations."""
    received = db.session.scalar(sa.select(sa.func.count(Referral.id)).where(
        Referral.received_on >= query.first_day, Referral.received_on <= query.last_day)) or 0
    adopted = db.session.scalar(sa.select(sa.func.count(OpinionVote.id)).where(
        OpinionVote.adopted.is_(True), OpinionVote.voted_on >= query.first_day, OpinionVote.voted_on <= query.last_day)) or 0
    answers = db.session.execute(sa.select(Referral.transmitted_at, Referral.answered_at).where(
        Referral.answered_at >= query.start, Referral.answered_at < query.end, Referral.transmitted_at.is_not(None))).all()
    delays = [(answered - transmitted).days for transmitted, answered in answers]
    average = round(sum(delays) / len(delays)) if delays else None
    statuses = dict(db.session.execute(
        sa.select(Recommendation.status, sa.func.count(Recommendation.id))
        .join(Opinion, Opinion.id == Recommendation.opinion_id).join(Referral, Referral.id == Opinion.referral_id)
        .where(Referral.transmitted_at >= query.start, Referral.transmitted_at < query.end).group_by(Recommendation.status)
    ).all())
    answered = sum(n for s, n in statuses.items() if s != RecommendationStatus.pending)
    kept = statuses.get(RecommendationStatus.retained, 0) + statuses.get(RecommendationStatus.partly_retained, 0)
    return [
        Figure("referrals", _("Saisines reçues, avis adoptés et réponses de la collectivité"), (_("Étape"), _("Nombre")),
               [(_("Saisines reçues"), received), (_("Avis adoptés"), adopted), (_("Réponses de la collectivité"), len(answers))],
               summary=[(_("Délai moyen de réponse"), _("%(average)s jours", average=average) if average is not None else "—")],
               note=_("Le délai de réponse court de la transmission de l'avis à la réponse publiée. Toute la collectivité : les saisines ne se rapportent pas à une commune.")),
        Figure("recommendations_uptake", _("Suite donnée aux recommandations des avis transmis dans l'année"), (_("Suite"), _("Recommandations")),
               [(status.label, statuses.get(status, 0)) for status in TAKE_UP],
               summary=[(_("Recommandations retenues en tout ou partie"), percent(kept, answered) + _(" des réponses"))]),
    ]


@register_related
def activity_reports(year: int) -> list[tuple[str, str]]:
    """The councils' published activity reports of ``year``: one query."""
    from participation.councils.models import Council
    from participation.processes.sources import path
    from participation.referrals.models import ActivityReport, ActivityReportState

    rows = db.session.execute(sa.select(Council.name, Council.slug).join(ActivityReport, ActivityReport.council_id == Council.id)
                              .where(ActivityReport.year == year, ActivityReport.state == ActivityReportState.published)
                              .order_by(Council.name)).all()
    return [(_("Rapport d'activité %(year)s : %(name)s", year=year, name=name), path("referrals.report", slug=slug, year=year)) for name, slug in rows]
