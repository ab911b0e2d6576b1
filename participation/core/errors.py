"""Errors that services raise and views turn into a message a person can read."""

from __future__ import annotations
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A refused operation. ``message`` is shown as is, in French.

    ``field`` names the form field the message belongs to, when there is one.
    """

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """The data given does not respect a rule."""

    status_code = 422


class PermissionDenied(DomainError):
    """The actor may not do this."""

    status_code = 403

    def __init__(self, message: str = _l("Vous n'avez pas l'autorisation de faire cette action."), **kwargs):
        super().__init__(message, **kwargs)


class TransitionRefused(DomainError):
    """A workflow transition that the current state does not allow."""
