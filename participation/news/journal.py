"""News' and the newsletter's log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("news", "Actualités et lettre d'information")
declare_subject("articles", "actualité", domain="news", url=lambda i: url_for("news_staff.edit", article_id=i))
declare_subject("newsletter_issues", "lettre d'information", domain="news", url=lambda i: url_for("newsletter_staff.edit", issue_id=i))
declare_subject("newsletter_subscribers", "abonnement à la lettre", domain="news")
declare_subject("themes", "thème", domain="news")
declare_events("news", {
    "article.created": "Actualité créée",
    "article.edited": "Actualité modifiée",
    "article.scheduled": "Publication de l'actualité programmée",
    "article.unscheduled": "Publication programmée de l'actualité annulée",
    "article.published": "Actualité publiée",
    "article.archived": "Actualité archivée",
    "theme.followed": "Thème suivi",
    "theme.unfollowed": "Thème plus suivi",
    "newsletter.subscription_requested": "Abonnement à la lettre demandé",
    "newsletter.subscribed": "Abonnement à la lettre confirmé",
    "newsletter.unsubscribed": "Désabonnement de la lettre",
    "newsletter_issue.created": "Lettre d'information créée",
    "newsletter_issue.edited": "Lettre d'information modifiée",
    "newsletter_issue.scheduled": "Envoi de la lettre programmé",
    "newsletter_issue.cancelled": "Envoi de la lettre annulé",
    "newsletter_issue.sending_started": "Envoi de la lettre commencé",
    "newsletter_issue.sent": "Lettre d'information envoyée",
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("theme.followed", "theme.unfollowed")
