"""The database's own bounds, checked the same way on SQLite as on PostgreSQL.

PostgreSQL refuses a NUL byte in text, a string longer than its
``VARCHAR(n)`` and an integer that overflows its column; SQLite stores them
all. Before every flush, each value set on a row is checked against its
column, so that a value a form let through fails on both databases alike,
loudly (``ColumnBoundError``, a bug to fix where the value was parsed), and
never lands in the database of the embedded default.
"""

from __future__ import annotations

import math
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session
from flask_babel import gettext as _

INTEGER_MAX = {sa.SmallInteger: 2**15 - 1, sa.BigInteger: 2**63 - 1, sa.Integer: 2**31 - 1}


class ColumnBoundError(ValueError):
    """A value that its column cannot hold reached the database layer."""


def _integer_max(column_type) -> int | None:
    for kind, maximum in INTEGER_MAX.items():
        if isinstance(column_type, kind):
            return maximum
    return None


def check_value(column: sa.Column, value) -> str | None:
    """Why ``column`` cannot hold ``value``, or ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        if "\x00" in value:
            return _("caractère NUL")
        length = getattr(column.type, "length", None)
        if isinstance(column.type, sa.String) and length and len(value) > length:
            return _("%(len_value)s caractères pour %(length)s au plus", len_value=len(value), length=length)
    elif isinstance(value, int) and not isinstance(value, bool):
        maximum = _integer_max(column.type)
        if maximum is not None and not -maximum - 1 <= value <= maximum:
            return _("nombre hors des bornes de la colonne (%(value)s)", value=value)
    elif isinstance(value, Decimal) and not value.is_finite() or isinstance(value, float) and not math.isfinite(value):
        return _("nombre non fini (%(value)s)", value=value)
    return None


def check_row(mapper, values) -> None:
    """Raise ``ColumnBoundError`` if a column of ``mapper`` cannot hold its value in ``values``
    (attribute names to values): a row's values before a flush, or before an INSERT statement."""
    columns = mapper.columns
    for key, value in values.items():
        column = columns.get(key)
        if column is None or not isinstance(column, sa.Column):
            continue
        problem = check_value(column, value)
        if problem:
            raise ColumnBoundError(f"{column.table.name}.{column.name} : {problem}")


@sa.event.listens_for(Session, "before_flush")
def _check_columns(session, flush_context, instances) -> None:
    for instance in (*session.new, *session.dirty):
        state = sa.inspect(instance)
        # Only what is loaded or set: nothing is read from the database here.
        check_row(state.mapper, state.dict)
