"""Who may do what with questionnaires."""

from participation.core.permissions import Rule, define, is_staff

is_public_survey = Rule(lambda u, q: q is not None and q.is_public, "is_public_survey")
has_published_results = Rule(lambda u, q: q is not None and q.state.value == "published", "has_published_results")

define("surveys.manage", is_staff)
define("surveys.view", is_public_survey | is_staff)
define("surveys.read_results", is_staff)
define("surveys.view_results", has_published_results | is_staff)
