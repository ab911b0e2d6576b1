"""Registering, the waiting list and its promotions, registration without an account, reminders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.errors import DomainError, PermissionDenied, ValidationError
from participation.core.eventlog import events_about
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.events import jobs, services
from participation.events.models import RegistrationState
from participation.extensions import db
from participation.notifications.models import Notification
from tests import factories


def _mails(template="events/notice"):
    return db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == template).order_by(OutboxMail.id)).all()


def test_places_then_waiting_list_then_full(app):
    event = factories.event(capacity=2, waiting_list_cap=1)
    first, second, third = (services.register(event, actor=factories.user()) for _ in range(3))
    assert [r.state for r in (first, second, third)] == [RegistrationState.confirmed, RegistrationState.confirmed, RegistrationState.waiting]
    with pytest.raises(DomainError, match="complet"):
        services.register(event, actor=factories.user())
    assert services.places_taken(event) == 2


def test_one_live_registration_per_person_and_guests_take_places(app):
    event = factories.event(capacity=3, max_guests=2)
    person = factories.user()
    registration = services.register(event, actor=person, guests=2)
    assert registration.seats == 3 and services.places_left(event) == 0
    with pytest.raises(ValidationError, match="existe déjà"):
        services.register(event, actor=person)
    with pytest.raises(ValidationError, match="2 accompagnant"):
        services.register(event, actor=factories.user(), guests=3)


def test_registration_window_and_account_requirement(app):
    now = utcnow()
    event = factories.event(registration_opens_at=now + timedelta(days=1), requires_account=True)
    with pytest.raises(DomainError, match="pas encore ouvertes"):
        services.register(event, actor=factories.user())
    with pytest.raises(PermissionDenied):
        services.register(event, actor=None, name="Anne", email="anne@example.org", now=now + timedelta(days=2))
    draft = factories.event(publish=False)
    with pytest.raises(DomainError, match="pas encore publié"):
        services.register(draft, actor=factories.user())


def test_required_questions_are_answered(app):
    event = factories.event()
    question = services.add_question(event, label="Repas ?", kind="yesno", choices=None, required=True, actor=SYSTEM)
    with pytest.raises(ValidationError) as refused:
        services.register(event, actor=factories.user(), answers={})
    assert refused.value.field == f"q_{question.id}"
    registration = services.register(event, actor=factories.user(), answers={str(question.id): "oui"})
    assert registration.answers == {str(question.id): "oui"}


def test_cancelling_promotes_the_first_waiting_who_gets_one_mail(app, mailbox):
    event = factories.event(capacity=1)
    holder = services.register(event, actor=factories.user())
    first_waiting = services.register(event, actor=factories.user(email="premiere@example.org"))
    second_waiting = services.register(event, actor=factories.user(email="seconde@example.org"))
    deliver_due()
    mailbox.clear()

    services.cancel_registration(holder, actor=holder.user)
    assert holder.state == RegistrationState.cancelled
    assert first_waiting.state == RegistrationState.confirmed
    assert second_waiting.state == RegistrationState.waiting
    assert [e.name for e in events_about(first_waiting)][-1] == "registration.promoted"
    deliver_due()
    received = [m for m in mailbox if "premiere@example.org" in m.recipients]
    assert len(received) == 1
    assert "Une place s'est libérée" in received[0].subject
    assert not [m for m in mailbox if "seconde@example.org" in m.recipients]


def test_with_confirmation_required_an_offer_not_taken_in_48_hours_moves_on(app, mailbox):
    event = factories.event(capacity=1, promotion_needs_confirmation=True, promotion_hours=48)
    holder = services.register(event, actor=factories.user())
    first = services.register(event, actor=factories.user(email="premier@example.org"))
    second = services.register(event, actor=factories.user(email="second@example.org"))
    now = utcnow()
    services.cancel_registration(holder, actor=SYSTEM, now=now)
    assert first.state == RegistrationState.offered
    assert first.hold_until == now + timedelta(hours=48)
    # Before the deadline nothing moves; the offered place stays taken.
    assert jobs.release_expired_job(now=now + timedelta(hours=47)) == 0
    assert services.places_left(event, now + timedelta(hours=47)) == 0
    assert jobs.release_expired_job(now=now + timedelta(hours=48, minutes=1)) == 1
    assert first.state == RegistrationState.expired
    assert second.state == RegistrationState.offered
    with pytest.raises(DomainError, match="délai"):
        services.accept_offer(second, actor=second.user, now=now + timedelta(days=5))
    services.accept_offer(second, actor=second.user, now=now + timedelta(hours=49))
    assert second.state == RegistrationState.confirmed
    deliver_due()
    assert len([m for m in mailbox if "second@example.org" in m.recipients and "proposée" in m.subject]) == 1


def test_capacity_alerts_tell_the_organiser_at_80_and_100_percent(app):
    organiser = factories.staff()
    event = factories.event(capacity=5, actor=organiser)
    for _ in range(5):
        services.register(event, actor=factories.user())
    titles = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == organiser.id).order_by(Notification.id)).all()
    assert titles == [f"« {event.title} » est rempli à 80 %", f"« {event.title} » est complet"]


def test_confirmation_mail_carries_the_event_as_a_calendar_file(app, mailbox):
    import icalendar

    event = factories.event(title="Forum des associations")
    person = factories.user(email="habitant@example.org")
    services.register(event, actor=person)
    assert deliver_due()["sent"] == 1
    [received] = mailbox
    assert received.subject == "Inscription confirmée : Forum des associations"
    attachments = list(received.message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["evenement.ics"]
    assert attachments[0].get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachments[0].get_content())
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Forum des associations"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    import vobject

    parsed = vobject.readOne(attachments[0].get_content())
    assert parsed.vevent.summary.value == "Forum des associations"


def _link(mail_text: str) -> str:
    return re.search(r"http://participation\.test(/evenements/inscription/\S+)", mail_text).group(1)


def test_without_an_account_the_mail_link_confirms_the_registration(client, app, mailbox):
    event = factories.event(capacity=5)
    response = client.submit(f"/evenements/{event.id}/inscription", {"name": "Lou Martin", "email": "Lou@Example.org"})
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(services.Registration).where(services.Registration.event_id == event.id))
    assert registration.state == RegistrationState.held and registration.email == "lou@example.org"
    assert registration.email_confirmed_at is None
    deliver_due()
    [received] = mailbox
    assert received.subject.startswith("Confirmez votre inscription")
    path = _link(received.text)
    # Opening the link changes nothing by itself; the button confirms.
    page = client.get(path)
    assert "Confirmer mon inscription" in page.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.state == RegistrationState.held
    response = client.submit(f"{path}/confirmer", form_path=path)
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.state == RegistrationState.confirmed
    page = client.get(path).get_data(as_text=True)
    assert registration.code in page and '<svg role="img" aria-label="Code d' in page
    assert 'style="' not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    deliver_due()
    assert mailbox[-1].subject.startswith("Inscription confirmée") and mailbox[-1].message.get_content_maintype() == "multipart"


def test_an_unconfirmed_registration_holds_its_place_only_for_a_set_time(app):
    event = factories.event(capacity=1)
    now = utcnow()
    held = services.register(event, actor=None, name="Sans compte", email="sans-compte@example.org", now=now)
    waiting = services.register(event, actor=factories.user(), now=now + timedelta(minutes=1))
    assert held.state == RegistrationState.held and waiting.state == RegistrationState.waiting
    hours = app.config["EVENTS_UNCONFIRMED_HOLD_HOURS"]
    assert jobs.release_expired_job(now=now + timedelta(hours=hours) - timedelta(minutes=1)) == 0
    assert jobs.release_expired_job(now=now + timedelta(hours=hours, minutes=1)) == 1
    assert held.state == RegistrationState.expired
    assert waiting.state == RegistrationState.confirmed
    with pytest.raises(DomainError, match="expiré"):
        services.confirm_address(held, now=now + timedelta(hours=hours, minutes=2))


def test_a_moved_event_sends_the_notice_and_the_reminder_for_the_new_date_only(app, mailbox):
    start = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    event = factories.event(starts_at=start, title="Atelier mobilités")
    services.register(event, actor=factories.user(email="inscrite@example.org"))
    deliver_due()
    mailbox.clear()

    # The 7-day reminder is queued, not yet delivered, when the event moves three days later.
    seven_days_before = start - timedelta(days=7) + timedelta(minutes=5)
    assert jobs.send_reminders(now=seven_days_before) == 1
    assert jobs.send_reminders(now=seven_days_before + timedelta(minutes=10)) == 0
    new_start = start + timedelta(days=3)
    values = {k: getattr(event, k) for k in services.EVENT_FIELDS}
    values.update(starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    services.update_event(event, values, actor=SYSTEM)
    assert [e.name for e in events_about(event)][-1] == "event.rescheduled"

    # The old date's reminder moment comes and goes: nothing for it.
    assert jobs.send_reminders(now=seven_days_before + timedelta(hours=1)) == 0
    assert jobs.send_reminders(now=new_start - timedelta(days=7) + timedelta(minutes=5)) == 1
    deliver_due(now=utcnow() + timedelta(days=30))
    subjects = sorted(m.subject for m in mailbox)
    assert subjects == ["Changement : Atelier mobilités", "Rappel : Atelier mobilités, dans 7 jours"]
    reminder = next(m for m in mailbox if m.subject.startswith("Rappel"))
    from participation.core.dates import format_day

    with app.test_request_context():
        assert format_day(new_start) in reminder.text


def test_reminders_are_not_sent_for_a_cancelled_event_or_a_cancelled_registration(app):
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    event = factories.event(starts_at=start)
    kept = services.register(event, actor=factories.user())
    gone = services.register(event, actor=factories.user())
    services.cancel_registration(gone, actor=SYSTEM)
    assert jobs.send_reminders(now=start - timedelta(hours=20)) == 1
    other = factories.event(starts_at=start)
    services.register(other, actor=factories.user())
    services.cancel_event(other, reason="Intempéries", actor=SYSTEM)
    assert jobs.send_reminders(now=start - timedelta(hours=19)) == 0
    assert kept.state == RegistrationState.confirmed


def test_closing_an_account_frees_its_places_and_anonymises_its_registrations(app):
    from participation.accounts import services as accounts

    event = factories.event(capacity=1)
    person = factories.user()
    mine = services.register(event, actor=person, accessibility_needs="Fauteuil")
    waiting = services.register(event, actor=factories.user())
    accounts.close_account(person, password=factories.PASSWORD, actor=person)
    assert mine.state == RegistrationState.cancelled
    db.session.refresh(mine)
    assert mine.name == "Compte supprimé" and mine.accessibility_needs is None and mine.user_id is None
    assert waiting.state == RegistrationState.confirmed


def test_answers_are_erased_after_the_retention_period(app):
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    event = factories.event(starts_at=start)
    registration = services.register(event, actor=factories.user(), accessibility_needs="Interprète LSF")
    assert jobs.purge_answers(now=start + timedelta(days=10)) == 0
    assert jobs.purge_answers(now=start + timedelta(days=40)) == 1
    db.session.refresh(registration)
    assert registration.accessibility_needs is None
