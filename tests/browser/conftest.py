"""Browser tests: the real pages in headless Chromium (Debian's package),
driven by Playwright's sync API, served by a live copy of the application.

The live application has its own SQLite file in a temporary directory,
seeded with the demo data, so it never shares tables with the main test
application (whatever ``TEST_DATABASE_URL`` says). Its requests commit for
real; the tests only read, or act as the demo accounts would.

Without ``/usr/bin/chromium`` the tests are skipped, unless
``REQUIRE_BROWSER=1``, in which case they fail.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from participation import create_app, demo
from participation.extensions import db
from tests.browser.helpers import ACCOUNTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1 exige les tests dans le navigateur)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _transaction():
    """The live server has its own database: no per-test transaction on the
    main test application, whose session must not be swapped under the
    server's threads."""
    yield


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live-instance")
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'live.sqlite'}",
            "UPLOAD_DIR": str(instance / "uploads"),
            "ARGON2_FAST": True,
            "RATELIMIT_ENABLED": False,
            "MAIL_DELIVERY": "demo",
            "DEMO_MODE": True,
            "SESSION_COOKIE_SECURE": False,
            "SCHEDULER_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        demo.load()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} est absent : installez le paquet Debian « chromium »")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright n'est pas installé (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Recorder:
    """What a page did: every request it made, every console error and uncaught exception."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)

    def console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "") if message.location else ""
        # Chromium logs a document answered with an error status; the status itself is checked by the tests.
        if message.text.startswith("Failed to load resource") and location in self.documents:
            return
        self.errors.append(f"{message.text} ({location})")

    def response(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.documents[response.url] = response.status


@pytest.fixture(scope="session")
def _sessions(browser, live_server):
    """Log each demo account in once; its cookies are reused by the tests' fresh contexts."""
    states = {}

    def state(who: str):
        if who not in states:
            context = browser.new_context(base_url=live_server.url, locale="fr-FR")
            page = context.new_page()
            login(page, *ACCOUNTS[who])
            states[who] = context.storage_state()
            context.close()
        return states[who]

    return state


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def new_page(browser, live_server, recorder, _sessions):
    """``new_page(who=None)``: a page in a fresh browser context, anonymous or logged in."""
    contexts = []

    def make(who: str | None = None):
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            storage_state=_sessions(who) if who else None,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: recorder.requests.append(request.url))
        page.on("response", recorder.response)
        page.on("console", recorder.console)
        page.on("pageerror", lambda error: recorder.errors.append(f"Exception : {error}"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """An anonymous page in a fresh browser context."""
    return new_page()


def login(page, email: str, password: str) -> None:
    page.goto("/compte/connexion")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/compte/connexion" not in page.url, f"La connexion de {email} a échoué"
