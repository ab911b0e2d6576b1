"""Time the officer's desk pages on a filled database, in-process, logged in as the demo agent.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale .venv/bin/python bench/staff_pages.py

Prints, for each page, its status, its SQL queries and its times (the first render warms the process and,
for the indicators, computes the year's figures that the page cache then keeps; ``PAGE_CACHE=0`` computes
them at each load). "CPU" is this process's time per load (the database's own work is not in it).
"""

import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from participation import create_app  # noqa: E402
from participation.extensions import db  # noqa: E402

PAGES = ["/gestion/", "/gestion/indicateurs", "/gestion/indicateurs?annee=2025", "/gestion/journal"]


def main() -> None:
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    queries = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args, **kwargs: queries.append(1))
        client = app.test_client()
        client.post("/compte/connexion", data={"email": "agent@demo.example", "password": os.environ.get("DEMO_PASSWORD", "demo-participation")})
        for url in PAGES:
            times, cpu = [], []
            for _ in range(6):
                queries.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            print(f"{url:35s} {response.status_code}  {len(queries):3d} requêtes  médiane {statistics.median(times[1:]) * 1000:.0f} ms"
                  f" (CPU {statistics.median(cpu[1:]) * 1000:.1f} ms)  (première {times[0] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
