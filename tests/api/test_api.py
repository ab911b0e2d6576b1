"""The API's shared machinery: envelope, cursor pagination, ETag and Last-Modified, CORS, problem details, rate limits,
and the OpenAPI document with its reference page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.core.models import utcnow
from participation.extensions import db, limiter
from participation.forums.models import Contribution, ContributionState
from tests import factories
from tests.api.helpers import every_item, path_of


def _bulk_contributions(count: int) -> list[int]:
    """``count`` published contributions in one public consultation, inserted in one statement;
    many share their creation time, so the cursor's tie on the id is exercised."""
    consultation = factories.consultation()
    topic = factories.topic(consultation)
    author = topic.author_id
    start = utcnow() - timedelta(days=1)
    rows = [{"consultation_id": consultation.id, "topic_id": topic.id, "author_id": author, "body": f"Contribution {n}",
             "state": ContributionState.published.value, "created_at": start + timedelta(seconds=n // 7),
             "report_count": 0, "agree_count": 0, "disagree_count": 0, "support_count": 0} for n in range(count)]
    db.session.execute(sa.insert(Contribution.__table__), rows)
    db.session.flush()
    return list(db.session.scalars(sa.select(Contribution.id).where(Contribution.consultation_id == consultation.id)))


def test_cursor_pagination_returns_every_contribution_once_in_bounded_queries(client, count_queries):
    ids = _bulk_contributions(450)
    url = "/api/v1/contributions?limit=50"
    seen, pages, queries = [], 0, []
    while url:
        with count_queries() as counted:
            response = client.get(url)
        queries.append(counted.count)
        body = response.get_json()
        assert response.status_code == 200
        seen += [item["id"] for item in body["data"]]
        pages += 1
        if body["links"]["next"]:
            assert response.headers["Link"] == f'<{body["links"]["next"]}>; rel="next"'
        else:
            assert "Link" not in response.headers
        url = path_of(body["links"]["next"]) if body["links"]["next"] else None
    assert pages == 10
    # The 450 and the topic's opening contribution, each once.
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 451
    # Oldest first, ties (seven to a second) in id order.
    assert seen == list(db.session.scalars(sa.select(Contribution.id).order_by(Contribution.created_at, Contribution.id)))
    # The same few queries on the first page and the last (no count, no offset, authors joined).
    assert max(queries) <= 3, queries


def test_pagination_follows_filters_and_refuses_a_forged_cursor(client):
    ids = _bulk_contributions(30)
    consultation_id = db.session.get(Contribution, ids[0]).consultation_id
    other = factories.topic(factories.consultation())
    listed = every_item(client, f"/api/v1/contributions?consultation={consultation_id}", limit=7)
    assert sorted(listed) == sorted(ids)
    assert other.id not in every_item(client, f"/api/v1/topics?consultation={consultation_id}")
    for cursor in ("abc", "W251bGwsIDFd", "eyJhIjoxfQ", "x" * 400):
        response = client.get(f"/api/v1/contributions?cursor={cursor}")
        assert response.status_code == 400, cursor
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert problem["title"] == "Requête incorrecte" and "curseur" in problem["detail"]


@pytest.mark.parametrize("query, word", [("limit=0", "limit"), ("limit=abc", "limit"), ("theme=-1", "theme"),
                                          ("status=ouverte", "status"), ("from=2026-13-01", "from"), ("from=9999-12-31", "from")])
def test_a_bad_filter_is_a_french_400(client, query, word):
    resource = "consultations" if "status" in query else "events" if "from" in query else "articles"
    response = client.get(f"/api/v1/{resource}?{query}")
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["status"] == 400 and f"« {word} »" in problem["detail"]


def test_envelope_of_a_list_and_of_an_item(client):
    article = factories.article(title="Le marché de Noël")
    listed = client.get("/api/v1/articles").get_json()
    assert set(listed) == {"data", "links"} and listed["links"] == {"self": "http://localhost/api/v1/articles", "next": None}
    assert listed["data"][0]["title"] == "Le marché de Noël"
    item = client.get(f"/api/v1/articles/{article.id}").get_json()
    assert set(item) == {"data"} and item["data"]["id"] == article.id
    assert item["data"]["url"] == f"http://localhost/actualites/{article.id}"


def test_etag_and_last_modified_give_304(client):
    article = factories.article()
    first = client.get(f"/api/v1/articles/{article.id}")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(f"/api/v1/articles/{article.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"/api/v1/articles/{article.id}", headers={"If-Modified-Since": modified}).status_code == 304
    listed = client.get("/api/v1/articles")
    assert client.get("/api/v1/articles", headers={"If-None-Match": listed.headers["ETag"]}).status_code == 304
    # A list tells its newest change but answers If-Modified-Since in full: an item taken out changes no date of the others.
    assert listed.headers["Last-Modified"] == modified
    assert client.get("/api/v1/articles", headers={"If-Modified-Since": modified}).status_code == 200
    # A change gives a new version.
    factories.article(title="Une nouvelle actualité")
    assert client.get("/api/v1/articles", headers={"If-None-Match": etag}).status_code == 200


def test_cors_is_open_for_reading(client):
    response = client.get("/api/v1/communes", headers={"Origin": "https://www.mairie-exemple.fr"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Set-Cookie" not in response.headers
    preflight = client.options("/api/v1/communes", headers={"Origin": "https://www.mairie-exemple.fr", "Access-Control-Request-Method": "GET",
                                                            "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # Errors are readable across origins too.
    assert client.get("/api/v1/nulle-part").headers["Access-Control-Allow-Origin"] == "*"


def test_errors_are_french_problem_details(client):
    missing = client.get("/api/v1/articles/999999")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json() == {"type": "about:blank", "title": "Ressource introuvable", "status": 404,
                                  "detail": "Aucune ressource publique ne se trouve à cette adresse.", "instance": "/api/v1/articles/999999"}
    assert client.get("/api/v1/inconnue").get_json()["title"] == "Ressource introuvable"
    assert client.get("/api/v1/articles/abc").status_code == 404
    refused = client.post("/api/v1/articles")
    assert refused.status_code == 405 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == "Cette API se lit seulement : utilisez GET, HEAD ou OPTIONS."
    assert "GET" in refused.headers["Allow"]
    # The site's own pages keep their HTML error page.
    assert client.get("/nulle-part").mimetype == "text/html"


@pytest.fixture
def _limiter_restored():
    enabled = limiter.enabled
    yield
    limiter.reset()
    limiter.enabled = enabled


def test_rate_limit_headers_and_a_french_429(app, tmp_path, _limiter_restored):
    keys = ["TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BASE_URL", "ARGON2_FAST", "MAIL_DELIVERY", "DEMO_MODE"]
    limited = create_app({**{key: app.config[key] for key in keys}, "INSTANCE_PATH": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
                          "RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute"})
    limited.test_client_class = type(app.test_client())
    client = limited.test_client()
    responses = [client.get("/api/v1/themes") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["X-RateLimit-Limit"] == "3" and responses[0].headers["X-RateLimit-Remaining"] == "2"
    refused = responses[-1]
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["title"] == "Trop de requêtes"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_document_describes_every_resource(client):
    from participation.api import registry

    response = client.get("/api/v1/openapi.json")
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    names = {r.name for r in registry.resources()}
    assert {"communes", "themes", "councils", "sittings", "referrals", "consultations", "topics", "contributions", "syntheses", "events",
            "agenda", "grant-calls", "grants", "plans", "plan-actions", "indicators", "measurements", "survey-results", "processes",
            "articles"} <= names
    for name in names:
        operation = document["paths"][f"/api/v1/{name}"]["get"]
        assert {"200", "304", "400", "429"} <= set(operation["responses"])
    contribution = document["components"]["schemas"]["ContributionOut"]["properties"]
    assert "author" in contribution and "email" not in contribution and "author_id" not in contribution
    # The schema that serialises is the schema documented: a field renamed in one is renamed in the other.
    from participation.forums.api import ContributionOut

    assert set(contribution) == set(ContributionOut.model_fields)


def test_reference_page_lists_paths_parameters_and_schemas(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="fr">' in html
    assert "<code>/api/v1/contributions</code>" in html and "<code>cursor</code>" in html and 'id="schema-ContributionOut"' in html
    assert "/static/css/api.css" in html and "cdn" not in html.lower()


def _more_of(resource: str) -> None:
    """Three more public items of ``resource``, with their relations."""
    from datetime import date

    from participation.grants.models import GrantApplication
    from participation.processes.models import Method, Process, ProcessState
    from tests.api.helpers import seed_referral

    theme, commune = factories.theme(), factories.commune()
    for _ in range(3):
        if resource == "articles":
            factories.article(themes=[theme], communes=[commune])
        elif resource == "events":
            factories.event(themes=[theme], communes=[commune])
        elif resource == "consultations":
            factories.consultation(themes=[theme], communes=[commune])
        elif resource == "sittings":
            factories.sitting(factories.council(), publish=True, items=2)
        elif resource == "referrals":
            council = factories.council()
            seed_referral(council, factories.sitting(council, publish=True))
        elif resource == "grants":
            granted = factories.granted_application()
            db.session.execute(sa.update(GrantApplication).where(GrantApplication.id == granted.id).values(convention_signed_on=date.today()))
        elif resource == "plan-actions":
            factories.plan(state="adopted", axes=1, objectives=1, actions=1)
        elif resource == "processes":
            db.session.add(Process(title="Atelier", method=Method.workshop, state=ProcessState.published, published_at=utcnow(),
                                   themes=[theme], communes=[commune]))
    db.session.flush()
    db.session.expire_all()


@pytest.mark.parametrize("resource", ["articles", "events", "consultations", "sittings", "referrals", "grants", "plan-actions", "processes"])
def test_a_page_costs_the_same_queries_whatever_its_size(client, count_queries, resource):
    _more_of(resource)
    with count_queries() as few:
        small = client.get(f"/api/v1/{resource}?limit=100").get_json()["data"]
    _more_of(resource)
    _more_of(resource)
    with count_queries() as many:
        large = client.get(f"/api/v1/{resource}?limit=100").get_json()["data"]
    assert len(large) == len(small) + 6
    assert many.count == few.count, (few.statements, many.statements)


def _consultations_with_contributions(count: int) -> dict[int, int]:
    """``count`` open consultations, the n-th with n published contributions and one hidden; their published counts."""
    from participation.forums import moderation
    from participation.forums import services as forums

    moderator = factories.user(roles=["moderator"])
    expected = {}
    for n in range(count):
        consultation = factories.consultation()
        topic = factories.topic(consultation)  # its opening contribution
        author = factories.participant(consultation)
        for _ in range(n % 3):
            forums.contribute(topic, body="Un avis de plus.", actor=author)
        hidden = forums.contribute(topic, body="Hors charte.", actor=author)
        moderation.moderate([hidden], action="hide", reason="Hors charte.", actor=moderator)
        expected[consultation.id] = 1 + n % 3
    db.session.flush()
    return expected


def test_consultation_counts_cost_one_query_for_the_whole_page(client, count_queries):
    expected = _consultations_with_contributions(3)
    with count_queries() as few:
        listed = client.get("/api/v1/consultations?limit=100").get_json()["data"]
    assert {c["id"]: c["contributions"] for c in listed} == expected
    expected |= _consultations_with_contributions(6)
    with count_queries() as many:
        listed = client.get("/api/v1/consultations?limit=100").get_json()["data"]
    assert {c["id"]: c["contributions"] for c in listed} == expected and len(listed) == 9
    assert many.count == few.count, (few.statements, many.statements)
    # The counts are one grouped query, not a count per consultation.
    grouped = [s for s in many.statements if "count(" in s.lower()]
    assert len(grouped) == 1 and "group by" in grouped[0].lower(), grouped
    one = client.get(f"/api/v1/consultations/{next(iter(expected))}").get_json()["data"]
    assert one["contributions"] == expected[one["id"]]
