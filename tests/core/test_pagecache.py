"""The page cache: anonymous public pages served without the database until a
domain event says they changed; never a person's page to another."""

from __future__ import annotations

import re
import time

import pytest

from participation.core import pagecache
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import moderation
from participation.forums import services as forums
from participation.news import services as news
from tests import factories

STARTED_RE = re.compile(r'name="started"[^>]*value="([^"]+)"')


@pytest.fixture
def cache_on(app):
    app.config["PAGE_CACHE"] = True
    fill_seconds, app.config["FORUMS_MIN_FILL_SECONDS"] = app.config["FORUMS_MIN_FILL_SECONDS"], 0
    pagecache.clear()
    yield
    app.config["PAGE_CACHE"] = False
    app.config["FORUMS_MIN_FILL_SECONDS"] = fill_seconds
    pagecache.clear()


@pytest.fixture
def anonymous(app):
    return app.test_client()


def _topic():
    consultation = factories.consultation(title="Plan vélo")
    topic = factories.topic(consultation, title="Arceaux à la gare", body="Il manque des arceaux.")
    db.session.commit()
    return consultation, topic


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response


def test_the_second_anonymous_request_runs_one_query_at_most(cache_on, anonymous, count_queries):
    consultation, topic = _topic()
    for path in ("/", "/concertations/", f"/concertations/{consultation.id}", f"/concertations/{consultation.id}/sujets/{topic.id}",
                 "/agenda/", "/agenda.ics", "/actualites/"):
        first = _page(anonymous, path)
        assert first.headers["X-Page-Cache"] == "miss", path
        with count_queries() as q:
            second = _page(anonymous, path)
        assert second.headers["X-Page-Cache"] == "hit", path
        assert q.count <= 1, (path, q.statements)  # the generation: the latest event's id
        assert second.get_data() == first.get_data()
        assert "no-store" not in second.headers.get("Cache-Control", "")
        # The browser asks again with the ETag: 304, no body.
        assert anonymous.get(path, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304


def test_a_contribution_shows_at_the_next_anonymous_request(cache_on, anonymous, client):
    consultation, topic = _topic()
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    _page(anonymous, path)
    assert _page(anonymous, path).headers["X-Page-Cache"] == "hit"

    resident = factories.participant(consultation)
    db.session.commit()
    client.login(resident.email, factories.PASSWORD)
    form = client.get(path).get_data(as_text=True)
    started = STARTED_RE.search(form).group(1)
    response = client.submit(f"{path}/contributions", {"started": started, "body": "Et un abri couvert, s'il vous plaît."}, form_path=path)
    assert response.status_code == 302

    page = _page(anonymous, path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Et un abri couvert" in page.get_data(as_text=True)


def test_a_hidden_contribution_disappears_at_the_next_anonymous_request(cache_on, anonymous):
    consultation, topic = _topic()
    author = factories.participant(consultation)
    contribution = forums.contribute(topic, body="Un propos hors charte très visible.", actor=author)
    db.session.commit()
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    assert "Un propos hors charte très visible." in _page(anonymous, path).get_data(as_text=True)
    assert _page(anonymous, path).headers["X-Page-Cache"] == "hit"

    moderation.moderate([contribution], action="hide", reason="Hors charte.", actor=factories.user(roles=["moderator"]))
    db.session.commit()
    assert "Un propos hors charte très visible." not in _page(anonymous, path).get_data(as_text=True)


def test_a_published_article_shows_at_the_next_anonymous_request(cache_on, anonymous):
    article = factories.article(title="Le tramway arrive à Loirande", publish=False)
    db.session.commit()
    assert "Le tramway arrive à Loirande" not in _page(anonymous, "/actualites/").get_data(as_text=True)
    assert _page(anonymous, "/actualites/").headers["X-Page-Cache"] == "hit"

    news.publish(article, actor=SYSTEM)
    db.session.commit()
    assert "Le tramway arrive à Loirande" in _page(anonymous, "/actualites/").get_data(as_text=True)
    assert "Le tramway arrive à Loirande" in _page(anonymous, "/").get_data(as_text=True)


def test_a_rolled_back_change_neither_invalidates_nor_shows(cache_on, anonymous, count_queries):
    article = factories.article(title="Le tramway arrive à Loirande", publish=False)
    db.session.commit()
    _page(anonymous, "/actualites/")

    news.publish(article, actor=SYSTEM)
    db.session.rollback()

    with count_queries() as q:
        page = _page(anonymous, "/actualites/")
    assert page.headers["X-Page-Cache"] == "hit" and q.count <= 1
    assert "Le tramway arrive à Loirande" not in page.get_data(as_text=True)
    assert "Le tramway arrive à Loirande" not in anonymous.get("/actualites/?theme=").get_data(as_text=True)


def test_a_logged_in_person_never_gets_a_page_cached_for_another(cache_on, anonymous, app):
    consultation, topic = _topic()
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    db.session.commit()

    as_alice = app.test_client()
    as_alice.login(alice.email, factories.PASSWORD)
    page = as_alice.get(path)
    assert "Alice Martin" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and "X-Page-Cache" not in page.headers

    _page(anonymous, path)
    assert _page(anonymous, path).headers["X-Page-Cache"] == "hit"

    as_bruno = app.test_client()
    as_bruno.login(bruno.email, factories.PASSWORD)
    page = as_bruno.get(path)
    text = page.get_data(as_text=True)
    assert "Bruno Petit" in text and "Alice Martin" not in text
    assert page.headers["Cache-Control"] == "no-store" and "X-Page-Cache" not in page.headers
    # The anonymous copy still holds no one's name.
    text = _page(anonymous, path).get_data(as_text=True)
    assert "Alice Martin" not in text and "Bruno Petit" not in text


def test_forms_with_a_csrf_token_and_flashed_messages_are_never_shared(cache_on, app):
    consultation, topic = _topic()
    visitor = app.test_client()
    # An anonymous visitor whose session already holds a CSRF token (after a log-in form).
    token_page = visitor.get("/compte/connexion")
    assert token_page.status_code == 200
    for _ in range(2):
        response = visitor.get("/compte/connexion")
        assert "X-Page-Cache" not in response.headers  # not a cached view at all
    # A cached view showing a form (the event's registration button) keeps its token to itself.
    event = factories.event(title="Balade urbaine")
    db.session.commit()
    first = visitor.get(f"/evenements/{event.id}")
    second = app.test_client().get(f"/evenements/{event.id}")
    if 'name="csrf_token"' in first.get_data(as_text=True):
        assert first.headers["X-Page-Cache"] == "skip"
        assert second.headers.get("X-Page-Cache") != "hit"
    # A flashed message waiting: the page is rendered, not served from the cache.
    other = app.test_client()
    _page(other, "/concertations/")
    with other.session_transaction() as session:
        session["_flashes"] = [("info", "Votre message a été envoyé.")]
    response = other.get("/concertations/")
    assert "X-Page-Cache" not in response.headers and "Votre message a été envoyé." in response.get_data(as_text=True)


def test_an_entry_expires_after_its_lifetime(cache_on, anonymous, app, monkeypatch):
    _page(anonymous, "/concertations/")
    assert _page(anonymous, "/concertations/").headers["X-Page-Cache"] == "hit"
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + app.config["PAGE_CACHE_SECONDS"] + 1)
    assert _page(anonymous, "/concertations/").headers["X-Page-Cache"] == "miss"


def test_staff_pages_and_posts_are_never_cached(cache_on, app):
    staff = factories.staff()
    db.session.commit()
    client = app.test_client()
    client.login(staff.email, factories.PASSWORD)
    response = client.get("/gestion/moderation")
    assert "X-Page-Cache" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_with_redis_every_worker_shares_pages_and_generation(redis_cache, anonymous, count_queries):
    article = factories.article(title="Le tramway arrive à Loirande", publish=False)
    db.session.commit()
    assert _page(anonymous, "/actualites/").headers["X-Page-Cache"] == "miss"
    pagecache.clear()  # another worker: its own memory is empty, Redis holds the page
    with count_queries() as q:
        page = _page(anonymous, "/actualites/")
    assert page.headers["X-Page-Cache"] == "hit" and q.count == 0

    news.publish(article, actor=SYSTEM)
    db.session.commit()  # the commit increments the generation in Redis
    page = _page(anonymous, "/actualites/")
    assert page.headers["X-Page-Cache"] == "miss" and "Le tramway arrive à Loirande" in page.get_data(as_text=True)


def test_choosing_a_language_is_rendered_each_time(cache_on, anonymous):
    for _ in range(2):
        response = _page(anonymous, "/concertations/?lang=en")
        assert "X-Page-Cache" not in response.headers


# Generations per tag: a change invalidates the pages that show it, no others.


def _reaction_in_forums():
    consultation, topic = _topic()
    author = factories.participant(consultation)
    reader = factories.participant(consultation)
    contribution = forums.contribute(topic, body="Des arceaux couverts devant la gare.", actor=author)
    db.session.commit()
    return consultation, topic, contribution, reader


@pytest.mark.parametrize("with_redis", [False, True])
def test_a_reaction_in_forums_leaves_the_agenda_and_events_cached(cache_on, anonymous, app, with_redis, request, count_queries):
    from participation.forums.models import ReactionKind

    if with_redis:
        request.getfixturevalue("redis_cache")
    consultation, topic, contribution, reader = _reaction_in_forums()
    event = factories.event(title="Balade urbaine")
    db.session.commit()
    forum_path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    paths = ("/agenda/", "/agenda/?vue=grille", "/agenda.ics", "/evenements/", f"/evenements/{event.id}")
    for path in (*paths, forum_path):
        assert _page(anonymous, path).headers["X-Page-Cache"] == "miss", path

    forums.react(contribution, ReactionKind.agree, actor=reader)
    db.session.commit()

    for path in paths:
        with count_queries() as q:
            page = _page(anonymous, path)
        assert page.headers["X-Page-Cache"] == "hit", path
        assert q.count <= 1, (path, q.statements)
    # The topic shows the reaction: rendered again.
    assert _page(anonymous, forum_path).headers["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("with_redis", [False, True])
def test_an_event_change_shows_at_once_in_the_agenda_and_the_feed(cache_on, anonymous, with_redis, request):
    from participation.events import services as events

    if with_redis:
        request.getfixturevalue("redis_cache")
    consultation, topic = _topic()
    event = factories.event(title="Balade urbaine")
    db.session.commit()
    forum_path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    month = event.starts_at.strftime("%Y-%m")
    for path in (f"/agenda/?mois={month}", "/agenda.ics", f"/evenements/{event.id}", forum_path):
        assert "Balade urbaine" in _page(anonymous, path).get_data(as_text=True) or path == forum_path
        assert _page(anonymous, path).headers["X-Page-Cache"] == "hit", path

    events.update_event(event, {"title": "Balade urbaine au bord de Loire", "starts_at": event.starts_at, "ends_at": event.ends_at,
                                "place_name": event.place_name, "address": event.address, "capacity": event.capacity},
                        actor=SYSTEM)
    db.session.commit()

    for path in (f"/agenda/?mois={month}", "/agenda.ics", f"/evenements/{event.id}"):
        page = _page(anonymous, path)
        assert page.headers["X-Page-Cache"] == "miss", path
        assert "Balade urbaine au bord de Loire" in page.get_data(as_text=True), path
    # The forums show nothing of the events: still served from the cache.
    assert _page(anonymous, forum_path).headers["X-Page-Cache"] == "hit"


def test_a_log_in_invalidates_no_page(cache_on, anonymous, app):
    consultation, topic = _topic()
    resident = factories.participant(consultation)
    db.session.commit()
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    for p in (path, "/agenda/"):
        _page(anonymous, p)
    app.test_client().login(resident.email, factories.PASSWORD)  # records user.logged_in
    for p in (path, "/agenda/"):
        assert _page(anonymous, p).headers["X-Page-Cache"] == "hit", p


def test_a_consultation_opening_shows_in_the_agenda(cache_on, anonymous):
    consultation = factories.consultation(title="Plan vélo", state="draft")
    db.session.commit()
    month = consultation.opens_at.strftime("%Y-%m")
    assert "Plan vélo" not in _page(anonymous, f"/agenda/?mois={month}").get_data(as_text=True)
    forums.publish_consultation(consultation, actor=SYSTEM)
    db.session.commit()
    page = _page(anonymous, f"/agenda/?mois={month}")
    assert page.headers["X-Page-Cache"] == "miss" and "Plan vélo" in page.get_data(as_text=True)


def test_tags_expand_to_the_tables_of_a_domain():
    tags = pagecache.expand_tags(("forums",))
    assert {"consultations", "topics", "contributions", "reactions", "communes", "themes", "platform"} <= set(tags)
    assert "events" not in tags and "registrations" not in tags
    assert pagecache.expand_tags(None) == (pagecache.ALL,)
    assert pagecache.event_tag("user.logged_in", "users") is None
    assert pagecache.event_tag("contribution.reacted", "contributions") == "contributions"


# Fragments: shared parts of logged-in pages.


def _home_renders(monkeypatch):
    from participation.pages import views as pages_views

    calls = []
    real = pages_views.collect_home_blocks

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pages_views, "collect_home_blocks", counting)
    return calls


def test_logged_in_people_share_the_home_blocks_but_never_each_others_data(cache_on, app, monkeypatch):
    consultation = factories.consultation(title="Plan vélo")
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    db.session.commit()
    renders = _home_renders(monkeypatch)

    as_alice = app.test_client()
    as_alice.login(alice.email, factories.PASSWORD)
    page = as_alice.get("/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store" and "X-Page-Cache" not in page.headers
    text = page.get_data(as_text=True)
    assert "Alice Martin" in text and "Plan vélo" in text and len(renders) == 1

    as_bruno = app.test_client()
    as_bruno.login(bruno.email, factories.PASSWORD)
    text = as_bruno.get("/").get_data(as_text=True)
    assert "Bruno Petit" in text and "Plan vélo" in text
    assert "Alice Martin" not in text
    assert len(renders) == 1  # the blocks came from the cache
    # Neither the anonymous page built from the same fragment.
    text = app.test_client().get("/").get_data(as_text=True)
    assert "Alice Martin" not in text and "Bruno Petit" not in text and "Plan vélo" in text


def test_a_shared_fragment_speaks_each_readers_language(cache_on, app):
    """The home blocks rendered for a French reader are not served to one who reads English,
    whether the language comes from ?lang=, the session or the account."""
    consultation = factories.consultation(title="Plan vélo")
    english = factories.participant(consultation, display_name="Ann Smith")
    english.locale = "en"
    db.session.commit()

    french_page = app.test_client().get("/").get_data(as_text=True)
    assert "Concertations ouvertes" in french_page
    by_query = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "Concertations ouvertes" not in by_query and "Open consultations" in by_query
    as_ann = app.test_client()
    as_ann.login(english.email, factories.PASSWORD)
    by_account = as_ann.get("/").get_data(as_text=True)
    assert "Concertations ouvertes" not in by_account and "Open consultations" in by_account
    assert "Concertations ouvertes" in app.test_client().get("/").get_data(as_text=True)


def test_a_fragment_is_rendered_as_an_anonymous_visitor(cache_on, app):
    from flask_login import current_user, login_user

    alice = factories.user(display_name="Alice Martin")
    db.session.commit()
    with app.test_request_context("/"):
        login_user(alice)
        html = pagecache.fragment("qui", lambda: current_user.display_name if current_user.is_authenticated else "anonyme")
        assert str(html) == "anonyme"
        assert current_user.display_name == "Alice Martin"  # the request's person is back


def test_fragments_invalidate_like_pages(cache_on, app, monkeypatch):
    from participation.forums.models import ReactionKind

    consultation, topic, contribution, reader = _reaction_in_forums()
    renders = _home_renders(monkeypatch)
    client = app.test_client()
    client.login(reader.email, factories.PASSWORD)
    client.get("/")
    client.get("/")
    assert len(renders) == 1

    forums.react(contribution, ReactionKind.agree, actor=reader)
    db.session.commit()
    client.get("/")
    assert len(renders) == 1  # a reaction shows in no home block

    factories.consultation(title="Jardins partagés")
    db.session.commit()
    text = client.get("/").get_data(as_text=True)
    assert len(renders) == 2 and "Jardins partagés" in text


def test_with_redis_a_bump_by_another_worker_changes_the_generation_read_here(redis_cache, app):
    # This worker remembers the counters it read while ALL stays put; another worker's event moves ALL, and its tags first.
    prefix = app.config["PAGE_CACHE_REDIS_PREFIX"] + "pagecache:tag:"
    tags = pagecache.expand_tags(("forums",))

    def read():  # one request of this worker
        with app.test_request_context("/"):
            return pagecache.generation(tags)

    before = read()
    assert read() == before
    redis_cache.incr(prefix + "contributions")
    redis_cache.incr(prefix + pagecache.ALL)
    after = read()
    assert after != before
    redis_cache.incr(prefix + "events")  # not a tag of these pages
    redis_cache.incr(prefix + pagecache.ALL)
    assert read() == after
    # Within one request, a page and its fragments are of one moment: ALL is read once.
    with app.test_request_context("/"):
        first = pagecache.generation(tags)
        redis_cache.incr(prefix + "contributions")
        redis_cache.incr(prefix + pagecache.ALL)
        assert pagecache.generation(tags) == first
    assert read() != first
