"""Time the officer's desk pages on a filled database, in-process, logged in as the demo agent.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale .venv/bin/python bench/staff_pages.py

Prints, for each page, its status, its SQL queries and its times (the first render warms the process).
"""

import os
import statistics
import time

import sqlalchemy as sa

from participation import create_app
from participation.extensions import db

PAGES = ["/gestion/", "/gestion/indicateurs", "/gestion/indicateurs?annee=2025", "/gestion/journal"]


def main() -> None:
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    queries = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args, **kwargs: queries.append(1))
        client = app.test_client()
        client.post("/compte/connexion", data={"email": "agent@demo.example", "password": os.environ.get("DEMO_PASSWORD", "demo-participation")})
        for url in PAGES:
            times = []
            for _ in range(4):
                queries.clear()
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            print(f"{url:35s} {response.status_code}  {len(queries):3d} requêtes  médiane {statistics.median(times[1:]) * 1000:.0f} ms"
                  f"  (première {times[0] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
