"""Who may do what with territorial plans."""

from participation.core.permissions import Rule, authenticated, define, is_staff

is_public_plan = Rule(lambda u, p: p is not None and p.is_public, "is_public_plan")
owns_indicator = Rule(lambda u, i: i is not None and getattr(u, "id", None) is not None and i.owner_id == u.id, "owns_indicator")
owns_decision = Rule(lambda u, d: d is not None and getattr(u, "id", None) is not None and d.owner_id == u.id, "owns_decision")

define("plans.manage", is_staff)
define("plans.view", is_public_plan | is_staff)
# Reporting progress on an action: staff (the lead department's agents).
define("plans.report", is_staff)
# Entering measurements: staff, or the person responsible for the indicator (a partner's account).
define("plans.measure", is_staff | owns_indicator)
define("plans.follow_up", is_staff | owns_decision)
define("plans.follow", authenticated)
