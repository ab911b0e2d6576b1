"""The referrals' events as the journal shows them (see ``participation/core/eventlabels.py``).

A staff member reads in the journal the referrals of their department (the
referring or the answering one), their opinions and recommendations.
"""

import sqlalchemy as sa
from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from participation.referrals.models import Opinion, Recommendation, Referral


def _referrals(department_id):
    return sa.select(Referral.id).where(sa.or_(Referral.department_id == department_id, Referral.answer_department_id == department_id))


def _opinions(department_id):
    return sa.select(Opinion.id).where(Opinion.referral_id.in_(_referrals(department_id)))


declare_domain("referrals", "Saisines et avis")
declare_subject("referrals", "saisine", domain="referrals", url=lambda i: url_for("referrals_staff.referral", referral_id=i),
                department=_referrals)
declare_subject("opinions", "avis", domain="referrals", department=_opinions)
declare_subject("recommendations", "recommandation", domain="referrals",
                department=lambda d: sa.select(Recommendation.id).where(
                    sa.or_(Recommendation.department_id == d, Recommendation.opinion_id.in_(_opinions(d)))))
declare_subject("activity_reports", "rapport d'activité", domain="referrals",
                url=lambda i: url_for("referrals_staff.report", report_id=i))
declare_events("referrals", {
    "referral.received": "Saisine reçue par le conseil",
    "referral.proposed": "Auto-saisine proposée",
    "referral.accepted": "Saisine acceptée",
    "referral.declined": "Saisine refusée",
    "referral.started": "Travail sur la saisine commencé",
    "referral.group_changed": "Groupe de travail de la saisine changé",
    "referral.adopted": "Avis adopté",
    "referral.transmitted": "Avis transmis à la collectivité",
    "referral.answered": "Réponse de la collectivité publiée",
    "referral.closed": "Saisine clôturée",
    "opinion.version_saved": "Version de l'avis enregistrée",
    "opinion.commented": "Commentaire sur l'avis",
    "opinion.recommendation_added": "Recommandation ajoutée",
    "opinion.recommendation_edited": "Recommandation modifiée",
    "opinion.recommendation_removed": "Recommandation retirée",
    "opinion.submitted": "Avis prêt pour le vote",
    "opinion.reopened": "Avis remis en rédaction",
    "opinion.vote_scheduled": "Vote de l'avis programmé",
    "opinion.voted": "Vote de l'avis enregistré",
    "opinion.adopted": "Avis adopté",
    "opinion.rejected": "Avis rejeté",
    "opinion.published": "Avis publié",
    "recommendation.marked_retained": "Recommandation retenue",
    "recommendation.marked_partly_retained": "Recommandation partiellement retenue",
    "recommendation.marked_not_retained": "Recommandation non retenue",
    "recommendation.marked_under_study": "Recommandation mise à l'étude",
    "activity_report.created": "Rapport d'activité créé",
    "activity_report.edited": "Rapport d'activité modifié",
    "activity_report.published": "Rapport d'activité publié",
})
