"""Who may write news and newsletters."""

from participation.core.permissions import Rule, define, is_staff

define("news.manage", is_staff)
define("news.view", Rule(lambda u, a: a is None or a.is_public, "public_article") | is_staff)
