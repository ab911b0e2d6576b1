"""The questionnaires' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("surveys", _l("Questionnaires"))
declare_subject("questionnaires", _l("questionnaire"), domain="surveys", url=lambda i: url_for("surveys_staff.detail", questionnaire_id=i))
declare_subject("questionnaire_questions", _l("question"), domain="surveys")
declare_subject("questionnaire_sections", _l("section de questionnaire"), domain="surveys")
declare_subject("questionnaire_responses", _l("réponse à un questionnaire"), domain="surveys")
declare_events("surveys", {
    "questionnaire.created": _l("Questionnaire créé"),
    "questionnaire.updated": _l("Questionnaire modifié"),
    "questionnaire.duplicated": _l("Questionnaire dupliqué"),
    "questionnaire.wave_created": _l("Nouvelle vague du questionnaire créée"),
    "questionnaire.question_added": _l("Question ajoutée"),
    "questionnaire.question_updated": _l("Question modifiée"),
    "questionnaire.question_removed": _l("Question retirée"),
    "questionnaire.section_updated": _l("Section modifiée"),
    "questionnaire.section_removed": _l("Section retirée"),
    "questionnaire.invitations_imported": _l("Invitations importées"),
    "questionnaire.opened": _l("Questionnaire ouvert"),
    "questionnaire.answered": _l("Réponse envoyée"),
    "questionnaire.closed": _l("Questionnaire clos"),
    "questionnaire.published": _l("Résultats du questionnaire publiés"),
    "questionnaire.publication_updated": _l("Publication des résultats du questionnaire mise à jour"),
    "questionnaire.indicator_linked": _l("Question reliée à un indicateur d'un plan"),
    "questionnaire.indicator_measurement_refused": _l("Mesure d'un indicateur tirée du questionnaire refusée"),
    "questionnaire.purged": _l("Réponses libres et invitations effacées (durée de conservation écoulée)"),
})
