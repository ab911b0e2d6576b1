"""Telling people things: in-app notices, and mail as each person chose.

Every domain calls ``tell()`` (one person) or ``tell_all()`` (many) to let
someone know something. The notice always appears in the platform; the mail
follows the person's preference for the notice's category: at once, in the
daily or weekly digest (``jobs.send_digests``), or not at all. Mail about the
person's own case (``category=OWN_CASE``) is always sent at once and carries
no unsubscribe link; every other mail carries a one-click signed link and the
RFC 8058 ``List-Unsubscribe`` headers.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from participation.core.errors import PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from participation.notifications.models import (
    DEFAULT_DELIVERY,
    NO_DIGEST,
    Category,
    Delivery,
    DigestSchedule,
    Notification,
    NotificationPreference,
    Unsubscription,
)
from flask_babel import gettext as _

# The category of mail about a person's own case: always sent, never unsubscribed from.
OWN_CASE = None


def _absolute(url: str | None) -> str | None:
    if not url or "://" in url:
        return url
    return current_app.config["BASE_URL"].rstrip("/") + url


def _mail_allowed(user) -> bool:
    from participation.accounts.models import AccountState

    return bool(getattr(user, "email", None)) and getattr(user, "state", None) in (AccountState.active, AccountState.suspended)


def tell(user, category: Category | None, title: str, *, body: str | None = None, url: str | None = None,
         about: str | None = None, event=None, dedup_key: str | None = None, in_app: bool = True,
         mail_subject: str | None = None, mail_template: str | None = None, mail_key: str | None = None,
         to: str | None = None, attachments: list[dict] | None = None, delivery: Delivery | None = None,
         mail_url: str | None = None, mail_context: dict | None = None, **context) -> Notification | None:
    """Tell ``user`` something: an in-app notice, and a mail as their preference for ``category`` says.

    ``category=OWN_CASE`` (``None``): the person's own case, mailed at once whatever they chose.
    ``title`` is the notice's title and, without ``mail_subject``, the mail's subject; ``url`` a
    path on this site; ``about`` the thing it concerns, under which a digest groups it.
    ``dedup_key``: one notice per person and key; the mail's key is ``mail_key`` or
    ``"{dedup_key}:{user.id}"``. ``mail_template`` (under ``templates/mail/``, default
    ``notifications/notice``) is rendered with ``mail_context`` plus ``display_name``,
    ``title``, ``body``, ``url`` (``mail_url``, or ``url`` made absolute) and, outside one's own case,
    ``unsubscribe_url``.
    ``mail_context`` adds template variables whose names clash with these parameters (``event``).
    ``to`` overrides the address; ``delivery`` a preference already read (``tell_all``).
    Returns the notice (``None`` when the key was used already or ``in_app`` is false).
    """
    if user is None or getattr(user, "id", None) is None:
        return None
    from participation.core.outbox import recipient_locale

    # The notice and its mail speak the person's language: lazy titles and bodies are read in it.
    with force_locale(recipient_locale(user)):
        return _tell(user, category, title, body=body, url=url, about=about, event=event, dedup_key=dedup_key, in_app=in_app,
                     mail_subject=mail_subject, mail_template=mail_template, mail_key=mail_key, to=to, attachments=attachments,
                     delivery=delivery, mail_url=mail_url, mail_context=mail_context, **context)


def _tell(user, category, title, *, body, url, about, event, dedup_key, in_app, mail_subject, mail_template, mail_key, to,
          attachments, delivery, mail_url, mail_context, **context):
    title = str(title)
    body = str(body) if body is not None else None
    mail_subject = str(mail_subject) if mail_subject is not None else None
    notification = None
    if in_app:
        notification = notify(user, title, body=body, url=url, event=event, dedup_key=dedup_key)
        if notification is None and dedup_key is not None:
            return None  # told already: no second mail either
        if notification is not None:
            notification.category = category
            notification.about = (about or "")[:200] or None
    if category is OWN_CASE:
        chosen = Delivery.each
    else:
        chosen = delivery or preference_of(user, category)
        if not _mail_allowed(user):
            chosen = Delivery.none
    if chosen in (Delivery.daily, Delivery.weekly):
        if notification is not None:
            notification.digest = chosen
        return notification
    if chosen == Delivery.none:
        return notification
    if notification is not None:
        db.session.flush()
    key = mail_key or (f"{dedup_key}:{user.id}" if dedup_key else f"notice:{notification.id if notification else utcnow().timestamp()}:{user.id}")
    send_mail(user, category, subject=mail_subject or title, template=mail_template or "notifications/notice", dedup_key=key,
              to=to, attachments=attachments, title=title, body=body, url=mail_url or _absolute(url), **context, **(mail_context or {}))
    return notification


def tell_all(users: Iterable, category: Category | None, title: str, **kwargs) -> int:
    """``tell()`` each of ``users``, reading their preferences in one query; returns how many were told."""
    users = [u for u in users if u is not None and getattr(u, "id", None) is not None]
    preferences = preferences_of([u.id for u in users], category) if category is not OWN_CASE else {}
    told = 0
    for user in users:
        told += tell(user, category, title, delivery=preferences.get(user.id), **kwargs) is not None
    return told


def send_mail(user, category: Category | None, *, subject: str, template: str, dedup_key: str, to: str | None = None,
              attachments: list[dict] | None = None, **context):
    """Queue one mail to ``user`` with, outside one's own case, its unsubscribe link and headers."""
    from participation.core.outbox import queue_mail

    headers = None
    context.setdefault("display_name", getattr(user, "display_name", ""))
    if category is not OWN_CASE:
        link = unsubscribe_url(user, category)
        context["unsubscribe_url"] = link
        context["unsubscribe_label"] = category.label
        context["preferences_url"] = _absolute("/compte/notifications")
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mail = queue_mail(to=to or user.email, user=user, subject=subject, template=template, dedup_key=dedup_key,
                      attachments=attachments, headers=headers, **context)
    if mail is not None and category is not OWN_CASE:
        from participation.core.outbox import recipient_locale

        with force_locale(recipient_locale(user)):
            footer = render_template("mail/notifications/_footer.txt", **context)
        mail.body_text = mail.body_text.rstrip("\n") + "\n\n" + footer
    return mail


# Why a mail goes to an address rather than to a person through ``tell()``: no one's preferences govern it.
ADDRESS_MAIL_REASONS = {
    # A person's own case at an address without an account (an invitation to sit or to represent an
    # association, a registration, a convocation, a questionnaire's invitation, a subscription to confirm).
    "own_case": "l'affaire de la personne, à une adresse sans compte",
    # A department's shared mailbox: the service's work, not one person's; its agents are told by ``tell()``.
    "shared_mailbox": "la boîte partagée d'une direction",
}


def mail_address(*, to: str, subject: str, template: str, dedup_key: str, reason: str, user=None, **context):
    """Mail an address that has no preferences to follow: the one other way out besides ``tell()``.

    ``reason`` says why (a key of ``ADDRESS_MAIL_REASONS``); such a mail carries no unsubscribe link,
    since there is no category to turn off. Domains never call ``queue_mail`` themselves.
    """
    from participation.core.outbox import queue_mail

    if reason not in ADDRESS_MAIL_REASONS:
        raise ValueError(f"unknown reason for a mail to an address: {reason!r}")
    return queue_mail(to=to, user=user, subject=subject, template=template, dedup_key=dedup_key, **context)


def notify(user, title: str, *, body: str | None = None, url: str | None = None, event=None, dedup_key: str | None = None) -> Notification | None:
    """Add an in-app notice only (``tell()`` is what domains call); with a ``dedup_key`` already used for them, add nothing."""
    if user is None or getattr(user, "id", None) is None:
        return None
    if dedup_key is not None:
        exists = db.session.scalar(
            sa.select(Notification.id).where(Notification.user_id == user.id, Notification.dedup_key == dedup_key)
        )
        if exists is not None:
            return None
    title, body = str(title), (str(body) if body is not None else None)
    notification = Notification(user_id=user.id, title=title[:200], body=body, url=url, event_id=getattr(event, "id", None), dedup_key=dedup_key)
    db.session.add(notification)
    return notification


# Preferences -------------------------------------------------------------------


def categories_for(user) -> list[Category]:
    """The categories a person sees on their page: staff work only for staff."""
    staff = bool(getattr(user, "role_names", set()) & {"staff", "moderator", "admin"})
    return [c for c in Category if c != Category.staff_work or staff]


def deliveries_for(category: Category) -> list[Delivery]:
    if category in NO_DIGEST:
        return [Delivery.each, Delivery.none]
    return list(Delivery)


def preference_of(user, category: Category) -> Delivery:
    row = db.session.scalar(
        sa.select(NotificationPreference.delivery).where(NotificationPreference.user_id == user.id, NotificationPreference.category == category)
    )
    return row or DEFAULT_DELIVERY[category]


def preferences_of(user_ids: list[int], category: Category) -> dict[int, Delivery]:
    """Each person's delivery for ``category`` (the default where they have not chosen)."""
    chosen: dict[int, Delivery] = {}
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        chosen.update(db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.delivery)
            .where(NotificationPreference.user_id.in_(chunk), NotificationPreference.category == category)
        ).all())
    return {uid: chosen.get(uid, DEFAULT_DELIVERY[category]) for uid in user_ids}


def all_preferences(user) -> dict[Category, Delivery]:
    rows = dict(db.session.execute(
        sa.select(NotificationPreference.category, NotificationPreference.delivery).where(NotificationPreference.user_id == user.id)
    ).all())
    return {c: rows.get(c, DEFAULT_DELIVERY[c]) for c in Category}


def schedule_of(user) -> DigestSchedule:
    from participation.notifications.models import DEFAULT_DIGEST_HOUR, DEFAULT_DIGEST_WEEKDAY

    return (db.session.scalar(sa.select(DigestSchedule).where(DigestSchedule.user_id == user.id))
            or DigestSchedule(user_id=user.id, hour=DEFAULT_DIGEST_HOUR, weekday=DEFAULT_DIGEST_WEEKDAY))


def set_preference(user, category: Category, delivery: Delivery, *, actor, source: str = "preferences") -> bool:
    """Set how ``user`` hears of ``category``; returns whether it changed."""
    if getattr(actor, "id", None) != user.id and actor is not _system():
        raise PermissionDenied(_("Seule la personne concernée choisit ce qu'elle reçoit."))
    if delivery not in deliveries_for(category):
        raise ValueError(_("Ce choix n'est pas proposé pour cette catégorie."))
    row = db.session.scalar(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id, NotificationPreference.category == category)
    )
    current = row.delivery if row else DEFAULT_DELIVERY[category]
    if row is None:
        row = NotificationPreference(user_id=user.id, category=category, delivery=delivery)
        db.session.add(row)
    if current == delivery:
        return False
    row.delivery = delivery
    row.updated_at = utcnow()
    if delivery == Delivery.none:
        # Notices waiting for a digest of this category will not be mailed.
        db.session.execute(sa.update(Notification).where(Notification.user_id == user.id, Notification.category == category,
                                                         Notification.digest.is_not(None)).values(digest=None)
                           .execution_options(people=(user.id,)))
    from participation.core.eventlog import record

    record("notification_preference.changed", user, actor if actor is not _system() else None,
           {"category": category.value, "delivery": delivery.value, "source": source})
    return True


def save_preferences(user, choices: dict[Category, Delivery], *, hour: int, weekday: int, actor) -> int:
    """Save the preference page: every category's choice and the digests' hour and day."""
    if getattr(actor, "id", None) != user.id:
        raise PermissionDenied(_("Seule la personne concernée choisit ce qu'elle reçoit."))
    changed = sum(set_preference(user, category, delivery, actor=actor) for category, delivery in choices.items())
    schedule = schedule_of(user)
    if schedule.id is None:
        db.session.add(schedule)
    if (schedule.hour, schedule.weekday) != (hour, weekday):
        schedule.hour, schedule.weekday = hour, weekday
        changed += 1
    return changed


def _system():
    from participation.core.permissions import SYSTEM

    return SYSTEM


# One-click unsubscribe ---------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="participation.unsubscribe")


def unsubscribe_token(user, categories: Category | Iterable[Category]) -> str:
    if isinstance(categories, Category):
        categories = [categories]
    return _serializer().dumps({"u": user.id, "c": ",".join(c.value for c in categories)})


def unsubscribe_url(user, categories: Category | Iterable[Category]) -> str:
    """The signed link that turns ``categories`` off for ``user``, without logging in."""
    from participation.core.urls import external_url

    return external_url("notification_preferences.unsubscribe", token=unsubscribe_token(user, categories))


class BadUnsubscribeLink(Exception):
    """The link was altered or has expired: the message says which, in French."""


def read_unsubscribe_token(token: str):
    """The person and the categories a link names; raises ``BadUnsubscribeLink``."""
    from participation.accounts.models import User

    max_age = current_app.config.get("UNSUBSCRIBE_LINK_DAYS", 365) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadUnsubscribeLink(_("Ce lien de désinscription a expiré : rien n'a été modifié. "
                                 "Connectez-vous pour choisir ce que vous recevez.")) from None
    except BadSignature:
        raise BadUnsubscribeLink(_("Ce lien de désinscription n'est pas valide (il a peut-être été tronqué ou modifié) : "
                                 "rien n'a été modifié.")) from None
    try:
        categories = [Category(value) for value in str(data["c"]).split(",")]
        user = db.session.get(User, int(data["u"]))
    except (KeyError, TypeError, ValueError):
        raise BadUnsubscribeLink(_("Ce lien de désinscription n'est pas valide : rien n'a été modifié.")) from None
    if user is None:
        raise BadUnsubscribeLink(_("Ce lien de désinscription ne correspond plus à aucun compte : rien n'a été modifié."))
    return user, categories


def unsubscribe(user, category: Category, *, source: str) -> bool:
    """Turn ``category``'s mail off for ``user`` (the token proved who they are) and record it; returns whether it changed."""
    hook = UNSUBSCRIBE_HOOKS.get(category)
    changed = hook(user) if hook else False
    changed = set_preference(user, category, Delivery.none, actor=_system(), source=source) or changed
    row = db.session.scalar(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id, NotificationPreference.category == category)
    )
    if row is not None and changed:
        row.unsubscribed_at = utcnow()
    if changed:
        db.session.add(Unsubscription(user_id=user.id, email=user.email, category=category, source=source))
    return changed


# Other domains may undo more than the preference on unsubscription (the newsletter ends the subscription).
UNSUBSCRIBE_HOOKS: dict[Category, object] = {}


# Reading notices ---------------------------------------------------------------


def unread_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def notices_of(user):
    """A ``select`` of the person's notices, newest first, for pagination."""
    return sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(notification: Notification, *, actor) -> None:
    if notification.user_id != getattr(actor, "id", None):
        raise PermissionDenied(_("Cette notification ne vous est pas destinée."))
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(*, actor) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(people=(actor.id,))  # a bulk UPDATE: the ORM does not see whose rows it changes
    )
    return result.rowcount or 0


# Staff queues ------------------------------------------------------------------


def staff_audience(*roles: str, department_id: int | None = None) -> list:
    """The active people holding one of ``roles`` (and, with ``department_id``, agents of that department)."""
    from participation.accounts.models import AccountState, RoleGrant, User

    query = (sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id)
             .where(RoleGrant.role.in_(roles), User.state == AccountState.active).order_by(User.id))
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    return list(db.session.scalars(query).unique())


def tell_staff(roles: tuple[str, ...], title: str, *, department_id: int | None = None, dedup_key: str, url: str | None = None,
               **kwargs) -> int:
    """Tell the people who work a staff queue (category « Le travail qui m'attend »), at once in the app."""
    return tell_all(staff_audience(*roles, department_id=department_id), Category.staff_work, title, url=url, dedup_key=dedup_key, **kwargs)
