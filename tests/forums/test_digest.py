"""Following a topic « à chaque réponse » or « résumé quotidien »; the daily digest; the mails' unsubscribe links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.extensions import db
from participation.forums import jobs, services
from participation.forums.models import Follow, FollowFrequency
from tests import factories

PARIS = ZoneInfo("Europe/Paris")


def _tomorrow_at(hour: int) -> datetime:
    """Tomorrow (Paris) at ``hour``: the digest then covers today."""
    today = utcnow().astimezone(PARIS).date()
    return datetime.combine(today + timedelta(days=1), time(hour, 0), tzinfo=PARIS).astimezone(UTC)


def _scene():
    consultation = factories.consultation(title="Plan vélo")
    author = factories.participant(consultation, display_name="Camille")
    topic = factories.topic(consultation, author, title="Arceaux à la gare")
    daily = factories.participant(consultation, display_name="Dora")
    each = factories.participant(consultation, display_name="Eric")
    services.follow(topic, frequency=FollowFrequency.daily, actor=daily)
    services.follow(topic, frequency=FollowFrequency.each, actor=each)
    return consultation, topic, author, daily, each


def test_daily_followers_get_one_digest_and_per_answer_followers_one_mail_each(mailbox):
    consultation, topic, author, daily, each = _scene()
    services.contribute(topic, body="Des arceaux couverts, vite.", actor=author)
    services.contribute(topic, body="Et un atelier de réparation.", actor=each)
    services.contribute(topic, body="Ma propre réponse ne m'est pas résumée.", actor=daily)

    assert jobs.send_digests(now=_tomorrow_at(8)) == 1
    # Run again (a restart, a second worker): nothing more.
    assert jobs.send_digests(now=_tomorrow_at(9)) == 0
    deliver_due()

    to_daily = [m for m in mailbox if m.recipients == [daily.email]]
    assert len(to_daily) == 1
    digest = to_daily[0]
    assert "2 nouvelles contributions" in digest.subject
    assert "« Arceaux à la gare » (Plan vélo)" in digest.text
    assert "Camille : Des arceaux couverts, vite." in digest.text and "Eric : Et un atelier de réparation." in digest.text
    assert "Ma propre réponse" not in digest.text
    assert re.search(r"Ne plus suivre aucun sujet : http://participation.test/concertations/desabonnement/\S+", digest.text)
    # Per-answer followers had their mails at once, and no digest.
    to_each = [m for m in mailbox if m.recipients == [each.email]]
    assert len(to_each) == 2 and all("Nouvelle contribution" in m.subject for m in to_each)


def test_the_digest_rechecks_what_is_still_true_when_it_runs():
    consultation, topic, author, daily, each = _scene()
    rude = services.contribute(topic, body="Un propos à masquer.", actor=author)
    moderator = factories.user(roles=["moderator"])
    services.moderate([rude], action="hide", reason="Propos injurieux", actor=moderator)
    assert jobs.send_digests(now=_tomorrow_at(8)) == 0

    services.contribute(topic, body="Une réponse correcte.", actor=author)
    services.unfollow(topic, actor=daily)
    assert jobs.send_digests(now=_tomorrow_at(8)) == 0


def test_the_digest_covers_yesterday_once_the_digest_hour_has_come():
    consultation, topic, author, daily, each = _scene()
    services.contribute(topic, body="Une réponse.", actor=author)
    today = utcnow().astimezone(PARIS).date()
    assert jobs.digest_day(_tomorrow_at(8)) == today
    assert jobs.digest_day(_tomorrow_at(5)) == today - timedelta(days=1)
    # Before the digest hour, today's answers wait for tomorrow's run.
    assert jobs.send_digests(now=_tomorrow_at(5)) == 0
    assert jobs.send_digests(now=_tomorrow_at(7)) == 1
    assert db.session.scalar(sa.select(OutboxMail.dedup_key).where(OutboxMail.user_id == daily.id)) == f"forums.digest:{daily.id}:{today.isoformat()}"


def test_a_pre_moderated_answer_reaches_the_digest_of_the_day_it_is_approved():
    consultation = factories.consultation(premoderated=True)
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    follower = factories.participant(consultation)
    services.follow(topic, frequency=FollowFrequency.daily, actor=follower)
    waiting = services.contribute(topic, body="En attente.", actor=author)
    assert jobs.send_digests(now=_tomorrow_at(8)) == 0
    services.moderate([waiting], action="approve", reason="Conforme à la charte", actor=factories.user(roles=["moderator"]))
    assert jobs.send_digests(now=_tomorrow_at(8)) == 1


def test_choosing_the_frequency_on_the_topic_page(client):
    consultation, topic, author, daily, each = _scene()
    client.login(each.email, factories.PASSWORD)
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Vous suivez ce sujet (à chaque réponse)" in page
    assert '<legend>' in page and "résumé quotidien" in page
    response = client.submit(f"{path}/suivre", {"follow": "1", "frequency": "daily"}, form_path=path)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Follow.frequency).where(Follow.user_id == each.id)) == FollowFrequency.daily
    assert "un résumé quotidien" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.submit(f"{path}/suivre", {"follow": "1", "frequency": "weekly"}, form_path=path)
    assert response.status_code == 400
    assert client.submit(f"{path}/suivre", {"follow": "0"}, form_path=path).status_code == 302
    assert db.session.scalar(sa.select(Follow.id).where(Follow.user_id == each.id)) is None


def test_the_unsubscribe_link_works_without_logging_in_after_a_confirmation(client):
    consultation, topic, author, daily, each = _scene()
    other_topic = factories.topic(consultation, author, title="Parkings")
    services.follow(other_topic, actor=daily)
    one = f"/concertations/desabonnement/{services.unfollow_token(daily, topic)}"
    every = f"/concertations/desabonnement/{services.unfollow_token(daily)}"

    page = client.get(one).get_data(as_text=True)
    assert "Ne plus suivre « Arceaux à la gare »" in page
    # Opening the link (as a mail scanner does) changes nothing.
    assert db.session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == daily.id)) == 2
    assert client.submit(one, {}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == daily.id)) == 1

    assert "Vous suivez 1 sujet" in client.get(every).get_data(as_text=True)
    response = client.submit(every, {})
    assert "Vous ne suivez plus aucun sujet" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == daily.id)) == 0
    # Another person's follows are untouched; a forged or altered link is refused.
    assert db.session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == each.id)) == 1
    assert client.get(every[:-3] + "abc").status_code == 404
    assert client.get("/concertations/desabonnement/nimportequoi").status_code == 404


def test_the_per_answer_mail_offers_the_digest_and_an_unsubscribe_link(mailbox):
    consultation, topic, author, daily, each = _scene()
    services.contribute(topic, body="Une réponse.", actor=author)
    deliver_due()
    mail = next(m for m in mailbox if m.recipients == [each.email])
    assert "Pour recevoir plutôt un résumé quotidien : http://participation.test/concertations/" in mail.text
    assert "Pour ne plus suivre ce sujet : http://participation.test/concertations/desabonnement/" in mail.text
    assert not [m for m in mailbox if m.recipients == [daily.email]]
