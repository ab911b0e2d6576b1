from participation.core.permissions import define, is_admin, is_moderator, is_staff

define("staff.access", is_staff | is_moderator)
# In demo mode staff read the mail the platform "sent"; failed mail is for admins.
define("staff.read_mail", is_staff)
define("staff.retry_mail", is_admin)
define("staff.read_journal", is_admin)
