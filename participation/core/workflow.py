"""Declarative state machines.

A stateful model declares its states as a ``TitledEnum`` and its transitions
as a table beside it::

    ACCOUNT = Workflow(
        thing="user",
        field="state",
        transitions=[
            Transition("confirm", {State.unconfirmed}, State.active,
                       refusals={State.active: "Ce compte est déjà confirmé."}),
        ],
    )
    ACCOUNT.bind(User)

``ACCOUNT.apply(user, "confirm", actor=user)`` checks the current state, the
actor's permission and the guard, sets the new state, keeps the previous one
and records ``user.confirmed``. Nothing else may write the state: once
bound, assigning the state attribute of a stored object outside ``apply``
raises an error.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from participation.core.errors import PermissionDenied, TransitionRefused
from flask_babel import gettext as _

# Every workflow by its thing ("user", "sitting"), so that the journal can name states.
WORKFLOWS: dict[str, Workflow] = {}

_applying: contextvars.ContextVar[object | None] = contextvars.ContextVar("workflow_applying", default=None)

Guard = Callable[[Any, Any], str | None]


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: Any
    # The past-tense part of the recorded event: "confirmed" for "user.confirmed".
    event: str | None = None
    # The permission checked with ``can(actor, permission, obj)``; ``None`` lets anyone.
    permission: str | None = None
    # Extra checks: each returns ``None`` when the transition may go on, or the reason it may not.
    guards: tuple[Guard, ...] = ()
    # What to tell a person who tries this transition from a given state.
    refusals: dict = field(default_factory=dict)
    label: str = ""

    def __init__(self, name, sources: Iterable, target, *, event=None, permission=None, guards=(), refusals=None, label=""):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "event", event or _past_tense(name))
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "guards", tuple(guards))
        object.__setattr__(self, "refusals", dict(refusals or {}))
        object.__setattr__(self, "label", label or name)


class Workflow:
    def __init__(self, *, thing: str, transitions: list[Transition], field: str = "state", previous_field: str | None = "previous_state"):
        self.thing = thing
        self.field = field
        self.previous_field = previous_field
        self.transitions = {t.name: t for t in transitions}
        if len(self.transitions) != len(transitions):
            raise ValueError(_("Transition en double dans le workflow %(thing)s.", thing=thing))
        WORKFLOWS[thing] = self

    def state_label(self, value) -> str | None:
        """The French label of a stored state value (« Publiée » for "published"), or ``None``."""
        for transition in self.transitions.values():
            for state in (transition.target, *transition.sources):
                if getattr(state, "value", state) == value:
                    return getattr(state, "label", None)
        return None

    def bind(self, model) -> None:
        """Forbid writing ``model.<field>`` outside ``apply`` once the row is stored.

        A new object takes its first state freely; a stored one only by a transition.
        """
        attribute = getattr(model, self.field)

        @sa.event.listens_for(attribute, "set", propagate=True)
        def _guard(target, value, oldvalue, initiator):
            state = sa.inspect(target)
            if state.persistent and _applying.get() is not target:
                raise RuntimeError(
                    f"L'état de {self.thing} ne se modifie que par une transition de son workflow."
                )

        model.__workflow__ = self

    def allowed(self, obj, actor) -> list[Transition]:
        """The transitions ``actor`` may apply to ``obj`` now, for buttons and menus."""
        return [t for t in self.transitions.values() if self.refusal(obj, t.name, actor) is None]

    def refusal(self, obj, name: str, actor) -> str | None:
        """Why ``actor`` may not apply ``name`` to ``obj`` now, or ``None``."""
        try:
            self._check(obj, name, actor)
        except (TransitionRefused, PermissionDenied) as refused:
            return refused.message
        return None

    def apply(self, obj, name: str, *, actor, data: dict | None = None):
        """Apply transition ``name`` to ``obj`` and record its event; returns the event."""
        from participation.core.eventlog import record

        # A proxy (Flask-Login's current_user) is not the object the guard sees.
        obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
        transition = self._check(obj, name, actor)
        previous = getattr(obj, self.field)
        token = _applying.set(obj)
        try:
            setattr(obj, self.field, transition.target)
            if self.previous_field:
                setattr(obj, self.previous_field, previous)
        finally:
            _applying.reset(token)
        payload = {"from": _value(previous), "to": _value(transition.target), **(data or {})}
        return record(f"{self.thing}.{transition.event}", obj, actor, payload)

    def _check(self, obj, name: str, actor) -> Transition:
        from participation.core.permissions import can

        transition = self.transitions.get(name)
        if transition is None:
            raise TransitionRefused(_("Action inconnue : « %(name)s ».", name=name))
        current = getattr(obj, self.field)
        if current not in transition.sources:
            message = transition.refusals.get(current)
            if message is None:
                label = getattr(current, "label", str(current)).lower()
                message = _("Cette action (« %(label)s ») n'est pas possible : l'état actuel est « %(label2)s ».", label=transition.label, label2=label)
            raise TransitionRefused(message)
        if transition.permission and not can(actor, transition.permission, obj):
            raise PermissionDenied()
        for guard in transition.guards:
            reason = guard(obj, actor)
            if reason:
                raise TransitionRefused(reason)
        return transition


def _past_tense(verb: str) -> str:
    irregular = {"submit": "submitted", "send": "sent", "withdraw": "withdrawn", "reopen": "reopened", "publish": "published", "hold": "held"}
    if verb in irregular:
        return irregular[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def _value(state):
    return getattr(state, "value", state)
