"""The grants' events as the journal shows them (see ``participation/core/eventlabels.py``).

A staff member reads in the journal the cases of the calls their
department instructs (and of calls that name no department).
"""

import sqlalchemy as sa
from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from participation.grants.models import FinancialReport, GrantApplication, GrantCall
from flask_babel import lazy_gettext as _l


def _calls(department_id):
    return sa.select(GrantCall.id).where(sa.or_(GrantCall.department_id == department_id, GrantCall.department_id.is_(None)))


def _applications(department_id):
    return sa.select(GrantApplication.id).where(GrantApplication.call_id.in_(_calls(department_id)))


declare_domain("grants", _l("Subventions"))
declare_subject("associations", _l("association"), domain="grants", url=lambda i: url_for("associations.show", association_id=i))
declare_subject("grant_calls", _l("appel à projets"), domain="grants", url=lambda i: url_for("grants_staff.call", call_id=i),
                department=_calls)
declare_subject("grant_applications", _l("demande de subvention"), domain="grants",
                url=lambda i: url_for("grants_staff.application", application_id=i), department=_applications)
declare_subject("grant_financial_reports", _l("compte rendu financier"), domain="grants",
                department=lambda d: sa.select(FinancialReport.id).where(FinancialReport.application_id.in_(_applications(d))))
declare_events("grants", {
    "association.declared": _l("Association déclarée"),
    "association.updated": _l("Association modifiée"),
    "association.document_added": _l("Document de l'association ajouté"),
    "association.representative_invited": _l("Représentant de l'association invité"),
    "association.representative_joined": _l("Représentant de l'association ajouté"),
    "grant_call.created": _l("Appel à projets créé"),
    "grant_call.updated": _l("Appel à projets modifié"),
    "grant_application.created": _l("Demande de subvention commencée"),
    "grant_application.updated": _l("Demande de subvention modifiée"),
    "grant_application.submitted": _l("Demande de subvention déposée"),
    "grant_application.review_started": _l("Instruction de la demande commencée"),
    "grant_application.completion_requested": _l("Pièces demandées à l'association"),
    "grant_application.resubmitted": _l("Dossier complété par l'association"),
    "grant_application.note_added": _l("Note d'instruction ajoutée"),
    "grant_application.proposal_recorded": _l("Proposition d'instruction enregistrée"),
    "grant_application.granted": _l("Subvention accordée"),
    "grant_application.refused": _l("Subvention refusée"),
    "grant_application.droped": _l("Demande classée sans suite"),
    "grant_application.reopened": _l("Demande rouverte"),
    "grant_application.convention_recorded": _l("Convention enregistrée"),
    "grant_application.payment_recorded": _l("Versement enregistré"),
    "grant_report.submitted": _l("Compte rendu financier remis"),
    "grant_report.accepted": _l("Compte rendu financier validé"),
})
