"""Who may act on accounts."""

from participation.core.permissions import Rule, active_account, define, is_admin, is_moderator, owns

# Suspending one's own account would lock the actor out; a moderator's power stops at
# residents' accounts: staff, moderators and admins answer to an admin.
not_oneself = Rule(lambda user, target: getattr(target, "id", None) != getattr(user, "id", None), "not_oneself")
holds_no_role = Rule(lambda user, target: not getattr(target, "role_names", None), "target_holds_no_role")

define("accounts.edit", (owns("id") & active_account) | is_admin)
define("accounts.close", owns("id") | is_admin)
define("accounts.suspend", not_oneself & (is_admin | (is_moderator & holds_no_role)))
define("accounts.manage_roles", is_admin)
define("accounts.list", is_admin)
