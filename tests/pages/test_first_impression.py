"""What a newcomer meets first, without a browser: « Mon espace », the logo, the kept text, the contest address, French helpers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale

from participation.core import dates
from participation.core.french import a, de, quoted, with_article
from participation.core.models import utcnow
from participation.core.outbox import deliver_due
from participation.extensions import db
from participation.forums import moderation, reading
from tests import factories
from tests.factories import PASSWORD


def test_de_and_a_elide_and_contract_before_a_name():
    assert de("Hélène") == "d'Hélène" and de("Aïcha") == "d'Aïcha" and de("Thomas") == "de Thomas"
    assert de("Agglomération du Val de Loirande") == "de l'Agglomération du Val de Loirande"
    assert de("Conseil citoyen des Tilleuls") == "du Conseil citoyen des Tilleuls"
    assert de("Communauté de communes") == "de la Communauté de communes"
    assert de("Haute-Rive") == "de Haute-Rive"  # h aspiré
    assert a("association") == "à l'association" and a("Les Amis du Lavoir") == "aux Amis du Lavoir"
    assert a("Conseil de développement") == "au Conseil de développement" and a("Hélène") == "à Hélène"
    assert with_article("Agglomération du Val de Loirande") == "l'Agglomération du Val de Loirande"
    assert quoted("Vivre ensemble") == "«\u00a0Vivre ensemble\u00a0»" and quoted("Appel « Vivre ensemble »") == "Appel « Vivre ensemble »"


def test_the_first_of_the_month_is_written_1er(app):
    with app.test_request_context("/"), force_locale("fr"):
        assert dates.format_day(date(2026, 12, 1)) == "mardi 1er décembre 2026"
        assert dates.format_day(date(2026, 12, 2)) == "mercredi 2 décembre 2026"


def _login(client, user):
    client.login(user.email, PASSWORD)


def test_mon_espace_gathers_a_members_councils_sittings_to_answer_and_minutes(app, client, count_queries):
    council = factories.council(name="Conseil de développement de Test")
    seat = factories.member(council)
    sitting = factories.sitting(council, days=5, publish=True, title="Plénière de printemps")
    _login(client, seat.user)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/mon-espace"' in home
    page = client.get("/mon-espace")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Conseil de développement de Test" in html and f"/conseils/{council.slug}/espace" in html
    assert "Plénière de printemps" in html and "À répondre" in html
    for i in range(5):
        factories.sitting(council, days=6 + i, publish=True)
    with count_queries() as q:
        assert client.get("/mon-espace").status_code == 200
    assert q.count <= 16, q.statements
    assert sitting.id


def test_mon_espace_of_a_plain_resident_says_they_sit_nowhere_and_needs_an_account(app, client):
    assert client.get("/mon-espace").status_code == 302
    resident = factories.user()
    _login(client, resident)
    html = client.get("/mon-espace").get_data(as_text=True)
    assert "Vous ne siégez dans aucun conseil" in html


def _png() -> bytes:
    return factories.png_bytes()


def test_the_authoritys_logo_is_uploaded_in_its_settings_and_shown_in_the_header(app, client):
    factories.territory(name="Agglomération de Test", kind="communauté d'agglomération")
    admin = factories.admin()
    _login(client, admin)
    form = {"name": "Agglomération de Test", "kind": "communauté d'agglomération", "brand_colour": "#1f5f8b",
            "accessibility_status": "non conforme"}
    refused = client.submit("/gestion/territoire", {**form, "logo": (io.BytesIO(b"%PDF-1.4 pas une image"), "logo.pdf")},
                            content_type="multipart/form-data")
    assert refused.status_code == 422 and "/logo?v=" not in refused.get_data(as_text=True)
    saved = client.submit("/gestion/territoire", {**form, "logo": (io.BytesIO(_png()), "logo.png")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert 'class="brand-logo" src="/logo?v=' in html
    logo = client.get("/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data.startswith(b"\x89PNG")
    removed = client.submit("/gestion/territoire", {**form, "remove_logo": "y"})
    assert removed.status_code == 302 and client.get("/logo").status_code == 404


def test_the_text_typed_is_kept_when_the_consultation_closes_meanwhile(app, client):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    _login(client, author)
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    token = client.csrf_token(path)
    consultation.closes_at = utcnow()  # it closes while the person writes
    db.session.flush()
    text = "Une piste cyclable le long de la voie ferrée, avec un éclairage doux."
    response = client.post(f"{path}/contributions", data={"csrf_token": token, "body": text})
    html = response.get_data(as_text=True)
    assert response.status_code in (409, 422, 400)
    assert "close depuis" in html and text in html and "texte-non-envoye" in html


@pytest.mark.parametrize("action", ["hide"])
def test_the_author_of_a_hidden_contribution_is_told_whom_to_write_to_contest_it(app, mailbox, action):
    factories.territory(contact_email="participation@collectivite.example")
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution = db.session.scalars(reading.thread(topic, author)).first()
    moderator = factories.user(roles=["moderator"])
    moderation.moderate([contribution], action=action, reason="Propos injurieux.", actor=moderator)
    deliver_due()
    mail = next(m for m in mailbox if m.recipients == [author.email])
    assert "participation@collectivite.example" in mail.text and "ne répondez pas à ce courriel" in mail.text
    assert "ne-pas-repondre" not in mail.text.split("Pour contester", 1)[1]
