"""The notices' log entries as the journal shows them (see ``participation/core/eventlabels.py``)."""

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("notifications", _l("Notifications"))
declare_subject("notification_preferences", _l("préférence de notification"), domain="notifications")
declare_events("notifications", {"notification_preference.changed": _l("Préférences de notification modifiées")})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("notification_preference.changed")
