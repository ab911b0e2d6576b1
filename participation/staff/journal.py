"""The back office's own events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("mail", _l("Courriels"))
declare_subject("outbox_mails", _l("courriel"), domain="mail", url=lambda i: url_for("staff.mail", mail_id=i))
declare_events("mail", {"mail.retry_requested": _l("Nouvel envoi d'un courriel demandé"), "mail.failed": _l("Courriel en échec")})
