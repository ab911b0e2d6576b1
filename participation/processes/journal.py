"""The register's events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("processes", _l("Démarches participatives"))
declare_subject("processes", _l("démarche participative"), domain="processes",
                url=lambda i: url_for("processes_staff.edit", process_id=i))
declare_subject("charter_versions", _l("version de la charte"), domain="processes")
declare_subject("bilans", _l("bilan annuel"), domain="processes", url=lambda i: url_for("bilans_staff.edit", bilan_id=i))
declare_events("processes", {
    "process.created": _l("Démarche ajoutée au registre"),
    "process.updated": _l("Démarche modifiée"),
    "process.published": _l("Démarche publiée au registre"),
    "process.unpublished": _l("Démarche retirée du registre public"),
    "process.referent_added": _l("Référent de commune désigné"),
    "process.referent_removed": _l("Référent de commune retiré"),
    "process.contact_agreed": _l("Accord pour être recontacté sur une démarche"),
    "process.contact_withdrawn": _l("Accord pour être recontacté retiré"),
    "charter.created": _l("Version de la charte créée"),
    "charter.updated": _l("Version de la charte modifiée"),
    "bilan.created": _l("Bilan annuel commencé"),
    "bilan.edited": _l("Bilan annuel modifié"),
    "bilan.published": _l("Bilan annuel publié"),
})
