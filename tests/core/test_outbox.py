"""Mail waits in the outbox until an SMTP server takes it, and is delivered exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.outbox import MailStatus, OutboxMail, backoff, deliver_due, queue_mail
from participation.extensions import db


def _queue(n: int = 1, prefix: str = "test") -> list[OutboxMail]:
    mails = [
        queue_mail(to=f"personne{i}@example.org", subject=f"Message {i}", template="accounts/password_changed",
                   dedup_key=f"{prefix}:{i}", display_name=f"Personne {i}", reset_url="http://participation.test/r")
        for i in range(n)
    ]
    db.session.commit()
    return mails


def test_queueing_the_same_key_twice_keeps_one_mail(app):
    first = _queue(1, "double")[0]
    again = queue_mail(to="autre@example.org", subject="x", template="accounts/password_changed", dedup_key="double:0",
                       display_name="x", reset_url="http://x")
    assert first is not None and again is None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 1


def test_mail_waits_while_smtp_is_down_then_is_delivered_once(app, smtp_server, mailbox):
    [mail] = _queue(1)
    smtp_server.stop()
    try:
        counts = deliver_due()
        assert counts == {"sent": 0, "retry": 1, "failed": 0}
        mail = db.session.get(OutboxMail, mail.id)
        assert mail.status == MailStatus.pending and mail.attempts == 1
        assert "Connexion SMTP impossible" in mail.last_error
        assert mail.next_attempt_at > utcnow()
        # Not due yet: a worker polling again does not hammer the server.
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    finally:
        smtp_server.start()
    later = utcnow() + timedelta(hours=1)
    assert deliver_due(now=later)["sent"] == 1
    assert deliver_due(now=later + timedelta(hours=1)) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(mailbox) == 1
    received = mailbox[0]
    assert received.recipients == ["personne0@example.org"]
    assert received.message["Message-ID"] == f"<outbox-{mail.id}@participation.test>"
    assert db.session.get(OutboxMail, mail.id).status == MailStatus.sent


def test_a_mail_that_keeps_failing_is_marked_failed_not_dropped(app, smtp_server):
    [mail] = _queue(1)
    app.config["OUTBOX_MAX_ATTEMPTS"], saved = 3, app.config["OUTBOX_MAX_ATTEMPTS"]
    smtp_server.stop()
    try:
        moment = utcnow()
        outcomes = []
        for _ in range(3):
            counts = deliver_due(now=moment)
            outcomes.append(counts)
            moment += timedelta(days=1)
    finally:
        smtp_server.start()
        app.config["OUTBOX_MAX_ATTEMPTS"] = saved
    assert [o["failed"] for o in outcomes] == [0, 0, 1]
    mail = db.session.get(OutboxMail, mail.id)
    assert mail.status == MailStatus.failed and mail.attempts == 3
    # A failed mail is no longer tried, but stays for admins to see and retry.
    assert deliver_due(now=moment + timedelta(days=30))["sent"] == 0
    assert db.session.get(OutboxMail, mail.id) is not None


def test_backoff_grows_exponentially_and_is_capped():
    assert [backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30, 30) == timedelta(hours=6)


def test_demo_delivery_marks_mail_sent_without_smtp(app, mailbox):
    [mail] = _queue(1)
    app.config["MAIL_DELIVERY"] = "demo"
    try:
        assert deliver_due()["sent"] == 1
    finally:
        app.config["MAIL_DELIVERY"] = "smtp"
    assert mailbox == []
    assert db.session.get(OutboxMail, mail.id).status == MailStatus.sent


def test_nothing_opens_smtp_inside_a_request(client, app, smtp_server, mailbox):
    """A sign-up queues its mail; the SMTP server sees nothing until the worker runs."""
    from tests.accounts.test_signup_flow import SIGNUP

    client.submit("/compte/inscription", SIGNUP)
    assert mailbox == []
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.status == MailStatus.pending)) == 1


@pytest.mark.committing
def test_two_workers_at_once_deliver_each_mail_once(app, mailbox):
    """Two workers claim rows concurrently (SKIP LOCKED on PostgreSQL, an
    immediate write lock on SQLite): every mail arrives exactly once."""
    _queue(40, "concurrent")
    app.config["OUTBOX_BATCH_SIZE"], saved = 5, app.config["OUTBOX_BATCH_SIZE"]
    # Each worker sends its batch over two connections at once.
    app.config["OUTBOX_SMTP_CONNECTIONS"], connections = 2, app.config["OUTBOX_SMTP_CONNECTIONS"]
    results: list[dict] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker():
        try:
            with app.app_context():
                start.wait()
                while True:
                    counts = deliver_due()
                    results.append(counts)
                    db.session.remove()
                    if counts["sent"] == 0:
                        break
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        app.config["OUTBOX_BATCH_SIZE"] = saved
        app.config["OUTBOX_SMTP_CONNECTIONS"] = connections
    assert not errors, errors
    assert sum(r["sent"] for r in results) == 40
    recipients = sorted(r for m in mailbox for r in m.recipients)
    assert recipients == sorted(f"personne{i}@example.org" for i in range(40))
    assert len({m.message["Message-ID"] for m in mailbox}) == 40


def test_a_long_french_subject_arrives_as_written(app, mailbox):
    """Long enough to be folded, with a space before the closing guillemet at the fold."""
    subject = "Vote programmé : avis « Plan de mobilité »"
    queue_mail(to="membre@example.org", subject=subject, template="accounts/password_changed", dedup_key="subject:1",
               display_name="x", reset_url="http://x")
    db.session.commit()
    deliver_due()
    assert [m.subject for m in mailbox] == [subject]


def test_attachments_are_delivered_with_the_mail(app, mailbox):
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nEND:VCALENDAR\r\n"
    mail = queue_mail(to="invite@example.org", subject="Invitation", template="accounts/password_changed", dedup_key="attachment:1",
                      display_name="Invitée", reset_url="http://participation.test/r",
                      attachments=[{"filename": "invitation.ics", "content_type": "text/calendar", "content": calendar}])
    db.session.commit()
    assert db.session.get(OutboxMail, mail.id).attachments[0]["filename"] == "invitation.ics"
    assert deliver_due()["sent"] == 1
    [received] = mailbox
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_filename() == "invitation.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_content().replace("\r\n", "\n") == calendar.replace("\r\n", "\n")
    assert "Invitée" in received.text


@pytest.mark.committing
def test_two_transactions_queueing_the_same_key_queue_one_mail(app):
    """The check before the insert cannot see a mail another transaction has
    not committed yet: the unique key decides, and the second queues nothing."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the two transactions cannot overlap.")
    first_flushed, first_may_commit = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def queue(name: str, after: threading.Event | None, before_commit: threading.Event | None):
        with app.app_context():
            if after is not None:
                after.wait(10)
            mail = queue_mail(to="course@example.org", subject="Rappel", template="accounts/password_changed",
                              dedup_key="race:1", display_name="x", reset_url="http://x")
            results[name] = mail is not None
            if before_commit is not None:
                first_flushed.set()
                before_commit.wait(10)
            db.session.commit()
            db.session.remove()

    first = threading.Thread(target=queue, args=("first", None, first_may_commit))
    second = threading.Thread(target=queue, args=("second", first_flushed, None))
    first.start()
    second.start()
    first_flushed.wait(10)
    # The second transaction is now waiting on the first one's row lock.
    threading.Timer(0.5, first_may_commit.set).start()
    first.join(20)
    second.join(20)
    assert results == {"first": True, "second": False}
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.dedup_key == "race:1")) == 1


def test_a_batch_goes_out_over_one_smtp_connection_and_no_mail_twice(app, smtp_server, mailbox):
    app.config["OUTBOX_BATCH_SIZE"], batch = 50, app.config["OUTBOX_BATCH_SIZE"]
    try:
        _queue(120, "lot")
        smtp_server.sessions = 0
        counts = [deliver_due() for _ in range(4)]
    finally:
        app.config["OUTBOX_BATCH_SIZE"] = batch
    assert [c["sent"] for c in counts] == [50, 50, 20, 0]
    assert smtp_server.sessions == 3  # one connection per batch, not one per mail
    ids = [m.message["Message-ID"] for m in mailbox]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert sorted(m.recipients[0] for m in mailbox) == sorted(f"personne{i}@example.org" for i in range(120))


class _Crash(BaseException):
    """The worker's process dying: nothing after it runs, not even an ``except Exception``."""


@pytest.mark.committing
def test_a_crash_mid_batch_sends_again_only_that_batch_under_the_same_message_ids(app, mailbox, monkeypatch):
    """What a committed batch delivered is never sent again; the batch a crash interrupted
    is sent again after the restart, each mail under its Message-ID, so that no mail
    reaches anyone under two identities and a receiver can drop the copy."""
    from participation.core import outbox

    _queue(12, "crash")
    app.config["OUTBOX_BATCH_SIZE"], saved = 5, app.config["OUTBOX_BATCH_SIZE"]
    build = outbox._message
    calls = []

    def dying(item, files=None):
        calls.append(item.id)
        if len(calls) == 3:  # the third mail of the second batch
            raise _Crash()
        return build(item, files)

    try:
        assert deliver_due()["sent"] == 5
        db.session.remove()
        monkeypatch.setattr(outbox, "_message", dying)
        with pytest.raises(_Crash):
            deliver_due()
        db.session.rollback()
        db.session.remove()
        monkeypatch.setattr(outbox, "_message", build)
        sent = []
        while (counts := deliver_due())["sent"]:
            sent.append(counts["sent"])
            db.session.remove()
    finally:
        app.config["OUTBOX_BATCH_SIZE"] = saved
    assert sent == [5, 2]
    ids = [m.message["Message-ID"] for m in mailbox]
    assert len(ids) == 5 + 2 + 7 and len(set(ids)) == 12
    twice = {i for i in ids if ids.count(i) == 2}
    assert twice == {f"<outbox-{n}@participation.test>" for n in calls[:2]}
    rows = db.session.execute(sa.select(OutboxMail.status, OutboxMail.attempts)).all()
    assert rows and all(status == MailStatus.sent and attempts == 1 for status, attempts in rows)


def test_the_unsubscribe_header_is_written_as_it_is_not_as_encoded_words(app, mailbox):
    """A long List-Unsubscribe header is not folded into encoded words (« =?utf-8?q?… »):
    mail providers read it as a bare <https://…> link, or offer no unsubscribe button."""
    link = "<http://participation.test/desabonnement/" + "a1b2c3d4e5" * 12 + ">"
    queue_mail(to="lien@example.org", subject="Nouvelle contribution", template="accounts/password_changed",
               dedup_key="header:1", display_name="x", reset_url="http://x",
               headers={"List-Unsubscribe": link, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    db.session.commit()
    assert deliver_due()["sent"] == 1
    [received] = mailbox
    raw = dict(received.message.raw_items())
    assert raw["List-Unsubscribe"] == link
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_several_smtp_connections_share_a_batch_and_no_mail_goes_twice(app, smtp_server, mailbox):
    """With OUTBOX_SMTP_CONNECTIONS, a batch is split among that many connections; a refusal
    is still told about its own mail only."""
    saved = app.config["OUTBOX_BATCH_SIZE"], app.config["OUTBOX_SMTP_CONNECTIONS"]
    app.config["OUTBOX_BATCH_SIZE"], app.config["OUTBOX_SMTP_CONNECTIONS"] = 50, 3
    try:
        mails = _queue(120, "partage")
        smtp_server.refuse("personne7@example.org", "550 5.1.1 Utilisateur inconnu")
        smtp_server.sessions = 0
        counts = [deliver_due() for _ in range(4)]
    finally:
        app.config["OUTBOX_BATCH_SIZE"], app.config["OUTBOX_SMTP_CONNECTIONS"] = saved
    assert [c["sent"] for c in counts] == [49, 50, 20, 0] and counts[0]["failed"] == 1
    assert smtp_server.sessions == 9  # three connections per batch
    ids = [m.message["Message-ID"] for m in mailbox]
    assert len(ids) == 119 and len(set(ids)) == 119
    refused = db.session.get(OutboxMail, mails[7].id)
    assert refused.status == MailStatus.failed and "utilisateur inconnu" in refused.last_error


def test_several_connections_while_smtp_is_down_keep_every_mail_waiting(app, smtp_server):
    app.config["OUTBOX_SMTP_CONNECTIONS"], saved = 2, app.config["OUTBOX_SMTP_CONNECTIONS"]
    _queue(3, "panne")
    smtp_server.stop()
    try:
        assert deliver_due() == {"sent": 0, "retry": 3, "failed": 0}
    finally:
        smtp_server.start()
        app.config["OUTBOX_SMTP_CONNECTIONS"] = saved
    rows = db.session.scalars(sa.select(OutboxMail)).all()
    assert all(r.status == MailStatus.pending and "Connexion SMTP impossible" in r.last_error for r in rows)


def test_a_header_left_with_an_accent_still_arrives_as_written(app, mailbox):
    """An extra header with an accent is encoded on the way (it used to fail the whole batch, every run)."""
    queue_mail(to="accent@example.org", subject="Réunion", template="accounts/password_changed", dedup_key="accent:1",
               display_name="Élodie", reset_url="http://x", headers={"X-Sujet": "Plan vélo intercommunal"})
    db.session.commit()
    assert deliver_due()["sent"] == 1
    [received] = mailbox
    assert received.message["X-Sujet"] == "Plan vélo intercommunal"
    assert dict(received.message.raw_items())["X-Sujet"].isascii()
    assert received.subject == "Réunion" and "Élodie" in received.text
