"""The plans' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("plans", "Plans")
declare_subject("plans", "plan", domain="plans", url=lambda i: url_for("plans_staff.plan", plan_id=i))
declare_subject("plan_nodes", "élément du plan", domain="plans")
declare_subject("plan_actions", "action", domain="plans", url=lambda i: url_for("plans_staff.action", action_id=i))
declare_subject("plan_indicators", "indicateur", domain="plans", url=lambda i: url_for("plans_staff.indicator", indicator_id=i))
declare_subject("plan_measurements", "mesure", domain="plans")
declare_subject("plan_committees", "comité", domain="plans", url=lambda i: url_for("plans_staff.committee", committee_id=i))
declare_subject("plan_meetings", "réunion de comité", domain="plans", url=lambda i: url_for("plans_staff.meeting", meeting_id=i))
declare_subject("plan_decisions", "décision", domain="plans")
declare_subject("plan_progress_reports", "bilan d'avancement", domain="plans", url=lambda i: url_for("plans_staff.report", report_id=i))
declare_events("plans", {
    "plan.created": "Plan créé",
    "plan.updated": "Plan modifié",
    "plan.consultation_opened": "Plan mis en consultation",
    "plan.adopted": "Plan adopté",
    "plan.started": "Mise en œuvre du plan commencée",
    "plan.evaluation_started": "Évaluation du plan commencée",
    "plan.resumed": "Mise en œuvre du plan reprise",
    "plan.closed": "Plan clos",
    "plan.axis_added": "Axe ajouté",
    "plan.objective_added": "Objectif ajouté",
    "plan.node_archived": "Élément du plan archivé",
    "plan.node_deleted": "Élément du plan supprimé",
    "plan.action_archived": "Action archivée",
    "plan.document_added": "Document du plan ajouté",
    "plan.referral_set": "Saisine du conseil sur le plan renseignée",
    "plan.committee_created": "Comité créé",
    "plan.committee_member_added": "Membre de comité ajouté",
    "plan.committee_member_removed": "Membre de comité retiré",
    "plan.indicator_saved": "Indicateur enregistré",
    "plan.measurements_imported": "Mesures importées",
    "plan.report_created": "Bilan d'avancement créé",
    "plan.pact_step_done": "Étape du pacte de gouvernance franchie",
    "plan.pact_transmitted": "Projet de pacte transmis aux communes",
    "plan.commune_opinion_recorded": "Avis d'une commune sur le pacte enregistré",
    "plan_action.engaged": "Action engagée",
    "plan_action.completed": "Action réalisée",
    "plan_action.postponed": "Action reportée",
    "plan_action.abandoned": "Action abandonnée",
    "plan_action.reopened": "Action reprise",
    "plan_action.progress_reported": "Avancement de l'action renseigné",
    "plan_action.budget_changed": "Budget de l'action modifié",
    "plan_action.linked": "Action reliée à un élément de la plateforme",
    "plan_action.unlinked": "Lien de l'action retiré",
    "plan_action.milestone_added": "Jalon ajouté",
    "plan_action.milestone_done": "Jalon atteint",
    "plan_action.recommendation_attached": "Recommandation rattachée à l'action",
    "recommendation.carried_by_action": "Recommandation portée par une action",
    "plan_indicator.measured": "Mesure saisie",
    "plan_meeting.scheduled": "Réunion de comité programmée",
    "plan_meeting.moved": "Réunion de comité déplacée",
    "plan_meeting.agenda_changed": "Ordre du jour de la réunion modifié",
    "plan_meeting.attendance_recorded": "Présences à la réunion enregistrées",
    "plan_meeting.held": "Réunion de comité tenue",
    "plan_meeting.cancelled": "Réunion de comité annulée",
    "plan_decision.taken": "Décision prise",
    "plan_decision.done": "Décision mise en œuvre",
    "plan_report.edited": "Bilan d'avancement modifié",
    "plan_report.published": "Bilan d'avancement publié",
})
