"""What staff correct or undo: an indicator edited, a link or a committee member removed, a meeting moved;
the convocation's PDF rendered by the worker, not in the request; the chart's planned trajectory."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from participation.core.eventlog import DomainEvent
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import committees, indicators, jobs, services
from participation.plans.models import ActionLink, CommitteeMember
from tests import factories
from tests.factories import PASSWORD


@pytest.fixture
def agent(client):
    user = factories.staff(email="charge@collectivite.example", display_name="Camille Chargée")
    client.login(user.email, PASSWORD)
    return user


def new_indicator(plan):
    return indicators.save_indicator(None, plan=plan, actor=SYSTEM, code="I-1", name="Places en crèche", node=services.nodes_of(plan)[1],
                                     unit="places", baseline_value=100, baseline_date=date(2024, 12, 31),
                                     targets={"2027": 120.0, "2030": 150.0}, min_value=0, max_value=1000)


def test_staff_edit_an_indicator_and_the_public_page_shows_the_new_targets(client, agent):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan)
    path = f"/gestion/plans/indicateurs/{indicator.id}/modifier"
    form = unescape(client.get(path).get_data(as_text=True))
    assert 'value="Places en crèche"' in form and "2027 : 120\n2030 : 150" in form  # filled with what is recorded
    data = {"code": "I-1", "name": "Places d'accueil du jeune enfant", "owner_ref": f"n{indicator.node_id}", "unit": "places",
            "direction": "higher", "baseline_value": "100", "baseline_date": "2024-12-31", "targets": "2027 : 125\n2029 : 140\n2031 : 160",
            "periodicity": "yearly", "source": "CAF", "owner": str(agent.id), "min_value": "0", "max_value": "1000"}
    refused = client.submit(path, {**data, "targets": "bientôt : 200"})
    assert refused.status_code == 422 and "écrivez une cible par ligne" in unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert indicator.targets == {"2027": 120.0, "2030": 150.0}  # nothing changed
    assert client.submit(path, data).status_code == 302
    db.session.expire_all()
    assert indicator.name == "Places d'accueil du jeune enfant" and indicator.targets == {"2027": 125.0, "2029": 140.0, "2031": 160.0}
    assert indicator.owner_id == agent.id
    page = unescape(client.get(f"/plans/{plan.slug}").get_data(as_text=True))
    assert "Cible 2031 : 160 places." in page and "Cible 2029" in page


def test_the_chart_draws_the_trajectory_from_the_baseline_through_each_years_target():
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan)
    indicators.add_measurement(indicator, measured_on=date(2025, 12, 31), value=108, actor=SYSTEM)
    chart = indicators.chart(indicator, indicators.measurements_by_indicator([indicator.id])[indicator.id])
    assert [(year, value) for _, _, year, value in chart.trajectory] == [(2024, 100.0), (2027, 120.0), (2030, 150.0)]
    assert [year for _, _, year, _ in chart.intermediate_targets] == [2027]
    # Left to right in time, up as the target rises (SVG's y grows downwards).
    xs, ys = [p[0] for p in chart.trajectory], [p[1] for p in chart.trajectory]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)
    assert chart.points[0][0] > xs[0] and chart.points[0][0] < xs[1]  # the 2025 measurement lies between 2024 and 2027


def test_the_public_chart_shows_the_trajectory_and_says_so(client):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    new_indicator(plan)
    html = unescape(client.get(f"/plans/{plan.slug}").get_data(as_text=True))
    assert 'class="indicator-trajectory"' in html
    assert "la trajectoire prévue, en pointillés, relie la référence aux cibles de chaque année" in html
    assert '<th scope="row">Cible 2027</th><td>120</td>' in html  # the table tells the intermediate target too


def test_staff_remove_a_link_of_an_action(client, agent):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    action = services.actions_of(plan)[0]
    event = factories.event(title="Forum petite enfance")
    services.link(action, kind="event", target_id=event.id, actor=SYSTEM)
    path = f"/gestion/plans/actions/{action.id}"
    assert "Forum petite enfance" in client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    row = db.session.scalar(sa.select(ActionLink))
    assert client.submit(f"/gestion/plans/liens/{row.id}/retirer", form_path=path).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ActionLink.id))) == 0
    assert "Forum petite enfance" not in client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    assert db.session.scalar(sa.select(DomainEvent.name).where(DomainEvent.name == "plan_action.unlinked")) is not None


@pytest.fixture
def committee():
    plan = factories.plan(title="Convention territoriale globale", kind="ctg", start_year=2025, end_year=2029, axes=1, objectives=1,
                          actions=1, state="running")
    item = committees.create_committee(plan, kind="steering", name="Comité de pilotage de la CTG", convocation_days=10, actor=SYSTEM)
    committees.add_member(item, name="Paul Partenaire", email="paul@caf.example", organisation="CAF", actor=SYSTEM)
    committees.add_member(item, name="Rita Région", email="rita@region.example", organisation="Région", actor=SYSTEM)
    return item


def test_staff_remove_a_committee_member(client, agent, committee):
    path = f"/gestion/plans/comites/{committee.id}"
    member = next(m for m in committee.members if m.name == "Rita Région")
    assert client.submit(f"/gestion/plans/membres/{member.id}/retirer", form_path=path).status_code == 302
    names = db.session.scalars(sa.select(CommitteeMember.name).where(CommitteeMember.committee_id == committee.id)).all()
    assert names == ["Paul Partenaire"]
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "rita@region.example" not in page
    assert db.session.scalar(sa.select(DomainEvent.data).where(DomainEvent.name == "plan.committee_member_removed"))["name"] == "Rita Région"


def test_staff_move_a_meeting_and_members_already_convened_are_told(client, agent, committee):
    meeting = committees.schedule_meeting(committee, title="COPIL d'automne", starts_at=utcnow() + timedelta(days=8), place="Salle 1",
                                          actor=SYSTEM)
    committees.add_item(meeting, kind="decision", title="Valider la programmation", actor=SYSTEM)
    assert jobs.send_due_convocations() == 1
    path = f"/gestion/plans/reunions/{meeting.id}"
    refused = client.submit(f"{path}/deplacer", {"starts_at": "2020-01-10T09:30", "place": "Salle 1"}, form_path=path)
    assert refused.status_code == 422 and "Une réunion se déplace dans le futur." in unescape(refused.get_data(as_text=True))
    new_day = (utcnow() + timedelta(days=30)).date()
    response = client.submit(f"{path}/deplacer", {"starts_at": f"{new_day.isoformat()}T14:00", "place": "Salle du conseil"}, form_path=path)
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.starts_at.date() == new_day and meeting.place == "Salle du conseil"
    moved = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "plans/meeting_moved").order_by(OutboxMail.recipient)).all()
    assert [m.recipient for m in moved] == ["paul@caf.example", "rita@region.example"]
    assert "est déplacée" in moved[0].body_text and "Salle du conseil" in moved[0].body_text and "à 14 h" in moved[0].body_text


def test_a_meeting_not_yet_convened_moves_without_mail(committee):
    meeting = committees.schedule_meeting(committee, title="COTECH", starts_at=utcnow() + timedelta(days=40), actor=SYSTEM)
    committees.move_meeting(meeting, starts_at=utcnow() + timedelta(days=45), place="Salle 2", actor=SYSTEM)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0


def test_convening_from_the_back_office_leaves_the_pdf_to_the_worker(client, agent, committee):
    meeting = committees.schedule_meeting(committee, title="COPIL de printemps", starts_at=utcnow() + timedelta(days=30), actor=SYSTEM)
    committees.add_item(meeting, kind="decision", title="Valider la programmation", actor=SYSTEM)
    path = f"/gestion/plans/reunions/{meeting.id}"
    assert client.submit(f"{path}/convocation", form_path=path).status_code == 302
    db.session.expire_all()
    assert meeting.convened_at is not None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0  # the request rendered no PDF, queued no mail
    jobs.send_due_convocations()
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "plans/convocation").order_by(OutboxMail.recipient)).all()
    assert [m.recipient for m in mails] == ["paul@caf.example", "rita@region.example"]
    assert base64.b64decode(mails[0].attachments[0]["content"]).startswith(b"%PDF-")
    jobs.send_due_convocations()  # a second run (or worker) sends nothing again
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "plans/convocation")) == 2


def test_counts_agree_in_number(client, agent, committee):
    html = unescape(client.get(f"/gestion/plans/comites/{committee.id}").get_data(as_text=True))
    assert "convocation 10 jours avant" in html
    committees.remove_member(committee.members[0], actor=SYSTEM)
    committee.convocation_days = 1
    db.session.flush()
    html = unescape(client.get(f"/gestion/plans/comites/{committee.id}").get_data(as_text=True))
    assert "convocation 1 jour avant" in html
    plan_page = unescape(client.get(f"/gestion/plans/{committee.plan_id}").get_data(as_text=True))
    assert "(comité de pilotage, 1 membre)" in plan_page
