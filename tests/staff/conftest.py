"""The people of the back office, one per role."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest

from participation.accounts.models import User
from tests import factories


@dataclass
class People:
    resident: User
    staff: User
    moderator: User
    admin: User

    def __getitem__(self, role: str) -> User:
        return getattr(self, role)


@pytest.fixture
def people() -> People:
    return People(
        resident=factories.user("habitant@example.org", display_name="Camille Habitante"),
        staff=factories.staff(email="agent@example.org", display_name="Nadia Agente"),
        moderator=factories.user("moderation@example.org", roles=["moderator"], display_name="Hugo Modérateur"),
        admin=factories.admin(email="admin@example.org", display_name="Alix Admin"),
    )


@pytest.fixture
def demo_mode(app, monkeypatch):
    """The platform as a demonstration: its mail reaches nobody, staff may read it."""
    monkeypatch.setitem(app.config, "DEMO_MODE", True)


def login(client, user: User):
    client.login(user.email, factories.PASSWORD)
    return client


def text(response) -> str:
    """The main content's text as a person reads it (header and footer left out): tags removed, spaces collapsed."""
    body = response.get_data(as_text=True)
    main = re.search(r"<main\b.*?</main>", body, flags=re.S)
    body = main.group(0) if main else body
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))
