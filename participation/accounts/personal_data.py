"""Everything the platform holds about a person, gathered for "my data".

Each domain registers a function that returns its part; the accounts page
puts the parts together in one JSON document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_sections: dict[str, Callable[[Any], Any]] = {}


def section(name: str):
    """Decorator: ``func(user)`` returns what domain ``name`` holds about ``user``."""

    def decorator(func):
        _sections[name] = func
        return func

    return decorator


def export(user) -> dict[str, Any]:
    from participation.core.models import utcnow

    document: dict[str, Any] = {"export_genere_le": utcnow().isoformat()}
    for name, func in sorted(_sections.items()):
        document[name] = func(user)
    return document


# What the « Mes données » page says in plain words, besides the JSON file: a domain's own
# lines (a consent given, with its date and source), each a (heading, [sentences]) pair or ``None``.
_summaries: dict[str, Callable[[Any], tuple[str, list[str]] | None]] = {}


def summary(name: str):
    """Decorator: ``func(user)`` returns ``(heading, sentences)`` shown on « Mes données », or ``None``."""

    def decorator(func):
        _summaries[name] = func
        return func

    return decorator


def summaries(user) -> list[tuple[str, list[str]]]:
    return [part for _, func in sorted(_summaries.items()) if (part := func(user))]
