"""Committees: meetings with an agenda built from the plan, convocation with the agenda and the dashboard in PDF,
attendance, minutes, decisions linked to actions and followed by their owner until done."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import committees, jobs, services
from participation.plans import indicators as indicator_service
from participation.plans.models import MeetingState
from tests import factories
from tests.factories import PASSWORD


@pytest.fixture
def steering():
    plan = factories.plan(title="Convention territoriale globale", kind="ctg", start_year=2025, end_year=2029, axes=1, objectives=1,
                          actions=2, state="running")
    committee = committees.create_committee(plan, kind="steering", name="Comité de pilotage de la CTG", convocation_days=10,
                                            actor=SYSTEM)
    owner = factories.staff(email="cheffe@collectivite.example", display_name="Claire Cheffe")
    committees.add_member(committee, name="Claire Cheffe", user=owner, organisation="Agglomération", actor=SYSTEM)
    committees.add_member(committee, name="Paul Partenaire", email="paul@caf.example", organisation="CAF", actor=SYSTEM)
    return plan, committee, owner


def test_a_convocation_is_the_members_own_case_mailed_whatever_they_chose(steering):
    from participation.notifications.models import Category, Delivery, Notification
    from participation.notifications.services import set_preference

    plan, committee, owner = steering
    for category in Category:
        set_preference(owner, category, Delivery.none, actor=owner)
    meeting = committees.schedule_meeting(committee, title="COPIL d'été", starts_at=utcnow() + timedelta(days=20), actor=SYSTEM)
    committees.add_item(meeting, kind="decision", title="Valider la programmation", actor=SYSTEM)
    assert jobs.send_due_convocations(now=utcnow() + timedelta(days=11)) == 1
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "plans/convocation").order_by(OutboxMail.recipient)).all()
    assert [m.recipient for m in mails] == ["cheffe@collectivite.example", "paul@caf.example"]
    assert not mails[0].headers  # one's own case: no unsubscribe link
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == owner.id))
    assert notice.title == "Vous êtes convoqué·e : Comité de pilotage de la CTG, COPIL d'été" and notice.category is None
    assert meeting.convened_at is not None


def test_the_convocation_goes_out_on_time_with_the_agenda_and_the_dashboard(steering, mailbox):
    plan, committee, owner = steering
    action = services.actions_of(plan)[0]
    meeting = committees.schedule_meeting(committee, title="COPIL de printemps", starts_at=utcnow() + timedelta(days=20),
                                          place="Hôtel d'agglomération", actor=SYSTEM)
    committees.add_item(meeting, kind="action", action=action, actor=SYSTEM)
    objective = services.nodes_of(plan)[1]
    indicator = indicator_service.save_indicator(None, plan=plan, actor=SYSTEM, code="I-1", name="Places en crèche", node=objective)
    committees.add_item(meeting, kind="indicator", indicator=indicator, actor=SYSTEM)
    committees.add_item(meeting, kind="decision", title="Valider la programmation 2026", actor=SYSTEM)
    assert jobs.send_due_convocations(now=utcnow()) == 0  # 20 days ahead: too early
    assert jobs.send_due_convocations(now=utcnow() + timedelta(days=11)) == 1
    assert jobs.send_due_convocations(now=utcnow() + timedelta(days=12)) == 0  # once
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "plans/convocation").order_by(OutboxMail.recipient)).all()
    assert [m.recipient for m in mails] == ["cheffe@collectivite.example", "paul@caf.example"]
    assert "1. Point sur l'action 1.1.1 — Action 1.1.1" in mails[1].body_text
    assert "2. Lecture de l'indicateur I-1 — Places en crèche" in mails[1].body_text
    assert "3. Valider la programmation 2026" in mails[1].body_text
    attachment = mails[1].attachments[0]
    assert attachment["content_type"] == "application/pdf" and base64.b64decode(attachment["content"]).startswith(b"%PDF-")
    db.session.flush()
    deliver_due()
    received = next(m for m in mailbox if m.recipients == ["paul@caf.example"])
    pdfs = [part for part in received.message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF-")
    from tests.pdfcheck import check_official_pdf

    check_official_pdf(pdfs[0].get_content(), kind="TDB", title=plan.title)
    # The meeting, for the member's calendar.
    import icalendar

    [ics] = [part for part in received.message.iter_attachments() if part.get_content_type() == "text/calendar"]
    [vevent] = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert "COPIL de printemps" in str(vevent["SUMMARY"]) and vevent.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)


def test_attendance_minutes_and_a_decision_followed_until_done(steering, client):
    plan, committee, owner = steering
    action = services.actions_of(plan)[1]
    meeting = committees.schedule_meeting(committee, title="COPIL annuel", starts_at=utcnow() - timedelta(hours=2), actor=SYSTEM)
    members = committee.members
    committees.record_attendance(meeting, {members[0].id}, actor=SYSTEM)
    assert committees.attendance(meeting) == {members[0].id: True, members[1].id: False}
    committees.hold_meeting(meeting, minutes="Le comité a examiné le bilan.", actor=SYSTEM)
    assert meeting.state == MeetingState.held
    decision = committees.take_decision(meeting, text="Étendre les horaires du relais petite enfance.", owner=owner,
                                        due_on=date(2026, 9, 1), actions=[action], actor=SYSTEM)
    assert committees.decisions_to_follow(owner) == [decision]
    page = client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    assert "Étendre les horaires du relais petite enfance." in page and "en cours" in page
    # The owner sees it in their notices, and marks it done from the meeting's page.
    client.login(owner.email, PASSWORD)
    path = f"/gestion/plans/reunions/{meeting.id}"
    assert client.submit(f"/gestion/plans/decisions/{decision.id}/fait", {"outcome": "Ouvert le samedi matin."},
                         form_path=path).status_code == 302
    db.session.expire_all()
    assert decision.is_done and committees.decisions_to_follow(owner) == []
    assert "mise en œuvre" in client.get(f"/plans/{plan.slug}/actions/{action.id}").get_data(as_text=True)
    with pytest.raises(DomainError, match="déjà marquée"):
        committees.complete_decision(decision, actor=SYSTEM)


def test_staff_run_a_meeting_in_the_back_office(steering, client):
    plan, committee, owner = steering
    client.login(owner.email, PASSWORD)
    path = f"/gestion/plans/comites/{committee.id}"
    assert client.submit(f"{path}/reunions", {"title": "COTECH", "starts_at": "2027-01-15T09:30", "place": "Salle 2"}).status_code == 302
    meeting = committees.meetings_of(plan)[0]
    mpath = f"/gestion/plans/reunions/{meeting.id}"
    action = services.actions_of(plan)[0]
    assert client.submit(f"{mpath}/points", {"kind": "action", "action": str(action.id), "indicator": "0"}, form_path=mpath).status_code == 302
    refused = client.submit(f"{mpath}/points", {"kind": "indicator", "action": "0", "indicator": "0"}, form_path=mpath)
    assert refused.status_code == 422 and "Choisissez un indicateur du plan." in refused.get_data(as_text=True)
    assert client.submit(f"{mpath}/convocation", form_path=mpath).status_code == 302
    db.session.expire_all()
    assert meeting.convened_at is not None
    client.submit(f"{mpath}/convocation", form_path=mpath)
    assert "La convocation est déjà partie." in client.get(mpath).get_data(as_text=True)
    assert client.submit(f"{mpath}/decisions", {"text": "Lancer l'étude.", "owner": str(owner.id), "due_on": "2026-03-01",
                                                "actions": [str(action.id)]}, form_path=mpath).status_code == 302
    html = client.get(mpath).get_data(as_text=True)
    assert "Lancer l&#39;étude. (actions 1.1.1)" in html


def test_an_invited_member_needs_an_address(steering):
    plan, committee, owner = steering
    from participation.core.errors import ValidationError

    with pytest.raises(ValidationError, match="adresse électronique"):
        committees.add_member(committee, name="Sans adresse", actor=SYSTEM)
    with pytest.raises(ValidationError, match="déjà membre"):
        committees.add_member(committee, name="Paul", email="paul@caf.example", actor=SYSTEM)
