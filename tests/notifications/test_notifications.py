from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.notifications.models import Notification
from participation.notifications.services import notify, unread_count
from tests import factories


def _login(client, email="lecteur@example.org"):
    person = factories.user(email)
    client.login(email, factories.PASSWORD)
    return person


def test_opening_a_notice_marks_it_read_and_follows_its_link(client):
    person = _login(client)
    notice = notify(person, "Votre inscription est confirmée", url="/compte/profil")
    db.session.commit()
    assert "Notifications <span class=\"badge\">1" in client.get("/").get_data(as_text=True)
    response = client.get(f"/notifications/{notice.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/compte/profil"
    assert db.session.get(Notification, notice.id).read_at is not None
    assert unread_count(person) == 0


def test_a_notice_without_link_is_shown(client):
    person = _login(client)
    notice = notify(person, "Information", body="Le texte complet.")
    db.session.commit()
    page = client.get(f"/notifications/{notice.id}")
    assert page.status_code == 200 and "Le texte complet." in page.get_data(as_text=True)


def test_someone_elses_notice_is_not_found(client):
    _login(client)
    other = factories.user()
    notice = notify(other, "Privé")
    db.session.commit()
    assert client.get(f"/notifications/{notice.id}").status_code == 404
    assert db.session.get(Notification, notice.id).read_at is None


def test_an_outside_link_is_never_followed(client):
    person = _login(client)
    notice = notify(person, "Piège", url="https://ailleurs.example/")
    db.session.commit()
    assert client.get(f"/notifications/{notice.id}").status_code == 200


def test_mark_all_read(client):
    person = _login(client)
    for i in range(3):
        notify(person, f"Notice {i}")
    db.session.commit()
    response = client.submit("/notifications/tout-lire", {}, form_path="/notifications/")
    assert response.status_code == 302
    assert unread_count(person) == 0


def test_dedup_key_gives_one_notice(app):
    person = factories.user()
    assert notify(person, "Une fois", dedup_key="k") is not None
    db.session.flush()
    assert notify(person, "Une fois", dedup_key="k") is None
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == person.id)) == 1


def test_the_list_is_paginated_with_a_bounded_number_of_queries(client, count_queries):
    person = _login(client)
    counts = []
    for total in (3, 45):
        db.session.execute(sa.delete(Notification).where(Notification.user_id == person.id))
        for i in range(total):
            notify(person, f"Notice {i}")
        db.session.commit()
        with count_queries() as counter:
            page = client.get("/notifications/")
        assert page.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    html = client.get("/notifications/?page=3").get_data(as_text=True)
    assert "Page 3 sur 3" in html and "Notice 4<" in html
