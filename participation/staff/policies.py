"""Who may use the back office (/gestion/)."""

from flask import current_app, has_app_context

from participation.core.permissions import Rule, define, is_admin, is_moderator, is_staff, owns, rule


@rule
def demo_mode(user, obj) -> bool:
    """The platform runs as a demonstration (DEMO_MODE): its mail goes to no real person."""
    return has_app_context() and bool(current_app.config.get("DEMO_MODE"))


define("staff.access", is_staff | is_moderator)
# The outbox: in demo mode staff read the mail the platform "sent"; otherwise
# only admins see it, and only its metadata.
define("staff.read_mail", is_admin | (is_staff & demo_mode))
# A mail's text and HTML can hold one-time links: shown in demo mode only, and
# then with those links masked for anyone but an admin (see ``mask_one_time_links``).
define("staff.read_mail_body", is_staff & demo_mode)
define("staff.read_one_time_links", is_admin & demo_mode)
define("staff.retry_mail", is_admin)
# The journal: admins read everything, a staff member their department's cases
# and their own actions (participation/staff/journal_view.py); moderators do not.
define("staff.read_journal", is_staff)
# An account's history (the events about it or done by it): admins, and the person themself.
define("staff.read_account_history", is_admin | owns("id"))
# An account's page: admins manage roles; moderators open residents' accounts
# only (to suspend and reinstate them), never a staff member's, a moderator's or an admin's.
resident_account = Rule(lambda user, target: target is not None and not getattr(target, "role_names", None), "resident_account")
define("staff.view_account", is_admin | (is_moderator & resident_account))
# Indicators of participation: staff.
define("staff.indicators", is_staff)
