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
