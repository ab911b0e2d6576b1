"""Test set-up: a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
a real SMTP server (aiosmtpd), each test in a transaction rolled back at its end."""

from __future__ import annotations

import os
import re
import socket

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id

from participation import create_app
from participation.extensions import db
from tests.smtp import SMTPServer

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def _no_outside_network():
    """A test that tries to reach a host other than this machine fails."""
    original = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise RuntimeError(f"Un test a tenté de joindre {host} : seuls les services locaux sont permis.")
        return original(self, address)

    socket.socket.connect = guarded
    yield
    socket.socket.connect = original


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer(port=_free_port())
    server.start()
    yield server
    server.stop()


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_server):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
            "UPLOAD_DIR": str(instance / "uploads"),
            "BASE_URL": "http://participation.test",
            "ARGON2_FAST": True,
            "RATELIMIT_ENABLED": False,
            "MAIL_DELIVERY": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
            "MAIL_TIMEOUT": 5,
            "DEMO_MODE": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Each test runs in a transaction rolled back at its end.

    The requests of a test join the same connection through savepoints, so
    the view's commit is real for the request but undone after the test.
    Tests marked ``committing`` run for real and empty the tables afterwards.
    """
    if request.node.get_closest_marker("committing"):
        with app.app_context():
            yield
            db.session.remove()
            _empty_tables()
        return
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


def _empty_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own application context, as in
    production (fresh ``g``, fresh session), instead of reusing the test's."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            response = super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
        db.session.expire_all()
        return response

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"Pas de jeton CSRF sur {path} ({page.status_code})"
        return match.group(1)

    def submit(self, path: str, data: dict | None = None, *, form_path: str | None = None, **kwargs):
        """Post a form the way a browser does: with the CSRF token read from the form's page."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(form_path or path))
        return self.post(path, data=data, **kwargs)

    def login(self, email: str, password: str):
        response = self.submit("/compte/connexion", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture(autouse=True)
def _rate_limits_off(app):
    """Flask-Limiter is one object for every app: a test that builds an app with
    limits on must not leave them on (or counted) for the tests after it."""
    from participation.extensions import limiter

    yield
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    try:
        limiter.reset()
    except Exception:  # storage without reset: nothing counted to forget
        pass


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.messages.clear()
    yield smtp_server.messages
    smtp_server.forget_refusals()


def pytest_configure(config):
    config.addinivalue_line("markers", "committing: runs with real commits; tables are emptied afterwards")


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: …`` then ``q.count``: SQL statements run meanwhile."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def logged_in(app):
    """``as_alice, as_bruno = logged_in(alice.email, bruno.email)``: one test client per address, each
    logged in with the factories' password (two people, or two tabs, on the same page)."""
    from tests.factories import PASSWORD

    def clients(*emails: str):
        made = []
        for email in emails:
            client = app.test_client()
            client.login(email, PASSWORD)
            made.append(client)
        return tuple(made)

    return clients


@pytest.fixture
def count_calls(monkeypatch):
    """``calls = count_calls(module, "name")``: ``calls`` grows by one at each call of ``module.name``,
    which still runs (how a test sees that a shared fragment was built once, not once per person)."""

    def install(owner, name: str) -> list:
        calls = []
        real = getattr(owner, name)

        def counting(*args, **kwargs):
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)
        return calls

    return install


@pytest.fixture
def cache_on(app):
    """The page cache switched on for one test (it is off in tests), emptied before and after."""
    from participation.core import pagecache

    app.config["PAGE_CACHE"] = True
    pagecache.clear()
    yield
    app.config["PAGE_CACHE"] = False
    pagecache.clear()


@pytest.fixture
def redis_cache(app, cache_on):
    """The page cache in Redis (as deployed), under a prefix of this test's own; skipped without a Redis server."""
    import uuid

    import redis

    # TEST_REDIS_URL: another database of a shared server; each test's keys have a prefix of their own.
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("Redis injoignable")
    prefix = f"test-pagecache-{uuid.uuid4().hex}:"
    app.config.update(PAGE_CACHE_REDIS_URL=url, PAGE_CACHE_REDIS_PREFIX=prefix)
    yield redis.Redis.from_url(url)
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    app.config.update(PAGE_CACHE_REDIS_URL=None, PAGE_CACHE_REDIS_PREFIX="participation:")
