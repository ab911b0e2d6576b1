from participation.core.permissions import define, is_admin

define("territory.manage", is_admin)
