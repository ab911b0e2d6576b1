"""The API served from the page cache: a hit says what the miss said, a change shows at the next request,
nothing unpublished ever, the same answer whoever asks; rate limits, ETag and CORS as without the cache."""

from __future__ import annotations

import pytest

from participation import create_app
from participation.core import pagecache
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import moderation
from participation.forums import services as forums
from participation.news import services as news
from tests import factories
from tests.api.helpers import path_of

# Headers that belong to one answer: the cache's own verdict (the others are compared).
OWN = {"X-Page-Cache"}


def _get(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code in (200, 304), (path, response.status_code, response.get_data(as_text=True))
    return response


def _same(miss, hit) -> None:
    assert hit.headers["X-Page-Cache"] == "hit", hit.headers
    assert hit.data == miss.data
    assert {(k, v) for k, v in hit.headers.items() if k not in OWN} == {(k, v) for k, v in miss.headers.items() if k not in OWN}


def _consultation_with_contribution():
    consultation = factories.consultation(title="Plan vélo")
    topic = factories.topic(consultation, title="Arceaux à la gare", body="Il manque des arceaux.")
    db.session.commit()
    return consultation, topic


def _counts(client) -> dict[int, int]:
    return {item["id"]: item["contributions"] for item in _get(client, "/api/v1/consultations").get_json()["data"]}


def test_lists_items_cursor_pages_and_the_document_are_served_from_the_cache(cache_on, client, count_queries):
    consultation, topic = _consultation_with_contribution()
    for n in range(3):
        forums.contribute(topic, body=f"Réponse numéro {n}", actor=factories.participant(consultation))
    db.session.commit()
    first_page = _get(client, "/api/v1/contributions?limit=2").get_json()
    paths = ["/api/v1/consultations", f"/api/v1/consultations/{consultation.id}", "/api/v1/contributions?limit=2",
             path_of(first_page["links"]["next"]), "/api/v1/themes", "/api/v1/openapi.json"]
    pagecache.clear()
    for path in paths:
        miss = _get(client, path)
        assert miss.headers["X-Page-Cache"] == "miss", path
        with count_queries() as counted:
            hit = _get(client, path)
        _same(miss, hit)
        assert counted.count <= 1, (path, counted.statements)  # the generation, nothing else (no Redis here)
    # A cursor page is its own entry: the second page is not the first.
    assert _get(client, paths[3]).get_json()["data"] != first_page["data"]


def test_with_redis_another_worker_serves_the_stored_answer(redis_cache, client, count_queries):
    consultation, _ = _consultation_with_contribution()
    path = f"/api/v1/consultations/{consultation.id}"
    miss = _get(client, path, headers={"If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"})
    pagecache.clear()  # another worker: its own memory is empty, Redis holds the answer
    with count_queries() as counted:
        hit = _get(client, path)
    _same(miss, hit)
    assert counted.count == 0


def test_a_published_contribution_shows_at_the_next_request(cache_on, client):
    consultation, topic = _consultation_with_contribution()
    assert _counts(client)[consultation.id] == 1
    assert _get(client, "/api/v1/consultations").headers["X-Page-Cache"] == "hit"
    contributions = f"/api/v1/contributions?consultation={consultation.id}"
    assert len(_get(client, contributions).get_json()["data"]) == 1

    forums.contribute(topic, body="Et un abri couvert pour les vélos.", actor=factories.participant(consultation))
    db.session.commit()
    listed = _get(client, "/api/v1/consultations")
    assert listed.headers["X-Page-Cache"] == "miss" and _counts(client)[consultation.id] == 2
    assert _get(client, f"/api/v1/consultations/{consultation.id}").get_json()["data"]["contributions"] == 2
    assert "Et un abri couvert pour les vélos." in [c["body"] for c in _get(client, contributions).get_json()["data"]]


def test_a_hidden_contribution_and_a_closed_consultation_show_at_the_next_request(cache_on, client):
    consultation, topic = _consultation_with_contribution()
    contribution = forums.contribute(topic, body="Un propos hors charte très visible.", actor=factories.participant(consultation))
    db.session.commit()
    item = f"/api/v1/consultations/{consultation.id}"
    contributions = f"/api/v1/contributions?consultation={consultation.id}"
    for _ in range(2):
        assert _get(client, item).get_json()["data"]["contributions"] == 2
        assert "Un propos hors charte très visible." in _get(client, contributions).get_data(as_text=True)

    moderation.moderate([contribution], action="hide", reason="Hors charte.", actor=factories.user(roles=["moderator"]))
    db.session.commit()
    assert _get(client, item).get_json()["data"]["contributions"] == 1
    assert _counts(client)[consultation.id] == 1
    assert "Un propos hors charte très visible." not in _get(client, contributions).get_data(as_text=True)

    assert _get(client, item).get_json()["data"]["state"] == "open"
    forums.close_consultation(consultation, actor=SYSTEM)
    db.session.commit()
    assert _get(client, item).get_json()["data"]["state"] == "closed"
    assert _get(client, "/api/v1/consultations?status=open").get_json()["data"] == []


def test_an_unpublished_item_leaves_the_list_and_its_page(cache_on, client):
    article = factories.article(title="Le tramway arrive à Loirande")
    db.session.commit()
    item = f"/api/v1/articles/{article.id}"
    for _ in range(2):
        assert [a["title"] for a in _get(client, "/api/v1/articles").get_json()["data"]] == ["Le tramway arrive à Loirande"]
        assert _get(client, item).get_json()["data"]["id"] == article.id
    assert _get(client, item).headers["X-Page-Cache"] == "hit"

    news.archive(article, actor=SYSTEM)
    db.session.commit()
    assert _get(client, "/api/v1/articles").get_json()["data"] == []
    gone = client.get(item)
    assert gone.status_code == 404 and gone.headers["X-Page-Cache"] == "skip"


def test_a_draft_twin_never_appears_whoever_stored_the_answer(cache_on, client, app):
    public = factories.consultation(title="Concertation publiée")
    draft = factories.consultation(title="Concertation en préparation", state="draft")
    staff = factories.user(roles=["admin"])
    db.session.commit()
    # Staff asks first (a logged-in caller's answer is stored too: it reads no one's rights), then a visitor.
    manager = app.test_client()
    manager.login(staff.email, factories.PASSWORD)
    by_staff = _get(manager, "/api/v1/consultations")
    assert by_staff.headers["X-Page-Cache"] == "miss"
    by_visitor = _get(client, "/api/v1/consultations")
    _same(by_staff, by_visitor)
    assert [c["id"] for c in by_visitor.get_json()["data"]] == [public.id]
    for asking in (manager, client, manager):
        refused = asking.get(f"/api/v1/consultations/{draft.id}")
        assert refused.status_code == 404 and refused.headers["X-Page-Cache"] == "skip"
    assert "Set-Cookie" not in by_visitor.headers

    forums.publish_consultation(draft, actor=SYSTEM)
    db.session.commit()
    assert {c["id"] for c in _get(client, "/api/v1/consultations").get_json()["data"]} == {public.id, draft.id}


def test_each_language_has_its_own_entry(cache_on, client, app):
    consultation, _ = _consultation_with_contribution()
    english = factories.user()
    english.locale = "en"
    db.session.commit()
    reader = app.test_client()
    reader.login(english.email, factories.PASSWORD)
    path = f"/api/v1/consultations/{consultation.id}"
    french = _get(client, path).get_json()["data"]["state_label"]
    for _ in range(2):
        answer = _get(reader, path)
        assert answer.get_json()["data"]["state_label"] != french
    assert answer.headers["X-Page-Cache"] == "hit"
    assert _get(client, path).get_json()["data"]["state_label"] == french


def test_etag_and_dates_answer_as_without_the_cache(cache_on, client):
    article = factories.article()
    db.session.commit()
    item, listing = f"/api/v1/articles/{article.id}", "/api/v1/articles"
    for path in (item, listing):
        miss = _get(client, path)
        again = client.get(path, headers={"If-None-Match": miss.headers["ETag"]})
        assert again.status_code == 304 and again.headers["X-Page-Cache"] == "hit" and again.data == b""
    modified = _get(client, item).headers["Last-Modified"]
    assert client.get(item, headers={"If-Modified-Since": modified}).status_code == 304
    # A list's date informs only: If-Modified-Since gets the whole list, from the cache as from the view.
    pagecache.clear()
    for verdict in ("miss", "hit"):
        full = client.get(listing, headers={"If-Modified-Since": modified})
        assert full.status_code == 200 and full.headers["X-Page-Cache"] == verdict
        assert full.headers["Last-Modified"] == modified and full.get_json()["data"]


def test_cors_headers_on_a_hit(cache_on, client):
    for verdict in ("miss", "hit"):
        response = _get(client, "/api/v1/communes", headers={"Origin": "https://www.mairie-exemple.fr"})
        assert response.headers["X-Page-Cache"] == verdict
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
        assert "Origin" in response.headers["Vary"]
    # Another origin, the same entry: the answer allows every origin.
    other = _get(client, "/api/v1/communes", headers={"Origin": "https://data.exemple.org"})
    assert other.headers["X-Page-Cache"] == "hit" and other.headers["Access-Control-Allow-Origin"] == "*"


@pytest.fixture
def limited(app, tmp_path):
    keys = ["TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BASE_URL", "ARGON2_FAST", "MAIL_DELIVERY", "DEMO_MODE"]
    limited = create_app({**{key: app.config[key] for key in keys}, "INSTANCE_PATH": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
                          "RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute", "PAGE_CACHE": True})
    limited.test_client_class = type(app.test_client())
    pagecache.clear()
    yield limited.test_client()
    pagecache.clear()


def test_rate_limits_count_the_hits_and_each_answer_has_its_own_headers(limited):
    responses = [limited.get("/api/v1/themes") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers.get("X-Page-Cache") for r in responses[:3]] == ["miss", "hit", "hit"]
    assert [r.headers.getlist("X-RateLimit-Remaining") for r in responses[:3]] == [["2"], ["1"], ["0"]]
    assert all(r.headers.getlist("X-RateLimit-Limit") == ["3"] for r in responses[:3])
    refused = responses[-1]
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    # What the cache keeps belongs to no request: no limiter's count in it.
    (entry,) = [e for e in pagecache.local_pages._items.values() if len(e) == 5]
    names = {name.lower() for name, _ in entry[1]}
    assert not {n for n in names if n.startswith("x-ratelimit")} and "retry-after" not in names and "set-cookie" not in names
