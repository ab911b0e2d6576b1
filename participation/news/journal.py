"""News' and the newsletter's log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("news", _l("Actualités et lettre d'information"))
declare_subject("articles", _l("actualité"), domain="news", url=lambda i: url_for("news_staff.edit", article_id=i))
declare_subject("newsletter_issues", _l("lettre d'information"), domain="news", url=lambda i: url_for("newsletter_staff.edit", issue_id=i))
declare_subject("newsletter_subscribers", _l("abonnement à la lettre"), domain="news")
declare_subject("themes", _l("thème"), domain="news")
declare_events("news", {
    "article.created": _l("Actualité créée"),
    "article.edited": _l("Actualité modifiée"),
    "article.scheduled": _l("Publication de l'actualité programmée"),
    "article.unscheduled": _l("Publication programmée de l'actualité annulée"),
    "article.published": _l("Actualité publiée"),
    "article.archived": _l("Actualité archivée"),
    "theme.followed": _l("Thème suivi"),
    "theme.unfollowed": _l("Thème plus suivi"),
    "newsletter.subscription_requested": _l("Abonnement à la lettre demandé"),
    "newsletter.subscribed": _l("Abonnement à la lettre confirmé"),
    "newsletter.unsubscribed": _l("Désabonnement de la lettre"),
    "newsletter_issue.created": _l("Lettre d'information créée"),
    "newsletter_issue.edited": _l("Lettre d'information modifiée"),
    "newsletter_issue.scheduled": _l("Envoi de la lettre programmé"),
    "newsletter_issue.cancelled": _l("Envoi de la lettre annulé"),
    "newsletter_issue.sending_started": _l("Envoi de la lettre commencé"),
    "newsletter_issue.sent": _l("Lettre d'information envoyée"),
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("theme.followed", "theme.unfollowed")
