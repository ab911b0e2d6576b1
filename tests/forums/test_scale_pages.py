"""Deep pages and search stay cheap however many topics a consultation has."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.extensions import db
from participation.forums.models import Contribution, Topic
from tests import factories


def _bulk_topics(consultation, author, n: int) -> None:
    now = utcnow()
    db.session.execute(sa.insert(Topic), [
        {"consultation_id": consultation.id, "author_id": author.id, "title": f"Sujet en nombre {i}",
         "created_at": now - timedelta(minutes=i), "last_activity_at": now - timedelta(minutes=i)} for i in range(n)
    ])
    ids = db.session.scalars(sa.select(Topic.id).where(Topic.title.like("Sujet en nombre %"))).all()
    db.session.execute(sa.insert(Contribution), [
        {"consultation_id": consultation.id, "topic_id": tid, "author_id": author.id, "body": f"Premier message {tid}",
         "state": "published", "created_at": now, "published_at": now} for tid in ids for _ in range(2)
    ])
    db.session.flush()


def test_a_deep_page_of_topics_runs_the_queries_of_the_first(client, count_queries):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    _bulk_topics(consultation, author, 130)
    path = f"/concertations/{consultation.id}"
    with count_queries() as first:
        page = client.get(path).get_data(as_text=True)
    assert "Sujet en nombre 0" in page and "Page 1 sur 7" in page
    with count_queries() as deep:
        page = client.get(f"{path}?page=7").get_data(as_text=True)
    # Most recent activity first: the 7th page holds the oldest ten, each with its count.
    assert "Sujet en nombre 129" in page and "Sujet en nombre 119" not in page and "Sujet en nombre 120" in page
    assert "2 contributions" in page
    assert deep.count == first.count


def test_search_in_a_consultation_finds_among_many(client):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    _bulk_topics(consultation, author, 50)
    topic = factories.topic(consultation, author, body="Un abri pour les vélos à la gare.")
    db.session.flush()
    page = client.get(f"/concertations/{consultation.id}?q=velo").get_data(as_text=True)
    assert "Un abri pour les vélos à la gare." in page and topic.title in page
    assert "Premier message" not in page
