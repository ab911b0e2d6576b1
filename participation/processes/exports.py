"""The register's export: a process's participants who agreed to be contacted (see ``participation/staff/exports.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.processes.models import Process, ProcessContact
from participation.staff.exports import Export, register_export
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _processes():
    """The processes someone agreed to be contacted about."""
    return [(pid, title) for pid, title in db.session.execute(
        sa.select(Process.id, Process.title).where(Process.id.in_(sa.select(ProcessContact.process_id))).order_by(Process.title))]


def _rows(process_id: int, start, end):
    from participation.processes.contacts import contact_rows

    process = db.session.get(Process, process_id)
    if process is None:
        return None
    return (_("Nom"), _("Adresse électronique")), contact_rows(process)


register_export(Export(
    key="process_contacts", title=_l("Participants d'une démarche qui acceptent d'être recontactés"),
    description=_l("Les seules personnes qui l'ont accepté sur la page de la démarche, pour leur écrire au sujet de ses résultats et de leur prise en compte."),
    permission="processes.contacts", choice_label=_l("Démarche"), choices=_processes, rows=_rows,
))
