"""Following a topic keeps no mail frequency of its own: the person's preference for the consultations decides."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.eventlog import run_deferred
from participation.core.outbox import OutboxMail
from participation.extensions import db
from participation.forums import services
from participation.notifications.models import Category, Delivery, Notification
from participation.notifications.services import set_preference
from tests import factories


def test_a_topic_follower_hears_of_answers_as_chosen_for_the_consultations(client):
    consultation = factories.consultation(title="Plan vélo")
    jeanne = factories.participant(consultation, display_name="Jeanne")
    paul = factories.participant(consultation, display_name="Paul")
    topic = factories.topic(consultation, paul, title="Arceaux à la gare")
    client.login(jeanne.email, factories.PASSWORD)
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    page = client.get(path).get_data(as_text=True)
    assert 'name="frequency"' not in page and "/compte/notifications" in page  # one choice, on the preferences page
    assert client.submit(f"{path}/suivre", {"follow": "1"}).status_code == 302
    set_preference(jeanne, Category.consultations, Delivery.daily, actor=jeanne)
    services.contribute(topic, body="Et un atelier de réparation.", actor=paul)
    run_deferred()  # the worker tells the followers
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == jeanne.id))
    assert notice is not None and notice.category == Category.consultations
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.recipient == jeanne.email)) == 0  # in tonight's digest
    set_preference(jeanne, Category.consultations, Delivery.each, actor=jeanne)
    services.contribute(topic, body="Et des arceaux couverts.", actor=paul)
    run_deferred()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.recipient == jeanne.email)) == 1
