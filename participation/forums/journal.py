"""The consultations' events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("forums", _l("Concertations"))
declare_subject("consultations", _l("concertation"), domain="forums",
                url=lambda i: url_for("forums_staff.staff_consultation", consultation_id=i))
declare_subject("topics", _l("sujet de discussion"), domain="forums")
declare_subject("contributions", _l("contribution"), domain="forums")
declare_events("forums", {
    "consultation.created": _l("Concertation créée"),
    "consultation.updated": _l("Concertation modifiée"),
    "consultation.published": _l("Concertation annoncée"),
    "consultation.opened": _l("Concertation ouverte"),
    "consultation.closed": _l("Concertation close"),
    "consultation.synthesis_saved": _l("Synthèse enregistrée"),
    "consultation.synthesis_published": _l("Synthèse publiée"),
    "consultation.attachment_added": _l("Document joint à la concertation"),
    "consultation.attachment_removed": _l("Document retiré de la concertation"),
    "consultation.charter_accepted": _l("Charte de la concertation acceptée"),
    "topic.opened": _l("Sujet de discussion ouvert"),
    "topic.followed": _l("Sujet de discussion suivi"),
    "topic.unfollowed": _l("Suivi d'un sujet de discussion arrêté"),
    "contribution.posted": _l("Contribution publiée ou proposée"),
    "contribution.edited": _l("Contribution modifiée"),
    "contribution.reacted": _l("Réaction à une contribution"),
    "contribution.reported": _l("Contribution signalée"),
    "contribution.reports_dismissed": _l("Signalements classés"),
    "contribution.approved": _l("Contribution approuvée"),
    "contribution.rejected": _l("Contribution refusée"),
    "contribution.flaged": _l("Contribution masquée après signalements"),
    "contribution.hidden": _l("Contribution masquée par la modération"),
    "contribution.restored": _l("Contribution rétablie"),
    "contribution.deleted": _l("Contribution supprimée par son auteur"),
    "contribution.author_warned": _l("Auteur d'une contribution averti"),
    "contribution.author_suspended": _l("Auteur d'une contribution suspendu"),
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("topic.followed", "topic.unfollowed")
