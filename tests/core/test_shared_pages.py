"""Public pages shared by every signed-in person: rendered once as no one, filled
with each person's header (name, unread notices, the desk's link, CSRF token)
from their card; never one person's data to another, never a stale card."""

from __future__ import annotations

import re
import time

import pytest

from participation.accounts import services as accounts
from participation.accounts.models import Role
from participation.core import pagecache
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.notifications import services as notifications
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SHARED = ("/", "/concertations/", "/agenda/")


@pytest.fixture(params=["memory", "redis"])
def shared_cache(request, app, cache_on):
    """The page cache on, in this process's memory (cards read from the database at each
    request) or in Redis (cards kept under each person's generation)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


@pytest.fixture
def people(app, logged_in):
    consultation = factories.consultation(title="Plan vélo")
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    agent = factories.staff(display_name="Chloé Agent")
    db.session.commit()
    as_alice, as_bruno, as_agent = logged_in(alice.email, bruno.email, agent.email)
    for client in (as_alice, as_bruno, as_agent):
        client.get("/compte/")  # reads the flashed « vous êtes connecté »: pages are shared once none waits
    return {"alice": alice, "bruno": bruno, "agent": agent, "as_alice": as_alice, "as_bruno": as_bruno, "as_agent": as_agent,
            "consultation": consultation}


def _text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response, response.get_data(as_text=True)


def _badge(text):
    found = re.search(r'<span class="badge">(\d+)<span class="visually-hidden"> non lues', text)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("path", SHARED)
def test_every_signed_in_person_gets_the_shared_page_with_their_own_header(shared_cache, people, path):
    response, text = _text(people["as_alice"], path)
    assert response.headers["X-Page-Cache"] == "miss-shared"
    assert "Alice Martin" in text and "Se déconnecter" in text and "Gestion</a>" not in text

    response, text = _text(people["as_bruno"], path)
    assert response.headers["X-Page-Cache"] == "hit-shared"
    assert "Bruno Petit" in text and "Alice Martin" not in text and "Gestion</a>" not in text
    assert response.headers["Cache-Control"] == "no-store"
    assert "@@h:" not in text

    # Staff hold a role: the copy of the people holding the same roles, not the residents'.
    response, text = _text(people["as_agent"], path)
    assert response.headers["X-Page-Cache"] == "miss-shared"
    assert "Chloé Agent" in text and "Gestion</a>" in text

    # The anonymous page is another entry: no one's header in it.
    text = _text(people["as_alice"].application.test_client(), path)[1]
    assert "Se connecter" in text and "Alice Martin" not in text and "Bruno Petit" not in text


def test_the_shared_copy_holds_no_ones_data(shared_cache, people):
    _text(people["as_alice"], "/")
    kept = [entry[2] for key, entry in pagecache.local_pages._items.items() if isinstance(entry[2], bytes)]
    assert kept and all(b"Alice Martin" not in body for body in kept)
    assert any(b"@@h:v:person_name:" in body for body in kept)


def test_each_person_gets_their_own_csrf_token_and_it_works(shared_cache, people):
    _text(people["as_alice"], "/")
    response, text = _text(people["as_bruno"], "/")
    assert response.headers["X-Page-Cache"] == "hit-shared"
    token = CSRF_RE.search(text).group(1)
    with people["as_bruno"].session_transaction() as session:
        raw = session["csrf_token"]
    from itsdangerous import URLSafeTimedSerializer

    app = people["as_bruno"].application
    assert URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").loads(token) == raw
    # The log-out form of the shared page logs Bruno out.
    assert people["as_bruno"].post("/compte/deconnexion", data={"csrf_token": token}).status_code in (302, 303)
    text = _text(people["as_bruno"], "/")[1]
    assert "Se connecter" in text and "Bruno Petit" not in text


def test_a_new_notice_and_reading_them_show_at_the_next_page(shared_cache, people):
    alice = people["alice"]
    assert _badge(_text(people["as_alice"], "/")[1]) == 0
    notifications.notify(alice, "Votre contribution a reçu une réponse")
    notifications.notify(alice, "Nouvelle séance du conseil")
    db.session.commit()
    response, text = _text(people["as_alice"], "/")
    assert _badge(text) == 2
    assert _badge(_text(people["as_bruno"], "/")[1]) == 0  # Bruno's card is his own

    notifications.mark_all_read(actor=db.session.get(type(alice), alice.id))
    db.session.commit()
    assert _badge(_text(people["as_alice"], "/")[1]) == 0


def test_a_role_granted_or_a_new_name_shows_at_the_next_page(shared_cache, people):
    bruno = people["bruno"]
    assert "Gestion</a>" not in _text(people["as_bruno"], "/concertations/")[1]
    accounts.grant_role(bruno, Role.moderator, actor=SYSTEM)
    db.session.commit()
    assert "Gestion</a>" in _text(people["as_bruno"], "/concertations/")[1]

    accounts.update_profile(bruno, display_name="Bruno P.", actor=bruno)
    db.session.commit()
    text = _text(people["as_bruno"], "/concertations/")[1]
    assert "Bruno P.</a>" in text and "Bruno Petit" not in text


def test_a_session_the_account_ended_is_not_served_the_signed_in_page(shared_cache, people):
    _text(people["as_alice"], "/")
    alice = people["alice"]
    accounts.change_password(alice, current=factories.PASSWORD, new="un-autre-mot-de-passe-1", actor=alice)
    db.session.commit()
    # Bruno's page is still shared; Alice's old session no longer holds.
    assert _text(people["as_bruno"], "/")[0].headers["X-Page-Cache"] == "hit-shared"
    text = _text(people["as_alice"], "/")[1]
    assert "Alice Martin" not in text and "Se connecter" in text


def test_a_topic_is_shared_and_each_person_gets_their_own_form_follow_and_reactions(shared_cache, people):
    from participation.forums import services as forums
    from participation.forums.models import ReactionKind

    topic = factories.topic(people["consultation"], title="Arceaux à la gare")
    contribution = forums.contribute(topic, body="Il en faut aussi au marché.", actor=people["alice"])
    forums.react(contribution, ReactionKind.agree, actor=people["bruno"])
    forums.follow(topic, actor=people["alice"])
    db.session.commit()
    path = f"/concertations/{people['consultation'].id}/sujets/{topic.id}"

    response, alice_page = _text(people["as_alice"], path)
    assert response.headers["X-Page-Cache"] == "miss-shared"
    response, bruno_page = _text(people["as_bruno"], path)
    assert response.headers["X-Page-Cache"] == "hit-shared"
    for page in (alice_page, bruno_page):
        assert "Il en faut aussi au marché." in page and 'name="body"' in page  # both may contribute
    assert 'aria-pressed="true"' in bruno_page and 'aria-pressed="true"' not in alice_page  # Bruno's agreement is his
    assert "Alice Martin</a>" in alice_page and "Bruno Petit" not in alice_page.split("<main")[0]
    assert "Vous suivez ce sujet." in alice_page and "Vous suivez ce sujet." not in bruno_page

    text = _text(people["as_alice"].application.test_client(), path)[1]
    assert "Connectez-vous pour contribuer" in text and 'name="body"' not in text


def _waiting_topic(people):
    """A topic of a premoderated consultation whose only contribution waits, and its author's client."""
    consultation = factories.consultation(title="Budget participatif", premoderated=True)
    author = factories.participant(consultation, display_name="Denise Roy")
    topic = factories.topic(consultation, author, title="Un banc place du marché")
    db.session.commit()
    as_author = people["as_alice"].application.test_client()
    as_author.login(author.email, factories.PASSWORD)
    as_author.get("/compte/")
    return as_author, topic, f"/concertations/{consultation.id}/sujets/{topic.id}"


def test_a_page_that_uses_the_person_is_rendered_for_them(shared_cache, people):
    """A topic whose only contribution waits for moderation is seen by its author alone: their page is theirs."""
    as_author, topic, path = _waiting_topic(people)
    for _twice in range(2):
        response, text = _text(as_author, path)
        assert response.headers.get("X-Page-Cache") is None
        assert "Un banc place du marché" in text and "Denise Roy</a>" in text
    assert people["as_bruno"].get(path).status_code == 404


def test_a_page_found_personal_is_shared_again_once_its_state_changed(shared_cache, people, monkeypatch):
    """The author's page of a waiting topic is theirs; once the topic is approved, and an entry's
    lifetime later, it is shared like any other (a page found personal is not personal for ever)."""
    from participation.core.permissions import SYSTEM
    from participation.forums import moderation
    from participation.forums.models import Contribution

    as_author, topic, path = _waiting_topic(people)
    assert _text(as_author, path)[0].headers.get("X-Page-Cache") is None

    moderation.moderate(db.session.scalars(db.select(Contribution).where(Contribution.topic_id == topic.id)).all(),
                        action="approve", reason="Conforme à la charte.", actor=SYSTEM)
    db.session.commit()
    assert _text(as_author, path)[0].headers.get("X-Page-Cache") is None  # still remembered as personal
    later = time.monotonic() + people["as_alice"].application.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    response, text = _text(as_author, path)
    assert response.headers["X-Page-Cache"] == "miss-shared" and "Denise Roy</a>" in text
    assert _text(people["as_bruno"], path)[0].headers["X-Page-Cache"] == "hit-shared"


def test_a_form_sent_back_with_its_errors_is_never_a_shared_part(app):
    from participation.core import holes

    with app.test_request_context("/"):
        with holes.rendering():
            assert "@@h:v:part:" in holes.part("topic-contribute", 5)
            with pytest.raises(holes.HoleError):
                holes.part("topic-contribute", 5, form=object())


def test_each_person_reads_the_shared_page_in_their_language(shared_cache, people):
    bruno = people["bruno"]
    accounts.update_profile(bruno, display_name="Bruno Petit", locale="en", actor=bruno)
    db.session.commit()
    alice_page = _text(people["as_alice"], "/concertations/")[1]
    bruno_page = _text(people["as_bruno"], "/concertations/")[1]
    assert '<html lang="fr">' in alice_page and "Se déconnecter" in alice_page
    assert '<html lang="en">' in bruno_page and "Log out" in bruno_page and "Bruno Petit" in bruno_page


def test_a_shared_hit_runs_no_query_with_redis(cache_on, redis_cache, people, count_queries):
    _text(people["as_alice"], "/concertations/")
    _text(people["as_bruno"], "/concertations/")
    with count_queries() as counted:
        response, text = _text(people["as_bruno"], "/concertations/")
    assert response.headers["X-Page-Cache"] == "hit-shared" and "Bruno Petit" in text
    assert counted.count == 0


def test_without_redis_a_shared_hit_reads_the_person_only(cache_on, people, count_queries):
    """Four queries whatever the page: the account, its roles, its unread notices, the page's generation."""
    for path in SHARED:
        _text(people["as_alice"], path)
        with count_queries() as counted:
            response = _text(people["as_bruno"], path)[0]
        assert response.headers["X-Page-Cache"] == "hit-shared", path
        assert counted.count <= 4, (path, counted.statements)


def test_an_events_page_is_shared_and_each_person_sees_their_own_registration(shared_cache, people):
    from participation.events import services as events

    event = factories.event(title="Balade urbaine")
    db.session.commit()
    events.register(event, actor=people["alice"])
    db.session.commit()
    path = f"/evenements/{event.id}"
    response, text = _text(people["as_alice"], path)
    assert response.headers["X-Page-Cache"] == "miss-shared"
    assert "Votre inscription" in text and "Annuler mon inscription" in text and "Gérer cet événement" not in text

    response, text = _text(people["as_bruno"], path)
    assert response.headers["X-Page-Cache"] == "hit-shared"
    assert "Votre inscription" not in text and "S'inscrire" in text and "Balade urbaine" in text
    assert "19 places disponibles" in text  # Alice's place is taken

    response, text = _text(people["as_agent"], path)
    assert response.headers["X-Page-Cache"] == "miss-shared" and "Gérer cet événement" in text  # the staff's own copy
    # The anonymous page has no one's registration either.
    text = _text(people["as_alice"].application.test_client(), path)[1]
    assert "Votre inscription" not in text and "S'inscrire" in text


def test_a_plans_follow_button_is_each_persons_own(shared_cache, people):
    from participation.plans import services as plans

    plan = factories.plan(title="Projet de territoire", state="adopted", axes=1, objectives=1, actions=1)
    plans.follow_plan(plan, actor=people["alice"])
    db.session.commit()
    path = f"/plans/{plan.slug}"
    response, text = _text(people["as_alice"], path)
    assert response.headers["X-Page-Cache"] == "miss-shared" and "Ne plus suivre ce plan" in text
    response, text = _text(people["as_bruno"], path)
    assert response.headers["X-Page-Cache"] == "hit-shared"
    assert "Suivre ce plan" in text and "Ne plus suivre ce plan" not in text


@pytest.mark.committing
def test_a_shared_hit_fills_its_parts_from_the_card_and_reads_outside_a_transaction(app, redis_cache, logged_in, monkeypatch,
                                                                                     count_queries):
    """As deployed (a session of its own per request, the generations and cards in Redis, so that nothing
    has read the database before the parts): a hit's parts read each query on its own, without BEGIN
    and COMMIT, and see the person as their card says, their account never loaded; a part that asks more of
    the person than the card holds gets their account."""
    from participation import layout
    from participation.forums import reading
    from participation.forums import services as forums
    from participation.forums.models import ReactionKind

    consultation = factories.consultation(title="Plan vélo")
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    topic = factories.topic(consultation, title="Arceaux à la gare")
    contribution = forums.contribute(topic, body="Il en faut aussi au marché.", actor=alice)
    forums.react(contribution, ReactionKind.agree, actor=bruno)
    # (Read before the commit: reading after it would begin a transaction that holds SQLite's lock.)
    emails, bruno_id, path = (alice.email, bruno.email), bruno.id, f"/concertations/{consultation.id}/sujets/{topic.id}"
    db.session.commit()
    as_alice, as_bruno = logged_in(*emails)
    for client in (as_alice, as_bruno):
        client.get("/compte/")
    first = as_alice.get(path)
    assert first.headers.get("X-Page-Cache") == "miss-shared", (first.status_code, first.get_data(as_text=True)[-3000:])

    seen = []
    reactions_of = reading.reactions_of

    def spy(user, ids):
        found = reactions_of(user, ids)
        raw = db.session.connection().connection.dbapi_connection
        # Whether the database holds a transaction open for this connection, after the part's queries.
        in_transaction = raw.in_transaction if hasattr(raw, "in_transaction") else raw.info.transaction_status.name != "IDLE"
        seen.append((type(user), in_transaction))
        return found

    monkeypatch.setattr(reading, "reactions_of", spy)
    loads = []
    user_model = type(alice)
    monkeypatch.setattr(layout.CardPerson, "account", property(lambda person: loads.append(person.id) or db.session.get(
        user_model, person.id)))
    response = as_bruno.get(path)
    page = response.get_data(as_text=True)
    assert response.headers["X-Page-Cache"] == "hit-shared"
    header = page.split("<main")[0]
    assert 'aria-pressed="true"' in page and "Bruno Petit" in header and "Alice Martin" not in header
    assert seen == [(layout.CardPerson, False)] and loads == []
    # The topic the parts are about was kept with the page: the next person's parts read it without a query.
    with count_queries() as counter:
        again = as_alice.get(path)
    assert again.headers["X-Page-Cache"] == "hit-shared" and 'aria-pressed="true"' not in again.get_data(as_text=True)
    assert not any("FROM topics" in statement for statement in counter.statements), counter.statements
    # Once the request is over, the connection went back to the pool as it was: the next request has its transaction.
    with db.engine.connect() as connection:
        assert connection.get_isolation_level() != "AUTOCOMMIT"
    # A part asking what the card does not hold (the account's e-mail) gets the account.
    card_person = layout.CardPerson({"id": bruno_id, "roles": [], "locale": "fr", "name": "Bruno Petit"})
    with app.test_request_context():
        assert card_person.email == emails[1] and loads == [bruno_id]


def test_a_shared_page_with_nothing_personal_is_served_as_kept(shared_cache, people):
    """An iCalendar feed holds no one's data and no marker: the signed-in copy is served as it was kept."""
    factories.event(title="Balade urbaine")
    db.session.commit()
    first = people["as_alice"].get("/agenda.ics")
    again = people["as_bruno"].get("/agenda.ics")
    assert first.headers["X-Page-Cache"] == "miss-shared" and again.headers["X-Page-Cache"] == "hit-shared"
    assert again.mimetype == "text/calendar" and again.get_data() == first.get_data()
    assert b"BEGIN:VCALENDAR" in again.get_data() and b"Balade urbaine" in again.get_data() and b"@@h:" not in again.get_data()
