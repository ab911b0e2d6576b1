"""Benchmark: page latency and SQL queries per page, outbox throughput, peak memory.

    .venv/bin/python bench/run.py              # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/run.py

The database named by BENCH_DATABASE_URL is emptied first. Results are
printed and written to bench/results/<date>.json. Numbers depend on the
machine: compare runs made on the same one.
"""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import statistics
import sys
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from participation import create_app  # noqa: E402
from participation.extensions import db  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", 2000))
NOTIFICATIONS = int(os.environ.get("BENCH_NOTIFICATIONS", 5000))
MAILS = int(os.environ.get("BENCH_MAILS", 2000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 200))
# Responses added to the demo's open questionnaire (its results page is measured).
SURVEY_RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", 10_000))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_app(tmp: Path, smtp_port: int):
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite'}"
    app = create_app({
        "INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "MAIL_DELIVERY": "smtp",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "DEMO_MODE": True, "BASE_URL": "http://bench.local",
    })
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    return app


def populate(app) -> None:
    from participation import demo
    from participation.accounts.models import User
    from participation.accounts.services import hash_password
    from participation.core.eventlog import record
    from participation.notifications.models import Notification

    with app.app_context():
        demo.load()
        db.session.commit()
        password_hash = hash_password("bench-password-1")
        db.session.execute(sa.insert(User), [
            {"email": f"habitant{i}@bench.example", "password_hash": password_hash, "display_name": f"Habitant {i}",
             "state": "active", "login_key": f"k{i}", "locale": "fr"} for i in range(USERS)
        ])
        resident = db.session.scalar(sa.select(User).where(User.email == "habitante@demo.example"))
        db.session.execute(sa.insert(Notification), [
            {"user_id": resident.id, "title": f"Notification {i}", "body": "Texte"} for i in range(NOTIFICATIONS)
        ])
        for i in range(500):
            record("user.bench", resident, resident, {"i": i})
        from participation.surveys.demo import seed_responses
        from participation.surveys.models import Questionnaire

        seed_responses(db.session.get(Questionnaire, 2), SURVEY_RESPONSES, seed=10)
        db.session.commit()


def measure_pages(app) -> list[dict]:
    from participation.demo import DEMO_PASSWORD

    results = []
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with app.app_context():
        from participation.referrals.models import ActivityReport, ActivityReportState

        report = db.session.scalar(sa.select(ActivityReport).where(ActivityReport.state == ActivityReportState.published))
        report_path = f"/saisines/rapports/{report.council.slug}/{report.year}" if report else "/saisines/rapports/aucun/2000"
    pages = [
        ("anonyme", "/"),
        ("anonyme", "/compte/connexion"),
        ("anonyme", "/donnees-personnelles"),
        ("anonyme", "/conseils/"),
        ("anonyme", "/saisines/"),
        ("anonyme", "/saisines/3"),
        ("anonyme", "/saisines/3/avis"),
        ("anonyme", report_path),
        ("anonyme", "/conseils/conseil-de-developpement-du-val-de-loirande"),
        ("anonyme", "/concertations/"),
        ("anonyme", "/concertations/1"),
        ("anonyme", "/agenda/"),
        ("anonyme", "/agenda.ics"),
        ("anonyme", "/evenements/"),
        ("anonyme", "/subventions/"),
        ("anonyme", "/opendata/subventions.csv"),
        ("anonyme", "/plans/projet-de-territoire-2025-2035"),
        ("anonyme", "/plans/projet-de-territoire-2025-2035/plan-d-actions.csv"),
        ("habitante@demo.example", "/notifications/"),
        ("habitante@demo.example", "/compte/profil"),
        ("admin@demo.example", "/gestion/"),
        ("admin@demo.example", "/gestion/journal"),
        ("admin@demo.example", "/gestion/utilisateurs"),
        ("admin@demo.example", "/gestion/courriels"),
        ("admin@demo.example", "/gestion/communes"),
        ("admin@demo.example", "/gestion/indicateurs"),
        ("admin@demo.example", "/gestion/demarches/"),
        ("anonyme", "/demarches/"),
        ("anonyme", "/bilans/"),
        ("admin@demo.example", "/gestion/plans/1"),
        ("admin@demo.example", "/gestion/questionnaires/2/resultats"),
        ("admin@demo.example", "/gestion/questionnaires/2/croisement?question=17&par=age"),
    ]
    clients = {}
    for who, path in pages:
        client = clients.get(who)
        if client is None:
            client = clients[who] = app.test_client()
            if who != "anonyme":
                response = client.post("/compte/connexion", data={"email": who, "password": DEMO_PASSWORD})
                assert response.status_code == 302, response.status_code
        first = client.get(path)
        if first.status_code == 404:
            continue
        assert first.status_code == 200, (path, first.status_code)
        timings = []
        for _ in range(REQUESTS):
            statements.clear()
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        results.append({
            "page": path, "as": who, "queries": len(statements),
            "median_ms": round(statistics.median(timings), 2), "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        })
    return results


def measure_outbox(app, smtp) -> dict:
    from participation.core.outbox import deliver_due, queue_mail

    with app.test_request_context("/"):
        for i in range(MAILS):
            queue_mail(to=f"habitant{i}@bench.example", subject=f"Message {i}", template="accounts/password_changed",
                       dedup_key=f"bench:{i}", display_name="Habitant", reset_url="http://bench.local/r")
        db.session.commit()
    with app.app_context():
        start = time.perf_counter()
        sent = 0
        while True:
            counts = deliver_due()
            db.session.remove()
            if not counts["sent"]:
                break
            sent += counts["sent"]
        elapsed = time.perf_counter() - start
    # The demo data queued some mail of its own: everything queued must arrive, once.
    assert len(smtp.messages) == sent >= MAILS, (len(smtp.messages), sent)
    return {"mails": sent, "seconds": round(elapsed, 2), "mails_per_second": round(sent / elapsed, 1)}


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from tests.smtp import SMTPServer

    smtp = SMTPServer(port=free_port())
    smtp.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = build_app(Path(tmp), smtp.port)
            started = time.perf_counter()
            populate(app)
            populate_seconds = time.perf_counter() - started
            pages = measure_pages(app)
            outbox = measure_outbox(app, smtp)
            with app.app_context():
                dialect = db.engine.dialect.name
    finally:
        smtp.stop()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "database": dialect,
        "data": {"users": USERS, "notifications": NOTIFICATIONS}, "populate_seconds": round(populate_seconds, 2),
        "pages": pages, "outbox_smtp": outbox, "peak_rss_mb": round(peak_mb, 1),
    }
    print(f"Base : {dialect} — {USERS} comptes, {NOTIFICATIONS} notifications, {REQUESTS} requêtes par page")
    print(f"{'page':<28}{'en tant que':<26}{'requêtes SQL':>13}{'médiane ms':>12}{'p95 ms':>9}")
    for row in pages:
        print(f"{row['page']:<28}{row['as']:<26}{row['queries']:>13}{row['median_ms']:>12}{row['p95_ms']:>9}")
    print(f"Outbox : {outbox['mails']} courriels remis par SMTP en {outbox['seconds']} s ({outbox['mails_per_second']}/s)")
    print(f"Mémoire maximale du processus : {report['peak_rss_mb']} Mio")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = re.sub(r"[^0-9T]", "", report["date"])[:15]
    (out / f"{name}-{dialect}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
