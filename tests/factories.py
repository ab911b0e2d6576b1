"""Test data, built through the services wherever a service exists."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from participation.accounts import services as accounts
from participation.accounts.models import Role, User
from participation.core.outbox import MailStatus, OutboxMail
from participation.extensions import db
from participation.territory.models import Commune, Department, Territory, Theme

PASSWORD = "un-mot-de-passe-solide"
_counter = itertools.count(1)


def territory(**values) -> Territory:
    existing = db.session.scalar(sa.select(Territory).limit(1))
    if existing is not None:
        for key, value in values.items():
            setattr(existing, key, value)
        return existing
    values.setdefault("name", "Agglomération de Test")
    values.setdefault("dpo_email", "dpo@collectivite.example")
    item = Territory(**values)
    db.session.add(item)
    db.session.flush()
    return item


def department(name: str | None = None, code: str | None = None, email: str | None = None) -> Department:
    n = next(_counter)
    item = Department(name=name or f"Direction {n}", code=code or f"DIR{n}", email=email or f"direction{n}@collectivite.example")
    db.session.add(item)
    db.session.flush()
    return item


def commune(name: str | None = None, insee_code: str | None = None, population: int | None = 1000) -> Commune:
    n = next(_counter)
    item = Commune(name=name or f"Commune {n}", insee_code=insee_code or f"{99000 + n % 1000:05d}", population=population)
    db.session.add(item)
    db.session.flush()
    return item


def theme(name: str | None = None) -> Theme:
    n = next(_counter)
    item = Theme(name=name or f"Thème {n}", slug=f"theme-{n}")
    db.session.add(item)
    db.session.flush()
    return item


def user(email: str | None = None, *, roles=(), department_=None, display_name: str | None = None, password: str = PASSWORD) -> User:
    """An active, confirmed account."""
    n = next(_counter)
    roles = [Role(r) for r in roles]
    if Role.staff in roles and department_ is None:
        department_ = department()
    return accounts.create_user(
        email=email or f"personne{n}@example.org",
        password=password,
        display_name=display_name or f"Personne {n}",
        roles=roles,
        department=department_,
    )


def admin(**kwargs) -> User:
    return user(roles=["admin"], **kwargs)


def staff(**kwargs) -> User:
    return user(roles=["staff"], **kwargs)


def mail(recipient: str | None = None, *, status: MailStatus = MailStatus.pending, **values) -> OutboxMail:
    """A row of the outbox, as the worker would find it."""
    n = next(_counter)
    values.setdefault("subject", f"Courriel {n}")
    values.setdefault("body_text", f"Bonjour,\n\nCeci est le courriel {n}.")
    values.setdefault("body_html", f"<p>Bonjour,</p><p>Ceci est le courriel {n}.</p>")
    values.setdefault("template", "test/example")
    if status == MailStatus.failed:
        values.setdefault("attempts", 8)
        values.setdefault("last_error", "(550, b'Mailbox unavailable')")
    item = OutboxMail(recipient=recipient or f"destinataire{n}@example.org", dedup_key=f"test:{n}", status=status, **values)
    db.session.add(item)
    db.session.flush()
    return item


def event(*, publish: bool = True, actor=None, themes=(), communes=(), **values):
    """An event (published unless told), starting in ten days, two hours long, 20 places."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.events import services as events

    n = next(_counter)
    start = values.pop("starts_at", None) or (utcnow() + timedelta(days=10)).replace(microsecond=0)
    values.setdefault("title", f"Atelier citoyen {n}")
    values.setdefault("place_name", "Salle des fêtes")
    values.setdefault("address", "1 place de la Mairie, 37910 Loirande")
    values.setdefault("ends_at", start + timedelta(hours=2))
    values.setdefault("capacity", 20)
    values.setdefault("reminder_days", "7,1")
    item = events.create_event({"starts_at": start, **values}, themes=themes, communes=communes, actor=actor or SYSTEM)
    if publish:
        events.publish_event(item, actor=actor or SYSTEM)
    db.session.flush()
    return item
