"""Who may do what with events and registrations."""

from participation.core.permissions import Rule, anyone, define, is_staff, owns

is_public_event = Rule(lambda u, e: e is not None and e.is_public, "is_public_event")

define("events.manage", is_staff)
define("events.view", is_public_event | is_staff)
define("events.register", anyone)
# A registration: its owner (an account) or staff; without an account, the mailed link stands for the owner.
define("events.view_registration", owns("user_id") | is_staff)
define("events.cancel_registration", owns("user_id") | is_staff)
define("events.check_in", is_staff)
