"""The demo holds the three plans the issue describes, and their pages answer."""

from __future__ import annotations

import sqlalchemy as sa

from participation import demo
from participation.extensions import db
from participation.plans import committees, pact, services
from participation.plans.models import Decision, Indicator, Measurement, MeetingState, Plan, PlanKind


def test_the_demo_has_a_territory_project_a_ctg_and_a_pact(app, client):
    demo.load()
    project, ctg, pacte = db.session.scalars(sa.select(Plan).order_by(Plan.id)).all()
    assert project.slug == "projet-de-territoire-2025-2035" and (project.start_year, project.end_year) == (2025, 2035)
    nodes = services.nodes_of(project)
    assert sum(1 for n in nodes if n.parent_id is None) == 3 and sum(1 for n in nodes if n.parent_id) == 8
    assert len(services.actions_of(project)) == 20
    assert db.session.scalar(sa.select(sa.func.count(Indicator.id)).where(Indicator.plan_id == project.id)) == 15
    years = db.session.scalars(sa.select(sa.func.extract("year", Measurement.period_start)).distinct()).all()
    assert len(years) == 3
    cycling = services.actions_of(project)[0]
    assert services.recommendations_of([cycling])[cycling.id]  # the retained recommendation of the mobility opinion

    assert ctg.kind == PlanKind.ctg
    names = [c.name for c in committees.committees_of(ctg)]
    assert names == ["Comité de pilotage de la CTG", "Comité technique de la CTG"]
    held = [m for m in committees.meetings_of(ctg) if m.state == MeetingState.held]
    assert len(held) == 2 and db.session.scalar(sa.select(sa.func.count(Decision.id)).where(Decision.plan_id == ctg.id)) == 3
    assert pacte.kind == PlanKind.governance_pact and len(pact.deadlines(pacte)) == 3 + 5

    for plan in (project, ctg, pacte):
        assert client.get(f"/plans/{plan.slug}").status_code == 200
    assert client.get(f"/plans/{project.slug}/actions/{cycling.id}").status_code == 200
    client.login("agent@demo.example", demo.DEMO_PASSWORD)
    for plan in (project, ctg, pacte):
        assert client.get(f"/gestion/plans/{plan.id}").status_code == 200
