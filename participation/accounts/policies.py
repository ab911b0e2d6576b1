"""Who may act on accounts."""

from participation.core.permissions import active_account, define, is_admin, is_moderator, owns

define("accounts.edit", (owns("id") & active_account) | is_admin)
define("accounts.close", owns("id") | is_admin)
define("accounts.suspend", is_moderator)
define("accounts.manage_roles", is_admin)
define("accounts.list", is_admin)
