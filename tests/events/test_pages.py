"""Event pages: who sees what, the back office's forms, check-in, export, query counts."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import sqlalchemy as sa

from participation.core.eventlog import events_about
from participation.core.outbox import deliver_due
from participation.core.permissions import SYSTEM
from participation.events import services
from participation.events.models import Attendance, Event, EventState, Registration, RegistrationState
from participation.extensions import db
from tests import factories


def test_the_public_pages_show_published_events_only(client):
    shown = factories.event(title="Atelier publié")
    draft = factories.event(title="Atelier en préparation", publish=False)
    listing = client.get("/evenements/").get_data(as_text=True)
    assert "Atelier publié" in listing and "Atelier en préparation" not in listing
    assert client.get(f"/evenements/{shown.id}").status_code == 200
    assert client.get(f"/evenements/{draft.id}").status_code == 302  # anonymous: to the log-in page
    resident = factories.user()
    client.login(resident.email, factories.PASSWORD)
    assert client.get(f"/evenements/{draft.id}").status_code == 403
    assert client.get("/evenements/999999").status_code == 404


def test_the_event_page_carries_schema_org_json_ld(client):
    event = factories.event(title="Rencontres de la vie associative </script>", online_url="https://visio.example/forum")
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Event" and data["name"] == "Rencontres de la vie associative </script>"
    assert data["startDate"] == event.starts_at.isoformat()
    assert data["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    assert data["eventStatus"].endswith("EventScheduled")


def test_a_resident_registers_then_cancels_from_the_event_page(client):
    event = factories.event(capacity=10)
    resident = factories.user()
    client.login(resident.email, factories.PASSWORD)
    response = client.submit(f"/evenements/{event.id}/inscription", {"accessibility_needs": "Boucle magnétique"})
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert registration.state == RegistrationState.confirmed and registration.accessibility_needs == "Boucle magnétique"
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert registration.code in page and '<svg role="img"' in page
    response = client.submit(f"/evenements/{event.id}/mon-inscription/annuler", form_path=f"/evenements/{event.id}")
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.state == RegistrationState.cancelled


def test_bad_registration_input_is_refused_next_to_the_field(client):
    event = factories.event()
    services.add_question(event, label="Votre atelier", kind="choice", choices="Mobilités\nHabitat", required=True, actor=SYSTEM)
    response = client.submit(f"/evenements/{event.id}/inscription", {"name": "", "email": "pas-une-adresse"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Indiquez une adresse électronique valide" in page and "Répondez à cette question." in page
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_the_registration_form_speaks_each_visitors_language_and_follows_its_questions(client):
    event = factories.event(max_guests=2)
    path = f"/evenements/{event.id}/inscription"
    english = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert "Email address" in english and "Adresse électronique" not in english
    french = html.unescape(client.get(f"{path}?lang=fr").get_data(as_text=True))
    assert "Adresse électronique" in french and "Nombre d'accompagnants" in french and "2 au plus ; chacun occupe une place." in french
    # A question added, then its label changed: the next form asks it, as it now reads.
    question = services.add_question(event, label="Votre atelier", kind="text", choices="", required=False, actor=SYSTEM)
    assert "Votre atelier" in client.get(path).get_data(as_text=True)
    question.label = "Votre atelier préféré"
    db.session.flush()
    assert "Votre atelier préféré" in client.get(path).get_data(as_text=True)
    # Refused in English, in English.
    response = client.submit(f"{path}?lang=en", {"name": "", "email": "pas-une-adresse"})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)


def _manage_link(mail) -> str:
    return re.search(r"http://[^/\s]+(/evenements/inscription/[\w-]+)", mail.text).group(1)


def test_registering_an_address_twice_without_an_account_reveals_nothing_and_mails_a_fresh_link(client, mailbox):
    event = factories.event(capacity=10, title="Balade urbaine")
    path = f"/evenements/{event.id}/inscription"
    identity = {"name": "Léa Passante", "email": "lea@example.org"}
    assert client.submit(path, identity).status_code == 302
    first_answer = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    db.session.commit()
    deliver_due()
    first_link = _manage_link(next(m for m in mailbox if m.subject == "Confirmez votre inscription : Balade urbaine"))
    client.submit(f"{first_link}/confirmer", form_path=first_link)
    registration = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert registration.state == RegistrationState.confirmed

    # Someone posts the same address again: the page answers exactly as the first time.
    stranger = client.application.test_client()
    assert stranger.submit(path, identity).status_code == 302
    second_answer = stranger.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "Presque fini" in first_answer and "Presque fini" in second_answer
    assert "déjà" not in second_answer and "confirmée" not in second_answer
    assert db.session.scalar(sa.select(sa.func.count(Registration.id)).where(Registration.event_id == event.id)) == 1
    # The registrant gets a fresh link; the old one stops working.
    db.session.commit()
    deliver_due()
    [notice] = [m for m in mailbox if m.subject == "Votre inscription : Balade urbaine"]
    assert notice.recipients == ["lea@example.org"] and "déjà inscrite" in notice.text
    fresh_link = _manage_link(notice)
    assert client.get(first_link).status_code == 404
    assert "Léa Passante" in client.get(fresh_link).get_data(as_text=True)


def test_strangers_posting_registrations_are_rate_limited(app, tmp_path):
    from participation import create_app

    keys = ["TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BASE_URL", "ARGON2_FAST", "MAIL_DELIVERY", "DEMO_MODE"]
    limited = create_app({**{k: app.config[k] for k in keys}, "INSTANCE_PATH": str(tmp_path), "RATELIMIT_ENABLED": True,
                          "RATELIMIT_AUTH": "3 per minute", "WTF_CSRF_ENABLED": False})
    stranger = limited.test_client()
    statuses = [stranger.post("/evenements/999999/inscription", data={"name": "X", "email": "x@example.org"}).status_code
                for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert stranger.get("/evenements/999999/inscription").status_code == 404  # reading is not limited


def test_the_back_office_is_for_staff(client):
    event = factories.event()
    assert client.get("/gestion/evenements/").status_code == 302
    resident = factories.user()
    client.login(resident.email, factories.PASSWORD)
    for path in ("/gestion/evenements/", "/gestion/evenements/nouveau", f"/gestion/evenements/{event.id}",
                 f"/gestion/evenements/{event.id}/accueil", f"/gestion/evenements/{event.id}/inscriptions.csv"):
        assert client.get(path).status_code == 403, path


def test_staff_create_publish_and_move_an_event(client):
    agent = factories.staff()
    theme = factories.theme("Mobilités")
    client.login(agent.email, factories.PASSWORD)
    data = {"title": "Atelier vélo", "starts_at": "2031-05-12T18:30", "ends_at": "2031-05-12T20:30", "place_name": "Salle Jean Moulin",
            "capacity": "30", "max_guests": "1", "promotion_hours": "48", "reminder_days": "7, 1", "themes": str(theme.id),
            "waiting_list_enabled": "y"}
    wrong = client.submit("/gestion/evenements/nouveau", {**data, "ends_at": "2031-05-12T17:00"})
    assert wrong.status_code == 422 and "La fin doit être postérieure au début." in wrong.get_data(as_text=True)
    response = client.submit("/gestion/evenements/nouveau", data)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event).where(Event.title == "Atelier vélo"))
    assert event.state == EventState.draft and event.reminder_days == "7,1"
    assert event.starts_at.isoformat() == "2031-05-12T16:30:00+00:00"  # 18 h 30 in Paris, summer time
    assert [t.name for t in event.themes] == ["Mobilités"]
    client.submit(f"/gestion/evenements/{event.id}/publier", form_path=f"/gestion/evenements/{event.id}")
    db.session.refresh(event)
    assert event.state == EventState.published and event.published_at is not None
    edit = client.get(f"/gestion/evenements/{event.id}/modifier").get_data(as_text=True)
    assert 'value="2031-05-12T18:30"' in edit
    moved = client.submit(f"/gestion/evenements/{event.id}/modifier", {**data, "starts_at": "2031-05-19T18:30", "ends_at": "2031-05-19T20:30"})
    assert moved.status_code == 302
    assert [e.name for e in events_about(event)][-2:] == ["event.updated", "event.rescheduled"]


def test_check_in_by_name_or_code_and_export(client):
    agent = factories.staff()
    event = factories.event()
    people = [services.register(event, actor=factories.user(display_name=name)) for name in ("Alice Durand", "Bruno Petit")]
    client.login(agent.email, factories.PASSWORD)
    page = client.get(f"/gestion/evenements/{event.id}/accueil?q={people[1].code.lower().replace('-', '')}").get_data(as_text=True)
    assert "Bruno Petit" in page and "Alice Durand" not in page
    assert 'name="viewport"' in page
    path = f"/gestion/evenements/{event.id}/inscriptions/{people[1].id}/presence"
    response = client.submit(path, {"attendance": "present"}, form_path=f"/gestion/evenements/{event.id}/accueil")
    assert response.status_code == 302
    db.session.refresh(people[1])
    assert people[1].attendance == Attendance.present
    export = client.get(f"/gestion/evenements/{event.id}/inscriptions.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["code", "nom", "adresse"]
    assert {r[1]: r[5] for r in rows[1:]} == {"Alice Durand": "Non pointé", "Bruno Petit": "Présent"}


def test_staff_write_to_all_registrants(client, mailbox):
    from participation.core.outbox import deliver_due

    agent = factories.staff()
    event = factories.event(capacity=1)
    services.register(event, actor=factories.user(email="inscrit@example.org"))
    services.register(event, actor=factories.user(email="attente@example.org"))
    deliver_due()
    mailbox.clear()
    client.login(agent.email, factories.PASSWORD)
    response = client.submit(f"/gestion/evenements/{event.id}/message", {"subject": "Changement de salle", "body": "Rendez-vous salle B."})
    assert response.status_code == 302
    deliver_due()
    assert [m.recipients for m in mailbox] == [["inscrit@example.org"]]
    assert "Rendez-vous salle B." in mailbox[0].text


def _bulk_registrations(event, n: int, start: int) -> None:
    db.session.execute(sa.insert(Registration), [
        {"event_id": event.id, "email": f"p{i}@example.org", "name": f"Personne {i}", "guests": 0, "answers": {}, "code": f"{i:04d}-ABCD",
         "state": RegistrationState.confirmed, "attendance": Attendance.unknown}
        for i in range(start, start + n)
    ])


def test_pages_of_an_event_with_1000_registrations_run_a_bounded_number_of_queries(client, count_queries):
    agent = factories.staff()
    event = factories.event(capacity=2000)
    event_id = event.id
    client.login(agent.email, factories.PASSWORD)
    paths = [f"/evenements/{event_id}", f"/gestion/evenements/{event_id}", f"/gestion/evenements/{event_id}/accueil",
             "/gestion/evenements/", f"/gestion/evenements/{event_id}/accueil?q=Personne"]
    _bulk_registrations(event, 5, 0)
    for path in paths:
        client.get(path)
    few = []
    for path in paths:
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        few.append(counter.count)
    _bulk_registrations(event, 995, 5)
    many = []
    for path in paths:
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        many.append(counter.count)
    assert many == few, list(zip(paths, few, many, strict=True))
    assert max(many) <= 16
    assert services.places_taken(db.session.get(Event, event_id)) == 1000
