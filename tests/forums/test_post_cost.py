"""Posting a contribution costs the same whatever the topic's audience: the followers are told by the worker."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.core.eventlog import DomainEvent, run_deferred
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail
from participation.extensions import db
from participation.forums import services
from participation.forums.models import Contribution, ContributionState
from participation.notifications.models import Notification
from tests import factories

STARTED_RE = re.compile(r'name="started"[^>]*value="([^"]+)"')


def _contribute(client, count_queries, path: str, body: str):
    """Post a contribution as the browser does; returns the response and the SQL statements of the POST alone."""
    page = client.get(path).get_data(as_text=True)
    data = {"started": STARTED_RE.search(page).group(1), "csrf_token": client.csrf_token(path), "body": body, "website": "", "parent_id": ""}
    with count_queries() as counter:
        response = client.post(f"{path}/contributions", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response, counter.count


def _followers(consultation, topic, n: int) -> list:
    people = [factories.participant(consultation) for _ in range(n)]
    for person in people:
        services.follow(topic, actor=person)
    return people


def test_a_contribution_post_runs_the_same_queries_with_many_followers_and_contributions(client, count_queries):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contributor = factories.participant(consultation)
    first = _followers(consultation, topic, 1)
    client.login(contributor.email, factories.PASSWORD)
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    _contribute(client, count_queries, path, "Une première contribution.")  # the contributor now follows the topic too
    response, few = _contribute(client, count_queries, path, "Des arceaux devant la gare.")
    # The account; the topic with its consultation and the person's charter and follow; the contribution, the
    # event (which queues the followers' notices for the worker); the topic's activity.
    assert few == 5, few
    # The contributor sees their contribution at once, before the worker has run.
    assert "Des arceaux devant la gare." in client.get(response.headers["Location"]).get_data(as_text=True)

    many = _followers(consultation, topic, 25)
    now = utcnow()
    db.session.execute(sa.insert(Contribution), [
        {"consultation_id": consultation.id, "topic_id": topic.id, "author_id": author.id, "body": f"Contribution {i}",
         "state": ContributionState.published, "created_at": now, "published_at": now} for i in range(500)])
    db.session.commit()
    _, after = _contribute(client, count_queries, path, "Et un atelier de réparation de vélos.")
    assert after == few
    posted = db.session.scalar(sa.select(Contribution).where(Contribution.body == "Et un atelier de réparation de vélos."))
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.dedup_key == f"forums.answer:{posted.id}")) == 0

    # The worker tells every follower of that moment, the topic's author included, once; not the contributor.
    run_deferred()
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.dedup_key == f"forums.answer:{posted.id}")))
    assert told == {p.id for p in [author, *first, *many]}
    mails = db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.dedup_key.like(f"forums.answer:{posted.id}:%")))
    assert mails == len(told)
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.deferred_due_at.is_not(None))) == 0
    run_deferred()  # nothing left: nobody told twice
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.dedup_key == f"forums.answer:{posted.id}")) == len(told)


def test_an_answer_hidden_before_the_worker_runs_is_announced_to_no_one():
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution = services.contribute(topic, body="Un message qui sera retiré.", actor=factories.participant(consultation))
    services.delete_contribution(contribution, actor=contribution.author)
    run_deferred()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.dedup_key == f"forums.answer:{contribution.id}")) == 0
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.deferred_due_at.is_not(None))) == 0
