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


# --- Councils ---------------------------------------------------------------


def neighbourhood(name: str | None = None, commune_=None):
    from participation.territory.models import Neighbourhood

    n = next(_counter)
    item = Neighbourhood(name=name or f"Quartier {n}", qpv_code=f"QN{n:06d}", commune_id=(commune_ or commune()).id)
    db.session.add(item)
    db.session.flush()
    return item


def council(name: str | None = None, *, kind: str = "development", colleges=(("Collège des habitants", 30), ("Collège des acteurs", 30)),
            published: bool = True, manager=None, **values):
    """A council with its colleges, set up through the services."""
    from participation.core.permissions import SYSTEM
    from participation.councils import services as councils
    from participation.councils.models import CollegeKind, CouncilKind

    n = next(_counter)
    if kind == "citizen":
        values.setdefault("neighbourhood", neighbourhood())
    item = councils.save_council(None, name=name or f"Conseil {n}", kind=CouncilKind(kind), manager=manager, actor=SYSTEM, **values)
    for college_name, seats in colleges:
        college_kind = CollegeKind.drawn_residents if kind == "citizen" and "habitant" in college_name.lower() else CollegeKind.other
        councils.add_college(item, name=college_name, seats=seats, kind=college_kind, actor=SYSTEM)
    if published:
        councils.change_council_state(item, "publish", actor=SYSTEM)
    return item


def member(council_, *, college=None, user_=None, gender: str = "woman", birth_year: int = 1980, role: str = "member",
           elected_councillor: bool = False):
    """An active member, invited and accepted."""
    from participation.core.permissions import SYSTEM
    from participation.councils import services as councils

    user_ = user_ or user()
    college = college or council_.colleges[0]
    membership = councils.invite_member(council_, college=college, name=user_.display_name, email=user_.email, role=role, actor=SYSTEM)
    councils.accept_invitation(membership, gender=gender, birth_year=birth_year, elected_councillor=elected_councillor, actor=user_)
    db.session.flush()
    return membership


def sitting(council_, *, days: float = 10, items: int = 1, publish: bool = False, **values):
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.councils import services as councils

    values.setdefault("title", f"Séance {next(_counter)}")
    values.setdefault("place", "Salle du conseil, hôtel d'agglomération")
    item = councils.create_sitting(council_, starts_at=utcnow().replace(microsecond=0) + timedelta(days=days), actor=SYSTEM, **values)
    for i in range(items):
        councils.add_agenda_item(item, title=f"Point {i + 1}", actor=SYSTEM)
    if publish:
        councils.publish_sitting(item, actor=SYSTEM)
    return item
