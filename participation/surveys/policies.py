"""Who may do what with questionnaires.

Staff manage every questionnaire. A council's bureau (president, co-president,
bureau member) manages the questionnaires its council proposes (``council_id``),
never another council's nor those of the collectivity; asked about a council,
the rule says whether the person may propose a questionnaire for it.
"""

from participation.core.permissions import Rule, active_account, define, is_staff
from participation.councils.policies import current_membership


def council_of_survey(obj):
    """The council a questionnaire belongs to (or the council itself)."""
    from participation.councils.models import Council

    if obj is None or isinstance(obj, Council):
        return obj
    return getattr(obj, "council", None)


def _bureau(user, obj) -> bool:
    from participation.councils.models import MemberRole

    seat = current_membership(user, council_of_survey(obj))
    return seat is not None and seat.role in (MemberRole.president, MemberRole.co_president, MemberRole.bureau)


is_public_survey = Rule(lambda u, q: q is not None and q.is_public, "is_public_survey")
has_published_results = Rule(lambda u, q: q is not None and q.state.value == "published", "has_published_results")
is_council_bureau = Rule(_bureau, "is_council_bureau")

define("surveys.manage", is_staff | (active_account & is_council_bureau))
define("surveys.view", is_public_survey | is_staff | (active_account & is_council_bureau))
define("surveys.read_results", is_staff | (active_account & is_council_bureau))
define("surveys.view_results", has_published_results | is_staff | (active_account & is_council_bureau))
# Feeding a territorial plan's indicator is the collectivity's business.
define("surveys.link_indicator", is_staff)
