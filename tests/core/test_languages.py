"""Each person's language: mail in the recipient's language (not the request's),
dates, numbers and amounts as that language writes them, French unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import force_locale

from participation.accounts.models import User
from participation.core import french
from participation.core.dates import format_day, format_moment, format_time
from participation.core.numbers import decimal, euros, number, percent, whole_euros
from participation.core.outbox import deliver_due
from participation.events import services as events
from participation.extensions import db
from participation.notifications.models import Notification
from tests import factories

# 18:30 in Paris on Tuesday 1 December 2026 (UTC+1 in winter).
EVENING = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)


def _speaking(user: User, language: str) -> User:
    user.locale = language
    db.session.flush()
    return user


def test_a_cancellation_mails_each_registrant_in_their_own_language_not_the_staff_members(client, mailbox):
    agent = factories.staff()
    event = factories.event(title="Atelier vélo")
    english = _speaking(factories.user(email="jane@example.org", display_name="Jane"), "en")
    french_ = factories.user(email="jeanne@example.org", display_name="Jeanne")
    for person in (english, french_):
        events.register(event, actor=person)
    deliver_due()
    mailbox.clear()

    client.login(agent.email, factories.PASSWORD)
    # The staff member works in English: the French registrant is still written to in French.
    response = client.submit(f"/gestion/evenements/{event.id}/annuler?lang=en", {"reason": "Salle inondée"})
    assert response.status_code == 302
    assert deliver_due()["sent"] == 2

    by_address = {mail.recipients[0]: mail for mail in mailbox}
    to_jane, to_jeanne = by_address["jane@example.org"], by_address["jeanne@example.org"]
    assert to_jane.subject == "Event cancelled: Atelier vélo"
    assert "We are sorry: this event is cancelled." in to_jane.text
    assert "Reason: Salle inondée" in to_jane.text
    assert "Nous sommes désolés" not in to_jane.text and "Nous sommes désolés" not in to_jane.html
    with force_locale("en"):
        english_moment = format_moment(event.starts_at)
    assert english_moment in to_jane.text and english_moment.endswith(("am", "pm"))

    assert to_jeanne.subject == "Événement annulé : Atelier vélo"
    assert "Nous sommes désolés : cet événement est annulé." in to_jeanne.text
    assert "Raison : Salle inondée" in to_jeanne.text
    assert "We are sorry" not in to_jeanne.text
    with force_locale("fr"):
        french_moment = format_moment(event.starts_at)
    assert french_moment in to_jeanne.text and " à " in french_moment

    # The notice on the platform speaks each person's language too.
    titles = dict(db.session.execute(sa.select(Notification.user_id, Notification.title)
                                     .where(Notification.user_id.in_([english.id, french_.id]))).all())
    assert titles == {english.id: "Event cancelled: Atelier vélo", french_.id: "Événement annulé : Atelier vélo"}


def test_the_same_mail_follows_a_change_of_language_in_the_profile(client, mailbox):
    person = factories.user(email="sam@example.org", display_name="Sam")
    client.login(person.email, factories.PASSWORD)
    page = client.get("/compte/profil").get_data(as_text=True)
    assert 'name="locale"' in page and "English" in page
    response = client.submit("/compte/profil", {"display_name": "Sam", "commune": "", "locale": "en"})
    assert response.status_code == 302
    assert db.session.get(User, person.id).locale == "en"
    # The choice shows at once, even after an earlier ``?lang=fr``.
    assert 'lang="en"' in client.get("/").get_data(as_text=True)

    event = factories.event(title="Balade urbaine")
    events.register(event, actor=db.session.get(User, person.id))
    deliver_due()
    [mail] = [m for m in mailbox if m.recipients == ["sam@example.org"]]
    assert mail.subject == "Registration confirmed: Balade urbaine"
    assert "Your registration is confirmed." in mail.text


def test_signing_up_in_english_keeps_english_for_the_account(client):
    client.get("/?lang=en")
    response = client.submit("/compte/inscription", {"email": "new@example.org", "display_name": "Newcomer", "password": "un mot de passe long",
                                                     "password_confirm": "un mot de passe long", "commune": ""})
    assert response.status_code in (200, 302)
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user is not None and user.locale == "en"


def test_the_language_switch_is_remembered(client):
    assert 'lang="en"' in client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    assert 'lang="fr"' in client.get("/?lang=fr").get_data(as_text=True)
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)


def test_dates_in_french_keep_their_house_forms(app):
    with app.test_request_context(), force_locale("fr"):
        assert format_day(date(2026, 12, 1)) == "mardi 1er décembre 2026"
        assert format_day(date(2026, 3, 3)) == "mardi 3 mars 2026"
        assert format_time(EVENING) == "18 h 30"
        assert format_moment(EVENING) == "mardi 1er décembre 2026 à 18 h 30"
        assert format_time(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == "9 h"


def test_dates_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert format_day(date(2026, 12, 1)) == "Tuesday 1 December 2026"
        assert format_time(EVENING) == "6:30 pm"
        assert format_moment(EVENING) == "Tuesday 1 December 2026 at 6:30 pm"
        assert format_time(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == "9:00 am"


def test_numbers_and_amounts_follow_the_language(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert euros(150_000) == "1\u202f500,00\u00a0€"
            assert euros(2_400_000) == "24\u202f000,00\u00a0€"
            assert whole_euros(1500) == "1\u202f500 €"
            assert number(12345) == "12\u202f345"
            assert decimal(4.5) == "4,5"
            assert percent(42.5) == "42,5\u00a0%"
        with force_locale("en"):
            assert euros(150_000) == "€1,500.00"
            assert euros(2_400_000) == "€24,000.00"
            assert whole_euros(1500) == "€1,500"
            assert number(12345) == "12,345"
            assert decimal(4.5) == "4.5"
            assert percent(42.5) == "42.5%"
        assert euros(None) == "—"


def test_french_grammar_helpers_step_aside_in_english(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert french.de("Conseil citoyen des Tilleuls") == "du Conseil citoyen des Tilleuls"
            assert french.a("Agglomération du Val de Loirande") == "à l'Agglomération du Val de Loirande"
            assert french.quoted("Vélo") == "«\u00a0Vélo\u00a0»"
            assert french.ordinal_day(1) == "1er"
        with force_locale("en"):
            assert french.de("Conseil citoyen des Tilleuls") == "of the Conseil citoyen des Tilleuls"
            assert french.a("Hélène Martin") == "to Hélène Martin"
            assert french.with_article("Agglomération du Val de Loirande") == "Agglomération du Val de Loirande"
            assert french.quoted("Vélo") == "“Vélo”"
            assert french.ordinal_day(1) == "1"


def test_labels_declared_at_import_read_in_the_current_language(app):
    from participation.core.eventlabels import event_label
    from participation.events.models import EventState

    with app.test_request_context():
        with force_locale("fr"):
            assert EventState.cancelled.label == "Annulé"
            assert event_label("event.canceled") == "Événement annulé"
        with force_locale("en"):
            assert EventState.cancelled.label == "Cancelled"
            assert event_label("event.canceled") == "Event cancelled"


def test_a_lazy_label_carrying_typed_text_is_escaped_in_html(app):
    from flask_babel import lazy_gettext
    from markupsafe import escape

    with app.test_request_context():
        label = lazy_gettext("Nouveau sujet : %(title)s", title="<script>alert(1)</script>")
        assert str(escape(label)) == "Nouveau sujet : &lt;script&gt;alert(1)&lt;/script&gt;"
