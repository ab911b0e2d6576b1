"""The plans' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("plans", _l("Plans"))
declare_subject("plans", _l("plan"), domain="plans", url=lambda i: url_for("plans_staff.plan", plan_id=i))
declare_subject("plan_nodes", _l("élément du plan"), domain="plans")
declare_subject("plan_actions", _l("action"), domain="plans", url=lambda i: url_for("plans_staff.action", action_id=i))
declare_subject("plan_indicators", _l("indicateur"), domain="plans", url=lambda i: url_for("plans_staff.indicator", indicator_id=i))
declare_subject("plan_measurements", _l("mesure"), domain="plans")
declare_subject("plan_committees", _l("comité"), domain="plans", url=lambda i: url_for("plans_staff.committee", committee_id=i))
declare_subject("plan_meetings", _l("réunion de comité"), domain="plans", url=lambda i: url_for("plans_staff.meeting", meeting_id=i))
declare_subject("plan_decisions", _l("décision"), domain="plans")
declare_subject("plan_progress_reports", _l("bilan d'avancement"), domain="plans", url=lambda i: url_for("plans_staff.report", report_id=i))
declare_events("plans", {
    "plan.created": _l("Plan créé"),
    "plan.updated": _l("Plan modifié"),
    "plan.consultation_opened": _l("Plan mis en consultation"),
    "plan.adopted": _l("Plan adopté"),
    "plan.started": _l("Mise en œuvre du plan commencée"),
    "plan.evaluation_started": _l("Évaluation du plan commencée"),
    "plan.resumed": _l("Mise en œuvre du plan reprise"),
    "plan.closed": _l("Plan clos"),
    "plan.axis_added": _l("Axe ajouté"),
    "plan.objective_added": _l("Objectif ajouté"),
    "plan.node_archived": _l("Élément du plan archivé"),
    "plan.node_deleted": _l("Élément du plan supprimé"),
    "plan.action_archived": _l("Action archivée"),
    "plan.document_added": _l("Document du plan ajouté"),
    "plan.referral_set": _l("Saisine du conseil sur le plan renseignée"),
    "plan.committee_created": _l("Comité créé"),
    "plan.committee_member_added": _l("Membre de comité ajouté"),
    "plan.committee_member_removed": _l("Membre de comité retiré"),
    "plan.indicator_saved": _l("Indicateur enregistré"),
    "plan.measurements_imported": _l("Mesures importées"),
    "plan.report_created": _l("Bilan d'avancement créé"),
    "plan.pact_step_done": _l("Étape du pacte de gouvernance franchie"),
    "plan.pact_transmitted": _l("Projet de pacte transmis aux communes"),
    "plan.commune_opinion_recorded": _l("Avis d'une commune sur le pacte enregistré"),
    "plan_action.engaged": _l("Action engagée"),
    "plan_action.completed": _l("Action réalisée"),
    "plan_action.postponed": _l("Action reportée"),
    "plan_action.abandoned": _l("Action abandonnée"),
    "plan_action.reopened": _l("Action reprise"),
    "plan_action.progress_reported": _l("Avancement de l'action renseigné"),
    "plan_action.budget_changed": _l("Budget de l'action modifié"),
    "plan_action.linked": _l("Action reliée à un élément de la plateforme"),
    "plan_action.unlinked": _l("Lien de l'action retiré"),
    "plan_action.milestone_added": _l("Jalon ajouté"),
    "plan_action.milestone_done": _l("Jalon atteint"),
    "plan_action.recommendation_attached": _l("Recommandation rattachée à l'action"),
    "recommendation.carried_by_action": _l("Recommandation portée par une action"),
    "plan_indicator.measured": _l("Mesure saisie"),
    "plan_meeting.scheduled": _l("Réunion de comité programmée"),
    "plan_meeting.moved": _l("Réunion de comité déplacée"),
    "plan_meeting.agenda_changed": _l("Ordre du jour de la réunion modifié"),
    "plan_meeting.attendance_recorded": _l("Présences à la réunion enregistrées"),
    "plan_meeting.held": _l("Réunion de comité tenue"),
    "plan_meeting.cancelled": _l("Réunion de comité annulée"),
    "plan_decision.taken": _l("Décision prise"),
    "plan_decision.done": _l("Décision mise en œuvre"),
    "plan_report.edited": _l("Bilan d'avancement modifié"),
    "plan_report.published": _l("Bilan d'avancement publié"),
})
