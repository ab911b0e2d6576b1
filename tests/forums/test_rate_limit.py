"""Contributions are limited per account: past the limit, a French 429 page and nothing saved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.extensions import db, limiter
from participation.forums.models import Contribution
from tests import factories

STARTED_RE = re.compile(r'name="started"[^>]*value="([^"]+)"')


@pytest.fixture
def _limiter_restored():
    """The limiter is one object shared by every app: give the other tests back a disabled, empty one."""
    enabled = limiter.enabled
    yield
    limiter.reset()
    limiter.enabled = enabled


def _limited_app(app, tmp_path):
    keys = ["TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BASE_URL", "ARGON2_FAST", "MAIL_DELIVERY", "DEMO_MODE"]
    limited = create_app({**{key: app.config[key] for key in keys}, "INSTANCE_PATH": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
                          "RATELIMIT_ENABLED": True, "RATELIMIT_CONTRIBUTIONS": "3 per minute", "FORUMS_MIN_FILL_SECONDS": 0})
    limited.test_client_class = type(app.test_client())
    return limited


def test_429_after_too_many_contributions_from_one_account(app, tmp_path, _limiter_restored):
    consultation = factories.consultation()
    resident = factories.participant(consultation)
    topic = factories.topic(consultation)
    limited = _limited_app(app, tmp_path)
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"

    def count() -> int:
        return db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(Contribution.author_id == resident.id))

    statuses = []
    # From two addresses: the limit follows the account, not the connection.
    for n, address in enumerate(["192.0.2.1", "192.0.2.2", "192.0.2.1", "192.0.2.2"]):
        client = limited.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        client.login(resident.email, factories.PASSWORD)
        form = client.get(path).get_data(as_text=True)
        started = STARTED_RE.search(form).group(1)
        response = client.submit(f"{path}/contributions", {"started": started, "body": f"Contribution n° {n + 1}"}, form_path=path)
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429]
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page and "Trop de tentatives" in page and "Patientez quelques minutes" in page
    assert count() == 3
    assert db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(Contribution.body == "Contribution n° 4")) == 0

    # Another account is not held back by the first one's limit.
    other = factories.participant(consultation)
    client = limited.test_client()
    client.login(other.email, factories.PASSWORD)
    started = STARTED_RE.search(client.get(path).get_data(as_text=True)).group(1)
    assert client.submit(f"{path}/contributions", {"started": started, "body": "Ma première"}, form_path=path).status_code == 302
