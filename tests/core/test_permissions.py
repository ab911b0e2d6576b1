from __future__ import annotations

import pytest

from participation.core.errors import PermissionDenied
from participation.core.permissions import Rule, can, define, defined_actions, has_role, owns, require
from tests import factories


class Anonymous:
    is_authenticated = False


def test_roles_and_ownership_compose(app):
    resident, admin, moderator = factories.user(), factories.admin(), factories.user(roles=["moderator"])
    assert can(resident, "accounts.edit", resident)
    assert not can(resident, "accounts.edit", factories.user())
    assert can(admin, "accounts.edit", resident)
    assert can(moderator, "accounts.suspend", resident) and not can(resident, "accounts.suspend", moderator)
    assert not can(Anonymous(), "accounts.edit", resident)


def test_a_moderator_suspends_residents_only_and_nobody_suspends_themselves(app):
    resident, admin, moderator = factories.user(), factories.admin(), factories.user(roles=["moderator"])
    staff, other_moderator = factories.staff(), factories.user(roles=["moderator"])
    assert can(moderator, "accounts.suspend", resident)
    for target in (admin, staff, other_moderator, moderator):
        assert not can(moderator, "accounts.suspend", target), target.role_names
    for target in (resident, staff, moderator):
        assert can(admin, "accounts.suspend", target)
    assert not can(admin, "accounts.suspend", admin)


def test_rules_combine_with_and_or_not():
    yes, no = Rule(lambda u, o: True, "yes"), Rule(lambda u, o: False, "no")
    assert (yes | no)(None) and not (yes & no)(None) and (~no)(None)
    assert repr(yes & ~no) == "<Rule (yes & ~no)>"


def test_unknown_action_is_a_programming_error(app):
    with pytest.raises(KeyError):
        can(None, "nothing.defined")


def test_defining_an_action_twice_with_another_rule_is_refused():
    define("test.once", has_role("admin"))
    with pytest.raises(ValueError):
        define("test.once", owns())
    assert "test.once" in defined_actions()


def test_require_raises_a_readable_refusal(app):
    with pytest.raises(PermissionDenied) as refused:
        require(factories.user(), "accounts.manage_roles")
    assert refused.value.message == "Vous n'avez pas l'autorisation de faire cette action."
