"""The worker: jobs run in their own transaction; one worker schedules the singleton jobs."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from participation.core import scheduler
from participation.core.outbox import MailStatus, OutboxMail
from participation.extensions import db


def test_the_outbox_job_is_registered_as_shared(app):
    jobs = {job.id: job for job in scheduler.registered_jobs()}
    assert jobs["outbox.deliver"].singleton is False
    assert jobs["outbox.deliver"].seconds == "OUTBOX_POLL_SECONDS"


def test_two_scheduler_locks_elect_one_worker(app):
    first, second = scheduler.SchedulerLock(db.engine), scheduler.SchedulerLock(db.engine)
    try:
        assert first.try_acquire() is True
        if db.engine.dialect.name != "postgresql":
            pytest.skip("Sur SQLite (une seule machine), le verrou est toujours accordé.")
        assert second.try_acquire() is False
        first.release()
        # The second worker takes over when the first one stops.
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()


def test_a_singleton_job_does_not_run_without_the_lock(app):
    calls = []
    job = scheduler.Job("test.singleton", lambda: calls.append(1), 60, True, "test")

    class Refused:
        def try_acquire(self):
            return False

    assert scheduler.run_job(app, job, Refused()) is None
    assert calls == []
    shared = scheduler.Job("test.shared", lambda: calls.append(2) or "ok", 60, False, "test")
    assert scheduler.run_job(app, shared, Refused()) == "ok"
    assert calls == [2]


@pytest.mark.committing
def test_a_failing_job_is_rolled_back_and_the_worker_goes_on(app):
    from participation.territory.models import Theme

    def failing():
        db.session.add(Theme(name="Jamais enregistré", slug="jamais"))
        db.session.flush()
        raise RuntimeError("panne")

    job = scheduler.Job("test.failing", failing, 60, False, "test")
    assert scheduler.run_job(app, job) is None
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 0


@pytest.mark.committing
def test_the_running_worker_delivers_a_sign_up_mail(app, client, mailbox):
    """End to end: a sign-up, then the real scheduler delivers through SMTP."""
    from tests.accounts.test_signup_flow import SIGNUP

    client.submit("/compte/inscription", SIGNUP)
    app.config["OUTBOX_POLL_SECONDS"], saved = 1, app.config["OUTBOX_POLL_SECONDS"]
    worker = scheduler.run_worker(app, blocking=False)
    try:
        deadline = time.monotonic() + 15
        while not mailbox and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.shutdown(wait=True)
        app.config["OUTBOX_POLL_SECONDS"] = saved
    assert [m.subject for m in mailbox] == ["Confirmez votre adresse électronique"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(OutboxMail.status)) == MailStatus.sent
