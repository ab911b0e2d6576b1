"""The grants' export: a call's pipeline, application by application (see ``participation/staff/exports.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.grants.models import ApplicationState, Association, GrantApplication, GrantCall
from participation.staff.exports import Export, register_export
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _calls():
    return [(cid, title) for cid, title in db.session.execute(sa.select(GrantCall.id, GrantCall.title).order_by(GrantCall.closes_at.desc()))]


def _euros(cents):
    return "" if cents is None else f"{cents / 100:.2f}".replace(".", ",")


def _rows(call_id: int, start, end):
    """The call's applications past the draft, from submission to payment and report: one query."""
    if db.session.get(GrantCall, call_id) is None:
        return None
    applications = db.session.scalars(
        sa.select(GrantApplication).join(Association, Association.id == GrantApplication.association_id)
        .where(GrantApplication.call_id == call_id, GrantApplication.state != ApplicationState.draft)
        .options(sa.orm.selectinload(GrantApplication.payments), sa.orm.selectinload(GrantApplication.report),
                 sa.orm.lazyload(GrantApplication.budget_lines))
        .order_by(Association.name, GrantApplication.id)
    ).all()
    header = (_("Numéro"), _("Association"), "RNA", _("Projet"), _("État"), _("Déposée le"), _("Montant demandé (€)"), _("Montant proposé (€)"), _("Avis"),
              _("Montant accordé (€)"), _("Décidée le"), _("Versé (€)"), _("Compte rendu dû le"), _("Compte rendu"))
    rows = [(a.id, a.association.name, a.association.rna, a.project_title, a.state.label,
             a.submitted_at.date().isoformat() if a.submitted_at else "", _euros(a.amount_requested_cents), _euros(a.amount_proposed_cents),
             a.opinion.label if a.opinion else "", _euros(a.amount_granted_cents), a.decided_on.isoformat() if a.decided_on else "",
             _euros(sum(p.amount_cents for p in a.payments)) if a.payments else "",
             a.report_due_on.isoformat() if a.report_due_on else "", a.report.state.label if a.report else "")
            for a in applications]
    return header, rows


register_export(Export(
    key="grants_pipeline", title=_l("Demandes d'un appel à projets, du dépôt au compte rendu"),
    description=_l("Chaque demande déposée : son état, les montants demandé, proposé, accordé et versé, le compte rendu financier."),
    permission="grants.staff_queue", choice_label=_l("Appel à projets"), choices=_calls, rows=_rows,
))
