"""Logged-in people share the list of consultations (built once per filter), never each other's header,
and see a new consultation at their next request."""

from __future__ import annotations


import sqlalchemy as sa

from participation.extensions import db
from participation.forums.models import Contribution
from participation.forums import moderation, reading, services
from tests import factories


def test_logged_in_people_share_the_list_and_see_a_new_consultation(cache_on, app, monkeypatch, logged_in):
    calls = []
    real = reading.public_consultations

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "public_consultations", counting)
    factories.consultation(title="Plan vélo")
    alice = factories.user(display_name="Alice Martin")
    bruno = factories.user(display_name="Bruno Petit")
    db.session.commit()
    as_alice, as_bruno = logged_in(alice.email, bruno.email)

    text = as_alice.get("/concertations/").get_data(as_text=True)
    assert "Plan vélo" in text and "Alice Martin" in text
    text = as_bruno.get("/concertations/").get_data(as_text=True)
    assert "Plan vélo" in text and "Bruno Petit" in text and "Alice Martin" not in text
    assert len(calls) == 1
    searched = as_bruno.get("/concertations/?q=jardins").get_data(as_text=True)
    assert "Plan vélo" not in searched and len(calls) == 2  # a search is another piece

    factories.consultation(title="Jardins partagés")
    db.session.commit()
    assert "Jardins partagés" in as_alice.get("/concertations/").get_data(as_text=True)
    assert len(calls) == 3


def test_a_search_is_shared_by_logged_in_people_and_shows_a_new_contribution(cache_on, app, count_calls, logged_in):
    calls = count_calls(reading, "search_contributions")
    consultation = factories.consultation(title="Plan vélo")
    topic = factories.topic(consultation, title="Arceaux", body="Il manque des arceaux à la piscine.")
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.user(display_name="Bruno Petit")
    db.session.commit()
    as_alice, as_bruno = logged_in(alice.email, bruno.email)
    path = f"/concertations/{consultation.id}?q=piscine"

    assert "Il manque des arceaux" in as_alice.get(path).get_data(as_text=True)
    text = as_bruno.get(path).get_data(as_text=True)
    assert "Il manque des arceaux" in text and "Bruno Petit" in text and "Alice Martin" not in text
    assert len(calls) == 1

    services.contribute(topic, body="La piscine ferme trop tôt.", actor=alice)
    db.session.commit()
    assert "La piscine ferme trop tôt." in as_bruno.get(path).get_data(as_text=True)
    assert len(calls) == 2


def test_a_consultations_topics_are_shared_page_by_page_and_a_waiting_topic_stays_its_authors(cache_on, app, count_queries, count_calls, logged_in):
    calls = count_calls(reading, "with_counts")
    consultation = factories.consultation(title="Plan vélo", premoderated=True)
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    moderator = factories.user(roles=("moderator",))
    for i in range(app.config["PAGE_SIZE"] + 1):
        factories.topic(consultation, alice, title=f"Sujet public {i}")
    moderation.moderate(db.session.scalars(sa.select(Contribution)).all(), action="approve", reason="Conforme", actor=moderator)
    db.session.commit()
    as_alice, as_bruno = logged_in(alice.email, bruno.email)
    path = f"/concertations/{consultation.id}"

    first = as_alice.get(path).get_data(as_text=True)
    assert "Sujet public 20" in first and "Alice Martin" in first
    text = as_bruno.get(path).get_data(as_text=True)
    assert "Sujet public 20" in text and "Bruno Petit" in text and len(calls) == 1
    assert "Sujet public 0" in as_bruno.get(path + "?page=2").get_data(as_text=True)
    with count_queries() as deep:
        as_alice.get(path + "?page=2")
    assert len(calls) == 2  # the deep page too, once for both

    # Bruno's topic waits for moderation: he sees it, Alice does not; then it is approved and everyone sees it.
    waiting = factories.topic(consultation, bruno, title="Sujet en attente")
    db.session.commit()
    assert "Sujet en attente" in as_bruno.get(path).get_data(as_text=True)
    assert "Sujet en attente" not in as_alice.get(path).get_data(as_text=True)
    moderation.moderate(db.session.scalars(sa.select(Contribution).where(Contribution.topic_id == waiting.id)).all(),
                        action="approve", reason="Conforme", actor=moderator)
    db.session.commit()
    assert "Sujet en attente" in as_alice.get(path).get_data(as_text=True)
    as_bruno.get(path + "?page=2")
    with count_queries() as again:
        as_alice.get(path + "?page=2")
    assert again.count == deep.count  # the same few queries whatever the number of topics
