"""Full-text search in French over contributions and titles, on SQLite and PostgreSQL alike.

A word and its accents, its singular and its plural find one another:
« vélo » finds « vélos », « ecole » finds « École ». Both databases fold
accents then apply the French Snowball stemmer, at index time and at query
time; the Snowball algorithm keeps the plural « s » after a vowel (« vélos »
stays « vélos »), so each word of a query is also searched with its « s »
added or removed.

- PostgreSQL: the text-search configuration ``participation_fr`` (a copy of
  ``french`` whose words go through ``unaccent`` then ``french_stem``) and GIN
  indexes on ``to_tsvector('participation_fr', …)`` of contributions' bodies,
  topics' titles and consultations' titles and questions.
- SQLite: FTS5 tables holding, for each row, the folded and stemmed words of
  its text, computed by the SQL function ``fr_index()`` (``snowballstemmer``,
  registered on every SQLite connection) and kept in sync by triggers.

The structures are not mapped: the migration creates them, and ``create_all()``
(tests, live server) does too through the contributions table's
``after_create`` event. Their names are listed in the metadata's
``info["external_names"]`` so that schema comparison ignores them.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from functools import lru_cache

import snowballstemmer
import sqlalchemy as sa

from participation.core.models import Base
from participation.forums.models import Consultation, Contribution, Topic

CONFIGURATION = "participation_fr"

# What is searched: table -> the SQL expression of its text.
INDEXED = {
    "contributions": "body",
    "topics": "title",
    "consultations": "title || ' ' || question",
}


def _qualified(text: str, table: str) -> str:
    return re.sub(r"\b(title|body|question)\b", rf"{table}.\1", text)


def _sqlite_ddl(table: str, text: str) -> list[str]:
    new = _qualified(text, "new")
    columns = sorted(set(re.findall(r"\b(title|body|question)\b", text)))
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_fts USING fts5(words, tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {table}_fts(rowid, words) VALUES (new.id, fr_index({new})); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {table}_fts WHERE rowid = old.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE OF {', '.join(columns)} ON {table} BEGIN "
        f"UPDATE {table}_fts SET words = fr_index({new}) WHERE rowid = old.id; END",
        # What the table already holds (a migration on a filled database).
        f"INSERT INTO {table}_fts(rowid, words) SELECT id, fr_index({text}) FROM {table} WHERE id NOT IN (SELECT rowid FROM {table}_fts)",
    ]


SQLITE_DDL = [statement for table, text in INDEXED.items() for statement in _sqlite_ddl(table, text)]
SQLITE_DROP = [
    statement
    for table in INDEXED
    for statement in (
        f"DROP TRIGGER IF EXISTS {table}_fts_insert",
        f"DROP TRIGGER IF EXISTS {table}_fts_delete",
        f"DROP TRIGGER IF EXISTS {table}_fts_update",
        f"DROP TABLE IF EXISTS {table}_fts",
    )
]
POSTGRESQL_DDL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # No CREATE TEXT SEARCH CONFIGURATION IF NOT EXISTS: create it once.
    f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIGURATION}') THEN "
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = french); "
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem; "
    "END IF; END $$",
    *[
        f"CREATE INDEX IF NOT EXISTS ix_{table}_search ON {table} USING gin (to_tsvector('{CONFIGURATION}'::regconfig, {text}))"
        for table, text in INDEXED.items()
    ],
]
POSTGRESQL_DROP = [f"DROP INDEX IF EXISTS ix_{table}_search" for table in INDEXED]

# Names the schema comparison must not report as missing from the models.
EXTERNAL_NAMES = {f"ix_{table}_search" for table in INDEXED} | {
    f"{table}_fts{suffix}" for table in INDEXED for suffix in ("", "_data", "_idx", "_docsize", "_config", "_content")
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
    # The contributions table comes after the topics and consultations it refers to: all three exist.
    create_search_structures(connection)


@sa.event.listens_for(Contribution.__table__, "after_drop")
def _after_drop(target, connection, **kw):
    drop_search_structures(connection)


# French words, as both databases see them ------------------------------------------

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("french")


def fold(word: str) -> str:
    """Lower case without accents: « École » -> « ecole » (what ``unaccent`` does)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The French Snowball stem of a word, accents folded first, as ``participation_fr`` does."""
    return _stemmer.stemWord(fold(word))


def fr_index(text: str | None) -> str:
    """The words of a text as the SQLite index holds them: folded and stemmed, in order."""
    return " ".join(stem(word) for word in WORD_RE.findall(text or ""))


@sa.event.listens_for(sa.pool.Pool, "connect")
def _register_sqlite_functions(dbapi_connection, record) -> None:
    """Every SQLite connection gets ``fr_index()``: the triggers that keep the index call it."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("fr_index", 1, fr_index, deterministic=True)


def words(query: str | None) -> list[str]:
    """The words of a query, without operators: nothing a person types can break the SQL."""
    return WORD_RE.findall(query or "")[:10]


def forms(word: str) -> list[str]:
    """The word, and its plural or singular: Snowball keeps « vélos » apart from « vélo »."""
    other = word[:-1] if word.lower().endswith("s") and len(word) > 3 else word + "s"
    return [word, other]


def _sqlite_query(found: list[str]) -> str:
    """An FTS5 query: every word, in any of its forms (stems quoted, so nothing is an operator)."""
    return " AND ".join("(" + " OR ".join(sorted({f'"{stem(form)}"' for form in forms(word)})) + ")" for word in found)


def _postgresql_query(found: list[str]):
    cfg = sa.literal_column(f"'{CONFIGURATION}'::regconfig")
    query = None
    for word in found:
        either = None
        for form in forms(word):
            term = sa.func.plainto_tsquery(cfg, form)
            either = term if either is None else either.op("||")(term)
        query = either if query is None else query.op("&&")(either)
    return query


def _document(table: str):
    """The indexed expression, written as the index has it (constants inline, not parameters), so the planner uses it."""
    return sa.func.to_tsvector(sa.literal_column(f"'{CONFIGURATION}'::regconfig"), sa.literal_column(_qualified(INDEXED[table], table)))


def matching(table: str, query: str | None, dialect: str):
    """A ``select`` of the ids of ``table``'s rows whose text has every word of ``query``, or ``None``
    without words. Uses the table's index: FTS5 on SQLite, GIN on PostgreSQL."""
    found = words(query)
    if not found:
        return None
    model = {"contributions": Contribution, "topics": Topic, "consultations": Consultation}[table]
    if dialect == "sqlite":
        return sa.select(sa.literal_column("rowid")).select_from(sa.text(f"{table}_fts")).where(
            sa.text(f"{table}_fts MATCH :fts_query_{table}").bindparams(**{f"fts_query_{table}": _sqlite_query(found)})
        )
    if dialect == "postgresql":
        # Never correlated with an outer query on the same table: the subquery keeps its FROM, and its index.
        return sa.select(model.id).where(_document(table).op("@@")(_postgresql_query(found))).correlate(None)
    column = {"contributions": Contribution.body, "topics": Topic.title, "consultations": Consultation.title}[table]
    return sa.select(model.id).where(*[column.ilike(f"%{word}%") for word in found])


def condition(table: str, query: str | None, dialect: str):
    """A condition on ``table``'s own rows (no self-join: the planner reads the index, then the rows once), or ``None``."""
    found = words(query)
    if not found:
        return None
    if dialect == "postgresql":
        return _document(table).op("@@")(_postgresql_query(found))
    model = {"contributions": Contribution, "topics": Topic, "consultations": Consultation}[table]
    return model.id.in_(matching(table, query, dialect))


def matching_contributions(query: str | None, dialect: str):
    """A ``select`` of the ids of contributions whose text matches every word of ``query``, or ``None``."""
    return matching("contributions", query, dialect)
