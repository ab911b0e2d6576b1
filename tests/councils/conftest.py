"""People for the council tests."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.core.outbox import OutboxMail
from participation.extensions import db
from tests import factories


@pytest.fixture
def staff_user():
    return factories.staff(email="agent@example.org", display_name="Nadia Agente")


@pytest.fixture
def resident():
    return factories.user("habitant@example.org", display_name="Camille Habitante")


def invitation_path(email: str) -> str:
    """The link of the last invitation sent to ``email``, read in the queued mail."""
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == email, OutboxMail.template == "councils/invitation")
                             .order_by(OutboxMail.id.desc()))
    assert mail is not None, f"pas d'invitation pour {email}"
    return re.search(r"http://participation\.test(/conseils/invitation/\S+)", mail.body_text).group(1)
