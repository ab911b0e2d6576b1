"""The register's events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("processes", "Démarches participatives")
declare_subject("processes", "démarche participative", domain="processes",
                url=lambda i: url_for("processes_staff.edit", process_id=i))
declare_subject("charter_versions", "version de la charte", domain="processes")
declare_subject("bilans", "bilan annuel", domain="processes", url=lambda i: url_for("bilans_staff.edit", bilan_id=i))
declare_events("processes", {
    "process.created": "Démarche ajoutée au registre",
    "process.updated": "Démarche modifiée",
    "process.published": "Démarche publiée au registre",
    "process.unpublished": "Démarche retirée du registre public",
    "process.referent_added": "Référent de commune désigné",
    "process.referent_removed": "Référent de commune retiré",
    "process.contact_agreed": "Accord pour être recontacté sur une démarche",
    "process.contact_withdrawn": "Accord pour être recontacté retiré",
    "charter.created": "Version de la charte créée",
    "charter.updated": "Version de la charte modifiée",
    "bilan.created": "Bilan annuel commencé",
    "bilan.edited": "Bilan annuel modifié",
    "bilan.published": "Bilan annuel publié",
})
