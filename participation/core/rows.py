"""Appending a row without the unit of work: one ``INSERT … RETURNING``, the row given back as a persistent object.

The platform's busiest writes each add one row whose values are all known: a journal event at every
change, a registration, a contribution. The ORM's ``add()`` and ``flush()`` spend 0.4 to 0.7 ms of CPU on
such a row on PostgreSQL (the unit of work sorts, batches and reads back what it wrote); a Core
``INSERT … RETURNING`` with the object built from its row, 0.24 to 0.29 ms (``bench/results.md``, first
section). ``append_row`` also does what the flush would have done besides: each value is checked against its
column (``column_bounds``), and the people the row names are told to the page cache.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from participation.core import pagecache
from participation.core.column_bounds import check_row

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
# (model, dialect, skip_conflicts) -> the statement, built once: building it again costs its cache key at each call.
_statements: dict[tuple, sa.Insert] = {}


def insert_skipping_conflicts(model, session, **index):
    """``INSERT … ON CONFLICT DO NOTHING`` into ``model``, a mapped class or a table, PostgreSQL and SQLite alike.

    A row that a unique index refuses (the one of ``index_elements``, or any) is skipped and the transaction goes
    on, where a failed INSERT would need a savepoint around it (two more round trips)."""
    return _INSERTS[session.get_bind().dialect.name](model).on_conflict_do_nothing(**index)


def append_row(session, model, values: dict, *, skip_conflicts: bool = False):
    """Write a new row of ``model`` (``values`` by attribute; the columns left out take their defaults) and return it
    as a persistent object of ``session``; with ``skip_conflicts``, ``None`` when a unique index refused it.

    The model must have no attribute named otherwise than its column, and nothing to cascade: a new row alone.
    """
    mapper = sa.inspect(model)
    check_row(mapper, values)
    connection = session.connection()  # the session's bind, found once
    key = (model, connection.dialect.name, skip_conflicts)
    statement = _statements.get(key)
    if statement is None:
        table = mapper.local_table
        insert = insert_skipping_conflicts(table, session) if skip_conflicts else sa.insert(table)
        statement = _statements[key] = insert.returning(*table.c)
    row = connection.execute(statement, values).first()
    if row is None:
        return None
    instance = model(**{prop.key: row._mapping[prop.columns[0]] for prop in mapper.column_attrs})
    # As if read from the database: no change pending, a key of its own, in the session.
    sa.orm.make_transient_to_detached(instance)
    session.add(instance)
    pagecache.person_changed(session, *(getattr(instance, name) for name in pagecache.person_attributes(model)))
    return instance
