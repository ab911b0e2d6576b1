"""What one POST of a registration and of a contribution costs, in-process, on a copy of bench_scale.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_copie \\
        .venv/bin/python bench/post_cost.py 60 [--only inscription|contribution] [--profile DIR] [--sql]

Writes to the database (registrations, contributions): never point it at bench_scale itself.
Prints, for each POST, the median and mean wall time, the median CPU time of this process and the
number of SQL statements of one POST. The first two POSTs warm the caches and are not counted.
``--profile DIR`` writes a pyinstrument profile of each; ``--sql`` prints the statements of one POST.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

PASSWORD = "demo-participation"


def hidden(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    return re.search(r'\bvalue="([^"]*)"', tag.group(0)).group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("posts", type=int, nargs="?", default=60)
    parser.add_argument("--only", choices=("inscription", "contribution"))
    parser.add_argument("--profile", metavar="DIR")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--email", default="habitant1@scale.example", help="the resident who contributes")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL"), help="Redis of the page cache, as deployed")
    args = parser.parse_args()
    url = os.environ["BENCH_DATABASE_URL"]
    if url.rstrip("/").endswith("/bench_scale"):
        raise SystemExit("bench_scale reste intacte : copiez-la (createdb -T bench_scale …) et mesurez sur la copie.")
    os.environ.update(SECRET_KEY="bench-secret", RATELIMIT_ENABLED="0", SCHEDULER_ENABLED="0")

    from participation import create_app
    from participation.events.models import Event, EventState
    from participation.extensions import db
    from participation.forums.models import Consultation, ConsultationState, Follow, Topic

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False, "FORUMS_MIN_FILL_SECONDS": 0,
              "BASE_URL": "http://127.0.0.1", "MAIL_DELIVERY": "smtp", "INSTANCE_PATH": tempfile.mkdtemp(prefix="post-cost-")}
    if args.redis:
        config.update(PAGE_CACHE_REDIS_URL=args.redis, PAGE_CACHE_REDIS_PREFIX=f"post-cost-{os.getpid()}:")
    app = create_app(config)
    # The same targets as bench/load.py: the first open topic, the first event open to registration without an account.
    with app.app_context():
        now = datetime.now(UTC)
        cid, tid = db.session.execute(
            sa.select(Topic.consultation_id, Topic.id).join(Consultation, Consultation.id == Topic.consultation_id)
            .where(Consultation.state == ConsultationState.open, Consultation.closes_at > now, Consultation.opens_at <= now,
                   Consultation.premoderated.is_(False)).order_by(Topic.id).limit(1)).first()
        event_id = db.session.scalar(
            sa.select(Event.id).where(Event.state == EventState.published, Event.starts_at > now + timedelta(days=2),
                                      Event.capacity.is_(None), Event.requires_account.is_(False)).order_by(Event.starts_at).limit(1))
        followers = db.session.scalar(sa.select(sa.func.count()).select_from(Follow).where(Follow.topic_id == tid))
        engine = db.engine
    print(f"sujet {tid} ({followers} abonnés), événement {event_id}")

    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: statements.append(statement))
    stamp = int(time.time())

    def run(label, client, path, make):
        walls, cpus, counts = [], [], []
        profiler = None
        for i in range(args.posts):
            data = make(i)
            if i == 2 and args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            statements.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post(path, data=data)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            counts.append(len(statements))
            assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:500])
            # The message it flashed is dropped, as a browser's next page would read it: each POST carries the same
            # session (as wrk's do), not one growing by a message per POST.
            with client.session_transaction() as session:
                session.pop("_flashes", None)
            if args.sql and i == 2:
                print("\n".join("   " + " ".join(s.split())[:150] for s in statements))
        if profiler:
            profiler.stop()
            with open(os.path.join(args.profile, f"{label}.txt"), "w") as out:
                out.write(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))
        kept = walls[2:]
        print(f"{label}: médiane {statistics.median(kept):.1f} ms, moyenne {statistics.mean(kept):.1f} ms, "
              f"CPU de ce processus (médiane) {statistics.median(cpus[2:]):.1f} ms, {counts[-1]} requêtes SQL par POST")

    if args.only in (None, "inscription"):
        anonymous = app.test_client()
        token = hidden(anonymous.get(f"/evenements/{event_id}/inscription").get_data(as_text=True), "csrf_token")
        run("inscription", anonymous, f"/evenements/{event_id}/inscription",
            lambda i: {"csrf_token": token, "name": f"Charge {i}", "email": f"charge-{stamp}-{i}@bench.example", "accessibility_needs": ""})
    if args.only in (None, "contribution"):
        resident = app.test_client()
        page = resident.get("/compte/connexion").get_data(as_text=True)
        response = resident.post("/compte/connexion", data={"csrf_token": hidden(page, "csrf_token"), "email": args.email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        page = resident.get(f"/concertations/{cid}").get_data(as_text=True)
        if 'name="accept"' in page:
            resident.post(f"/concertations/{cid}/charte", data={"csrf_token": hidden(page, "csrf_token"), "accept": "y"})
        page = resident.get(f"/concertations/{cid}/sujets/{tid}").get_data(as_text=True)
        started, token = hidden(page, "started"), hidden(page, "csrf_token")
        run("contribution", resident, f"/concertations/{cid}/sujets/{tid}/contributions",
            lambda i: {"csrf_token": token, "started": started, "website": "", "parent_id": "",
                       "body": f"Contribution de charge {stamp}-{i} : la piste cyclable devrait aller jusqu'au lycée."})


if __name__ == "__main__":
    main()
