"""Command-line: seed demo data, list the worker's jobs."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.models import AccountState, User
from participation.accounts.services import authenticate
from participation.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from participation.extensions import db
from participation.territory.models import Commune, Department, Territory, Theme


def test_seed_demo_loads_a_territory_and_one_account_per_role(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    territory = db.session.scalar(sa.select(Territory))
    assert territory.name == "Agglomération du Val de Loirande"
    assert db.session.scalar(sa.select(sa.func.count(Commune.id))) == 20
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) >= 5
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) >= 5
    roles = set()
    for email, *_ in DEMO_ACCOUNTS:
        assert email in result.output
        user = authenticate(email, DEMO_PASSWORD)
        assert user.state == AccountState.active
        roles |= user.role_names
    assert roles == {"staff", "moderator", "admin"}
    assert DEMO_PASSWORD in result.output

    # The demo residents (consultations, councils) come on top of one account per role; seeding again adds none.
    accounts = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert accounts >= len(DEMO_ACCOUNTS)
    again = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "déjà un territoire" in again.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == accounts
