"""The plans on the officer's desk: the person's measurements and decisions as queues, the plans' figures."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import committees, indicators, services
from participation.staff.indicators import IndicatorQuery, indicators as declared
from participation.staff.queues import queues, run
from tests import factories
from tests.plans.test_indicators import new_indicator
from tests.staff.conftest import login, text


def _queue(key):
    return next(q for q in queues() if q.key == key)


def test_the_measurements_queue_counts_what_the_person_must_enter(app):
    owner, other = factories.staff(email="mesures@collectivite.example"), factories.staff()
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    monthly = new_indicator(plan, code="I-1", owner=owner, periodicity="monthly")
    new_indicator(plan, code="I-2", owner=owner, periodicity="yearly")
    new_indicator(plan, code="I-3", owner=other, periodicity="quarterly")
    draft = factories.plan(axes=1, objectives=1, actions=1)
    new_indicator(draft, code="I-4", owner=owner)  # a plan in drafting is not measured
    with app.test_request_context():
        result = run(_queue("plan_measurements_due"), owner)
        assert result.count == len(indicators.measurements_due_for(owner)) == 2
        assert run(_queue("plan_measurements_due"), other).count == len(indicators.measurements_due_for(other)) == 1
        assert run(_queue("plan_measurements_due"), factories.staff()).count == 0
        period = indicators.previous_period(date.today(), "monthly")
        indicators.add_measurement(monthly, measured_on=period, value=42, actor=SYSTEM)
        db.session.flush()
        assert run(_queue("plan_measurements_due"), owner).count == len(indicators.measurements_due_for(owner)) == 1
        assert result.items[0].url.startswith("/plans/")


def test_the_decisions_queue_lists_the_owners_open_decisions(app):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    committee = committees.create_committee(plan, kind="steering", name="COPIL", actor=SYSTEM)
    owner, other = factories.staff(), factories.staff()
    meeting = committees.schedule_meeting(committee, title="COPIL annuel", starts_at=utcnow() - timedelta(hours=2), actor=SYSTEM)
    committees.hold_meeting(meeting, minutes="Bilan examiné.", actor=SYSTEM)
    first = committees.take_decision(meeting, text="Ouvrir le relais le samedi.", owner=owner, due_on=date(2026, 9, 1), actor=SYSTEM)
    committees.take_decision(meeting, text="Publier le bilan.", owner=owner, due_on=None, actor=SYSTEM)
    committees.take_decision(meeting, text="Réunir les partenaires.", owner=other, due_on=date(2026, 10, 1), actor=SYSTEM)
    db.session.flush()
    with app.test_request_context():
        result = run(_queue("plan_decisions_to_follow"), owner)
        assert result.count == len(committees.decisions_to_follow(owner)) == 2
        assert [i.title for i in result.items] == [d.text for d in committees.decisions_to_follow(owner)]
        assert run(_queue("plan_decisions_to_follow"), other).count == 1
        committees.complete_decision(first, outcome="Fait.", actor=SYSTEM)
        db.session.flush()
        assert run(_queue("plan_decisions_to_follow"), owner).count == 1
        assert run(_queue("plan_decisions_to_follow"), factories.staff()).count == 0


def test_the_desk_shows_the_plans_queues_to_staff_only(client, people):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    new_indicator(plan, owner=people.staff, periodicity="monthly")
    login(client, people.staff)
    page = text(client.get("/gestion/"))
    assert "Mesures d'indicateurs à saisir" in page and "I-1" in page
    fresh = client.application.test_client()
    login(fresh, people.resident)
    assert fresh.get("/gestion/").status_code == 403


def test_the_plans_figures_count_actions_by_status_and_budget_by_funder():
    year = date.today().year
    plan = factories.plan(axes=1, objectives=1, actions=2, state="running", start_year=year - 1, end_year=year + 2)
    first, second = services.actions_of(plan)
    services.change_action_status(first, "engage", actor=SYSTEM)
    services.set_funding(first, funder="caf", planned_cents=1_000_000, spent_cents=250_000, actor=SYSTEM)
    services.set_funding(second, funder="caf", planned_cents=500_000, spent_cents=0, actor=SYSTEM)
    factories.plan(axes=1, objectives=1, actions=3)  # in drafting: not counted
    db.session.flush()
    func = next(i for i in declared() if i.key == "plans").func
    by_status, budget = func(IndicatorQuery(year))
    assert dict(by_status.rows)["En cours"] == 1 and dict(by_status.rows)["À engager"] == 1 and sum(r[1] for r in by_status.rows) == 2
    assert budget.rows == [("CAF", 15000, 2500)]
    assert ("Part dépensée", "17\u202f%") in budget.summary
    assert sum(r[1] for r in func(IndicatorQuery(year - 5))[0].rows) == 0


def test_a_measurement_reminder_is_staff_work_and_follows_its_preference():
    from participation.core.outbox import OutboxMail
    from participation.notifications.models import Category, Delivery, Notification
    from participation.notifications.services import set_preference
    from participation.plans import jobs

    mailed, quiet = factories.staff(email="mesure@collectivite.example"), factories.staff(email="calme@collectivite.example")
    set_preference(quiet, Category.staff_work, Delivery.none, actor=quiet)
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    new_indicator(plan, code="I-1", owner=mailed, periodicity="monthly")
    new_indicator(plan, code="I-2", owner=quiet, periodicity="monthly")
    assert jobs.remind_measurements_due() == 2
    assert jobs.remind_measurements_due() == 0  # once per indicator and period
    notices = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert [(n.user_id, n.category) for n in notices] == [(mailed.id, Category.staff_work), (quiet.id, Category.staff_work)]
    recipients = db.session.scalars(sa.select(OutboxMail.recipient).where(OutboxMail.template == "plans/measurement_due")).all()
    assert recipients == ["mesure@collectivite.example"]
