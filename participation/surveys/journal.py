"""The questionnaires' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("surveys", "Questionnaires")
declare_subject("questionnaires", "questionnaire", domain="surveys", url=lambda i: url_for("surveys_staff.detail", questionnaire_id=i))
declare_subject("questionnaire_questions", "question", domain="surveys")
declare_subject("questionnaire_sections", "section de questionnaire", domain="surveys")
declare_subject("questionnaire_responses", "réponse à un questionnaire", domain="surveys")
declare_events("surveys", {
    "questionnaire.created": "Questionnaire créé",
    "questionnaire.updated": "Questionnaire modifié",
    "questionnaire.duplicated": "Questionnaire dupliqué",
    "questionnaire.wave_created": "Nouvelle vague du questionnaire créée",
    "questionnaire.question_added": "Question ajoutée",
    "questionnaire.question_updated": "Question modifiée",
    "questionnaire.question_removed": "Question retirée",
    "questionnaire.section_updated": "Section modifiée",
    "questionnaire.section_removed": "Section retirée",
    "questionnaire.invitations_imported": "Invitations importées",
    "questionnaire.opened": "Questionnaire ouvert",
    "questionnaire.answered": "Réponse envoyée",
    "questionnaire.closed": "Questionnaire clos",
    "questionnaire.published": "Résultats du questionnaire publiés",
    "questionnaire.indicator_linked": "Question reliée à un indicateur d'un plan",
    "questionnaire.indicator_measurement_refused": "Mesure d'un indicateur tirée du questionnaire refusée",
    "questionnaire.purged": "Réponses libres et invitations effacées (durée de conservation écoulée)",
})
