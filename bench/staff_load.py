"""The officer's desk under load: gunicorn on a filled database, wrk logged in as the demo agent, beside the bare page.

    python bench/staff_load.py --database postgresql://postgres@127.0.0.1:5432/bench_copy

Logging in records an event: point it at a copy of the benchmark's database
(``createdb -T bench_scale bench_copy``). Prints one markdown row per page:
throughput, latencies, and the share of the bare Flask page's throughput.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import cookie_header, free_port, login, start_gunicorn, stop, wrk  # noqa: E402

PAGES = ["/gestion/indicateurs", "/gestion/indicateurs?annee=2025", "/gestion/journal"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": args.database, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": "0",
           "SESSION_COOKIE_SECURE": "0", "SCHEDULER_ENABLED": "0", "BASE_URL": "http://127.0.0.1",
           "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-"),
           "PAGE_CACHE_REDIS_URL": args.redis, "PAGE_CACHE_REDIS_PREFIX": f"bench-{os.getpid()}-{int(time.time())}:"}
    port, bare_port = free_port(), free_port()
    platform = start_gunicorn("wsgi:app", port, env, args.workers, ROOT)
    bare = start_gunicorn("bare:app", bare_port, env, args.workers, ROOT / "bench")
    settings = dict(duration=args.duration, connections=args.connections, threads=args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        session = login(base, "agent@demo.example", os.environ.get("DEMO_PASSWORD", "demo-participation"))
        ceiling = wrk(f"http://127.0.0.1:{bare_port}/", **settings)
        print(f"page nue : {ceiling['rps']:.0f} req/s, p50 {ceiling['p50']:.1f} ms, p95 {ceiling['p95']:.1f} ms")
        print("| page | req/s | p50 | p95 | non-2xx | part de la page nue |")
        print("|---|---:|---:|---:|---:|---:|")
        for path in PAGES:
            session.get(base + path)  # the figures computed once, as the first visitor of the day would
            result = wrk(base + path, headers=[cookie_header(session)], **settings)
            print(f"| `{path}` | {result['rps']:.0f} | {result['p50']:.1f} ms | {result['p95']:.1f} ms | {result['non2xx']} "
                  f"| {result['rps'] / ceiling['rps']:.2f} |")
        again = wrk(f"http://127.0.0.1:{bare_port}/", **settings)
        print(f"page nue (fin) : {again['rps']:.0f} req/s")
    finally:
        stop(platform)
        stop(bare)
        import redis

        client = redis.Redis.from_url(args.redis)
        keys = list(client.scan_iter(match=env["PAGE_CACHE_REDIS_PREFIX"] + "*", count=1000))
        if keys:
            client.delete(*keys)


if __name__ == "__main__":
    main()
