"""The page cache: anonymous public pages served without the database until a
domain event says they changed; never a person's page to another."""

from __future__ import annotations

import re

import pytest

from participation.core import pagecache
from participation.core.permissions import SYSTEM
from participation.extensions import db
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

    forums.moderate([contribution], action="hide", reason="Hors charte.", actor=factories.user(roles=["moderator"]))
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
    real = pagecache.time.monotonic
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: real() + app.config["PAGE_CACHE_SECONDS"] + 1)
    assert _page(anonymous, "/concertations/").headers["X-Page-Cache"] == "miss"


def test_staff_pages_and_posts_are_never_cached(cache_on, app):
    staff = factories.staff()
    db.session.commit()
    client = app.test_client()
    client.login(staff.email, factories.PASSWORD)
    response = client.get("/gestion/moderation")
    assert "X-Page-Cache" not in response.headers and response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def redis_cache(app, cache_on):
    import uuid

    import redis

    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("Redis injoignable")
    prefix = f"test-pagecache-{uuid.uuid4().hex}:"
    app.config.update(PAGE_CACHE_REDIS_URL=url, PAGE_CACHE_REDIS_PREFIX=prefix)
    yield redis.Redis.from_url(url)
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    app.config.update(PAGE_CACHE_REDIS_URL=None, PAGE_CACHE_REDIS_PREFIX="participation:")


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
