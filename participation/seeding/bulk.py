"""Bulk writing for large data sets: rows copied from the demo's, ids given here, inserted in batches.

Each table's rows are written with SQLAlchemy Core (``insert()`` with a list of
dicts: one executemany per batch). A new row starts as a copy of one of the
demo's rows of the same table (a *template*), so every column has a value the
application already accepts; only what must differ is overridden. Ids are
counted here, from the table's largest id, so that rows can refer to one
another before they are written; PostgreSQL's sequences are moved past them
at the end (``fix_sequences``).
"""

from __future__ import annotations

import hashlib
import random
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from participation.core.models import Base

BATCH = 2000


class Bulk:
    def __init__(self, connection: sa.Connection, *, seed: int = 2026, say: Callable[[str], None] | None = None):
        self.conn = connection
        self.rnd = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self._next: dict[str, int] = {}
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._tokens: set[str] = set()
        self._say = say or (lambda message: None)
        self._started = time.monotonic()
        # Counts the flushes: a queued row changed after one must be updated in the database instead.
        self.generation = 0
        self.known_events = set(connection.scalars(sa.select(table("domain_events").c.name).distinct()))

    # Reading -----------------------------------------------------------------

    def templates(self, name: str, *where) -> list[dict[str, Any]]:
        """The demo's rows of ``name`` matching ``where``, as dicts (ordered by id when there is one)."""
        t = table(name)
        query = sa.select(t).where(*where)
        if "id" in t.c:
            query = query.order_by(t.c.id)
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def template(self, name: str, *where) -> dict[str, Any]:
        rows = self.templates(name, *where)
        if not rows:
            raise LookupError(f"no template row in {name}")
        return rows[0]

    # Writing -----------------------------------------------------------------

    def ids(self, name: str, count: int) -> list[int]:
        """``count`` fresh ids for ``name``."""
        if name not in self._next:
            t = table(name)
            self._next[name] = (self.conn.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1
        start = self._next[name]
        self._next[name] += count
        return list(range(start, start + count))

    def new(self, name: str, template: dict[str, Any], /, **values) -> int:
        """Queue a copy of ``template`` with ``values``; returns its id (tables with an id)."""
        row = dict(template)
        if "id" in table(name).c:
            row["id"] = values.pop("id", None) or self.ids(name, 1)[0]
        row.update(values)
        self.add(name, row)
        return row.get("id")

    def add(self, name: str, row: dict[str, Any]) -> None:
        buffer = self._buffers.setdefault(name, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            # All tables, parents first: a row never waits on a parent still queued.
            self.flush()

    def flush(self, name: str | None = None) -> None:
        """Write the queued rows (of one table, or of all in dependency order)."""
        self.generation += 1
        names = [name] if name else [t.name for t in Base.metadata.sorted_tables if self._buffers.get(t.name)]
        for each in names:
            rows = self._buffers.pop(each, [])
            if rows:
                self.conn.execute(table(each).insert(), rows)
                self.counts[each] += len(rows)

    def event(self, name: str, subject_type: str, subject_id: int | None, actor_id: int | None, when: datetime, data=None) -> int | None:
        """A row of the domain event log, for an event name the platform already writes (it has a journal label)."""
        if name not in self.known_events:
            return None
        return self.new("domain_events", EVENT_TEMPLATE, name=name, subject_type=subject_type, subject_id=subject_id,
                        actor_id=actor_id, data=data or {}, occurred_at=when)

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written here."""
        self.flush()
        if self.conn.dialect.name != "postgresql":
            return
        for name in self._next:
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {name})) "
                f"WHERE pg_get_serial_sequence('{name}', 'id') IS NOT NULL"
            )

    # Values ------------------------------------------------------------------

    def token(self, length: int, alphabet: str = string.ascii_uppercase + string.digits, *, fmt: Callable[[str], str] = str) -> str:
        """A random string, never the same twice in this run."""
        while True:
            value = fmt("".join(self.rnd.choices(alphabet, k=length)))
            if value not in self._tokens:
                self._tokens.add(value)
                return value

    def digest(self) -> str:
        return hashlib.sha256(self.rnd.randbytes(16)).hexdigest()

    def moment(self, start: datetime, end: datetime) -> datetime:
        seconds = max(1, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rnd.randrange(seconds))

    def say(self, message: str) -> None:
        self._say(f"[{time.monotonic() - self._started:6.1f} s] {message}")


def analyze(connection: sa.Connection) -> None:
    """Planner statistics for the tables just filled: without them, PostgreSQL plans for the empty tables it
    knew (a topic count over 10,000 topics took minutes instead of 60 ms) until autovacuum gets round to it."""
    if connection.dialect.name in ("postgresql", "sqlite"):
        connection.exec_driver_sql("ANALYZE")


def table(name: str) -> sa.Table:
    return Base.metadata.tables[name]


def spread(total: int, parts: int, rnd: random.Random, *, skew: float = 1.0) -> list[int]:
    """``total`` split into ``parts`` positive-or-zero counts, unevenly (a few large parts)."""
    if parts <= 0:
        return []
    weights = [rnd.paretovariate(2.5) ** skew for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def chunks(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


EVENT_TEMPLATE: dict[str, Any] = {"name": "", "subject_type": "", "subject_id": None, "actor_id": None, "data": {}, "occurred_at": None}
