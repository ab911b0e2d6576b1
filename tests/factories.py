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


# Consultations (forums) ------------------------------------------------------


def consultation(*, state: str = "open", premoderated: bool = False, opens_in_days: float = -1, closes_in_days: float = 14,
                 title: str | None = None, themes=(), communes=(), actor=None):
    """A consultation created and published by staff; ``state`` "draft", "published" (upcoming), "open" or "closed"."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.forums import services as forums

    n = next(_counter)
    now = utcnow()
    if state == "published" and opens_in_days <= 0:
        opens_in_days = 2
    item = forums.save_consultation(
        None,
        title=title or f"Concertation {n}",
        question=f"Que pensez-vous du projet {n} ?",
        presentation="Le projet **en détail**.",
        charter="Restez courtois et dans le sujet.",
        opens_at=now + timedelta(days=opens_in_days),
        closes_at=now + timedelta(days=closes_in_days),
        premoderated=premoderated,
        themes=themes,
        communes=communes,
        actor=actor or SYSTEM,
    )
    if state != "draft":
        forums.publish_consultation(item, actor=SYSTEM)
    if state == "closed":
        forums.close_consultation(item, actor=SYSTEM)
    return item


def participant(consultation_, **kwargs) -> User:
    """An active account that has accepted the consultation's charter."""
    from participation.forums import services as forums

    person = user(**kwargs)
    forums.accept_charter(consultation_, actor=person)
    return person


def topic(consultation_, author=None, *, title: str | None = None, body: str = "Mon avis sur le projet."):
    from participation.forums import services as forums

    author = author or participant(consultation_)
    return forums.open_topic(consultation_, title=title or f"Sujet {next(_counter)}", body=body, actor=author)


def pdf_bytes(size: int = 2000) -> bytes:
    head = b"%PDF-1.4\n"
    return head + b"0" * max(0, size - len(head))


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x2a\x6b\x9e")) + chunk(b"IEND", b""))


def upload(content: bytes, filename: str):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(content), filename=filename)


def attachment(consultation_, *, image: bool = False, title: str | None = None, alt_text: str = "", content: bytes | None = None, actor=None):
    """A document (PDF) or an image (PNG) of a consultation's presentation, added by staff."""
    from participation.core.permissions import SYSTEM
    from participation.forums import services as forums

    if image:
        data, name, alt_text = content or png_bytes(), "plan.png", alt_text or "Plan du quartier et de ses pistes cyclables"
    else:
        data, name = content or pdf_bytes(), "dossier.pdf"
    return forums.add_attachment(consultation_, upload=upload(data, name), title=title or ("Plan du projet" if image else "Dossier de concertation"),
                                 alt_text=alt_text, actor=actor or SYSTEM)
