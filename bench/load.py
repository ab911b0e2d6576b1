"""Load benchmark at scale: the platform under gunicorn on PostgreSQL, beside a bare Flask page, driven by wrk.

    python bench/load.py                       # factor 1, database bench_scale
    python bench/load.py --factor 0.1 --duration 5

Steps (each printed as it goes):
1. the database (``--database``, created if missing) is filled by
   ``flask --app wsgi seed scale --factor F`` when empty (timed), reused otherwise;
2. SQL queries per page are counted in-process (test client + SQLAlchemy listener);
3. gunicorn serves the platform (``--workers``, 2 by default) and, beside it, the bare
   application ``bench/bare.py`` with the same settings; wrk drives each page for
   ``--duration`` seconds with ``--connections``, anonymously then logged in, and
   the bare page at the start, the middle and the end of the run (``--alternate``: also just
   before each page, which is then divided by that one: a shared machine's load drifts);
4. the POST of an event registration and of a contribution (wrk with a Lua script
   carrying a CSRF token; the rows written are counted after);
5. background work: mails delivered to a local aiosmtpd server in a process of its own
   (``bench/smtp_sink.py``, unique Message-IDs counted), the daily digests, the
   reminders' scan, with a page's latency measured while they run (``--only-background``:
   this step alone);
6. one markdown table on standard output and in ``--output`` (bench/results-latest.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

LUA_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50\\": %d, \\"p95\\": %d, \\"p99\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

LUA_POST = """
local counter = 0
local created = 0
-- Each thread's Lua state gets its own number (a global set by setup), so that bodies never repeat across threads.
setup = function(thread)
  created = created + 1
  thread:set("tid", created)
end
request = function()
  counter = counter + 1
  local body = string.gsub(BODY, "{n}", tostring(tid) .. "-" .. counter)
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# Database ---------------------------------------------------------------------------


def ensure_database(url: str, factor: float, env: dict) -> dict:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = sa.create_engine(url.replace(parts.path, "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            say(f"base {name} créée")
    admin.dispose()
    # A database filled by an earlier version of the code is brought to the current schema before it is reused.
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        users = connection.scalar(sa.text("SELECT count(*) FROM users")) if "users" in tables else 0
    engine.dispose()
    info = {"seeded_now": False}
    if users:
        say(f"base déjà remplie ({users} comptes) : réutilisée")
        info["users"] = users
        return info
    say(f"seed scale --factor {factor:g} …")
    started = time.monotonic()
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "seed", "scale", "--factor", str(factor)], cwd=ROOT, env=env, check=True)
    info.update(seeded_now=True, seed_seconds=round(time.monotonic() - started, 1))
    say(f"données chargées en {info['seed_seconds']} s")
    return info


def targets(app) -> dict:
    """The pages measured, found in the data."""
    from participation.councils.models import Council
    from participation.events.models import Event, EventState, Registration
    from participation.extensions import db
    from participation.forums.models import Consultation, ConsultationState, Contribution, Topic
    from participation.plans.models import Plan
    from participation.referrals.models import Opinion, Referral
    from participation.surveys.models import Questionnaire

    with app.app_context():
        s = db.session
        big_consultation = s.execute(sa.select(Topic.consultation_id, sa.func.count()).group_by(Topic.consultation_id)
                                     .order_by(sa.func.count().desc()).limit(1)).first()
        big_topic = s.execute(sa.select(Contribution.topic_id, sa.func.count()).group_by(Contribution.topic_id)
                              .order_by(sa.func.count().desc()).limit(1)).first()
        topic = s.get(Topic, big_topic[0])
        pages = -(-big_consultation[1] // app.config["PAGE_SIZE"])
        referral = s.scalar(sa.select(Referral.id).join(Opinion, Opinion.referral_id == Referral.id)
                            .where(Opinion.published_at.is_not(None)).order_by(Referral.id.desc()).limit(1)) \
            or s.scalar(sa.select(sa.func.max(Referral.id)))
        council = s.scalar(sa.select(Council.slug).order_by(Council.id.desc()).limit(1))
        now = datetime.now(UTC)
        event = s.scalar(sa.select(Event.id).join(Registration, Registration.event_id == Event.id)
                         .where(Event.state == EventState.published, Event.starts_at > now)
                         .group_by(Event.id).order_by(sa.func.count().desc()).limit(1))
        plan = s.scalar(sa.select(Plan.slug).order_by(Plan.id).limit(1))
        questionnaire = s.scalar(sa.select(Questionnaire.id).where(Questionnaire.results_published_at.is_not(None)).limit(1))
        # The POSTs: an open consultation's topic, an upcoming event that takes registrations without an account.
        open_topic = s.execute(sa.select(Topic.consultation_id, Topic.id).join(Consultation, Consultation.id == Topic.consultation_id)
                               .where(Consultation.state == ConsultationState.open, Consultation.closes_at > now,
                                      Consultation.opens_at <= now, Consultation.premoderated.is_(False))
                               .order_by(Topic.id).limit(1)).first()
        open_event = s.scalar(sa.select(Event.id).where(Event.state == EventState.published, Event.starts_at > now + timedelta(days=2),
                                                        Event.capacity.is_(None), Event.requires_account.is_(False))
                              .order_by(Event.starts_at).limit(1))
        month = now.strftime("%Y-%m")
        api = "/api/v1/consultations" if "api" in app.blueprints or any(r.rule.startswith("/api/v1") for r in app.url_map.iter_rules()) else None
        return {
            "pages": [
                ("accueil", "/"),
                ("agenda du mois", f"/agenda/?mois={month}"),
                ("liste des concertations", "/concertations/"),
                ("concertation (1re page de sujets)", f"/concertations/{big_consultation[0]}"),
                (f"sujet de {big_topic[1]} contributions", f"/concertations/{topic.consultation_id}/sujets/{topic.id}"),
                (f"concertation, page {min(500, pages)}", f"/concertations/{big_consultation[0]}?page={min(500, pages)}"),
                ("recherche", f"/concertations/{big_consultation[0]}?q=piscine"),
                ("saisine", f"/saisines/{referral}"),
                ("conseil", f"/conseils/{council}"),
                ("événement", f"/evenements/{event}"),
                ("plan", f"/plans/{plan}"),
                ("résultats de questionnaire", f"/questionnaires/{questionnaire}/resultats"),
                ("flux iCalendar", "/agenda.ics"),
                *([("API (liste)", api)] if api else []),
            ],
            "api": api,
            "open_topic": open_topic,
            "open_event": open_event,
        }


def count_queries(app, pages, email, password) -> dict:
    """SQL statements per page, anonymous and logged in (in-process)."""
    from participation.extensions import db

    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    result = {}
    try:
        for who in ("anonyme", "connecté"):
            client = app.test_client()
            if who == "connecté":
                response = client.post("/compte/connexion", data={"email": email, "password": password})
                assert response.status_code == 302, response.status_code
            for _, path in pages:
                client.get(path)  # warm (first request of a page builds caches)
                statements.clear()
                response = client.get(path)
                result[(who, path)] = (len(statements), response.status_code)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return result


# Servers ------------------------------------------------------------------------------


def start_gunicorn(module: str, port: int, env: dict, workers: int, chdir: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(chdir), "--log-level", "warning", module],
        env=env, start_new_session=True,
    )
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{module} ne répond pas sur le port {port}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


def worker_rss(master: int) -> tuple[int, int]:
    """(peak RSS, current RSS) of the largest gunicorn worker, in MiB, from /proc."""
    peak = current = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", status, re.M):
            hwm = int(re.search(r"^VmHWM:\s+(\d+)", status, re.M).group(1))
            rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
            peak, current = max(peak, hwm // 1024), max(current, rss // 1024)
    return peak, current


def wrk(url: str, *, duration: int, connections: int, threads: int, headers: list[str] = (), script: str = LUA_REPORT) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", path]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    os.unlink(path)
    data = json.loads(re.search(r"^JSON (.*)$", output, re.M).group(1))
    seconds = data["duration_us"] / 1e6
    return {"rps": data["requests"] / seconds, "p50": data["p50"] / 1000, "p95": data["p95"] / 1000, "p99": data["p99"] / 1000,
            "requests": data["requests"], "errors": data["errors"], "non2xx": data["non2xx"]}


def login(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/compte/connexion")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/compte/connexion", data={"csrf_token": token, "email": email, "password": password},
                            allow_redirects=False)
    assert response.status_code == 302, response.status_code
    # As a browser does: the page after log-in shows (and so consumes) the flashed « vous êtes connecté·e »;
    # otherwise every request of wrk, which never stores a cookie, would carry it and show it again.
    session.get(response.headers["Location"] if response.headers["Location"].startswith("http") else base + response.headers["Location"])
    return session


def cookie_header(session: requests.Session) -> str:
    return "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def hidden(html: str, name: str) -> str:
    """The value of the form field ``name`` in a page."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError(f"pas de champ {name} dans la page : {html[:300]!r}")
    return value.group(1)


def post_script(path: str, body: str, headers: dict) -> str:
    lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
    return f'PATH = "{path}"\nBODY = "{body}"\nHEADERS = {lua_headers}\n' + LUA_POST + LUA_REPORT


# The run ------------------------------------------------------------------------------


def measure_posts(base: str, t: dict, args, email: str, password: str, app) -> list[dict]:
    """POST of a registration (without an account, a new address each time) and of a contribution (logged in)."""
    from urllib.parse import quote_plus

    from participation.events.models import Registration
    from participation.extensions import db
    from participation.forums.models import Contribution

    rows = []
    with app.app_context():
        before = (db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == t["open_event"])),
                  db.session.scalar(sa.select(sa.func.count()).select_from(Contribution).where(Contribution.topic_id == t["open_topic"][1])))
    # Registration: an anonymous session's CSRF token, reused (the session is a signed cookie).
    anonymous = requests.Session()
    page = anonymous.get(f"{base}/evenements/{t['open_event']}/inscription")
    token = hidden(page.text, "csrf_token")
    stamp = int(time.time())
    body = f"csrf_token={quote_plus(token)}&name=Charge+{{n}}&email=charge-{stamp}-{{n}}%40bench.example&accessibility_needs="
    script = post_script(f"/evenements/{t['open_event']}/inscription", body,
                         {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(anonymous)[8:]})
    registration = wrk(f"{base}/evenements/{t['open_event']}/inscription", duration=args.duration, connections=args.connections,
                       threads=args.threads, script=script)
    # Contribution: logged in, after accepting the charter; the form's signed start time is older than the minimum fill time.
    session = login(base, email, password)
    cid, tid = t["open_topic"]
    page = session.get(f"{base}/concertations/{cid}")
    if 'name="accept"' in page.text:
        session.post(f"{base}/concertations/{cid}/charte", data={"csrf_token": hidden(page.text, "csrf_token"), "accept": "y"})
    page = session.get(f"{base}/concertations/{cid}/sujets/{tid}")
    started = hidden(page.text, "started")
    token = hidden(page.text, "csrf_token")
    with app.app_context():
        wait = app.config.get("FORUMS_MIN_FILL_SECONDS", 3)
    time.sleep(wait + 1)
    body = (f"csrf_token={quote_plus(token)}&started={quote_plus(started)}&website=&parent_id="
            "&body=Contribution+de+charge+{n}+%3A+la+piste+cyclable+devrait+aller+jusqu%27au+lyc%C3%A9e.")
    script = post_script(f"/concertations/{cid}/sujets/{tid}/contributions", body,
                         {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(session)[8:]})
    contribution = wrk(f"{base}/concertations/{cid}/sujets/{tid}/contributions", duration=args.duration,
                       connections=args.connections, threads=args.threads, script=script)
    with app.app_context():
        after = (db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == t["open_event"])),
                 db.session.scalar(sa.select(sa.func.count()).select_from(Contribution).where(Contribution.topic_id == t["open_topic"][1])))
    registration.update(label="POST inscription (sans compte)", who="anonyme", written=after[0] - before[0])
    contribution.update(label="POST contribution", who="connecté", written=after[1] - before[1])
    rows += [registration, contribution]
    return rows


def background(app, smtp, base: str, args, page: str) -> dict:
    """Mails, digests and reminders at scale, with a page's latency measured by wrk while they run."""
    from participation.core.outbox import deliver_due
    from participation.core.models import Base
    from participation.events.jobs import send_reminders
    from participation.events.models import Event, EventState, Registration
    from participation.extensions import db
    from participation.notifications.jobs import send_digests
    from participation.notifications.models import Notification

    samples: list[dict] = []
    running = threading.Event()
    running.set()
    # The work under way when a slice of wrk starts, to tell which one slows the page.
    phase = {"now": "courriels"}

    def load():
        while running.is_set():
            during = phase["now"]
            samples.append({**wrk(f"{base}{page}", duration=5, connections=args.connections, threads=args.threads), "phase": during})

    result = {}
    outbox = Base.metadata.tables["outbox_mails"]
    with app.app_context():
        now = datetime.now(UTC)
        # The mails are copies of a notice (text, HTML, List-Unsubscribe headers), the common case, without
        # an attachment made at send time (a convocation's PDF would measure the PDF, not the delivery).
        template = dict(db.session.execute(
            sa.select(outbox).order_by((outbox.c.template == "notifications/notice").desc(), outbox.c.id).limit(1)
        ).mappings().one())
        template.pop("id")
        rows = [{**template, "recipient": f"habitant{i}@scale.example", "user_id": None, "subject": f"Message de charge {i}",
                 "dedup_key": f"bench.load:{now.isoformat()}:{i}", "status": "pending", "attempts": 0, "attachments": None,
                 "last_error": None, "created_at": now, "next_attempt_at": now, "sent_at": None} for i in range(args.mails)]
        for start in range(0, len(rows), 2000):
            db.session.execute(outbox.insert(), rows[start:start + 2000])
        db.session.commit()
    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    time.sleep(1)
    smtp.clear()
    started = time.monotonic()
    sent = 0
    while True:
        # Each run in its own application context, as the worker runs its jobs.
        with app.app_context():
            counts = deliver_due()
            db.session.remove()
        if not counts.get("sent"):
            break
        sent += counts["sent"]
    mail_seconds = time.monotonic() - started
    received = smtp.count()
    result["mails"] = {"sent": sent, "received": received["received"], "unique": received["unique"], "seconds": round(mail_seconds, 1),
                       "connections": args.smtp_connections}
    say(f"courriels : {result['mails']}")
    phase["now"] = "résumés"
    with app.app_context():
        # The digests' hour: tomorrow 9 h, Paris time, for every notice waiting for a daily digest.
        from zoneinfo import ZoneInfo

        from participation.core.outbox import OutboxMail
        from participation.notifications.jobs import digest_period
        from participation.notifications.models import Delivery

        # Every scale account's notice waits for its daily digest again, and the digests go out on a day no earlier
        # run has used (one digest per person and day): each run prepares them all.
        db.session.execute(sa.update(Notification).where(Notification.dedup_key.like("scale.digest:%")).values(digest=Delivery.daily))
        db.session.commit()
        for offset in range(1, 1000):
            local = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=offset)).replace(hour=9, minute=5, second=0, microsecond=0)
            period = digest_period(Delivery.daily, local)
            if not db.session.scalar(sa.select(OutboxMail.id).where(OutboxMail.dedup_key.like(f"digest:daily:%:{period}")).limit(1)):
                break
        # The job stops after its time budget and the next run carries on: runs follow one another until none is left,
        # or until --digest-seconds have passed.
    started = time.monotonic()
    digests = runs = 0
    while time.monotonic() - started < args.digest_seconds:
        # Each run in its own application context, as the worker runs its jobs.
        with app.app_context():
            done = send_digests(now=local.astimezone(UTC))
            db.session.commit()
            db.session.remove()
        runs += 1
        digests += done
        if not done:
            break
    digest_seconds = time.monotonic() - started
    with app.app_context():
        waiting = db.session.scalar(sa.select(sa.func.count(sa.distinct(Notification.user_id))).where(Notification.digest == "daily"))
        result["digests"] = {"queued": digests, "runs": runs, "seconds": round(digest_seconds, 1), "still_waiting": waiting}
        say(f"résumés : {result['digests']}")
        phase["now"] = "rappels"
        # Reminders: a scan every 6 hours over the next 8 days (each looks at the events then in a reminder window).
        started = time.monotonic()
        reminders = 0
        scans = 0
        moment = datetime.now(UTC)
        while moment < datetime.now(UTC) + timedelta(days=8):
            reminders += send_reminders(now=moment)
            db.session.commit()
            moment += timedelta(hours=6)
            scans += 1
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).join(Event)
                                  .where(Event.state == EventState.published))
        result["reminders"] = {"scans": scans, "queued": reminders, "registrations": total, "seconds": round(time.monotonic() - started, 1)}
        say(f"rappels : {result['reminders']}")
    running.clear()
    thread.join()
    result["latency"] = {
        "runs": len(samples),
        "rps": round(sum(s["rps"] for s in samples) / max(1, len(samples)), 1),
        "p50": max((s["p50"] for s in samples), default=0), "p95": max((s["p95"] for s in samples), default=0),
        "p99": max((s["p99"] for s in samples), default=0),
        "phases": {name: {"runs": len(part), "p95_median": sorted(p["p95"] for p in part)[len(part) // 2],
                          "p95_worst": max(p["p95"] for p in part)}
                   for name in ("courriels", "résumés", "rappels") if (part := [s for s in samples if s["phase"] == name])},
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_scale"))
    parser.add_argument("--duration", type=int, default=10, help="secondes de charge par page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--smtp-connections", type=int, default=1,
                        help="connexions SMTP d'un passage de remise (OUTBOX_SMTP_CONNECTIONS, 1 par défaut comme la plateforme)")
    parser.add_argument("--digest-seconds", type=int, default=600, help="temps accordé aux résumés (le reste est compté)")
    parser.add_argument("--no-background", action="store_true")
    parser.add_argument("--only-background", action="store_true",
                        help="seulement le travail de fond (courriels, résumés, rappels) et la latence d'une page pendant ce temps")
    parser.add_argument("--no-pages", action="store_true", help="seulement les POST (et le travail de fond sans --no-background)")
    parser.add_argument("--pages", default="", help="seulement les pages dont le libellé ou le chemin contient l'un de ces mots "
                                                    "(séparés par des virgules), par exemple « API,accueil,.ics »")
    parser.add_argument("--anonymous-only", action="store_true", help="les pages sans se connecter seulement")
    parser.add_argument("--no-posts", action="store_true", help="sans les POST d'inscription et de contribution")
    parser.add_argument("--alternate", action="store_true",
                        help="la page nue mesurée juste avant chaque page, et chaque page rapportée à celle-là (machine partagée)")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                        help="Redis du cache de pages (PAGE_CACHE_REDIS_URL) ; « aucun » : sans Redis")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results-latest.md"))
    args = parser.parse_args()

    from smtp_sink import SMTPSink

    from participation import create_app
    from participation.demo import DEMO_PASSWORD

    # The SMTP server in a process of its own, its logging off: it shares neither the interpreter lock
    # nor the time of the worker that delivers, which is what is measured.
    smtp = SMTPSink(port=free_port())
    smtp.start()
    instance = tempfile.mkdtemp(prefix="bench-")
    env = {**os.environ, "DATABASE_URL": args.database, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": "0",
           "SESSION_COOKIE_SECURE": "0", "SCHEDULER_ENABLED": "0", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "BASE_URL": "http://127.0.0.1", "INSTANCE_PATH": instance}
    if args.redis != "aucun":
        # The platform as deployed: pages and generations shared by the workers in Redis. A prefix of
        # this run's own (no entry of an earlier run on a database changed since), its keys removed at the end.
        env.update(PAGE_CACHE_REDIS_URL=args.redis, PAGE_CACHE_REDIS_PREFIX=f"bench-{os.getpid()}-{int(time.time())}:")
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    data = ensure_database(args.database, args.factor, env)
    # In-process app: SQL counted with the page cache off (what a page costs when it is built), the jobs run here.
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False,
                      "PAGE_CACHE": False,
                      "RATELIMIT_ENABLED": False, "MAIL_DELIVERY": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
                      "OUTBOX_SMTP_CONNECTIONS": args.smtp_connections,
                      "BASE_URL": "http://127.0.0.1", "INSTANCE_PATH": instance})
    email = "habitante@demo.example"
    t = targets(app)
    if args.pages:
        wanted = [w.strip().lower() for w in args.pages.split(",") if w.strip()]
        t["pages"] = [(label, path) for label, path in t["pages"] if any(w in label.lower() or w in path.lower() for w in wanted)]
    queries = {} if args.only_background or args.no_pages else count_queries(app, t["pages"], email, DEMO_PASSWORD)
    say("requêtes SQL comptées")
    port, bare_port = free_port(), free_port()
    platform = start_gunicorn("wsgi:app", port, env, args.workers, ROOT)
    bare = start_gunicorn("bare:app", bare_port, env, args.workers, ROOT / "bench")
    base = f"http://127.0.0.1:{port}"
    rows, bares = [], []
    try:
        settings = dict(duration=args.duration, connections=args.connections, threads=args.threads)

        def bare_run(when):
            result = wrk(f"http://127.0.0.1:{bare_port}/", **settings)
            result.update(label=f"page nue ({when})", who="—", path="bench/bare.py")
            bares.append(result)
            say(f"page nue : {result['rps']:.0f} req/s, p95 {result['p95']:.1f} ms")
            return result

        session = login(base, email, DEMO_PASSWORD)
        bare_run("début")
        people = () if args.only_background else ("anonyme",) if args.anonymous_only else ("anonyme", "connecté")
        for n, who in enumerate(people):
            headers = [cookie_header(session)] if who == "connecté" else []
            for label, path in ([] if args.no_pages else t["pages"]):
                for _ in range(1):  # warm the workers on this page before measuring
                    requests.get(f"{base}{path}", headers={"Cookie": headers[0][8:]} if headers else {}, timeout=60)
                beside = bare_run(f"avant « {label} »") if args.alternate else None
                result = wrk(f"{base}{path}", headers=headers, **settings)
                if beside is not None:
                    result.update(bare_rps=beside["rps"], bare_p95=beside["p95"])
                result.update(label=label, who=who, path=path, queries=queries[(who, path)][0], status=queries[(who, path)][1])
                rows.append(result)
                say(f"{who:9} {label:<38} {result['rps']:8.1f} req/s  p95 {result['p95']:8.1f} ms  ({result['non2xx']} non-2xx)")
            bare_run("milieu" if n == 0 else "après les pages")
        if not (args.no_posts or args.only_background):
            rows += measure_posts(base, t, args, email, DEMO_PASSWORD, app)
            for row in rows[-2:]:
                say(f"{row['label']}: {row['rps']:.1f} req/s, {row['written']} lignes écrites pour {row['requests']} requêtes")
        bg = None if args.no_background else background(app, smtp, base, args, "/concertations/")
        if args.only_background:
            bare_run("après le travail de fond")
        peak, current = worker_rss(platform.pid)
    finally:
        stop(platform)
        stop(bare)
        smtp.stop()
        forget_redis_keys(env)
    report(args, data, rows, bares, bg, peak, current, t)


def forget_redis_keys(env: dict) -> None:
    if not env.get("PAGE_CACHE_REDIS_URL"):
        return
    import redis

    client = redis.Redis.from_url(env["PAGE_CACHE_REDIS_URL"])
    keys = list(client.scan_iter(match=env["PAGE_CACHE_REDIS_PREFIX"] + "*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])


def report(args, data, rows, bares, bg, peak, current, t) -> None:
    if args.only_background:
        return report_background(args, bg, bares)
    bare_rps = sum(b["rps"] for b in bares) / len(bares)
    bare_p95 = sum(b["p95"] for b in bares) / len(bares)
    lines = [
        f"Charge : wrk -t{args.threads} -c{args.connections} -d{args.duration}s par page ; gunicorn {args.workers} workers (sync) ; "
        f"facteur {args.factor:g} ; base {urlsplit(args.database).path.lstrip('/')}"
        + (f" (remplie en {data['seed_seconds']} s)" if data.get("seeded_now") else " (réutilisée)")
        + (f" ; cache de pages dans Redis ({args.redis})" if args.redis != "aucun" else " ; cache de pages sans Redis (mémoire du worker)"),
        "",
        "| page | qui | req/s | p50 ms | p95 ms | p99 ms | × page nue (req/s) | p95 / p95 nue | requêtes SQL (page construite) | non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in bares:
        lines.append(f"| {b['label']} | — | {b['rps']:.0f} | {b['p50']:.1f} | {b['p95']:.1f} | {b['p99']:.1f} | 1 | 1 | 0 | {b['non2xx']} |")
    for r in rows:
        sql = r.get("queries", "—")
        extra = f" ({r['written']} lignes écrites / {r['requests']} requêtes)" if "written" in r else ""
        # --alternate: the bare page measured just before this one; else the mean of the bare runs.
        near_rps, near_p95 = r.get("bare_rps", bare_rps), r.get("bare_p95", bare_p95)
        lines.append(f"| {r['label']}{extra} | {r['who']} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                     f"{r['rps'] / near_rps:.2f} | {r['p95'] / near_p95:.1f} | {sql} | {r['non2xx'] + r['errors']} |")
    lines += ["", f"Page nue (moyenne des {len(bares)} mesures) : {bare_rps:.0f} req/s, p95 {bare_p95:.1f} ms"
              + (" ; chaque page est rapportée à la page nue mesurée juste avant elle." if args.alternate else "."),
              f"Mémoire d'un worker web (gunicorn) : pic {peak} Mio, {current} Mio en fin de mesure (VmHWM / VmRSS, /proc).", ""]
    lines.append("Chemins mesurés : " + ", ".join(f"`{path}`" for _, path in t["pages"]) + ".")
    if not t["api"]:
        lines.append("API : pas de `/api/v1/…` sur cette version, page non mesurée.")
    if bg:
        lines += background_lines(bg)
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    Path(args.output).write_text(text)


def report_background(args, bg, bares) -> None:
    bare_p95 = sum(b["p95"] for b in bares) / len(bares)
    lat = bg["latency"]
    lines = [f"Travail de fond seul (--only-background) : base {urlsplit(args.database).path.lstrip('/')} ; gunicorn {args.workers} workers ; "
             f"wrk -t{args.threads} -c{args.connections}", *background_lines(bg), "",
             "Page nue, avant et après : " + ", ".join(f"{b['rps']:.0f} req/s (p95 {b['p95']:.1f} ms)" for b in bares)
             + f" ; p95 de `/concertations/` pendant le travail de fond, rapporté au p95 moyen de la page nue : pire {lat['p95'] / bare_p95:.1f}×, "
             + ", ".join(f"médiane pendant les {name} {p['p95_median'] / bare_p95:.1f}×" for name, p in lat["phases"].items()) + "."]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    Path(args.output).write_text(text)


def counted(n, word: str) -> str:
    """« 1 tranche », « 5 tranches » (0 and 1 take the singular in French)."""
    return f"{n} {word if abs(n) < 2 else word + 's'}"


def background_lines(bg) -> list[str]:
    m, d, r, lat = bg["mails"], bg["digests"], bg["reminders"], bg["latency"]
    return ["", "Travail de fond (en même temps, wrk sur `/concertations/` par tranches de 5 s) :", "",
            f"- {counted(m['sent'], 'courriel')} remis à aiosmtpd ({counted(m['connections'], 'connexion')} SMTP par passage) en {m['seconds']} s "
            f"({m['sent'] / max(m['seconds'], 0.1):.0f}/s) ; "
            f"{counted(m['received'], 'reçu')}, {m['unique']} Message-ID distincts (aucun en double : {'oui' if m['unique'] == m['received'] else 'NON'}).",
            f"- Résumés quotidiens : {counted(d['queued'], 'préparé')} en {d['seconds']} s ({counted(d['runs'], 'passage')} de la tâche), "
            f"{counted(d['still_waiting'], 'personne')} encore en attente à la fin.",
            f"- Rappels : {counted(r['scans'], 'passage')} de la tâche (toutes les 6 h sur 8 jours), {counted(r['registrations'], 'inscription')} dans la base "
            f"(chaque passage lit celles des événements dans une fenêtre de rappel), {counted(r['queued'], 'rappel')} mis en file, en {r['seconds']} s.",
            f"- Pendant ce temps, `/concertations/` : {lat['rps']} req/s en moyenne sur {counted(lat['runs'], 'tranche')}, "
            f"pire p50 {lat['p50']:.1f} ms, pire p95 {lat['p95']:.1f} ms, pire p99 {lat['p99']:.1f} ms ; p95 par travail en cours "
            "(médiane des tranches / pire) : "
            + " ; ".join(f"{name} {p['p95_median']:.1f} / {p['p95_worst']:.1f} ms ({counted(p['runs'], 'tranche')})" for name, p in lat["phases"].items()) + "."]


if __name__ == "__main__":
    main()
