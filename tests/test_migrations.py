"""``flask db upgrade`` builds the whole schema from nothing, and it matches the models."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from participation import create_app
from participation.config import normalise_database_url
from participation.extensions import db


@pytest.fixture
def empty_database(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    server = sa.create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    name = f"{server.url.database}_migrations"
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.mark.committing
def test_upgrade_from_nothing_matches_the_models_and_downgrades(empty_database, tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        engine = db.engine
        upgrade()
        with engine.connect() as connection:
            external = db.metadata.info.get("external_names", set())
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_name": lambda name, type_, parents: name not in external},
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(sa.inspect(engine).get_table_names())
        assert {"users", "domain_events", "outbox_mails", "notifications", "communes", "alembic_version"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()


@pytest.mark.committing
def test_the_deferred_queue_moves_into_the_events_and_back(empty_database, tmp_path):
    """evq0001: an event that still waits for the worker keeps its place, its attempts and its error."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        engine = db.engine
        upgrade(revision="post0001")
        with engine.begin() as connection:
            for event_id in (1, 2):
                connection.execute(sa.text("INSERT INTO domain_events (id, name, subject_type, subject_id, data, occurred_at) "
                                           "VALUES (:id, 'contribution.posted', 'contributions', :id, '{}', '2026-12-01 10:00:00')"), {"id": event_id})
            connection.execute(sa.text("INSERT INTO deferred_events (event_id, due_at, attempts, last_error) "
                                       "VALUES (2, '2026-12-01 10:05:00', 3, 'RuntimeError: panne')"))
        upgrade(revision="evq0001")
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, deferred_due_at IS NOT NULL, deferred_attempts, deferred_error "
                                              "FROM domain_events ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, False, 0, None), (2, True, 3, "RuntimeError: panne")]
        downgrade(revision="post0001")
        with engine.connect() as connection:
            assert [tuple(r) for r in connection.execute(sa.text("SELECT event_id, attempts, last_error FROM deferred_events")).all()] == \
                [(2, 3, "RuntimeError: panne")]
        engine.dispose()
