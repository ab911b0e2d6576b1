"""The councils' events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("councils", "Conseils")
declare_subject("councils", "conseil", domain="councils", url=lambda i: url_for("councils_staff.council", council_id=i))
declare_subject("colleges", "collège", domain="councils")
declare_subject("memberships", "mandat", domain="councils")
declare_subject("volunteers", "volontaire au tirage au sort", domain="councils")
declare_subject("draws", "tirage au sort", domain="councils")
declare_subject("working_groups", "groupe de travail", domain="councils")
declare_subject("sittings", "séance", domain="councils", url=lambda i: url_for("councils_staff.sitting_admin", sitting_id=i))
declare_subject("minutes", "compte rendu", domain="councils")
declare_subject("trainings", "formation", domain="councils")
declare_events("councils", {
    "council.created": "Conseil créé",
    "council.updated": "Conseil modifié",
    "council.published": "Conseil publié",
    "council.archived": "Conseil archivé",
    "council.document_added": "Document du conseil ajouté",
    "council.budget_set": "Budget du conseil fixé",
    "council.spending_added": "Dépense du conseil enregistrée",
    "college.created": "Collège créé",
    "membership.invited": "Invitation à siéger envoyée",
    "membership.applied": "Candidature pour siéger reçue",
    "membership.joined": "Invitation à siéger acceptée",
    "membership.declined": "Invitation à siéger déclinée",
    "membership.accepted": "Candidature pour siéger acceptée",
    "membership.refused": "Candidature pour siéger refusée",
    "membership.ended": "Mandat terminé",
    "membership.invitation_withdrawn": "Invitation à siéger retirée",
    "membership.role_changed": "Fonction dans le conseil modifiée",
    "volunteer.added": "Volontaire au tirage au sort ajouté",
    "draw.prepared": "Tirage au sort préparé",
    "draw.performed": "Tirage au sort effectué",
    "draw.reserve_exhausted": "Liste de réserve du tirage au sort épuisée",
    "working_group.created": "Groupe de travail créé",
    "working_group.member_added": "Membre ajouté au groupe de travail",
    "sitting.created": "Séance créée",
    "sitting.published": "Séance publiée",
    "sitting.cancelled": "Séance annulée",
    "sitting.convened": "Convocation à la séance envoyée",
    "sitting.moved": "Séance déplacée",
    "sitting.agenda_changed": "Ordre du jour modifié",
    "sitting.answered": "Réponse à la convocation",
    "sitting.attendance_marked": "Présences à la séance enregistrées",
    "minutes.saved": "Compte rendu enregistré",
    "minutes.submitted": "Compte rendu soumis à approbation",
    "minutes.returned": "Compte rendu revenu au brouillon",
    "minutes.approved": "Compte rendu approuvé",
    "minutes.published": "Compte rendu publié",
    "training.created": "Formation créée",
    "training.registered": "Inscription à une formation",
    "training.registration_cancelled": "Inscription à une formation annulée",
})
