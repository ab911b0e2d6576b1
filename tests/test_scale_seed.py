"""``seed scale``: a mandate of data, at 1 % of its size, whose public pages render with it (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.councils.models import Council, Sitting
from participation.events.models import Event, Registration
from participation.extensions import db
from participation.forums.models import Consultation, Contribution, Reaction, Topic
from participation.grants.models import Association, GrantApplication
from participation.referrals.models import Referral
from participation.seeding import scale
from participation.surveys.models import Questionnaire, Response as QuestionnaireResponse
from participation.territory.models import Commune, Territory
from participation.accounts.models import User
from participation.notifications.models import Notification
from participation.core.eventlog import DomainEvent

FACTOR = 0.01


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def seed(app):
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--factor", str(FACTOR)])
    assert result.exit_code == 0, result.output
    assert "Données à grande échelle chargées" in result.output
    db.session.expire_all()
    return result


@pytest.fixture
def seeded(app):
    return seed(app)


@pytest.fixture
def seeded_as_new(app):
    """Seeded as a new database would be: on PostgreSQL, sequences run on across the rolled-back tests before this
    one, so each table's next id is first brought back to one past its highest (1 in an empty table), as the demo's
    addresses (/saisines/1…) expect."""
    if db.session.get_bind().dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False:
                sequence = db.session.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
                if sequence:
                    db.session.execute(
                        sa.text(f"SELECT setval(:s, COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"),
                        {"s": sequence},
                    )
    return seed(app)


def test_seed_scale_fills_a_mandate_in_proportion(app, seeded):
    volumes = scale.volumes(FACTOR)
    assert db.session.scalar(sa.select(Territory.population)) == 141_000
    assert count(Commune) == 72
    assert sum(db.session.scalars(sa.select(Commune.population))) == 141_000
    assert count(User) == volumes["users"] == 200
    # The demo's rows are kept, the scale's added: each volume is met (the demo may bring a few more).
    assert volumes["contributions"] <= count(Contribution) <= volumes["contributions"] + 20
    assert count(Reaction) == pytest.approx(volumes["reactions"], rel=0.1)
    assert volumes["registrations"] <= count(Registration) <= volumes["registrations"] + 30
    assert count(Event) == volumes["events"]
    assert count(Referral) == volumes["referrals"]
    assert count(Sitting) == volumes["sittings"]
    assert count(Association) == volumes["associations"]
    assert count(GrantApplication) == volumes["grant_applications"]
    published = db.session.scalar(sa.select(Questionnaire.id).where(Questionnaire.results_published_at.is_not(None)))
    assert count(QuestionnaireResponse, QuestionnaireResponse.questionnaire_id == published) == volumes["survey_responses"]
    # The reaction counts shown on each contribution agree with the reactions.
    shown = db.session.scalar(sa.select(sa.func.sum(Contribution.agree_count + Contribution.disagree_count + Contribution.support_count)))
    assert shown == count(Reaction)
    # The event log says what happened, and every account has a notice waiting for its daily digest.
    assert count(DomainEvent, DomainEvent.name == "contribution.posted") >= volumes["contributions"]
    assert count(DomainEvent, DomainEvent.name == "registration.confirmed") >= volumes["registrations"]
    assert count(Notification, Notification.digest == "daily") >= count(User) - 20

    again = app.test_cli_runner().invoke(args=["seed", "scale", "--factor", str(FACTOR)])
    assert again.exit_code != 0
    assert "La base n'est pas vide" in again.output
    assert count(User) == 200


def test_the_scale_data_shows_on_every_kind_of_public_page(app, seeded, client):
    big = db.session.scalar(
        sa.select(Topic).join(Contribution, Contribution.topic_id == Topic.id)
        .group_by(Topic.id).order_by(sa.func.count(Contribution.id).desc()).limit(1)
    )
    assert count(Contribution, Contribution.topic_id == big.id) >= scale.volumes(FACTOR)["big_topic_contributions"]
    first = db.session.scalar(sa.select(Contribution).where(Contribution.topic_id == big.id).order_by(Contribution.created_at, Contribution.id).limit(1))
    consultation = db.session.get(Consultation, big.consultation_id)
    referral = db.session.scalar(sa.select(Referral).order_by(Referral.id.desc()).limit(1))
    council = db.session.scalar(sa.select(Council).where(Council.id == referral.council_id))
    event = db.session.scalar(sa.select(Event).order_by(Event.id.desc()).limit(1))
    questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.results_published_at.is_not(None)))
    word = "piscine"

    pages = {
        "/": None,
        "/concertations/": consultation.title,
        f"/concertations/{consultation.id}": big.title,
        f"/concertations/{consultation.id}/sujets/{big.id}": first.body.split(".")[0],
        f"/concertations/{consultation.id}?q={word}": word,
        f"/saisines/{referral.id}": referral.subject,
        f"/conseils/{council.slug}": council.name,
        f"/evenements/{event.id}": event.title,
        f"/questionnaires/{questionnaire.id}/resultats": f"{scale.volumes(FACTOR)['survey_responses']} personnes ont répondu",
        "/agenda/": None,
        "/agenda.ics": "BEGIN:VCALENDAR",
        "/plans/": None,
        "/actualites/": None,
    }
    for path, text in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        if text:
            assert text in response.get_data(as_text=True), path
    # Scale accounts log in with the demo's password (one hash for all), and see the big topic as anyone does.
    client.login("habitant1@scale.example", "demo-participation")
    response = client.get(f"/concertations/{consultation.id}/sujets/{big.id}")
    assert response.status_code == 200
    assert first.body.split(".")[0] in response.get_data(as_text=True)


def test_every_page_of_the_browser_table_answers_on_the_scale_data(app, seeded_as_new, monkeypatch):
    """The pages the browser tests check on the demo, each as its account, on a mandate's data (the demo is part of
    it): each answers as in the browser table, before any action the browser takes on it."""
    from tests.browser.helpers import ACCOUNTS
    from tests.browser.test_pages import PAGES

    monkeypatch.setitem(app.config, "DEMO_MODE", True)  # as the browser tests' server runs (demo mails readable by staff)

    clients: dict = {}
    failures = []
    for spec in PAGES:
        if spec.who not in clients:
            clients[spec.who] = app.test_client()
            if spec.who:
                clients[spec.who].login(*ACCOUNTS[spec.who])
        response = clients[spec.who].get(spec.path)
        if spec.pending and response.status_code == 404:
            continue
        expected = 200 if spec.then is not None and spec.status != 404 else spec.status
        if response.status_code != expected:
            failures.append(f"{spec.id} : {response.status_code}, {expected} attendu")
    assert not failures, "\n".join(failures)
    assert len(clients) == len(ACCOUNTS) + 1  # every account of the table, and anonymous visitors
