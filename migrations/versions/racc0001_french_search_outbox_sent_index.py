"""French search (unaccent and French stemming on both databases); the outbox's sent_at indexed

Revision ID: racc0001
Revises: scdl0001
Create Date: 2026-12-01 02:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'racc0001'
down_revision = 'scdl0001'
branch_labels = None
depends_on = None

# The search structures as the forums domain defines them at this revision (not mapped by
# the models). On SQLite the triggers call fr_index(), which the application registers on
# every connection (participation/forums/search.py): run this migration through the app.
CONFIGURATION = "participation_fr"
INDEXED = {
    "contributions": "body",
    "topics": "title",
    "consultations": "title || ' ' || question",
}


def _new(text):
    for column in ("title", "body", "question"):
        text = text.replace(column, f"new.{column}")
    return text


def _sqlite_ddl():
    statements = []
    for table, text in INDEXED.items():
        columns = ", ".join(sorted(c for c in ("title", "body", "question") if c in text))
        statements += [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_fts USING fts5(words, tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {table}_fts(rowid, words) VALUES (new.id, fr_index({_new(text)})); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {table}_fts WHERE rowid = old.id; END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE OF {columns} ON {table} BEGIN "
            f"UPDATE {table}_fts SET words = fr_index({_new(text)}) WHERE rowid = old.id; END",
            f"INSERT INTO {table}_fts(rowid, words) SELECT id, fr_index({text}) FROM {table} WHERE id NOT IN (SELECT rowid FROM {table}_fts)",
        ]
    return statements


def _sqlite_drop():
    return [s for table in INDEXED for s in (
        f"DROP TRIGGER IF EXISTS {table}_fts_insert", f"DROP TRIGGER IF EXISTS {table}_fts_delete",
        f"DROP TRIGGER IF EXISTS {table}_fts_update", f"DROP TABLE IF EXISTS {table}_fts")]


POSTGRESQL_DDL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIGURATION}') THEN "
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = french); "
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem; "
    "END IF; END $$",
    *[f"CREATE INDEX IF NOT EXISTS ix_{table}_search ON {table} USING gin (to_tsvector('{CONFIGURATION}'::regconfig, {text}))"
      for table, text in INDEXED.items()],
]
POSTGRESQL_DROP = [f"DROP INDEX IF EXISTS ix_{table}_search" for table in INDEXED] + [
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}",
]

# What the previous revision (424559a1d21c) had.
OLD_SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS contributions_fts USING fts5("
    "body, content='contributions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS contributions_fts_insert AFTER INSERT ON contributions BEGIN "
    "INSERT INTO contributions_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS contributions_fts_delete AFTER DELETE ON contributions BEGIN "
    "INSERT INTO contributions_fts(contributions_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS contributions_fts_update AFTER UPDATE OF body ON contributions BEGIN "
    "INSERT INTO contributions_fts(contributions_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO contributions_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO contributions_fts(contributions_fts) VALUES ('rebuild')",
]
OLD_POSTGRESQL_DDL = ["CREATE INDEX IF NOT EXISTS ix_contributions_search ON contributions USING gin (to_tsvector('french', body))"]


def _run(statements_by_dialect):
    bind = op.get_bind()
    for statement in statements_by_dialect.get(bind.dialect.name, []):
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mails_sent_at'), ['sent_at'], unique=False)
    _run({"sqlite": _sqlite_drop(), "postgresql": ["DROP INDEX IF EXISTS ix_contributions_search"]})
    _run({"sqlite": _sqlite_ddl(), "postgresql": POSTGRESQL_DDL})


def downgrade():
    _run({"sqlite": _sqlite_drop(), "postgresql": POSTGRESQL_DROP})
    _run({"sqlite": OLD_SQLITE_DDL, "postgresql": OLD_POSTGRESQL_DDL})
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mails_sent_at'))
