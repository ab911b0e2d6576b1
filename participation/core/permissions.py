"""Who may do what: ``can(user, action, obj)``.

Each action names a rule. A rule is a small predicate ``rule(user, obj) -> bool``;
rules compose with ``&``, ``|`` and ``~``. Domains declare their actions in
their own module with ``define()``; views, services and templates all ask
``can()``, so the answer is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from participation.core.errors import PermissionDenied
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class Rule:
    def __init__(self, predicate: Callable[[Any, Any], bool], name: str = ""):
        self.predicate = predicate
        self.name = name or getattr(predicate, "__name__", "rule")

    def __call__(self, user, obj=None) -> bool:
        return bool(self.predicate(user, obj))

    def __and__(self, other: Rule) -> Rule:
        return Rule(lambda u, o: self(u, o) and other(u, o), f"({self.name} & {other.name})")

    def __or__(self, other: Rule) -> Rule:
        return Rule(lambda u, o: self(u, o) or other(u, o), f"({self.name} | {other.name})")

    def __invert__(self) -> Rule:
        return Rule(lambda u, o: not self(u, o), f"~{self.name}")

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"


def rule(func: Callable[[Any, Any], bool]) -> Rule:
    """Decorator turning a predicate into a composable rule."""
    return Rule(func, func.__name__)


def _is_authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


@rule
def anyone(user, obj) -> bool:
    return True


@rule
def authenticated(user, obj) -> bool:
    return _is_authenticated(user)


@rule
def active_account(user, obj) -> bool:
    return _is_authenticated(user) and getattr(user, "is_active", False)


def has_role(*roles: str) -> Rule:
    wanted = set(roles)
    return Rule(lambda u, o: _is_authenticated(u) and bool(wanted & u.role_names), f"has_role({', '.join(roles)})")


is_admin = has_role("admin")
is_staff = has_role("staff", "admin")
is_moderator = has_role("moderator", "admin")


def owns(attribute: str = "user_id") -> Rule:
    """The object's ``attribute`` is the user's id (``obj`` may be the user itself with ``"id"``)."""
    return Rule(
        lambda u, o: _is_authenticated(u) and o is not None and getattr(o, attribute, None) == u.id,
        f"owns({attribute})",
    )


class SystemActor:
    """The platform itself acting: the command line, seeding, scheduled jobs.

    It may do everything; events it records have no actor.
    """

    is_authenticated = True
    is_anonymous = False
    id = None
    display_name = _l("La plateforme")
    role_names = frozenset({"admin"})

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()

_actions: dict[str, Rule] = {}


def define(action: str, rule_: Rule) -> None:
    """Declare who may do ``action``. Declaring an action twice is a mistake."""
    if action in _actions and _actions[action] is not rule_:
        raise ValueError(_("L'action « %(action)s » est déjà définie.", action=action))
    _actions[action] = rule_


def can(user, action: str, obj=None) -> bool:
    if user is SYSTEM:
        if action not in _actions:
            raise KeyError(f"Action de permission inconnue : {action}")
        return True
    try:
        rule_ = _actions[action]
    except KeyError:
        raise KeyError(f"Action de permission inconnue : {action}") from None
    return rule_(user, obj)


def require(user, action: str, obj=None, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(message) if message else PermissionDenied()


def defined_actions() -> dict[str, Rule]:
    return dict(_actions)
