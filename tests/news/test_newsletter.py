"""The newsletter: opt-in subscriptions, issues composed by staff, sent in batches exactly once each."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.models import utcnow
from participation.core.outbox import deliver_due
from participation.extensions import db
from participation.news import jobs, newsletter
from participation.news.models import Issue, IssueState, Subscriber
from participation.notifications.models import Unsubscription
from tests import factories


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_an_address_without_account_confirms_by_mail_double_opt_in(client, mailbox):
    commune = factories.commune("Valmont")
    db.session.commit()
    refused = client.submit("/lettre/abonnement", {"email": "lea@example.org", "communes": [str(commune.id)]})
    assert refused.status_code == 422 and "Cochez la case" in _text(refused)
    response = client.submit("/lettre/abonnement", {"email": "Lea@Example.org", "communes": [str(commune.id)], "consent": "y"})
    assert response.status_code == 302
    subscriber = db.session.scalar(sa.select(Subscriber))
    assert subscriber.email == "lea@example.org" and subscriber.confirmed_at is None and subscriber.consent_source == "formulaire"
    deliver_due()
    [mail] = [m for m in mailbox if "lea@example.org" in m.recipients]
    link = re.search(r"https?://\S+/lettre/confirmer/\S+", mail.text).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200 and db.session.get(Subscriber, subscriber.id).confirmed_at is None
    assert client.submit(path, {}).status_code == 302
    assert db.session.get(Subscriber, subscriber.id).confirmed_at is not None
    # The same link does not serve twice.
    assert client.submit(path, {}, form_path=path).status_code == 400


def test_an_account_subscribes_its_own_address_at_once_and_sees_the_consent_in_my_data(client):
    person = factories.user("compte@example.org")
    client.login(person.email, factories.PASSWORD)
    client.submit("/lettre/abonnement", {"email": person.email, "consent": "y"})
    subscriber = db.session.scalar(sa.select(Subscriber))
    assert subscriber.confirmed_at is not None and subscriber.user_id == person.id and subscriber.consent_source == "compte"
    data = client.get("/compte/mes-donnees.json").get_json()
    assert data["lettre_d_information"]["abonnement"]["consentement_source"] == "compte"
    assert data["lettre_d_information"]["abonnement"]["consentement_le"]


def test_unconfirmed_addresses_are_deleted_after_7_days():
    factories.subscriber("attend@example.org", confirmed=False)
    factories.subscriber("confirme@example.org")
    assert jobs.purge_unconfirmed(now=utcnow() + timedelta(days=6)) == 0
    assert jobs.purge_unconfirmed(now=utcnow() + timedelta(days=8)) == 1
    assert list(db.session.scalars(sa.select(Subscriber.email))) == ["confirme@example.org"]


def test_an_issue_needs_a_body_and_an_audience_and_can_be_cancelled_until_its_hour():
    agent = factories.staff()
    with pytest.raises(ValidationError, match="vide"):
        newsletter.save_issue(None, subject="Lettre", intro="", items=[], audience_all=True, actor=agent)
    with pytest.raises(ValidationError, match="à qui"):
        newsletter.save_issue(None, subject="Lettre", intro="Bonjour", items=[], audience_all=False, actor=agent)
    commune = factories.commune()
    issue = newsletter.save_issue(None, subject="Lettre", intro="Bonjour", items=[], audience_all=False, communes=[commune], actor=agent)
    with pytest.raises(ValidationError, match="Aucun abonné"):
        newsletter.schedule_issue(issue, send_at=utcnow() + timedelta(hours=1), actor=agent)
    factories.subscriber(communes=[commune])
    newsletter.schedule_issue(issue, send_at=utcnow() + timedelta(hours=1), actor=agent)
    assert issue.state == IssueState.scheduled
    newsletter.cancel_issue(issue, actor=agent)
    assert issue.state == IssueState.draft
    newsletter.schedule_issue(issue, send_at=utcnow() + timedelta(hours=1), actor=agent)
    with pytest.raises(ValidationError, match="passée"):
        newsletter.cancel_issue(issue, actor=agent, now=utcnow() + timedelta(hours=2))


def test_staff_compose_preview_test_and_schedule_through_the_pages(client, mailbox):
    agent = factories.staff(display_name="Agente")
    article = factories.article(title="Le plan vélo avance")
    factories.subscriber()
    client.login(agent.email, factories.PASSWORD)
    response = client.submit("/gestion/lettre/nouvelle", {"subject": "Lettre de mars", "intro": "Bonjour à **tous**.",
                                                          "articles": [str(article.id)], "audience": "all"})
    assert response.status_code == 302
    issue = db.session.scalar(sa.select(Issue))
    detail = _text(client.get(f"/gestion/lettre/{issue.id}"))
    assert "Le plan vélo avance" in detail and "1 abonné aujourd'hui" in detail
    client.submit(f"/gestion/lettre/{issue.id}", {"action": "test"})
    db.session.commit()
    deliver_due()
    [test] = [m for m in mailbox if agent.email in m.recipients]
    assert test.subject == "[Essai] Lettre de mars" and "Le plan vélo avance" in test.text
    past = client.submit(f"/gestion/lettre/{issue.id}", {"action": "schedule", "schedule-moment": "2020-01-01T10:00"},
                         form_path=f"/gestion/lettre/{issue.id}")
    assert past.status_code == 422 and "à venir" in _text(past)
    soon = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.submit(f"/gestion/lettre/{issue.id}", {"action": "schedule", "schedule-moment": soon}, form_path=f"/gestion/lettre/{issue.id}")
    assert db.session.get(Issue, issue.id).state == IssueState.scheduled
    client.submit(f"/gestion/lettre/{issue.id}", {"action": "cancel"})
    assert db.session.get(Issue, issue.id).state == IssueState.draft
    assert client.application.test_client().get("/gestion/lettre/").status_code == 302


@pytest.mark.heavy
@pytest.mark.committing
def test_5000_subscribers_of_one_commune_get_the_issue_exactly_once_across_a_worker_restart(app, mailbox):
    from participation.core.permissions import SYSTEM

    commune = factories.commune("Valmont")
    elsewhere = factories.commune("Ailleurs")
    rows = [{"email": f"habitant{i}@example.org", "consent_source": "formulaire", "confirmed_at": utcnow(), "consent_at": utcnow()} for i in range(5000)]
    db.session.execute(sa.insert(Subscriber), rows)
    ids = db.session.scalars(sa.select(Subscriber.id).order_by(Subscriber.id)).all()
    db.session.execute(sa.insert(newsletter.subscriber_communes), [{"subscriber_id": i, "commune_id": commune.id} for i in ids])
    gone = factories.subscriber("parti@example.org", communes=[commune])
    gone.unsubscribed_at = utcnow()
    factories.subscriber("voisin@example.org", communes=[elsewhere])
    factories.subscriber("pasconfirme@example.org", communes=[commune], confirmed=False)
    issue = newsletter.save_issue(None, subject="La lettre de Valmont", intro="Les nouvelles de la commune.", items=[],
                                  audience_all=False, communes=[commune], actor=SYSTEM)
    newsletter.schedule_issue(issue, send_at=utcnow() + timedelta(minutes=5), actor=SYSTEM)
    issue_id = issue.id
    db.session.commit()
    later = utcnow() + timedelta(minutes=6)

    # The first worker prepares one batch, then stops (budget spent: a restart).
    assert newsletter.send_due(now=later, batch_size=1200, budget_seconds=0) == 1200
    db.session.commit()
    db.session.remove()
    # Two runs after the restart (a second worker too): the rest, and nothing twice.
    assert newsletter.send_due(now=later, batch_size=1200, budget_seconds=600) == 3800
    db.session.commit()
    assert newsletter.send_due(now=later, batch_size=1200, budget_seconds=600) == 0
    db.session.commit()
    assert db.session.get(Issue, issue_id).state == IssueState.sent

    app.config["OUTBOX_BATCH_SIZE"] = 1000
    while deliver_due()["sent"]:
        pass
    received = [r for m in mailbox for r in m.recipients]
    assert len(received) == 5000 and len(set(received)) == 5000
    assert "parti@example.org" not in received and "voisin@example.org" not in received and "pasconfirme@example.org" not in received
    one = next(m for m in mailbox if "habitant7@example.org" in m.recipients)
    assert one.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/lettre/desinscription/" in one.message["List-Unsubscribe"]

    # One of them unsubscribes in one click from a fresh browser: counted against the issue, recorded with its date.
    path = "/" + one.message["List-Unsubscribe"].strip("<>").split("://", 1)[1].split("/", 1)[1]
    assert app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    counts = newsletter.issue_counts([issue_id])[issue_id]
    assert counts == {"queued": 5000, "sent": 5000, "failed": 0, "pending": 0, "unsubscribed": 1}
    assert db.session.scalar(sa.select(Unsubscription.source).where(Unsubscription.email == "habitant7@example.org")) == "one-click"
    # The test's reads end before the next requests: on SQLite its open transaction holds the write lock they wait for.
    db.session.rollback()
    # The public archive shows the issue.
    assert "La lettre de Valmont" in _text(app.test_client().get("/lettre/"))
    assert "Les nouvelles de la commune." in _text(app.test_client().get(f"/lettre/{issue_id}"))


def test_an_altered_newsletter_link_changes_nothing(client):
    subscriber = factories.subscriber("ferme@example.org")
    db.session.commit()
    url = newsletter.unsubscribe_url(subscriber)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(path[:-2] + "zz")
    assert response.status_code == 400 and "rien n'a été modifié" in _text(response)
    assert db.session.get(Subscriber, subscriber.id).unsubscribed_at is None
    assert "Vous n'avez pas besoin de vous connecter" in _text(client.get(path))
    assert client.post(path).status_code == 200
    assert db.session.get(Subscriber, subscriber.id).unsubscribed_at is not None


def test_the_issue_list_runs_a_bounded_number_of_queries(client, count_queries):
    agent = factories.staff()
    for i in range(30):
        newsletter.save_issue(None, subject=f"Lettre {i}", intro="Bonjour", items=[], audience_all=True, actor=agent)
    db.session.commit()
    client.login(agent.email, factories.PASSWORD)
    with count_queries() as counted:
        page = client.get("/gestion/lettre/?page=2")
    assert page.status_code == 200 and "Lettre 9" in _text(page) and counted.count <= 14
    assert client.get("/gestion/lettre/?page=999999999999").status_code == 200
    assert client.get("/gestion/lettre/999999999999").status_code == 404
