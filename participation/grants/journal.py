"""The grants' events as the journal shows them (see ``participation/core/eventlabels.py``).

A staff member reads in the journal the cases of the calls their
department instructs (and of calls that name no department).
"""

import sqlalchemy as sa
from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from participation.grants.models import FinancialReport, GrantApplication, GrantCall


def _calls(department_id):
    return sa.select(GrantCall.id).where(sa.or_(GrantCall.department_id == department_id, GrantCall.department_id.is_(None)))


def _applications(department_id):
    return sa.select(GrantApplication.id).where(GrantApplication.call_id.in_(_calls(department_id)))


declare_domain("grants", "Subventions")
declare_subject("associations", "association", domain="grants", url=lambda i: url_for("associations.show", association_id=i))
declare_subject("grant_calls", "appel à projets", domain="grants", url=lambda i: url_for("grants_staff.call", call_id=i),
                department=_calls)
declare_subject("grant_applications", "demande de subvention", domain="grants",
                url=lambda i: url_for("grants_staff.application", application_id=i), department=_applications)
declare_subject("grant_financial_reports", "compte rendu financier", domain="grants",
                department=lambda d: sa.select(FinancialReport.id).where(FinancialReport.application_id.in_(_applications(d))))
declare_events("grants", {
    "association.declared": "Association déclarée",
    "association.updated": "Association modifiée",
    "association.document_added": "Document de l'association ajouté",
    "association.representative_invited": "Représentant de l'association invité",
    "association.representative_joined": "Représentant de l'association ajouté",
    "grant_call.created": "Appel à projets créé",
    "grant_call.updated": "Appel à projets modifié",
    "grant_application.created": "Demande de subvention commencée",
    "grant_application.updated": "Demande de subvention modifiée",
    "grant_application.submitted": "Demande de subvention déposée",
    "grant_application.review_started": "Instruction de la demande commencée",
    "grant_application.completion_requested": "Pièces demandées à l'association",
    "grant_application.resubmitted": "Dossier complété par l'association",
    "grant_application.note_added": "Note d'instruction ajoutée",
    "grant_application.proposal_recorded": "Proposition d'instruction enregistrée",
    "grant_application.granted": "Subvention accordée",
    "grant_application.refused": "Subvention refusée",
    "grant_application.droped": "Demande classée sans suite",
    "grant_application.reopened": "Demande rouverte",
    "grant_application.convention_recorded": "Convention enregistrée",
    "grant_application.payment_recorded": "Versement enregistré",
    "grant_report.submitted": "Compte rendu financier remis",
    "grant_report.accepted": "Compte rendu financier validé",
})
