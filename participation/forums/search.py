"""Full-text search over contributions: SQLite FTS5 or PostgreSQL's French configuration.

The search structures live beside the ``contributions`` table and are not
mapped: on SQLite an external-content FTS5 table kept in sync by triggers; on
PostgreSQL a GIN index on ``to_tsvector('french', body)`` (French stemming).
The migration creates them, and ``create_all()`` (tests, live server) does too
through the table's ``after_create`` event. Their names are listed in the
metadata's ``info["external_names"]`` so that schema comparison ignores them.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.core.models import Base
from participation.forums.models import Contribution

SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS contributions_fts USING fts5("
    "body, content='contributions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS contributions_fts_insert AFTER INSERT ON contributions BEGIN "
    "INSERT INTO contributions_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS contributions_fts_delete AFTER DELETE ON contributions BEGIN "
    "INSERT INTO contributions_fts(contributions_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS contributions_fts_update AFTER UPDATE OF body ON contributions BEGIN "
    "INSERT INTO contributions_fts(contributions_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO contributions_fts(rowid, body) VALUES (new.id, new.body); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS contributions_fts_insert",
    "DROP TRIGGER IF EXISTS contributions_fts_delete",
    "DROP TRIGGER IF EXISTS contributions_fts_update",
    "DROP TABLE IF EXISTS contributions_fts",
]
POSTGRESQL_DDL = [
    "CREATE INDEX IF NOT EXISTS ix_contributions_search ON contributions USING gin (to_tsvector('french', body))",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS ix_contributions_search"]

# Names the schema comparison must not report as missing from the models.
EXTERNAL_NAMES = {
    "contributions_fts", "contributions_fts_data", "contributions_fts_idx", "contributions_fts_docsize",
    "contributions_fts_config", "contributions_fts_content", "ix_contributions_search",
}
Base.metadata.info.setdefault("external_names", set()).update(EXTERNAL_NAMES)


def create_search_structures(connection) -> None:
    """Create the dialect's search structures (idempotent)."""
    statements = {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(connection.dialect.name, [])
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_structures(connection) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.dialect.name, [])
    for statement in statements:
        connection.exec_driver_sql(statement)


@sa.event.listens_for(Contribution.__table__, "after_create")
def _after_create(target, connection, **kw):
    create_search_structures(connection)


@sa.event.listens_for(Contribution.__table__, "after_drop")
def _after_drop(target, connection, **kw):
    drop_search_structures(connection)


WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(query: str | None) -> list[str]:
    """The words of a query, without operators: nothing a person types can break the SQL."""
    return WORD_RE.findall(query or "")[:10]


def matching_contributions(query: str | None, dialect: str):
    """A ``select`` of the ids of contributions whose text matches every word of ``query``, or ``None``."""
    found = words(query)
    if not found:
        return None
    if dialect == "sqlite":
        # Prefix match on each word: « vélos » also finds « vélo » and « vélos ».
        expression = " ".join(f'"{word}"*' for word in found)
        return sa.select(sa.literal_column("rowid")).select_from(sa.text("contributions_fts")).where(
            sa.text("contributions_fts MATCH :fts_query").bindparams(fts_query=expression)
        )
    if dialect == "postgresql":
        return sa.select(Contribution.id).where(
            sa.func.to_tsvector(sa.literal_column("'french'"), Contribution.body).op("@@")(
                sa.func.plainto_tsquery(sa.literal_column("'french'"), " ".join(found))
            )
        )
    conditions = [Contribution.body.ilike(f"%{word}%") for word in found]
    return sa.select(Contribution.id).where(*conditions)
