"""Who may act on consultations and contributions."""

from participation.core.permissions import Rule, active_account, define, is_moderator, is_staff, owns
from participation.forums.models import ConsultationState


def _public(user, consultation) -> bool:
    return consultation is None or consultation.state != ConsultationState.draft


public_consultation = Rule(_public, "public_consultation")

define("forums.view", public_consultation | is_staff)
define("forums.manage", is_staff)
define("forums.moderate", is_moderator)
define("forums.export", is_staff | is_moderator)
# Opening topics, contributing, reacting, following, reporting: the rules
# that tell a person why they may not (charter, dates, suspension) are in the services.
define("forums.participate", active_account)
define("forums.edit", owns("author_id") & active_account)
define("forums.delete", owns("author_id") | is_moderator)
define("forums.view_moderation", is_moderator)
