"""What residents see of plans outside their pages: the agenda citoyen, their data, and closing their account."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.accounts import services as accounts
from participation.agenda.sources import AgendaQuery, collect
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import committees, services
from participation.plans.models import ActionFollower, PlanFollower
from tests import factories
from tests.factories import PASSWORD


def test_public_committee_meetings_of_public_plans_are_in_the_agenda():
    plan = factories.plan(title="Contrat de ville", kind="city_contract", axes=1, objectives=1, actions=1, state="running")
    committee = committees.create_committee(plan, kind="steering", name="Comité de pilotage du contrat de ville", actor=SYSTEM)
    public = committees.schedule_meeting(committee, title="Comité ouvert", starts_at=utcnow() + timedelta(days=5), is_public=True, actor=SYSTEM)
    committees.schedule_meeting(committee, title="Comité restreint", starts_at=utcnow() + timedelta(days=6), actor=SYSTEM)
    items = collect(AgendaQuery(start=utcnow(), end=utcnow() + timedelta(days=30)))
    titles = [i.title for i in items if i.kind == "plan_meeting"]
    assert titles == ["Comité de pilotage du contrat de ville — Comité ouvert"]
    assert next(i for i in items if i.kind == "plan_meeting").url == f"/plans/{plan.slug}#comites"
    del public


def test_my_data_lists_follows_and_closing_the_account_forgets_them():
    resident = factories.user("suiveur@example.org")
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    action = services.actions_of(plan)[0]
    services.follow_plan(plan, actor=resident)
    services.follow_action(action, actor=resident)
    data = personal_data.export(resident)["plans"]
    assert [f["plan"] for f in data["plans_suivis"]] == [plan.title]
    assert [f["action"] for f in data["actions_suivies"]] == ["1.1.1 Action 1.1.1"]
    accounts.close_account(resident, password=PASSWORD, actor=resident)
    assert db.session.scalar(sa.select(sa.func.count(PlanFollower.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ActionFollower.id))) == 0
