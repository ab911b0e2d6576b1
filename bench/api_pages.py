"""The public API at scale: every contribution read through ``/api/v1/contributions``, page after page.

    .venv/bin/python bench/api_pages.py                          # bench_scale on 127.0.0.1
    .venv/bin/python bench/api_pages.py --database postgresql://postgres@127.0.0.1:5432/<db>

In the process, with the app's test client: the largest page (``limit=100``), following
``next`` until there is none. Each page's SQL statements are counted (``before_cursor_execute``)
and its time measured. Checks that every id comes exactly once and that their number is
the count of contributions the API shows (published or deleted, in a public consultation).
Reads only: the database is not changed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from participation import create_app  # noqa: E402
from participation.extensions import db  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_scale"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    app = create_app({"INSTANCE_PATH": tmp, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.database,
                      "BASE_URL": "http://bench.local", "SERVER_NAME": "bench.local", "RATELIMIT_ENABLED": False})
    from participation.forums import api as forums_api

    counter = {"n": 0}
    with app.app_context():
        expected = db.session.execute(sa.select(sa.func.count()).select_from(
            forums_api._contributions().order_by(None).subquery())).scalar_one()
        db.session.remove()

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_):
            counter["n"] += 1

    client = app.test_client()
    url = f"/api/v1/contributions?limit={args.limit}"
    seen: set[int] = set()
    repeated = 0
    times: list[float] = []
    queries: list[int] = []
    started = time.perf_counter()
    while url:
        counter["n"] = 0
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        queries.append(counter["n"])
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:500])
        body = response.get_json()
        for item in body["data"]:
            if item["id"] in seen:
                repeated += 1
            seen.add(item["id"])
        url = body["links"]["next"]
        if url:
            url = url.replace("http://bench.local", "")
    total = time.perf_counter() - started
    times_ms = sorted(t * 1000 for t in times)
    p95 = times_ms[min(len(times_ms) - 1, int(len(times_ms) * 0.95))]
    print(f"base            : {args.database}")
    print(f"pages           : {len(times)} (limit={args.limit})")
    print(f"éléments        : {len(seen)} distincts, {repeated} répétés, attendus {expected}")
    print(f"requêtes SQL    : max {max(queries)} par page, min {min(queries)}")
    print(f"temps par page  : p50 {statistics.median(times_ms):.1f} ms, p95 {p95:.1f} ms, max {times_ms[-1]:.1f} ms")
    print(f"parcours entier : {total:.1f} s")
    assert repeated == 0, f"{repeated} éléments vus plusieurs fois"
    assert len(seen) == expected, f"{len(seen)} éléments lus, {expected} attendus"


if __name__ == "__main__":
    main()
