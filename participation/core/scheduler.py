"""The worker: APScheduler running the jobs that domains register.

``flask --app wsgi worker`` runs every registered job at its interval, each in
its own application context and transaction. Jobs come in two kinds:

* shared jobs (outbox delivery) run on every worker; they claim their rows
  with ``SKIP LOCKED`` so several workers share the work safely;
* singleton jobs (reminders, state changes driven by dates) run only on the
  worker holding the scheduler lock: a PostgreSQL advisory lock, taken on a
  connection kept for the worker's life, so a second worker stays idle for
  them and takes over if the first one stops.

Every job must be idempotent: it re-checks what it sends against the
database, so a restart loses and doubles nothing.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

log = logging.getLogger(__name__)

# Any fixed number: the key of the PostgreSQL advisory lock that elects one scheduling worker.
SCHEDULER_LOCK_KEY = 7_311_042_600


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], object]
    # A number of seconds, or the name of the configuration setting that holds it.
    seconds: int | str
    singleton: bool
    description: str


_jobs: dict[str, Job] = {}


def register_job(job_id: str, *, seconds: int | str, singleton: bool = True, description: str = ""):
    """Decorator: run the function every ``seconds`` in the worker."""

    def decorator(func):
        _jobs[job_id] = Job(job_id, func, seconds, singleton, description or (func.__doc__ or "").strip().split("\n")[0])
        return func

    return decorator


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.id)


class SchedulerLock:
    """Holds the advisory lock that makes one worker the scheduler.

    On SQLite (one machine, development) the lock is always granted.
    """

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.connection: sa.Connection | None = None
        self.held = engine.dialect.name != "postgresql"
        self._mutex = threading.Lock()

    def try_acquire(self) -> bool:
        with self._mutex:
            if self.held:
                return True
            try:
                if self.connection is None:
                    self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                self.held = bool(self.connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}))
            except sa.exc.DBAPIError:
                log.exception("Verrou du planificateur : base injoignable")
                self._close()
            return self.held

    def release(self) -> None:
        with self._mutex:
            if self.connection is not None and self.held and self.engine.dialect.name == "postgresql":
                try:
                    self.connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK_KEY})
                except sa.exc.DBAPIError:
                    pass
            self._close()
            self.held = self.engine.dialect.name != "postgresql"

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except sa.exc.DBAPIError:
                pass
        self.connection = None
        self.held = self.engine.dialect.name != "postgresql"


def run_job(app: Flask, job: Job, lock: SchedulerLock | None = None) -> object:
    """Run one job in its own application context and transaction."""
    from participation.extensions import db

    from participation.core.locking import begin_writing

    with app.app_context():
        if job.singleton and lock is not None and not lock.try_acquire():
            return None
        try:
            # On SQLite a job takes the write lock first, so that it waits for
            # a request's write instead of failing half-way ("database is locked").
            begin_writing()
            result = job.func()
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            log.exception("Échec de la tâche %s", job.id)
            return None
        finally:
            db.session.remove()


def build_scheduler(app: Flask, lock: SchedulerLock, *, blocking: bool = True):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    from apscheduler.executors.pool import ThreadPoolExecutor

    from participation.extensions import db

    scheduler_cls = BlockingScheduler if blocking else BackgroundScheduler
    with app.app_context():
        # SQLite has one writer at a time: its jobs run one after the other.
        threads = 1 if db.engine.dialect.name == "sqlite" else 4
    scheduler = scheduler_cls(
        timezone="UTC",
        executors={"default": ThreadPoolExecutor(threads)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for job in registered_jobs():
        seconds = app.config[job.seconds] if isinstance(job.seconds, str) else job.seconds
        scheduler.add_job(run_job, "interval", seconds=seconds, args=(app, job, lock), id=job.id, name=job.description, next_run_time=_now())
    return scheduler


def run_worker(app: Flask, *, blocking: bool = True):
    """Start the scheduler; returns it when not blocking (the demo server runs it in a thread)."""
    from participation.extensions import db

    with app.app_context():
        lock = SchedulerLock(db.engine)
    if lock.try_acquire():
        log.info("Ce worker planifie les tâches uniques.")
    else:
        log.info("Un autre worker planifie déjà : celui-ci remet les courriels et attend le verrou.")
    scheduler = build_scheduler(app, lock, blocking=blocking)
    if not blocking:
        scheduler.start()
        return scheduler

    def _stop(signum, frame):
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
    return scheduler


def _now():
    from participation.core.models import utcnow

    return utcnow()
