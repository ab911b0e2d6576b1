"""Scheduled work on notices: daily and weekly digests, purge of old notices."""

from __future__ import annotations

import time as clock
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext, ngettext

from participation.core.locking import begin_writing
from participation.core.models import utcnow
from participation.core.scheduler import register_job
from participation.extensions import db
from participation.notifications.models import (
    DEFAULT_DIGEST_HOUR,
    DEFAULT_DIGEST_WEEKDAY,
    Category,
    Delivery,
    DigestSchedule,
    Notification,
)
from flask_babel import lazy_gettext as _l

# Lines shown per thing in a digest; the rest is counted.
DIGEST_THING_LINES = 5


@register_job("notifications.purge", seconds=3600, description="Effacement des notifications anciennes")
def purge_old_notifications() -> int:
    limit = utcnow() - timedelta(days=current_app.config["RETENTION_NOTIFICATION_DAYS"])
    return db.session.execute(sa.delete(Notification).where(Notification.created_at < limit)).rowcount or 0


def digest_period(kind: Delivery, local: datetime) -> str:
    """The period a digest covers, part of its dedup key: the day, or the ISO week."""
    if kind == Delivery.daily:
        return local.date().isoformat()
    year, week, _unused = local.isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(kind: Delivery, user_id: int, period: str) -> str:
    return f"digest:{kind.value}:{user_id}:{period}"


def _due_users(kind: Delivery, local: datetime, period: str, now: datetime, limit: int) -> list[int]:
    """People with notices waiting for this kind of digest, whose hour (and day) has come, not yet sent this period."""
    from participation.accounts.models import AccountState, User
    from participation.core.outbox import OutboxMail

    key = sa.literal(f"digest:{kind.value}:") + sa.cast(Notification.user_id, sa.String) + sa.literal(f":{period}")
    query = (
        sa.select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .outerjoin(DigestSchedule, DigestSchedule.user_id == Notification.user_id)
        .where(
            Notification.digest == kind,
            Notification.created_at <= now,
            User.state == AccountState.active,
            sa.func.coalesce(DigestSchedule.hour, DEFAULT_DIGEST_HOUR) <= local.hour,
            ~sa.exists().where(OutboxMail.dedup_key == key),
        )
        .group_by(Notification.user_id)
        .order_by(Notification.user_id)
        .limit(limit)
    )
    if kind == Delivery.weekly:
        query = query.where(sa.func.coalesce(DigestSchedule.weekday, DEFAULT_DIGEST_WEEKDAY) == local.isoweekday())
    return list(db.session.scalars(query))


def _build(kind: Delivery, user_ids: list[int], period: str, local: datetime, now: datetime) -> int:
    from participation.accounts.models import User
    from participation.core.outbox import queue_mails, recipient_locale

    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
    notices = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id.in_(user_ids), Notification.digest == kind, Notification.created_at <= now)
        .order_by(Notification.user_id, Notification.category, Notification.about, Notification.created_at, Notification.id)
    ).all()
    by_user: dict[int, dict[Category, dict[str, list[Notification]]]] = {}
    for notice in notices:
        by_user.setdefault(notice.user_id, {}).setdefault(notice.category, {}).setdefault(notice.about or "", []).append(notice)
    order = list(Category)
    mails = []
    for user_id, categories in by_user.items():
        user = users[user_id]
        # The digest speaks its reader's language: headings, subject and dates alike.
        with force_locale(recipient_locale(user)):
            mails.append(_digest(kind, user, categories, order, period, local, user_id))
    # One INSERT for the batch; a digest another worker queued meanwhile is skipped by its key.
    queued = queue_mails(mails)
    if notices:
        ids = [n.id for n in notices]
        for start in range(0, len(ids), 900):
            db.session.execute(sa.update(Notification).where(Notification.id.in_(ids[start:start + 900])).values(digest=None))
    return queued


def _digest(kind, user, categories, order, period, local, user_id) -> dict:
    """One person's digest (built in their language): the arguments of ``queue_mail()``."""
    from participation.core.dates import format_day
    from participation.notifications.services import _absolute, unsubscribe_url

    groups = []
    for category in sorted(categories, key=order.index):
        things = []
        for about, items in categories[category].items():
            count = len(items)
            news = ngettext("%(num)d nouveauté", "%(num)d nouveautés", count)
            things.append({
                "heading": gettext("%(about)s : %(news)s", about=about, news=news) if about else news[:1].upper() + news[1:],
                "notices": [{"title": n.title, "url": _absolute(n.url)} for n in items[:DIGEST_THING_LINES]],
                "more": count - min(count, DIGEST_THING_LINES),
            })
        groups.append({"label": category.label, "things": things, "unsubscribe_url": unsubscribe_url(user, category)})
    total = sum(len(c) for things in categories.values() for c in things.values())
    if kind == Delivery.daily:
        intro = _l("Voici ce qui s'est passé sur la plateforme pour vous, jusqu'au %(format_day)s.", format_day=format_day(local.date()))
        subject = ngettext("Votre résumé du jour : %(num)d nouveauté", "Votre résumé du jour : %(num)d nouveautés", total)
    else:
        intro = _l("Voici ce qui s'est passé sur la plateforme pour vous cette semaine.")
        subject = ngettext("Votre résumé de la semaine : %(num)d nouveauté", "Votre résumé de la semaine : %(num)d nouveautés", total)
    link = unsubscribe_url(user, sorted(categories, key=order.index))
    return dict(
        to=user.email, user=user, subject=subject, template="notifications/digest", dedup_key=digest_key(kind, user_id, period),
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        display_name=user.display_name, intro=intro, groups=groups, notices_url=_absolute("/notifications/"),
    )


@register_job("notifications.send_digests", seconds=300, description="Résumés quotidiens et hebdomadaires des notifications")
def send_digests(now: datetime | None = None, *, batch_size: int | None = None, budget_seconds: float | None = None) -> int:
    """Queue the digests due now, a batch of people at a time, each batch committed on its own.

    One mail per person and period (``digest:<kind>:<user>:<period>``, unique in the
    outbox), only to people with notices waiting, at their hour (Europe/Paris).
    A run stops after ``budget_seconds``: the next run carries on, so 20,000
    recipients never hold the worker (or SQLite's write lock) for long.
    """
    config = current_app.config
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"]))
    batch_size = batch_size or config.get("DIGEST_BATCH_SIZE", 200)
    budget = budget_seconds if budget_seconds is not None else config.get("DIGEST_BUDGET_SECONDS", 20)
    started = clock.monotonic()
    queued = 0
    for kind in (Delivery.daily, Delivery.weekly):
        period = digest_period(kind, local)
        while True:
            user_ids = _due_users(kind, local, period, now, batch_size)
            if not user_ids:
                break
            queued += _build(kind, user_ids, period, local, now)
            db.session.commit()
            begin_writing()
            if clock.monotonic() - started > budget:
                return queued
    return queued
