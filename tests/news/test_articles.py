"""News articles: writing with an image, scheduling, publishing, the public pages, the feed and who hears of them."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape
from io import BytesIO

import pytest
import sqlalchemy as sa

from participation.core.errors import PermissionDenied, ValidationError
from participation.core.models import utcnow
from participation.extensions import db
from participation.news import jobs, services
from participation.news.models import Article, ArticleState
from participation.notifications.models import Category, Delivery, Notification
from participation.notifications.services import set_preference
from tests import factories


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_staff_write_an_article_with_an_image_that_needs_its_alternative_text(client):
    agent = factories.staff()
    theme = factories.theme("Mobilités")
    client.login(agent.email, factories.PASSWORD)
    data = {"title": "Le plan vélo avance", "summary": "Trois pistes ouvertes.", "body": "Les **pistes** sont ouvertes.",
            "themes": [str(theme.id)], "image": (BytesIO(factories.png_bytes()), "velo.png")}
    refused = client.submit("/gestion/actualites/nouveau", data, form_path="/gestion/actualites/nouveau", content_type="multipart/form-data")
    assert refused.status_code == 422 and "texte de remplacement" in _text(refused)
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    data |= {"image_alt": "Une piste cyclable le long du canal", "image": (BytesIO(factories.png_bytes()), "velo.png")}
    response = client.submit("/gestion/actualites/nouveau", data, form_path="/gestion/actualites/nouveau", content_type="multipart/form-data")
    assert response.status_code == 302
    article = db.session.scalar(sa.select(Article))
    assert article.state == ArticleState.draft and article.image_id and [t.name for t in article.themes] == ["Mobilités"]
    # A draft is not public.
    assert client.application.test_client().get(f"/actualites/{article.id}").status_code in (403, 404)
    publish = client.submit(f"/gestion/actualites/{article.id}", {"action": "publish"})
    assert publish.status_code == 302 and db.session.get(Article, article.id).state == ArticleState.published
    page = client.application.test_client().get(f"/actualites/{article.id}")
    assert page.status_code == 200 and "<strong>pistes</strong>" in page.get_data(as_text=True)
    assert 'alt="Une piste cyclable le long du canal"' in page.get_data(as_text=True)
    image = client.application.test_client().get(f"/actualites/{article.id}/image")
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_a_resident_cannot_write_news():
    resident = factories.user()
    with pytest.raises(PermissionDenied):
        services.save_article(None, title="Pirate", summary="", body="Texte", actor=resident)


def test_an_article_page_carries_valid_news_article_data(client):
    article = factories.article(title="Réunion publique sur le budget", summary="Venez en parler.")
    db.session.commit()
    page = client.get(f"/actualites/{article.id}").get_data(as_text=True)
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Réunion publique sur le budget" and data["description"] == "Venez en parler."
    assert data["datePublished"].startswith(str(article.published_at.year)) and data["url"].endswith(f"/actualites/{article.id}")
    assert data["publisher"]["@type"] == "GovernmentOrganization"


def test_the_atom_feed_validates_and_lists_published_articles(client):
    factories.article(title="Publiée")
    factories.article(title="Brouillon", publish=False)
    response = client.get("/actualites/flux.atom")
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.get_data())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated"):
        assert root.find(required, ns) is not None
    entries = root.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["Publiée"]
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated", "a:link", "a:summary"):
            assert entry.find(required, ns) is not None


def test_a_scheduled_article_is_published_by_the_worker_at_its_hour():
    article = factories.article(title="Programmée", publish=False)
    with pytest.raises(ValidationError):
        services.schedule(article, publish_at=utcnow() - timedelta(hours=1), actor=factories.staff())
    services.schedule(article, publish_at=utcnow() + timedelta(hours=2), actor=factories.staff())
    assert jobs.publish_scheduled(now=utcnow() + timedelta(hours=1)) == 0
    assert jobs.publish_scheduled(now=utcnow() + timedelta(hours=3)) == 1
    assert article.state == ArticleState.published and article.published_at is not None
    assert jobs.publish_scheduled(now=utcnow() + timedelta(hours=4)) == 0
    services.archive(article, actor=factories.staff())
    assert article.state == ArticleState.archived


def test_followers_of_a_theme_and_people_of_a_commune_hear_of_a_new_article(client):
    theme = factories.theme("Culture")
    commune = factories.commune("Valmont")
    follower = factories.user("suit@example.org")
    services.toggle_theme_follow(theme, actor=follower)
    resident = factories.user("habite@example.org")
    resident.commune_id = commune.id
    set_preference(resident, Category.news, Delivery.each, actor=resident)
    stranger = factories.user("ailleurs@example.org")
    factories.article(title="Nouveau festival", themes=[theme], communes=[commune])
    titles = lambda person: list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == person.id)))
    assert titles(follower) == ["Nouvel article : Nouveau festival"] and titles(resident) == ["Nouvel article : Nouveau festival"]
    assert titles(stranger) == []
    # The follower's default is the weekly digest; the resident chose each time.
    from participation.core.outbox import OutboxMail

    recipients = set(db.session.scalars(sa.select(OutboxMail.recipient).where(OutboxMail.subject == "Nouvel article : Nouveau festival")))
    assert recipients == {resident.email}


def test_the_list_is_paginated_and_filtered_with_bounded_queries(client, count_queries):
    theme = factories.theme()
    for i in range(30):
        factories.article(title=f"Article {i}", themes=[theme] if i % 2 else [])
    db.session.commit()
    with count_queries() as counted:
        page = client.get(f"/actualites/?theme={theme.id}")
    assert page.status_code == 200 and counted.count <= 10
    assert client.get("/actualites/?theme=99999999999999&page=-3").status_code == 200
