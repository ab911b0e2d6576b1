"""A plan with 300 actions and 500 indicators (10,000 measurements) renders its public page and its dashboard
in as many queries as a small plan."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import committees, services
from participation.plans.models import Action, ActionFunding, Indicator, Measurement, Milestone, NodeKind, PlanNode
from tests import factories
from tests.factories import PASSWORD


def big_plan(*, axes: int, objectives: int, actions: int, indicators: int, measurements: int):
    """Bulk inserts: the plan, its tree, actions with fundings and milestones, indicators and their measurements."""
    plan = factories.plan(title=f"Plan de {axes * objectives * actions} actions", axes=1, objectives=1, actions=1, state="running")
    db.session.execute(sa.delete(Action).where(Action.plan_id == plan.id))
    db.session.execute(sa.delete(PlanNode).where(PlanNode.plan_id == plan.id, PlanNode.parent_id.is_not(None)))
    db.session.execute(sa.delete(PlanNode).where(PlanNode.plan_id == plan.id))
    db.session.execute(sa.insert(PlanNode), [{"plan_id": plan.id, "kind": NodeKind.axis, "number": a, "code": str(a), "title": f"Axe {a}",
                                               "description": ""} for a in range(1, axes + 1)])
    axis_ids = dict(db.session.execute(sa.select(PlanNode.number, PlanNode.id).where(PlanNode.plan_id == plan.id)).all())
    db.session.execute(sa.insert(PlanNode), [{"plan_id": plan.id, "parent_id": axis_ids[a], "kind": NodeKind.objective, "number": o,
                                               "code": f"{a}.{o}", "title": f"Objectif {a}.{o}", "description": ""}
                                              for a in range(1, axes + 1) for o in range(1, objectives + 1)])
    objective_ids = list(db.session.execute(sa.select(PlanNode.id, PlanNode.code).where(PlanNode.plan_id == plan.id,
                                                                                        PlanNode.parent_id.is_not(None))).all())
    db.session.execute(sa.insert(Action), [{"plan_id": plan.id, "node_id": node_id, "number": n, "code": f"{code}.{n}",
                                            "title": f"Action {code}.{n}", "description": "", "partners": "", "target_public": "",
                                            "progress": n * 7 % 100, "archived": False}
                                           for node_id, code in objective_ids for n in range(1, actions + 1)])
    action_ids = db.session.scalars(sa.select(Action.id).where(Action.plan_id == plan.id)).all()
    db.session.execute(sa.insert(ActionFunding), [{"action_id": i, "funder": "caf", "planned_cents": 100_000, "spent_cents": 50_000}
                                                  for i in action_ids])
    db.session.execute(sa.insert(Milestone), [{"action_id": i, "title": "Lancement", "due_on": date(2026, 1, 1)} for i in action_ids])
    node_ids = [i for i, _ in objective_ids]
    db.session.execute(sa.insert(Indicator), [{"plan_id": plan.id, "node_id": node_ids[k % len(node_ids)], "code": f"I-{k:04d}",
                                               "name": f"Indicateur {k}", "unit": "%", "direction": "higher", "targets": {"2035": 50},
                                               "periodicity": "yearly", "source": "", "archived": False, "baseline_value": 10.0}
                                              for k in range(indicators)])
    indicator_ids = db.session.scalars(sa.select(Indicator.id).where(Indicator.plan_id == plan.id)).all()
    per = measurements // max(indicators, 1)
    db.session.execute(sa.insert(Measurement), [{"indicator_id": i, "period_start": date(2000 + y, 1, 1), "measured_on": date(2000 + y, 6, 1),
                                                 "value": float(y)} for i in indicator_ids for y in range(per)])
    committee = committees.create_committee(plan, kind="steering", name="COPIL", actor=SYSTEM)
    meeting = committees.schedule_meeting(committee, title="COPIL", starts_at=factories_now(), actor=SYSTEM)
    for k in range(min(5, len(action_ids))):
        committees.take_decision(meeting, text=f"Décision {k}", actions=[db.session.get(Action, action_ids[k])], actor=SYSTEM)
    db.session.flush()
    db.session.expire_all()
    return plan


def factories_now():
    from participation.core.models import utcnow

    return utcnow()


def queries(client, count_queries, path: str) -> int:
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_the_public_page_and_the_dashboard_run_a_bounded_number_of_queries(client, count_queries):
    small = big_plan(axes=1, objectives=1, actions=1, indicators=1, measurements=1)
    large = big_plan(axes=3, objectives=10, actions=10, indicators=500, measurements=10_000)
    assert len(services.actions_of(large)) == 300
    assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) == 10_001

    small_public = queries(client, count_queries, f"/plans/{small.slug}")
    large_public = queries(client, count_queries, f"/plans/{large.slug}")
    assert large_public == small_public and large_public <= 30
    assert queries(client, count_queries, f"/plans/{large.slug}?indicateurs=25") == large_public

    agent = factories.staff()
    client.login(agent.email, PASSWORD)
    small_dashboard = queries(client, count_queries, f"/gestion/plans/{small.id}")
    large_dashboard = queries(client, count_queries, f"/gestion/plans/{large.id}")
    assert large_dashboard == small_dashboard and large_dashboard <= 45
    html = client.get(f"/plans/{large.slug}").get_data(as_text=True)
    assert "Action 3.10.10" in html and "500 indicateurs, page 1 sur 25." in html


@pytest.mark.parametrize("path", ["/plans/{slug}/plan-d-actions.csv", "/plans/{slug}/mesures.csv"])
def test_the_exports_run_a_bounded_number_of_queries(client, count_queries, path):
    small = big_plan(axes=1, objectives=1, actions=1, indicators=1, measurements=1)
    large = big_plan(axes=2, objectives=5, actions=10, indicators=50, measurements=1000)
    assert queries(client, count_queries, path.format(slug=large.slug)) == queries(client, count_queries, path.format(slug=small.slug))
