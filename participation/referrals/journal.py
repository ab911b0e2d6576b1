"""The referrals' events as the journal shows them (see ``participation/core/eventlabels.py``).

A staff member reads in the journal the referrals of their department (the
referring or the answering one), their opinions and recommendations.
"""

import sqlalchemy as sa
from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from participation.referrals.models import Opinion, Recommendation, Referral
from flask_babel import lazy_gettext as _l


def _referrals(department_id):
    return sa.select(Referral.id).where(sa.or_(Referral.department_id == department_id, Referral.answer_department_id == department_id))


def _opinions(department_id):
    return sa.select(Opinion.id).where(Opinion.referral_id.in_(_referrals(department_id)))


declare_domain("referrals", _l("Saisines et avis"))
declare_subject("referrals", _l("saisine"), domain="referrals", url=lambda i: url_for("referrals_staff.referral", referral_id=i),
                department=_referrals)
declare_subject("opinions", _l("avis"), domain="referrals", department=_opinions)
declare_subject("recommendations", _l("recommandation"), domain="referrals",
                department=lambda d: sa.select(Recommendation.id).where(
                    sa.or_(Recommendation.department_id == d, Recommendation.opinion_id.in_(_opinions(d)))))
declare_subject("activity_reports", _l("rapport d'activité"), domain="referrals",
                url=lambda i: url_for("referrals_staff.report", report_id=i))
declare_events("referrals", {
    "referral.received": _l("Saisine reçue par le conseil"),
    "referral.proposed": _l("Auto-saisine proposée"),
    "referral.accepted": _l("Saisine acceptée"),
    "referral.declined": _l("Saisine refusée"),
    "referral.started": _l("Travail sur la saisine commencé"),
    "referral.group_changed": _l("Groupe de travail de la saisine changé"),
    "referral.adopted": _l("Avis adopté"),
    "referral.transmitted": _l("Avis transmis à la collectivité"),
    "referral.answered": _l("Réponse de la collectivité publiée"),
    "referral.closed": _l("Saisine clôturée"),
    "opinion.version_saved": _l("Version de l'avis enregistrée"),
    "opinion.commented": _l("Commentaire sur l'avis"),
    "opinion.recommendation_added": _l("Recommandation ajoutée"),
    "opinion.recommendation_edited": _l("Recommandation modifiée"),
    "opinion.recommendation_removed": _l("Recommandation retirée"),
    "opinion.submitted": _l("Avis prêt pour le vote"),
    "opinion.reopened": _l("Avis remis en rédaction"),
    "opinion.vote_scheduled": _l("Vote de l'avis programmé"),
    "opinion.voted": _l("Vote de l'avis enregistré"),
    "opinion.adopted": _l("Avis adopté"),
    "opinion.rejected": _l("Avis rejeté"),
    "opinion.published": _l("Avis publié"),
    "recommendation.marked_retained": _l("Recommandation retenue"),
    "recommendation.marked_partly_retained": _l("Recommandation partiellement retenue"),
    "recommendation.marked_not_retained": _l("Recommandation non retenue"),
    "recommendation.marked_under_study": _l("Recommandation mise à l'étude"),
    "activity_report.created": _l("Rapport d'activité créé"),
    "activity_report.edited": _l("Rapport d'activité modifié"),
    "activity_report.published": _l("Rapport d'activité publié"),
})
