"""Queued mail and its delivery.

Subscribers call ``queue_mail()`` inside the transaction that recorded a domain
event: the mail is a row, rendered from ``templates/mail/<template>.txt`` and
``.html``, with a deduplication key unique in the database. The worker calls
``deliver_due()``, which claims rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the work), sends them through Flask-Mail
and retries failures with exponential back-off. A mail that keeps failing is
marked failed and shown to admins; nothing is dropped, and nothing opens an
SMTP connection inside a web request.
"""

from __future__ import annotations

import base64
import email.policy
import logging
import re
import smtplib
from dataclasses import dataclass
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from email.header import Header

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy.orm import Mapped, mapped_column

from participation.core import pagecache
from participation.core.locking import begin_writing
from participation.core.scheduler import register_job
from participation.core.models import Base, IdMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.rows import insert_skipping_conflicts
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)


class MailStatus(TitledEnum):
    pending = "pending", _l("En attente")
    sent = "sent", _l("Envoyé")
    failed = "failed", _l("En échec")


class OutboxMail(IdMixin, Base):
    __tablename__ = "outbox_mails"
    __table_args__ = (
        sa.Index("ix_outbox_mails_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_positive"),
    )

    recipient: Mapped[str] = mapped_column(sa.String(254))
    # The account the mail is for, when it has one (for "my data" and erasure).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(250))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # The template the mail was rendered from, to find mails of a kind.
    template: Mapped[str] = mapped_column(sa.String(80))
    # Unique: queueing the same key twice (a retried job, a double click) sends one mail.
    dedup_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Files sent with the mail: [{"filename", "content_type", "content"}], content as text (a calendar file).
    attachments: Mapped[list | None] = mapped_column(sa.JSON)
    # Extra mail headers sent as they are: {"List-Unsubscribe": "<https://…>", …}.
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Indexed: the dashboard asks when the last mail left, to tell an outage.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def message_id(self) -> str:
        host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"<outbox-{self.id}@{host}>"


# Mail queued for a person is shown on no page: sending it renews nobody's pages.
pagecache.impersonal_rows(OutboxMail)

# While true, queue_mail() queues nothing (see quiet()).
_quiet: ContextVar[bool] = ContextVar("outbox_quiet", default=False)


@contextmanager
def quiet(on: bool = True):
    """Queue no mail meanwhile (``quiet(False)`` inside lets some through).

    The demo builds its past (a sitting already held, invitations long
    accepted) without writing to anyone about it, and lets through only the
    mail of the present moment."""
    token = _quiet.set(on)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    return _quiet.get()


def recipient_locale(user=None, locale: str | None = None) -> str:
    """The language a mail speaks: ``locale`` if given, else the account's chosen language,
    else the platform's default (an address without an account: a department, a registrant)."""
    languages = current_app.config["LANGUAGES"]
    if locale in languages:
        return locale
    chosen = getattr(user, "locale", None)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_mail(*, to: str, subject: str, template: str, dedup_key: str, user=None, attachments: list[dict] | None = None,
               headers: dict[str, str] | None = None, locale: str | None = None, **context) -> OutboxMail | None:
    """Render and queue a mail; returns ``None`` when ``dedup_key`` was already queued.

    ``attachments`` are small files sent with it, each a dict with
    ``filename``, ``content_type`` and ``content``: text (an invitation's
    ``.ics``) or bytes (a receipt's PDF, kept in base64). ``headers`` are
    extra mail headers (``List-Unsubscribe``), stored with the row and sent as they are.
    """
    from participation.extensions import db

    if not to or _quiet.get():
        return None
    existing = db.session.scalar(sa.select(OutboxMail.id).where(OutboxMail.dedup_key == dedup_key))
    if existing is not None:
        return None
    values = _rendered(to=to, subject=subject, template=template, dedup_key=dedup_key, user=user,
                       attachments=attachments, headers=headers, locale=locale, **context)
    # Two transactions may queue the same key at once (two workers running a
    # reminder job): the UNIQUE constraint decides, and the loser queues nothing.
    statement = insert_skipping_conflicts(OutboxMail, db.session, index_elements=["dedup_key"]).values(**values).returning(OutboxMail)
    return db.session.scalars(statement).one_or_none()


def queue_mails(mails: list[dict]) -> int:
    """Render and queue many mails (each a dict of ``queue_mail()``'s arguments) in one
    INSERT; returns how many were queued. A key already queued, by an earlier run or by
    another worker at the same moment, is skipped by the database (``ON CONFLICT DO
    NOTHING``): a job mailing thousands of people (the digests) makes one statement
    per batch, not a look-up, a savepoint and an insert per mail."""
    from participation.extensions import db

    if _quiet.get():
        return 0
    rows, keys = [], set()
    for mail in mails:
        if mail.get("to") and mail["dedup_key"] not in keys:
            keys.add(mail["dedup_key"])
            rows.append(_rendered(**mail))
    if not rows:
        return 0
    now = utcnow()
    for row in rows:
        row.update(status=MailStatus.pending, attempts=0, next_attempt_at=now, created_at=now)
    statement = insert_skipping_conflicts(OutboxMail, db.session, index_elements=["dedup_key"]).returning(OutboxMail.id)
    return len(db.session.execute(statement, rows).all())


def _rendered(*, to: str, subject: str, template: str, dedup_key: str, user=None, attachments: list[dict] | None = None,
              headers: dict[str, str] | None = None, locale: str | None = None, **context) -> dict:
    """An outbox row's values: the mail rendered in its recipient's language."""
    context.setdefault("recipient_user", user)
    # The mail speaks its recipient's language, not the request's: a subject
    # built with lazy_gettext, and the templates, are rendered in that locale.
    with force_locale(recipient_locale(user, locale)):
        subject = str(subject)
        body_text = render_template(f"mail/{template}.txt", subject=subject, **context)
        body_html = render_template(f"mail/{template}.html", subject=subject, **context)
    return {
        "recipient": to,
        "user_id": getattr(user, "id", None),
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "template": template,
        "dedup_key": dedup_key,
        "attachments": [_attachment(a) for a in attachments] if attachments else None,
        "headers": dict(headers) if headers else None,
    }


# Attachments made when the mail is sent, by the worker (a convocation's PDF): name -> function(**args) -> bytes.
ATTACHMENT_RENDERERS: dict[str, object] = {}


def attachment_renderer(name: str):
    """Declare how the worker makes an attachment queued as ``{"render": name, "args": {…}}``."""
    def decorator(func):
        ATTACHMENT_RENDERERS[name] = func
        return func
    return decorator


def _attachment(item: dict) -> dict:
    attachment = {"filename": str(item["filename"]), "content_type": str(item["content_type"])}
    if "render" in item:
        if item["render"] not in ATTACHMENT_RENDERERS:
            raise ValueError(f"Pièce jointe inconnue : {item['render']}")
        return {**attachment, "render": item["render"], "args": dict(item.get("args") or {})}
    if isinstance(item["content"], bytes):
        return {**attachment, "content": base64.b64encode(item["content"]).decode("ascii"), "encoding": "base64"}
    return {**attachment, "content": str(item["content"])}


def _attachment_bytes(item: dict) -> bytes | None:
    if "render" in item:
        # Made now, in the worker, not in the request that queued the mail. A document that cannot
        # be made (the PDF library missing, its subject deleted) is left out: the mail links to the page.
        try:
            return ATTACHMENT_RENDERERS[item["render"]](**item["args"])
        except Exception:  # noqa: BLE001
            log.exception("Pièce jointe %s non produite", item["render"])
            return None
    if item.get("encoding") == "base64":
        return base64.b64decode(item["content"])
    return item["content"].encode()


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """Wait before the next try: base, 2×base, 4×base… capped at six hours."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver_due(*, now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Send the mails due now, in one transaction; returns counts by outcome.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED``: a second worker running
    at the same moment takes other rows, never the same ones. The subscribers
    deferred to the worker run first (their own transaction), so that the
    mail they queue (to a topic's followers) leaves in this same pass.
    """
    from participation.core.eventlog import run_deferred
    from participation.extensions import db

    run_deferred(now=now)

    config = current_app.config
    now = now or utcnow()
    limit = limit or config["OUTBOX_BATCH_SIZE"]
    # SQLite has no FOR UPDATE: the transaction takes the write lock from its start.
    begin_writing()
    claimed = list(db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.status == MailStatus.pending, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all())
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not claimed:
        db.session.commit()
        return counts

    if config["MAIL_DELIVERY"] == "demo":
        _mark_sent([item.id for item in claimed], now)
        counts["sent"] = len(claimed)
        db.session.commit()
        return counts

    # Attachments made at send time (PDF) are made before the SMTP connection opens.
    files = {item.id: _files(item) for item in claimed}
    # A relay answers each SMTP command in turn: with several connections (OUTBOX_SMTP_CONNECTIONS),
    # one waits for its answer while another sends. Each connection takes its own share of the batch.
    shares = max(1, min(config["OUTBOX_SMTP_CONNECTIONS"], len(claimed)))
    if shares == 1:
        outcomes = _send(claimed, files)
    else:
        app = current_app._get_current_object()

        def send_share(share):
            with app.app_context():
                return _send(share, files)

        outcomes = {}
        with ThreadPoolExecutor(shares) as pool:
            for part in pool.map(send_share, [claimed[i::shares] for i in range(shares)]):
                outcomes.update(part)

    sent = []
    for item in claimed:
        error = outcomes[item.id]
        if error is None:
            sent.append(item.id)
        elif isinstance(error, _Unreachable):
            counts[_mark_attempt_failed(item, now, _("Connexion SMTP impossible : %(error)s", error=error.error))] += 1
        else:
            reason, permanent = explain_smtp_error(error)
            if permanent:
                _mark_refused(item, now, reason)
                counts["failed"] += 1
            else:
                counts[_mark_attempt_failed(item, now, reason)] += 1
    _mark_sent(sent, now)
    counts["sent"] = len(sent)
    db.session.commit()
    return counts


@dataclass(frozen=True)
class _Unreachable:
    """The SMTP connection could not be opened: the mails of its share wait for the next try."""

    error: BaseException


def _send(items: list[OutboxMail], files: dict) -> dict[int, BaseException | _Unreachable | None]:
    """Send ``items`` over one SMTP connection; each mail's outcome: ``None`` when the server took it."""
    from participation.extensions import mail as mail_ext

    try:
        connection = mail_ext.connect()
        connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        return {item.id: _Unreachable(error) for item in items}
    outcomes = {}
    try:
        for item in items:
            try:
                connection.send(_message(item, files[item.id]))
            except (TimeoutError, OSError, smtplib.SMTPException) as error:
                outcomes[item.id] = error
            else:
                outcomes[item.id] = None
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
    return outcomes


OUTAGE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Outage:
    """Mail is due and none has left for a while: the server refuses, or the worker is stopped."""

    waiting: int  # mails due for longer than OUTAGE_AFTER
    oldest_due_at: datetime
    last_sent_at: datetime | None
    last_error: str | None


def delivery_outage(*, now: datetime | None = None) -> Outage | None:
    """An ongoing outage: mails due for more than ten minutes, and none delivered in those ten
    minutes. ``None`` when mail flows. Three small queries on indexed columns."""
    from participation.extensions import db

    now = now or utcnow()
    limit = now - OUTAGE_AFTER
    due = sa.and_(OutboxMail.status == MailStatus.pending, OutboxMail.next_attempt_at <= now, OutboxMail.created_at <= limit)
    waiting, oldest = db.session.execute(sa.select(sa.func.count(OutboxMail.id), sa.func.min(OutboxMail.created_at)).where(due)).one()
    if not waiting:
        return None
    last_sent = db.session.scalar(sa.select(sa.func.max(OutboxMail.sent_at)))
    if last_sent is not None and last_sent > limit:
        return None
    last_error = db.session.scalar(
        sa.select(OutboxMail.last_error).where(OutboxMail.status == MailStatus.pending, OutboxMail.last_error.is_not(None))
        .order_by(OutboxMail.next_attempt_at.desc()).limit(1)
    )
    return Outage(waiting=waiting, oldest_due_at=oldest, last_sent_at=last_sent, last_error=last_error)


def retry(mail: OutboxMail) -> None:
    """Put a failed mail back in the queue (an admin's action)."""
    mail.status = MailStatus.pending
    mail.attempts = 0
    mail.next_attempt_at = utcnow()


class _Message(Message):
    """A long non-ASCII subject, refolded by the email package's SMTP policy, loses the
    space at the fold (« mobilité» instead of « mobilité »). Encoded and folded here
    into lines short enough, it is written as it is."""

    def _message(self):
        message = super()._message()
        if self.subject and not self.subject.isascii():
            del message["Subject"]
            message.set_raw("Subject", Header(self.subject, "utf-8", header_name="Subject").encode())
        return message

    def as_bytes(self) -> bytes:
        """The message as sent. Flask-Mail writes it under the SMTP policy, which parses
        and refolds every header again: most of the worker's time when 10,000 mails go.
        Every header here is already encoded and folded (Header, sanitize_address) and the
        bodies are UTF-8 text (8bit, as Flask-Mail sets it): written as they are, with
        CRLF line ends. An extra header left non-ASCII (an accent) is encoded here, where
        the SMTP policy would have failed on it and held up the whole batch."""
        message = self._message()
        message.policy = _AS_THEY_ARE  # headers read and written as stored
        for name, value in message.items():
            if not str(value).isascii():
                message.replace_header(name, Header(str(value), "utf-8", header_name=name).encode())
        return _LINE_END.sub("\r\n", message.as_string()).encode("utf-8")


_AS_THEY_ARE = email.policy.compat32.clone(mangle_from_=False, max_line_length=None)
# A line end of any kind, made CRLF as SMTP wants it (smtplib does the same for a str).
_LINE_END = re.compile(r"\r\n|\r|\n")


def _files(item: OutboxMail) -> list[tuple[str, str, bytes]]:
    files = []
    for item_file in item.attachments or ():
        content = _attachment_bytes(item_file)
        if content is not None:
            files.append((item_file["filename"], item_file["content_type"], content))
    return files


def _message(item: OutboxMail, files: list[tuple[str, str, bytes]] | None = None) -> Message:
    message = _Message(
        subject=item.subject,
        recipients=[item.recipient],
        body=item.body_text,
        html=item.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"Auto-Submitted": "auto-generated", **(item.headers or {})},
    )
    for filename, content_type, content in (_files(item) if files is None else files):
        message.attach(filename, content_type, content)
    # A stable Message-ID: a receiver can recognise a mail sent twice after a crash.
    message.msgId = item.message_id
    return message


def _mark_sent(ids: list[int], now: datetime) -> None:
    """The batch's delivered mails marked sent in one statement (rows this transaction holds)."""
    from participation.extensions import db

    if ids:
        db.session.execute(
            sa.update(OutboxMail).where(OutboxMail.id.in_(ids))
            .values(status=MailStatus.sent, sent_at=now, attempts=OutboxMail.attempts + 1, last_error=None)
            .execution_options(synchronize_session=False)
        )


# Why a server refuses, by the enhanced status code (RFC 3463) and, without one, by the reply code.
ENHANCED_REASONS = {
    "5.1.1": _l("adresse refusée par le serveur : utilisateur inconnu"),
    "5.1.0": _l("adresse refusée par le serveur"),
    "5.1.2": _l("adresse refusée par le serveur : domaine inconnu"),
    "5.1.3": _l("adresse refusée par le serveur : adresse mal formée"),
    "5.1.6": _l("adresse refusée par le serveur : la personne a changé d'adresse"),
    "5.1.10": _l("adresse refusée par le serveur : le domaine n'accepte aucun courriel"),
    "5.2.1": _l("adresse refusée par le serveur : boîte aux lettres désactivée"),
    "5.2.2": _l("courriel refusé par le serveur : boîte aux lettres pleine"),
    "5.3.4": _l("courriel refusé par le serveur : message trop volumineux"),
    "5.7.1": _l("courriel refusé par le serveur : expéditeur non autorisé ou message jugé indésirable"),
}
PERMANENT_REASONS = {
    "recipient": _l("adresse refusée par le serveur : utilisateur inconnu"),
    "sender": _l("adresse d'expédition refusée par le serveur (vérifiez MAIL_DEFAULT_SENDER)"),
    "data": _l("message refusé par le serveur"),
}
ENHANCED_RE = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


def explain_smtp_error(error: BaseException) -> tuple[str, bool]:
    """A sentence in French saying why a mail was not delivered, and whether the refusal is
    permanent (a 5xx reply: trying again changes nothing) or temporary (a 4xx reply, a lost connection)."""
    code, text, kind = None, "", "data"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # {address: (code, message)}: one recipient per mail here.
        code, raw = next(iter(error.recipients.values()), (None, b""))
        text, kind = _decode(raw), "recipient"
    elif isinstance(error, smtplib.SMTPSenderRefused):
        code, text, kind = error.smtp_code, _decode(error.smtp_error), "sender"
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, _decode(error.smtp_error)
        kind = "recipient" if isinstance(error, smtplib.SMTPDataError) and code in (550, 551, 553) else "data"
    if not isinstance(code, int):
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return _("connexion interrompue par le serveur de courriel : nouvel essai plus tard"), False
        if isinstance(error, (TimeoutError, OSError)):
            return _("serveur de courriel injoignable (%(name)s) : nouvel essai plus tard", name=error.__class__.__name__), False
        return _("erreur d'envoi (%(name)s) : nouvel essai plus tard", name=error.__class__.__name__), False
    answer = _("réponse du serveur : %(code)s %(text)s", code=code, text=text).strip()
    if 500 <= code < 600:
        enhanced = ENHANCED_RE.match(text)
        reason = ENHANCED_REASONS.get(enhanced.group(1)) if enhanced else None
        return f"{reason or PERMANENT_REASONS[kind]} ({answer})", True
    return _("refus temporaire du serveur de courriel, nouvel essai plus tard (%(answer)s)", answer=answer), False


def _decode(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value or "").split())[:500]


def _mark_refused(item: OutboxMail, now: datetime, reason: str) -> None:
    """A permanent refusal: the mail is failed at once, for an admin to look at."""
    item.attempts += 1
    item.last_error = reason[:2000]
    item.status = MailStatus.failed
    log.error("Courriel %s refusé définitivement : %s", item.id, reason)


def _mark_attempt_failed(item: OutboxMail, now: datetime, error: str) -> str:
    config = current_app.config
    item.attempts += 1
    item.last_error = error[:2000]
    if item.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        item.status = MailStatus.failed
        log.error("Courriel %s en échec définitif après %s tentatives : %s", item.id, item.attempts, error)
        from participation.core.eventlog import record

        # Admins hear of it (notifications' subscriber), in the same transaction.
        record("mail.failed", item, None, {"template": item.template})
        return "failed"
    item.next_attempt_at = now + backoff(item.attempts, config["OUTBOX_RETRY_BASE_SECONDS"])
    log.warning("Courriel %s non remis (tentative %s) : %s", item.id, item.attempts, error)
    return "retry"


@register_job("outbox.deliver", seconds="OUTBOX_POLL_SECONDS", singleton=False, description="Remise des courriels en attente")
def deliver_outbox_job():
    return deliver_due()


@register_job("outbox.purge", seconds=3600, description="Effacement des courriels envoyés anciens")
def purge_sent_mail() -> int:
    """Sent mail is kept for the retention period, then erased; failed mail stays for admins."""
    from participation.extensions import db

    limit = utcnow() - timedelta(days=current_app.config["RETENTION_SENT_MAIL_DAYS"])
    result = db.session.execute(sa.delete(OutboxMail).where(OutboxMail.status == MailStatus.sent, OutboxMail.sent_at < limit))
    return result.rowcount or 0
