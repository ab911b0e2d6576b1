"""The councils' events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("councils", _l("Conseils"))
declare_subject("councils", _l("conseil"), domain="councils", url=lambda i: url_for("councils_staff.council", council_id=i))
declare_subject("colleges", _l("collège"), domain="councils")
declare_subject("memberships", _l("mandat"), domain="councils")
declare_subject("volunteers", _l("volontaire au tirage au sort"), domain="councils")
declare_subject("draws", _l("tirage au sort"), domain="councils")
declare_subject("working_groups", _l("groupe de travail"), domain="councils")
declare_subject("sittings", _l("séance"), domain="councils", url=lambda i: url_for("councils_staff.sitting_admin", sitting_id=i))
declare_subject("minutes", _l("compte rendu"), domain="councils")
declare_subject("trainings", _l("formation"), domain="councils")
declare_events("councils", {
    "council.created": _l("Conseil créé"),
    "council.updated": _l("Conseil modifié"),
    "council.published": _l("Conseil publié"),
    "council.archived": _l("Conseil archivé"),
    "council.document_added": _l("Document du conseil ajouté"),
    "council.budget_set": _l("Budget du conseil fixé"),
    "council.spending_added": _l("Dépense du conseil enregistrée"),
    "college.created": _l("Collège créé"),
    "membership.invited": _l("Invitation à siéger envoyée"),
    "membership.applied": _l("Candidature pour siéger reçue"),
    "membership.joined": _l("Invitation à siéger acceptée"),
    "membership.declined": _l("Invitation à siéger déclinée"),
    "membership.accepted": _l("Candidature pour siéger acceptée"),
    "membership.refused": _l("Candidature pour siéger refusée"),
    "membership.ended": _l("Mandat terminé"),
    "membership.invitation_withdrawn": _l("Invitation à siéger retirée"),
    "membership.role_changed": _l("Fonction dans le conseil modifiée"),
    "volunteer.added": _l("Volontaire au tirage au sort ajouté"),
    "draw.prepared": _l("Tirage au sort préparé"),
    "draw.performed": _l("Tirage au sort effectué"),
    "draw.reserve_exhausted": _l("Liste de réserve du tirage au sort épuisée"),
    "working_group.created": _l("Groupe de travail créé"),
    "working_group.member_added": _l("Membre ajouté au groupe de travail"),
    "sitting.created": _l("Séance créée"),
    "sitting.published": _l("Séance publiée"),
    "sitting.cancelled": _l("Séance annulée"),
    "sitting.convened": _l("Convocation à la séance envoyée"),
    "sitting.moved": _l("Séance déplacée"),
    "sitting.agenda_changed": _l("Ordre du jour modifié"),
    "sitting.answered": _l("Réponse à la convocation"),
    "sitting.attendance_marked": _l("Présences à la séance enregistrées"),
    "minutes.saved": _l("Compte rendu enregistré"),
    "minutes.submitted": _l("Compte rendu soumis à approbation"),
    "minutes.returned": _l("Compte rendu revenu au brouillon"),
    "minutes.approved": _l("Compte rendu approuvé"),
    "minutes.published": _l("Compte rendu publié"),
    "training.created": _l("Formation créée"),
    "training.registered": _l("Inscription à une formation"),
    "training.registration_cancelled": _l("Inscription à une formation annulée"),
})
