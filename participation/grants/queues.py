"""The grants' work for the back office's « what waits for me » (see ``participation/staff/queues.py``).

A staff member sees the applications of the calls their department
instructs (and of calls that name no department); admins see every call's.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from participation.grants.models import ApplicationState, FinancialReport, GrantApplication, GrantCall, ReportState
from participation.staff.queues import QueueItem, department_of, register_queue, sees_all_departments
from flask_babel import lazy_gettext as _l


def _instructed_by(statement, user):
    if sees_all_departments(user):
        return statement
    department_id = department_of(user)
    calls = sa.select(GrantCall.id).where(sa.or_(GrantCall.department_id.is_(None), GrantCall.department_id == department_id))
    return statement.where(GrantApplication.call_id.in_(calls))


def _item(application: GrantApplication, detail: str | None = None) -> QueueItem:
    return QueueItem(
        title=f"{application.association.name} : {application.project_title}",
        url=url_for("grants_staff.application", application_id=application.id),
        since=application.submitted_at,
        detail=detail or application.call.title,
    )


@register_queue("grant_applications_submitted", _l("Demandes de subvention à instruire"), permission="grants.staff_queue",
                url_endpoint="grants_staff.queue", order=20, help=_l("Demandes déposées dont l'instruction n'a pas commencé."))
def applications_submitted(user):
    statement = _instructed_by(sa.select(GrantApplication).where(GrantApplication.state == ApplicationState.submitted), user)
    return statement, GrantApplication.submitted_at, _item


@register_queue("grant_applications_completed", _l("Dossiers complétés"), permission="grants.staff_queue",
                url_endpoint="grants_staff.queue", order=21,
                help=_l("Demandes que l'association a complétées après votre demande de pièces : l'instruction reprend."))
def applications_completed(user):
    statement = _instructed_by(sa.select(GrantApplication).where(
        GrantApplication.state == ApplicationState.under_review, GrantApplication.previous_state == ApplicationState.incomplete
    ), user)
    return statement, GrantApplication.updated_at, _item


@register_queue("grant_reports_received", _l("Comptes rendus financiers à examiner"), permission="grants.staff_queue",
                url_endpoint="grants_staff.reports", order=22)
def reports_received(user):
    statement = _instructed_by(
        sa.select(FinancialReport).join(GrantApplication, GrantApplication.id == FinancialReport.application_id)
        .where(FinancialReport.state == ReportState.submitted)
        .options(sa.orm.joinedload(FinancialReport.application)), user)

    def item(report: FinancialReport) -> QueueItem:
        return QueueItem(
            title=f"{report.application.association.name} : {report.application.project_title}",
            url=url_for("grants_staff.application", application_id=report.application_id),
            since=report.submitted_at, detail=report.application.call.title)

    return statement, FinancialReport.submitted_at, item


@register_queue("grant_reports_overdue", _l("Comptes rendus financiers en retard"), permission="grants.staff_queue",
                url_endpoint="grants_staff.reports", order=23,
                help=_l("Subventions accordées dont le compte rendu financier n'a pas été remis à la date due."))
def reports_overdue(user):
    statement = _instructed_by(
        sa.select(GrantApplication)
        .outerjoin(FinancialReport, FinancialReport.application_id == GrantApplication.id)
        .where(GrantApplication.state == ApplicationState.granted, GrantApplication.report_due_on < date.today(),
               FinancialReport.id.is_(None)), user)

    def item(application: GrantApplication) -> QueueItem:
        return QueueItem(title=f"{application.association.name} : {application.project_title}",
                         url=url_for("grants_staff.application", application_id=application.id),
                         since=application.report_due_on, detail=application.call.title)

    return statement, GrantApplication.report_due_on, item
