"""A plan's life: tree, numbering, rules on actions, transitions and timeline, public pages, follows, exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.errors import DomainError, TransitionRefused, ValidationError
from participation.core.eventlog import DomainEvent
from participation.core.outbox import OutboxMail
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.notifications.models import Category, Delivery, Notification
from participation.notifications.services import set_preference
from participation.plans import services
from participation.plans.models import ActionStatus, PlanState
from tests import factories
from tests.factories import PASSWORD


def test_the_tree_is_numbered_axe_objectif_action():
    plan = factories.plan(axes=2, objectives=3, actions=2)
    actions = services.actions_of(plan)
    assert [a.code for a in actions][:3] == ["1.1.1", "1.1.2", "1.2.1"]
    assert actions[-1].code == "2.3.2" and str(actions[-1]) == "Action 2.3.2 — Action 2.3.2"
    tree = services.tree(plan, actions)
    assert [t.node.label for t in tree] == ["Axe 1", "Axe 2"]
    assert [c.node.label for c in tree[1].children] == ["Objectif 2.1", "Objectif 2.2", "Objectif 2.3"]


def test_a_plan_is_not_adopted_without_an_axis_and_an_action():
    plan = factories.plan()
    with pytest.raises(TransitionRefused, match="au moins un axe et une action"):
        services.change_plan_state(plan, "adopt", actor=SYSTEM)
    services.add_axis(plan, title="Cohésion", actor=SYSTEM)
    with pytest.raises(TransitionRefused, match="au moins un axe et une action"):
        services.change_plan_state(plan, "adopt", actor=SYSTEM)


def test_every_transition_is_an_event_on_the_timeline():
    plan = factories.plan(axes=1, objectives=1, actions=1, state="evaluation")
    services.change_plan_state(plan, "close", actor=SYSTEM)
    assert plan.state == PlanState.closed and plan.adopted_on == date.today()
    names = [e.name for e in services.timeline(plan)]
    assert names[:4] == ["plan.closed", "plan.evaluation_started", "plan.started", "plan.adopted"]
    with pytest.raises(TransitionRefused, match="déjà clos"):
        services.change_plan_state(plan, "close", actor=SYSTEM)


def test_action_dates_lie_within_the_plan_period():
    plan = factories.plan(axes=1, objectives=1, start_year=2025, end_year=2030)
    objective = services.nodes_of(plan)[1]
    with pytest.raises(ValidationError, match="2025–2030") as refused:
        services.save_action(None, node=objective, actor=SYSTEM, title="Hors période", start_date=date(2024, 12, 31))
    assert refused.value.field == "start_date"
    action = services.save_action(None, node=objective, actor=SYSTEM, title="Dans la période", start_date=date(2025, 1, 1),
                                  end_date=date(2030, 12, 31))
    assert action.code == "1.1.1"


def test_the_tree_cannot_be_cut_but_can_be_archived():
    plan = factories.plan(axes=1, objectives=1, actions=1)
    axis, objective = services.nodes_of(plan)
    with pytest.raises(DomainError, match="ne peut être supprimé"):
        services.delete_node(axis, actor=SYSTEM)
    with pytest.raises(DomainError, match="ne peut être supprimé"):
        services.delete_node(objective, actor=SYSTEM)
    empty = services.add_axis(plan, title="Axe vide", actor=SYSTEM)
    services.delete_node(empty, actor=SYSTEM)
    services.archive_node(axis, actor=SYSTEM)
    assert services.nodes_of(plan) == [objective]  # the axis left the pages, its history stays
    assert len(services.nodes_of(plan, include_archived=True)) == 2


def test_postponing_or_abandoning_needs_a_reason_and_followers_are_told(mailbox):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    action = services.actions_of(plan)[0]
    resident = factories.user("riverain@example.org")
    services.follow_action(action, actor=resident)
    with pytest.raises(ValidationError, match="raison"):
        services.change_action_status(action, "postpone", actor=SYSTEM)
    services.change_action_status(action, "engage", actor=SYSTEM)
    services.change_action_status(action, "postpone", actor=SYSTEM, reason="Travaux reportés à 2027.")
    assert action.status == ActionStatus.postponed and action.previous_status == ActionStatus.ongoing
    notices = db.session.scalars(sa.select(Notification).where(Notification.user_id == resident.id).order_by(Notification.id)).all()
    assert [n.title for n in notices] == ["Action 1.1.1 « Action 1.1.1 » : en cours", "Action 1.1.1 « Action 1.1.1 » : reportée"]
    # By default a follower hears of the plans in the weekly digest: no mail at once.
    assert [(n.category, n.digest) for n in notices] == [(Category.plans, Delivery.weekly)] * 2
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.recipient == "riverain@example.org")) == 0
    # Who chose a mail each time gets it, with the reason and the one-click unsubscribe link.
    set_preference(resident, Category.plans, Delivery.each, actor=resident)
    services.change_action_status(action, "abandon", actor=SYSTEM, reason="Travaux reportés à 2027.")
    mail = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == "riverain@example.org").order_by(OutboxMail.id)).all()[-1]
    assert "Travaux reportés à 2027." in mail.body_text and "abandonnée" in mail.subject
    assert "List-Unsubscribe" in mail.headers and "Ne plus recevoir ces courriels" in mail.body_text



def test_budget_spent_above_planned_is_shown_not_refused(client):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    action = services.actions_of(plan)[0]
    services.set_funding(action, funder="caf", planned_cents=1_000_000, spent_cents=1_250_000, actor=SYSTEM)
    assert action.overspent
    html = client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    assert html.count("au-delà du prévu") == 2 and "CAF" in html  # the funder's line and the total
    services.set_funding(action, funder="authority", planned_cents=500_000, spent_cents=0, actor=SYSTEM)
    assert not action.overspent
    html = client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    assert html.count("au-delà du prévu") == 1  # the CAF's line only


def test_the_public_pages_show_a_public_plan_only(client):
    draft = factories.plan(axes=1, objectives=1, actions=1)
    assert client.get(f"/plans/{draft.slug}").status_code == 404
    assert client.get("/plans/").status_code == 200
    plan = factories.plan(title="Projet de territoire 2025-2035", axes=1, objectives=1, actions=2, state="running")
    action = services.actions_of(plan)[0]
    services.change_action_status(action, "engage", actor=SYSTEM)
    services.add_milestone(action, title="Étude de faisabilité", due_on=date(2025, 3, 1), actor=SYSTEM)
    html = client.get(f"/plans/{plan.slug}").get_data(as_text=True)
    assert "Axe 1 — Axe de travail 1" in html and "Action 1.1.2 — Action 1.1.2" in html and "Action engagée" in html
    assert "Projet de territoire 2025-2035" in client.get("/plans/").get_data(as_text=True)
    page = client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    assert "Étude de faisabilité" in page and "en retard" in page
    assert client.get(f"/plans/{plan.slug}/actions/999999").status_code == 404
    assert client.get(f"/plans/{plan.slug}?indicateurs=99999999999").status_code == 200


def test_a_resident_follows_a_plan_from_its_page(client):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    resident = factories.user("suiveuse@example.org")
    client.login(resident.email, PASSWORD)
    path = f"/plans/{plan.slug}"
    assert "Suivre ce plan" in client.get(path).get_data(as_text=True)
    assert client.submit(f"{path}/suivre", form_path=path).status_code == 302
    assert "Ne plus suivre ce plan" in client.get(path).get_data(as_text=True)
    action = services.actions_of(plan)[0]
    services.change_action_status(action, "engage", actor=SYSTEM)
    assert services.action_followers(action) == [resident]


def test_the_action_plan_exports_as_csv(client):
    plan = factories.plan(axes=1, objectives=2, actions=1, state="running")
    action = services.actions_of(plan)[1]
    services.set_funding(action, funder="state", planned_cents=2_000_050, spent_cents=100, actor=SYSTEM)
    response = client.get(f"/plans/{plan.slug}/plan-d-actions.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["code", "axe", "objectif", "action"] and len(rows) == 3
    row = dict(zip(rows[0], rows[2], strict=True))
    assert row["code"] == "1.2.1" and row["objectif"] == "1.2 Objectif 1.2" and row["prévu État (€)"] == "20000.50"
    assert row["statut"] == "À engager" and row["prévu total (€)"] == "20000.50"


def test_staff_build_a_plan_in_the_back_office(client):
    agent = factories.staff(email="chargee@example.org")
    client.login(agent.email, PASSWORD)
    response = client.submit("/gestion/plans/nouveau", {"title": "Convention territoriale globale", "kind": "ctg", "start_year": "2026",
                                                        "end_year": "2030", "manager": "0"})
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(services.Plan).where(services.Plan.title == "Convention territoriale globale"))
    path = f"/gestion/plans/{plan.id}"
    assert client.submit(f"{path}/axes", {"title": "Petite enfance"}, form_path=path).status_code == 302
    axis = services.nodes_of(plan)[0]
    assert client.submit(f"/gestion/plans/noeuds/{axis.id}/objectifs", {"title": "Places d'accueil"}, form_path=path).status_code == 302
    objective = services.nodes_of(plan)[1]
    form = f"/gestion/plans/noeuds/{objective.id}/actions/nouvelle"
    refused = client.submit(form, {"title": "Crèche", "start_date": "2031-01-01", "lead_department": "0"})
    assert refused.status_code == 422 and "comprises dans la période du plan" in refused.get_data(as_text=True)
    assert client.submit(form, {"title": "Crèche", "start_date": "2027-01-01", "lead_department": "0"}).status_code == 302
    assert client.submit(f"{path}/etat", {"transition": "adopt"}, form_path=path).status_code == 302
    db.session.expire_all()
    assert plan.state == PlanState.adopted
    assert "Action 1.1.1 — Crèche" in client.get(path).get_data(as_text=True)
    # Bad input: a year out of range is told next to its field and changes nothing.
    bad = client.submit(f"/gestion/plans/{plan.id}/modifier", {"title": "X", "kind": "ctg", "start_year": "99999", "end_year": "2030"})
    assert bad.status_code == 422 and "Une année entre 2000 et 2100." in bad.get_data(as_text=True)


def test_residents_and_anonymous_visitors_do_not_reach_the_back_office(client):
    plan = factories.plan()
    assert client.get(f"/gestion/plans/{plan.id}").status_code == 302
    client.login(factories.user("habitant@example.org").email, PASSWORD)
    assert client.get(f"/gestion/plans/{plan.id}").status_code == 403
    assert client.get("/gestion/plans").status_code == 403


def test_events_of_a_plan_are_recorded_with_the_actor():
    agent = factories.staff()
    plan = factories.plan()
    services.add_axis(plan, title="Transitions", actor=agent)
    event = db.session.scalar(sa.select(DomainEvent).where(DomainEvent.name == "plan.axis_added"))
    assert event.actor_id == agent.id and event.data["code"] == "1"
