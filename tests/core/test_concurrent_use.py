"""The embedded default holds concurrent use: the web app, served by a real
WSGI server, and the worker delivering mail run together on the test database
(a file for SQLite), while 8 threads log in and sign up."""

from __future__ import annotations

import http.client
import re
import threading
import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from participation.core.outbox import MailStatus, OutboxMail
from participation.core.scheduler import SchedulerLock, build_scheduler
from participation.extensions import db
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One visitor: its own cookies, one HTTP connection per request, no redirect followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def submit(self, path: str, form: dict) -> int:
        status, page = self.request("GET", path)
        assert status == 200, f"GET {path}: {status}"
        token = CSRF_RE.search(page)
        assert token, f"pas de jeton CSRF sur {path}"
        status, _ = self.request("POST", path, {**form, "csrf_token": token.group(1)})
        return status


@pytest.mark.committing
def test_200_logins_and_50_signups_from_8_threads_while_the_worker_delivers(app, mailbox):
    factories.territory()
    people = [factories.user(email=f"habitant{i}@example.org") for i in range(20)]
    emails = [p.email for p in people]
    db.session.commit()
    db.session.remove()

    poll = app.config["OUTBOX_POLL_SECONDS"]
    app.config["OUTBOX_POLL_SECONDS"] = 1
    # The worker, as ``flask demo`` runs it beside the web server.
    worker_lock = SchedulerLock(db.engine)
    scheduler = build_scheduler(app, worker_lock, blocking=False)
    scheduler.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()

    tasks = [("login", emails[i % len(emails)]) for i in range(200)]
    tasks += [("signup", f"nouvelle{i}@example.org") for i in range(50)]
    tasks.sort(key=lambda task: hash(task[1]))  # log-ins and sign-ups mixed
    errors: list[str] = []
    done = []
    lock = threading.Lock()

    def visitor(share):
        for kind, email in share:
            browser = Browser(server.port)
            try:
                if kind == "login":
                    status = browser.submit("/compte/connexion", {"email": email, "password": factories.PASSWORD})
                else:
                    status = browser.submit("/compte/inscription", {
                        "email": email, "display_name": email.split("@")[0], "commune": "",
                        "password": factories.PASSWORD, "password_confirm": factories.PASSWORD,
                    })
                outcome = None if status == 302 else f"{kind} {email}: HTTP {status}"
            except Exception as error:  # reported below, with the others
                outcome = f"{kind} {email}: {error!r}"
            with lock:
                done.append(kind)
                if outcome:
                    errors.append(outcome)

    threads = [threading.Thread(target=visitor, args=(tasks[i::8],)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        # The worker keeps delivering: every confirmation mail reaches the SMTP server.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(mailbox) < 50:
            time.sleep(0.2)
    finally:
        server.shutdown()
        scheduler.shutdown(wait=True)
        worker_lock.release()
        app.config["OUTBOX_POLL_SECONDS"] = poll

    assert not errors, f"{len(errors)} erreurs sur {len(done)} requêtes : {errors[:5]}"
    assert len(done) == 250
    assert sorted(r for m in mailbox for r in m.recipients) == sorted(f"nouvelle{i}@example.org" for i in range(50))
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail).where(OutboxMail.status == MailStatus.sent))
    assert sent == 50
