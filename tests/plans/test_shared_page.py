"""A plan's dashboard is built once for everyone; following it stays each person's, and a change shows at once."""

from __future__ import annotations

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import dashboard, services
from tests import factories


def test_two_people_share_the_dashboard_but_not_whether_they_follow(app, cache_on, count_calls, logged_in):
    calls = count_calls(dashboard, "dashboard")
    plan = factories.plan(title="Projet de territoire", axes=1, objectives=1, actions=2, state="running")
    alice, bruno = factories.user(display_name="Alice Martin"), factories.user(display_name="Bruno Petit")
    services.follow_plan(plan, actor=alice)
    db.session.commit()
    as_alice, as_bruno = logged_in(alice.email, bruno.email)
    path = f"/plans/{plan.slug}"

    alice_page = as_alice.get(path).get_data(as_text=True)
    bruno_page = as_bruno.get(path).get_data(as_text=True)
    assert len(calls) == 1
    assert "Action 1.1.1" in alice_page and "Action 1.1.1" in bruno_page
    assert "Ne plus suivre ce plan" in alice_page and "Ne plus suivre ce plan" not in bruno_page
    assert "@@h:" not in alice_page + bruno_page

    assert as_bruno.submit(f"{path}/suivre", form_path=path).status_code == 302
    assert "Ne plus suivre ce plan" in as_bruno.get(path).get_data(as_text=True)
    services.change_plan_state(plan, "evaluate", actor=SYSTEM)
    db.session.commit()
    label = str(plan.state.label)
    assert f'<span class="status">{label}</span>' in as_alice.get(path).get_data(as_text=True)
