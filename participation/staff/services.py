"""The back office's operations and the lists it shows.

Each list is a ``select`` built here and paginated by the view: two queries
per page, whatever the size of the table, with what a row shows (an actor's
name, an account's roles) joined or loaded in one more query at most.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException

from participation.accounts.models import AccountState, Role, RoleGrant, User
from participation.core.errors import DomainError
from participation.core.eventlog import DomainEvent, record
from participation.core.outbox import MailStatus, OutboxMail, retry
from participation.core.permissions import require
from participation.extensions import db
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The value of the role filter for accounts without any role.
RESIDENT = "resident"


# Operations -----------------------------------------------------------------


def retry_mail(mail: OutboxMail, *, actor) -> None:
    """Put a failed mail back in the queue; the worker sends it at its next round."""
    require(actor, "staff.retry_mail", mail)
    if mail.status != MailStatus.failed:
        raise DomainError(_("Ce courriel n'est pas en échec (état : « %(lower)s ») : il n'y a rien à réessayer.", lower=mail.status.label.lower()))
    attempts = mail.attempts
    retry(mail)
    record("mail.retry_requested", mail, actor, {"attempts": attempts})


# One-time links ----------------------------------------------------------------

URL_RE = re.compile(r"https?://[^\s\"'<>]+")
MASKED_LINK = _l("[lien à usage unique masqué]")


def is_one_time_link(url: str) -> bool:
    """Whether ``url`` opens a page of this site through a token (password reset, address
    confirmation, invitation, registration): whoever holds it acts as the person it was sent to.

    Any rule of the URL map with a ``token`` argument counts, so a new one is masked too."""
    parts = urlsplit(url)
    base = urlsplit(current_app.config["BASE_URL"])
    if parts.netloc != base.netloc:
        return False
    path = parts.path
    prefix = base.path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]  # the site served under a path: /participation/compte/…
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "http")
    for method in ("GET", "POST"):
        try:
            _endpoint, arguments = adapter.match(path, method=method)
        except HTTPException:
            continue
        return "token" in arguments
    return False


def mask_one_time_links(text: str | None) -> str | None:
    """The mail's text with its one-time links replaced by a notice: what staff
    other than admins read of a mail in demo mode."""
    if not text:
        return text
    return URL_RE.sub(lambda match: str(MASKED_LINK) if is_one_time_link(match.group(0)) else match.group(0), text)


# Counts for the dashboard ---------------------------------------------------


def accounts_by_state() -> dict[AccountState, int]:
    rows = db.session.execute(sa.select(User.state, sa.func.count(User.id)).group_by(User.state)).all()
    counts = {state: 0 for state in AccountState}
    counts.update({state: count for state, count in rows})
    return counts


def mail_by_status() -> dict[MailStatus, int]:
    rows = db.session.execute(sa.select(OutboxMail.status, sa.func.count(OutboxMail.id)).group_by(OutboxMail.status)).all()
    counts = {status: 0 for status in MailStatus}
    counts.update({status: count for status, count in rows})
    return counts


# Lists ----------------------------------------------------------------------


def mails(*, status: MailStatus | None = None, recipient: str | None = None):
    """The outbox, newest first."""
    query = sa.select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
    if status is not None:
        query = query.where(OutboxMail.status == status)
    if recipient:
        query = query.where(OutboxMail.recipient.icontains(recipient.strip(), autoescape=True))
    return query


def journal(*, name_prefix: str | None = None, subject_type: str | None = None, subject_id: int | None = None):
    """Rows of (event, actor's name), newest first; the actor's name comes in the same query."""
    query = (
        sa.select(DomainEvent, User.display_name.label("actor_name"))
        .outerjoin(User, User.id == DomainEvent.actor_id)
        .order_by(DomainEvent.id.desc())
    )
    if name_prefix:
        query = query.where(DomainEvent.name.startswith(name_prefix.strip(), autoescape=True))
    if subject_type:
        query = query.where(DomainEvent.subject_type == subject_type.strip())
    if subject_id is not None:
        query = query.where(DomainEvent.subject_id == subject_id)
    return query


def accounts(*, search: str | None = None, role: str | None = None, state: AccountState | None = None):
    """Accounts, newest first; their roles are loaded with one more query per page."""
    query = sa.select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        term = search.strip()
        query = query.where(sa.or_(User.email.icontains(term, autoescape=True), User.display_name.icontains(term, autoescape=True)))
    if role == RESIDENT:
        query = query.where(~User.roles.any())
    elif role:
        query = query.where(User.roles.any(RoleGrant.role == Role(role)))
    if state is not None:
        query = query.where(User.state == state)
    return query


def account_events(user: User, *, limit: int = 20, done_by_it: bool = True) -> list:
    """The last events about the account or (``done_by_it``) done by it, newest first, with each actor's name."""
    query = (
        sa.select(DomainEvent, User.display_name.label("actor_name"))
        .outerjoin(User, User.id == DomainEvent.actor_id)
        .where(
            sa.or_(
                sa.and_(DomainEvent.subject_type == User.__tablename__, DomainEvent.subject_id == user.id),
                DomainEvent.actor_id == user.id if done_by_it else sa.false(),
            )
        )
        .order_by(DomainEvent.id.desc())
        .limit(limit)
    )
    return db.session.execute(query).all()
