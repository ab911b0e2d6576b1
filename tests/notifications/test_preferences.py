"""Telling people things: preferences, mail at once or in digests, own case, one-click unsubscription."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from html import unescape

import pytest

import sqlalchemy as sa

from participation.core.outbox import OutboxMail, deliver_due
from participation.extensions import db
from participation.notifications import jobs
from participation.notifications.models import Category, Delivery, DigestSchedule, Notification, NotificationPreference, Unsubscription
from participation.notifications.services import OWN_CASE, preference_of, set_preference, tell, unsubscribe_url
from tests import factories
from tests.races import race

PARIS = ZoneInfo("Europe/Paris")


def _next(weekday: int, hour: int) -> datetime:
    """The next ``weekday`` (ISO) at ``hour`` in Paris, at least a week ahead (notices are written now)."""
    day = datetime.now(PARIS).date() + timedelta(days=7)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(UTC)


TUESDAY_9H = _next(2, 9)


def _mails(mailbox, address):
    return [m for m in mailbox if address in m.recipients]


def test_the_preferences_page_shows_the_defaults_and_saves_the_choices(client):
    person = factories.user("choix@example.org")
    client.login(person.email, factories.PASSWORD)
    page = client.get("/compte/notifications").get_data(as_text=True)
    assert "Les concertations et les sujets que je suis" in page and "Un résumé par jour" in page
    # Staff work is offered to staff only.
    assert "Le travail qui m'attend" not in page
    data = {f"category_{c.value}": "each" for c in Category if c != Category.staff_work}
    data |= {"category_news": "daily", "category_consultations": "none", "hour": "18", "weekday": "5"}
    response = client.submit("/compte/notifications", data)
    assert response.status_code == 302
    assert preference_of(person, Category.news) == Delivery.daily
    assert preference_of(person, Category.consultations) == Delivery.none
    schedule = db.session.scalar(sa.select(DigestSchedule).where(DigestSchedule.user_id == person.id))
    assert (schedule.hour, schedule.weekday) == (18, 5)


def test_a_choice_not_offered_changes_nothing(client):
    person = factories.user("refus@example.org")
    client.login(person.email, factories.PASSWORD)
    data = {f"category_{c.value}": "each" for c in Category if c != Category.staff_work}
    data |= {"category_newsletter": "daily", "hour": "99", "weekday": "1"}
    response = client.submit("/compte/notifications", data)
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True) or "choix" in response.get_data(as_text=True).lower()
    assert db.session.scalar(sa.select(sa.func.count(NotificationPreference.id))) == 0


def test_each_time_mails_at_once_with_the_one_click_headers(mailbox):
    person = factories.user("chaque@example.org")
    tell(person, Category.consultations, "Nouvelle contribution", url="/concertations/", dedup_key="k1", about="Plan vélo")
    db.session.commit()
    deliver_due()
    [mail] = _mails(mailbox, person.email)
    link = mail.message["List-Unsubscribe"]
    assert link.startswith("<http") and "/desabonnement/" in link
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Ne plus recevoir ces courriels" in mail.text and link.strip("<>") in mail.text
    # Told twice under the same key: one notice, one mail.
    assert tell(person, Category.consultations, "Nouvelle contribution", dedup_key="k1") is None


def test_own_case_mail_is_always_sent_and_has_no_unsubscribe_link(mailbox):
    person = factories.user("dossier@example.org")
    for category in Category:
        if category != Category.newsletter:
            set_preference(person, category, Delivery.none, actor=person)
    tell(person, Category.events, "Un événement près de chez vous", dedup_key="news")
    tell(person, OWN_CASE, "Votre inscription est confirmée", dedup_key="own")
    db.session.commit()
    deliver_due()
    [mail] = _mails(mailbox, person.email)
    assert mail.subject == "Votre inscription est confirmée"
    assert mail.message["List-Unsubscribe"] is None and "desabonnement" not in mail.text
    # In the app, both notices are there.
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == person.id)) == 2


def test_a_daily_digest_once_a_day_grouped_by_category_and_thing_never_empty(mailbox):
    person = factories.user("resume@example.org")
    other = factories.user("rien@example.org")
    set_preference(person, Category.consultations, Delivery.daily, actor=person)
    set_preference(person, Category.followed_councils, Delivery.daily, actor=person)
    for i in range(4):
        tell(person, Category.consultations, f"Contribution {i}", url=f"/concertations/1#c{i}", dedup_key=f"c{i}", about="Plan vélo intercommunal")
    tell(person, Category.followed_councils, "Avis publié", url="/saisines/1", dedup_key="a1", about="Mobilités")
    # Their own case still arrives at once.
    tell(person, OWN_CASE, "Votre demande est déposée", dedup_key="own")
    db.session.commit()
    deliver_due()
    assert [m.subject for m in _mails(mailbox, person.email)] == ["Votre demande est déposée"]

    # Before their hour (8 h by default): nothing.
    assert jobs.send_digests(now=TUESDAY_9H - timedelta(hours=2)) == 0
    assert jobs.send_digests(now=TUESDAY_9H) == 1
    # Run again (a second worker, a restart): nothing more for the same day.
    assert jobs.send_digests(now=TUESDAY_9H + timedelta(minutes=5)) == 0
    db.session.commit()
    deliver_due()
    digests = [m for m in _mails(mailbox, person.email) if m.subject.startswith("Votre résumé du jour")]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.subject == "Votre résumé du jour : 5 nouveautés"
    text = digest.text
    assert "Plan vélo intercommunal : 4 nouveautés" in text and "Mobilités : 1 nouveauté" in text
    assert text.index("Les saisines et les conseils que je suis") < text.index("Les concertations et les sujets que je suis")
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not _mails(mailbox, other.email)

    # The next day without news: no mail.
    assert jobs.send_digests(now=TUESDAY_9H + timedelta(days=1)) == 0
    # A new notice after today's digest waits for tomorrow's.
    tell(person, Category.consultations, "Contribution 5", dedup_key="c5", about="Plan vélo intercommunal")
    assert jobs.send_digests(now=TUESDAY_9H + timedelta(hours=3)) == 0
    assert jobs.send_digests(now=TUESDAY_9H + timedelta(days=1)) == 1


def test_the_weekly_digest_goes_on_the_chosen_day_and_hour():
    person = factories.user("semaine@example.org")
    set_preference(person, Category.news, Delivery.weekly, actor=person)
    db.session.add(DigestSchedule(user_id=person.id, hour=18, weekday=5))
    tell(person, Category.news, "Nouvel article", dedup_key="n1", about="Mobilités")
    # Tuesday: not their day; Friday 17 h: not their hour; Friday 18 h (Paris): sent.
    assert jobs.send_digests(now=TUESDAY_9H + timedelta(hours=10)) == 0
    friday = _next(5, 17)
    assert jobs.send_digests(now=friday) == 0
    assert jobs.send_digests(now=friday + timedelta(hours=1)) == 1
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == person.email))
    assert mail.subject == "Votre résumé de la semaine : 1 nouveauté" and mail.dedup_key.endswith(":{}-W{:02d}".format(*friday.astimezone(PARIS).isocalendar()[:2]))


def test_digests_are_prepared_in_batches_committed_one_by_one():
    people = [factories.user() for _ in range(7)]
    for person in people:
        set_preference(person, Category.consultations, Delivery.daily, actor=person)
        tell(person, Category.consultations, "Contribution", dedup_key="x", about="Sujet")
    db.session.commit()
    # A budget of zero seconds: one batch per run, the next run carries on.
    assert jobs.send_digests(now=TUESDAY_9H, batch_size=3, budget_seconds=0) == 3
    assert jobs.send_digests(now=TUESDAY_9H, batch_size=3, budget_seconds=0) == 3
    assert jobs.send_digests(now=TUESDAY_9H, batch_size=3, budget_seconds=0) == 1
    assert jobs.send_digests(now=TUESDAY_9H, batch_size=3, budget_seconds=0) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "notifications/digest")) == 7


def test_one_click_unsubscribe_from_a_fresh_browser(app, mailbox):
    person = factories.user("clic@example.org")
    tell(person, Category.news, "Nouvel article", dedup_key="n1")
    set_preference(person, Category.news, Delivery.each, actor=person)
    tell(person, Category.news, "Nouvel article", dedup_key="n2")
    db.session.commit()
    deliver_due()
    link = _mails(mailbox, person.email)[-1].message["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    browser = app.test_client()  # no session, no login
    page = browser.get("/" + path)
    assert page.status_code == 200 and "Les actualités de ma commune et de mes thèmes" in page.get_data(as_text=True)
    assert preference_of(person, Category.news) == Delivery.each  # opening the link changes nothing
    done = browser.post("/" + path)
    assert done.status_code == 200 and "C'est fait" in unescape(done.get_data(as_text=True))
    assert preference_of(person, Category.news) == Delivery.none
    [record] = db.session.scalars(sa.select(Unsubscription)).all()
    assert (record.user_id, record.category, record.source) == (person.id, Category.news, "link") and record.created_at is not None


def test_rfc_8058_one_click_post(app):
    person = factories.user("client@example.org")
    db.session.commit()
    url = unsubscribe_url(person, Category.consultations)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    assert preference_of(person, Category.consultations) == Delivery.none
    assert db.session.scalar(sa.select(Unsubscription.source)) == "one-click"


def test_an_altered_or_expired_link_changes_nothing_and_says_so(app, monkeypatch):
    person = factories.user("piege@example.org")
    db.session.commit()
    url = unsubscribe_url(person, Category.consultations)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    browser = app.test_client()
    altered = browser.post(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert altered.status_code == 400 and "n'est pas valide" in unescape(altered.get_data(as_text=True))
    assert "rien n'a été modifié" in unescape(altered.get_data(as_text=True))
    # Two years later, the same link has expired.
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 2 * 365 * 86400)
    expired = browser.post(path)
    assert expired.status_code == 400 and "a expiré" in expired.get_data(as_text=True)
    assert preference_of(person, Category.consultations) == Delivery.each
    assert db.session.scalar(sa.select(sa.func.count(Unsubscription.id))) == 0


def test_an_id_out_of_range_is_not_found(client):
    person = factories.user("bornes@example.org")
    client.login(person.email, factories.PASSWORD)
    assert client.get("/notifications/99999999999999").status_code == 404


def _waiting_digest(person, n_notices: int = 2, about: str = "Plan vélo"):
    set_preference(person, Category.consultations, Delivery.daily, actor=person)
    for i in range(n_notices):
        tell(person, Category.consultations, f"Contribution {i}", url=f"/concertations/1#c{i}", dedup_key=f"c{i}", about=about)


def test_one_batch_of_digests_speaks_each_readers_language(mailbox):
    """In the same batch, each digest is written in its reader's language: subject, headings and date."""
    english = factories.user("jane@example.org", display_name="Jane")
    english.locale = "en"
    french_ = factories.user("jeanne@example.org", display_name="Jeanne")
    for person in (english, french_):
        _waiting_digest(person, 3)
    db.session.commit()
    assert jobs.send_digests(now=TUESDAY_9H) == 2
    db.session.commit()
    deliver_due()
    [to_jane] = _mails(mailbox, "jane@example.org")
    [to_jeanne] = _mails(mailbox, "jeanne@example.org")
    assert to_jane.subject == "Your daily summary: 3 new items"
    assert "Plan vélo: 3 new items" in to_jane.text and "The consultations and topics I follow" in to_jane.text
    assert "Here is what happened on the platform for you, up to" in to_jane.text
    assert "nouveautés" not in to_jane.text and "nouveautés" not in to_jane.html
    assert to_jeanne.subject == "Votre résumé du jour : 3 nouveautés"
    assert "Plan vélo : 3 nouveautés" in to_jeanne.text and "Voici ce qui s'est passé" in to_jeanne.text
    assert "new items" not in to_jeanne.text
    # Each digest lists its reader's notices and links to their own unsubscription.
    assert "Contribution 2 : http://participation.test/concertations/1#c2" in to_jeanne.text
    assert to_jane.message["List-Unsubscribe"] != to_jeanne.message["List-Unsubscribe"]


def test_the_digests_queries_do_not_grow_with_the_people_in_a_batch(count_queries):
    """A batch of people costs the same statements whatever its size: no look-up per person."""

    def run(people: int, hour: int) -> int:
        for _ in range(people):
            _waiting_digest(factories.user(), 2)
        db.session.commit()
        with count_queries() as queries:
            assert jobs.send_digests(now=TUESDAY_9H + timedelta(days=hour)) == people
        return queries.count

    run(1, 0)  # what is read once and kept (the territory's settings)
    few = run(2, 1)
    many = run(15, 2)
    assert many == few
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "notifications/digest")) == 18


@pytest.mark.committing
def test_two_workers_preparing_the_digests_at_once_queue_one_per_person(app):
    """Two workers run the job at the same moment over the same people: one digest each,
    the dedup key deciding (one writer at a time on SQLite, ON CONFLICT on PostgreSQL)."""
    people = [factories.user() for _ in range(30)]
    for person in people:
        _waiting_digest(person, 1)
    db.session.commit()
    results = []

    def prepare(start):
        if start is not None:  # PostgreSQL: both transactions overlap
            start.wait(timeout=10)
        results.append(jobs.send_digests(now=TUESDAY_9H, batch_size=7))

    assert race(app, prepare) == [None, None]
    assert sum(results) == 30
    keys = db.session.scalars(sa.select(OutboxMail.dedup_key).where(OutboxMail.template == "notifications/digest")).all()
    assert len(keys) == 30 and len(set(keys)) == 30
    assert {int(key.split(":")[2]) for key in keys} == {person.id for person in people}
