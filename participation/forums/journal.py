"""The consultations' events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("forums", "Concertations")
declare_subject("consultations", "concertation", domain="forums",
                url=lambda i: url_for("forums_staff.staff_consultation", consultation_id=i))
declare_subject("topics", "sujet de discussion", domain="forums")
declare_subject("contributions", "contribution", domain="forums")
declare_events("forums", {
    "consultation.created": "Concertation créée",
    "consultation.updated": "Concertation modifiée",
    "consultation.published": "Concertation annoncée",
    "consultation.opened": "Concertation ouverte",
    "consultation.closed": "Concertation close",
    "consultation.synthesis_saved": "Synthèse enregistrée",
    "consultation.synthesis_published": "Synthèse publiée",
    "consultation.attachment_added": "Document joint à la concertation",
    "consultation.attachment_removed": "Document retiré de la concertation",
    "consultation.charter_accepted": "Charte de la concertation acceptée",
    "topic.opened": "Sujet de discussion ouvert",
    "topic.followed": "Sujet de discussion suivi",
    "topic.unfollowed": "Suivi d'un sujet de discussion arrêté",
    "contribution.posted": "Contribution publiée ou proposée",
    "contribution.edited": "Contribution modifiée",
    "contribution.reacted": "Réaction à une contribution",
    "contribution.reported": "Contribution signalée",
    "contribution.reports_dismissed": "Signalements classés",
    "contribution.approved": "Contribution approuvée",
    "contribution.rejected": "Contribution refusée",
    "contribution.flaged": "Contribution masquée après signalements",
    "contribution.hidden": "Contribution masquée par la modération",
    "contribution.restored": "Contribution rétablie",
    "contribution.deleted": "Contribution supprimée par son auteur",
    "contribution.author_warned": "Auteur d'une contribution averti",
    "contribution.author_suspended": "Auteur d'une contribution suspendu",
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("topic.followed", "topic.unfollowed")
