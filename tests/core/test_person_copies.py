"""A person's copy of a shared page with parts, kept in Redis under the page's key and the person's
generation: served again without a query, renewed by any change of a row naming them (theirs, or
someone else's change of it), never another session's token, never past what it shows holds."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core import pagecache
from participation.core.models import utcnow
from participation.extensions import db
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def topic_page(app, cache_on, redis_cache, logged_in):
    from participation.forums import services as forums
    from participation.forums.models import ReactionKind

    consultation = factories.consultation(title="Plan vélo")
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    claire = factories.participant(consultation, display_name="Claire Roux")
    topic = factories.topic(consultation, title="Arceaux à la gare")
    claires = forums.contribute(topic, body="Il en faut aussi au marché.", actor=claire)
    brunos = forums.contribute(topic, body="Et devant la mairie.", actor=bruno)
    forums.react(claires, ReactionKind.agree, actor=bruno)
    db.session.commit()
    as_alice, as_bruno = logged_in(alice.email, bruno.email)
    for client in (as_alice, as_bruno):
        client.get("/compte/")  # reads the flashed « vous êtes connecté »
    return {"alice": alice, "bruno": bruno, "topic": topic, "claires": claires, "brunos": brunos,
            "as_alice": as_alice, "as_bruno": as_bruno, "path": f"/concertations/{consultation.id}/sujets/{topic.id}"}


def _get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response, response.get_data(as_text=True)


def _kept(client, path):
    """Visit until the person's copy is kept (the page rendered, then filled for them): the text then."""
    _get(client, path)
    return _get(client, path)[1]


def test_a_persons_page_with_parts_is_served_again_without_a_query(topic_page, count_queries):
    as_bruno, path = topic_page["as_bruno"], topic_page["path"]
    _kept(as_bruno, path)
    with count_queries() as counted:
        response, text = _get(as_bruno, path)
    assert response.headers["X-Page-Cache"] == "hit-shared"
    assert counted.count == 0, counted.statements
    # His own agreement, his own controls, his own header: his copy.
    assert 'aria-pressed="true"' in text and "Bruno Petit" in text.split("<main")[0] and "Modifier" in text
    response, text = _get(topic_page["as_alice"], path)
    assert 'aria-pressed="true"' not in text and "Modifier" not in text and "Bruno Petit" not in text.split("<main")[0]


def test_the_persons_own_change_shows_at_the_next_page(topic_page):
    from participation.forums import services as forums
    from participation.forums.models import ReactionKind

    as_alice, path = topic_page["as_alice"], topic_page["path"]
    text = _kept(as_alice, path)
    assert 'aria-pressed="true"' not in text and "Vous suivez ce sujet." not in text
    forums.react(topic_page["claires"], ReactionKind.agree, actor=topic_page["alice"])
    db.session.commit()
    assert 'aria-pressed="true"' in _get(as_alice, path)[1]
    forums.follow(topic_page["topic"], actor=topic_page["alice"])
    db.session.commit()
    assert "Vous suivez ce sujet." in _get(as_alice, path)[1]
    forums.unfollow(topic_page["topic"], actor=topic_page["alice"])  # a bulk DELETE naming her
    db.session.commit()
    assert "Vous suivez ce sujet." not in _get(as_alice, path)[1]


def test_a_change_someone_else_makes_to_a_row_naming_the_person_shows_at_their_next_page(app, cache_on, redis_cache, logged_in):
    from participation.events import services as events

    event = factories.event(title="Balade urbaine")
    alice = factories.user(display_name="Alice Martin")
    agent = factories.staff(display_name="Chloé Agent")
    db.session.commit()
    registration = events.register(event, actor=alice)
    db.session.commit()
    (as_alice,) = logged_in(alice.email)
    as_alice.get("/compte/")
    path = f"/evenements/{event.id}"
    assert "Votre inscription" in _kept(as_alice, path)
    events.cancel_registration(registration, actor=agent)
    db.session.commit()
    text = _get(as_alice, path)[1]
    assert "Votre inscription" not in text and "S'inscrire" in text


def test_two_sessions_of_one_person_each_get_their_own_working_token(topic_page, logged_in):
    path = topic_page["path"]
    (other_tab,) = logged_in(topic_page["alice"].email)
    other_tab.get("/compte/")
    first = CSRF_RE.findall(_kept(topic_page["as_alice"], path))
    second = CSRF_RE.findall(_kept(other_tab, path))
    assert first and second and set(first).isdisjoint(second)
    for client, token in ((topic_page["as_alice"], first[0]), (other_tab, second[0])):
        response = client.post(f"{path}/suivre", data={"csrf_token": token})
        assert response.status_code == 302 and "#suivre" in response.location


def test_a_bulk_change_names_its_people_or_renews_everyones(topic_page):
    from participation.forums import services as forums
    from participation.forums.models import Follow

    alice, bruno = topic_page["alice"].id, topic_page["bruno"].id
    before = pagecache.person_generation(alice), pagecache.person_generation(bruno)
    db.session.execute(sa.delete(Follow).where(Follow.user_id == bruno).execution_options(people=(bruno,)))
    db.session.commit()
    after = pagecache.person_generation(alice), pagecache.person_generation(bruno)
    assert after[0] == before[0] and after[1] != before[1]
    forums.follow(topic_page["topic"], actor=topic_page["alice"])
    db.session.commit()
    after = pagecache.person_generation(alice), pagecache.person_generation(bruno)
    db.session.execute(sa.delete(Follow).where(Follow.user_id == alice))  # whose rows, unsaid: everyone's pages renew
    db.session.commit()
    last = pagecache.person_generation(alice), pagecache.person_generation(bruno)
    assert last[0] != after[0] and last[1] != after[1]
    # A bulk statement that changes no row (an hourly purge finding nothing) renews no one.
    db.session.execute(sa.delete(Follow).where(Follow.user_id == alice))
    db.session.commit()
    assert (pagecache.person_generation(alice), pagecache.person_generation(bruno)) == last
    # Rows no page shows (mail queued for a person) renew no one.
    from participation.core.outbox import OutboxMail

    db.session.execute(sa.update(OutboxMail).where(OutboxMail.user_id == alice).values(attempts=0))
    db.session.commit()
    assert pagecache.person_generation(alice) == last[0]


def test_the_edit_button_goes_when_the_time_to_edit_ends(topic_page):
    as_bruno, path, contribution = topic_page["as_bruno"], topic_page["path"], topic_page["brunos"]
    minutes = as_bruno.application.config["FORUMS_EDIT_MINUTES"]
    contribution.created_at = utcnow() - timedelta(minutes=minutes) + timedelta(seconds=2.5)
    db.session.commit()
    assert "Modifier" in _kept(as_bruno, path)
    time.sleep(3)
    assert "Modifier" not in _get(as_bruno, path)[1]
