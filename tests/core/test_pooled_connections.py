"""A pooled connection that the server closed while it waited is replaced before a request gets it;
one just returned is lent without a round trip."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from participation import _ping_after_idle
from participation.config import normalise_database_url


@pytest.fixture
def database_url(app) -> str:
    """The tests' database, reached by an engine of the test's own (one pooled connection)."""
    return app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture
def pool(database_url):
    """``pool(idle_seconds)``: an engine of one pooled connection, checked after ``idle_seconds`` as the app's are."""
    engines = []

    def make(idle_seconds: int):
        engine = sa.create_engine(normalise_database_url(database_url), pool_size=1, max_overflow=0)
        _ping_after_idle(engine, idle_seconds)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def _close_behind_the_pool(engine, database_url: str) -> None:
    """Close the pool's one connection the way a server restart does, while it waits in the pool."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar() if engine.dialect.name == "postgresql" else None
    if pid is None:
        raw.close()
        return
    other = sa.create_engine(normalise_database_url(database_url), poolclass=sa.pool.NullPool)
    with other.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    other.dispose()


def _statements(engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_a_connection_closed_while_idle_is_replaced(pool, database_url):
    engine = pool(idle_seconds=1)
    _close_behind_the_pool(engine, database_url)
    time.sleep(1.1)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1


def test_without_the_check_the_closed_connection_fails_its_request(pool, database_url):
    """What the check spares a request: the same closed connection, lent at once, fails."""
    engine = pool(idle_seconds=3600)
    _close_behind_the_pool(engine, database_url)
    with pytest.raises(sa.exc.DBAPIError), engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    # The pool then throws it away: the next request is served.
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1


def test_a_connection_just_returned_is_lent_without_a_ping(pool):
    engine = pool(idle_seconds=3600)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    seen = _statements(engine)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 2"))
    assert seen == ["SELECT 2"]
