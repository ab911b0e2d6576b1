"""Consultation pages: who sees what, forms and their refusals, query counts, exports."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.pdf import pdf_available
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import moderation, services
from participation.forums.models import Contribution, ContributionState, Topic
from tests import factories


STARTED_RE = re.compile(r'name="started"[^>]*value="([^"]+)"')


def _login(client, person):
    client.login(person.email, factories.PASSWORD)


def _post(client, path, data, *, form_path):
    """Send a public form as a browser does: with its CSRF token and the signed moment it was shown."""
    page = client.get(form_path).get_data(as_text=True)
    match = STARTED_RE.search(page)
    assert match, f"pas de formulaire de contribution sur {form_path}"
    return client.submit(path, {"started": match.group(1), **data}, form_path=form_path)


def test_a_resident_contributes_through_the_pages(client):
    consultation = factories.consultation(title="Plan vélo")
    resident = factories.user()
    _login(client, resident)
    path = f"/concertations/{consultation.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Acceptez la charte de participation" in page and "Ouvrir un sujet" not in page

    response = client.submit(f"{path}/charte", {}, form_path=path)
    assert response.status_code == 422 and "Cochez la case pour accepter la charte." in response.get_data(as_text=True)
    assert client.submit(f"{path}/charte", {"accept": "y"}, form_path=path).status_code == 302

    response = _post(client, f"{path}/sujets", {"title": "", "body": ""}, form_path=path)
    assert response.status_code == 422 and "Ce champ est obligatoire." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 0

    response = _post(client, f"{path}/sujets", {"title": "Arceaux", "body": "Des arceaux à la gare."}, form_path=path)
    assert response.status_code == 302
    topic_path = response.headers["Location"]
    page = client.get(topic_path).get_data(as_text=True)
    assert "Des arceaux à la gare." in page and "Vous suivez ce sujet" in page


def test_the_honeypot_and_the_minimum_time_refuse_robots(client, app):
    consultation = factories.consultation()
    resident = factories.participant(consultation)
    _login(client, resident)
    path = f"/concertations/{consultation.id}"
    response = _post(client, f"{path}/sujets", {"title": "Promo", "body": "Achetez", "website": "http://spam.example"}, form_path=path)
    assert response.status_code == 422 and "Votre envoi n&#39;a pas pu être accepté" in response.get_data(as_text=True)
    app.config["FORUMS_MIN_FILL_SECONDS"] = 60
    response = _post(client, f"{path}/sujets", {"title": "Vite", "body": "Trop vite"}, form_path=path)
    assert response.status_code == 422 and "très vite" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 0


def test_contributing_after_closing_shows_the_reason(client):
    consultation = factories.consultation()
    resident = factories.participant(consultation)
    topic = factories.topic(consultation, resident)
    services.close_consultation(consultation, actor=SYSTEM)
    _login(client, resident)
    page = client.get(f"/concertations/{consultation.id}/sujets/{topic.id}").get_data(as_text=True)
    assert "La concertation est close depuis le" in page and "Publier ma contribution" not in page


def test_markup_in_a_contribution_is_rendered_harmless(client):
    consultation = factories.consultation()
    body = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [lien](javascript:alert(3))'
    topic = factories.topic(consultation, body=body)
    page = client.get(f"/concertations/{consultation.id}/sujets/{topic.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_draft_consultations_are_hidden_and_staff_pages_guarded(client):
    draft = factories.consultation(state="draft")
    assert client.get(f"/concertations/{draft.id}").status_code == 302  # anonymous: log in
    resident = factories.user()
    _login(client, resident)
    assert client.get(f"/concertations/{draft.id}").status_code == 403
    assert client.get("/gestion/concertations").status_code == 403
    assert client.get("/gestion/moderation").status_code == 403


def test_moderation_page_is_for_moderators_not_for_other_staff(client):
    consultation = factories.consultation()
    topic = factories.topic(consultation)
    contribution = db.session.scalars(sa.select(Contribution).where(Contribution.topic_id == topic.id)).one()
    staff = factories.staff()
    _login(client, staff)
    assert client.get("/gestion/moderation").status_code == 403
    token = client.csrf_token(f"/concertations/{consultation.id}")
    response = client.post("/gestion/moderation", data={"csrf_token": token, "contributions": [contribution.id], "action": "hide", "reason": "x"})
    assert response.status_code == 403
    assert db.session.get(Contribution, contribution.id).state == ContributionState.published


def test_a_moderator_hides_in_bulk_with_a_reason(client):
    consultation = factories.consultation()
    first, second = factories.topic(consultation), factories.topic(consultation)
    ids = db.session.scalars(sa.select(Contribution.id).where(Contribution.topic_id.in_([first.id, second.id]))).all()
    for cid in ids:
        for _ in range(3):
            moderation.report(db.session.get(Contribution, cid), reason=factories_reason(), actor=factories.participant(consultation))
    moderator = factories.user(roles=["moderator"])
    _login(client, moderator)
    page = client.get("/gestion/moderation").get_data(as_text=True)
    assert "3 signalements" in page
    response = client.submit("/gestion/moderation", {"contributions": ids, "action": "hide", "reason": ""})
    assert response.status_code == 422 and "Indiquez le motif" in response.get_data(as_text=True)
    response = client.submit("/gestion/moderation", {"contributions": ids, "action": "hide", "reason": "Hors charte."})
    assert response.status_code == 302
    states = db.session.scalars(sa.select(Contribution.state).where(Contribution.id.in_(ids))).all()
    assert states == [ContributionState.removed, ContributionState.removed]


def factories_reason():
    from participation.forums.models import ReportReason

    return ReportReason.abusive


def _bulk_contributions(consultation, topic, author, n: int) -> None:
    now = utcnow()
    db.session.execute(
        sa.insert(Contribution),
        [{"consultation_id": consultation.id, "topic_id": topic.id, "author_id": author.id, "body": f"Contribution numéro {i} sur le tramway",
          "state": ContributionState.published, "created_at": now} for i in range(n)],
    )


def test_a_consultation_with_5000_contributions_shows_its_first_page_with_few_queries(client, count_queries):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topics = [factories.topic(consultation, author, title=f"Sujet {i}") for i in range(3)]
    paths = [f"/concertations/{consultation.id}", f"/concertations/{consultation.id}/sujets/{topics[0].id}", "/concertations/"]
    counts_small = []
    for path in paths:
        with count_queries() as q:
            assert client.get(path).status_code == 200
        counts_small.append(q.count)
    for topic in topics:
        _bulk_contributions(consultation, topic, author, 1700)
    for i in range(30):
        factories.topic(consultation, author, title=f"Autre sujet {i}")
    assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) > 5000
    counts_large = []
    for path in paths:
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200
        counts_large.append(q.count)
    assert counts_large == counts_small
    page = client.get(paths[1]).get_data(as_text=True)
    assert "Page 1 sur" in page
    # Search finds a word among them.
    page = client.get(f"/concertations/{consultation.id}?q=tramway").get_data(as_text=True)
    assert "Contribution numéro 1 sur le tramway" in page or "sur le tramway" in page
    page = client.get("/concertations/?q=tramway").get_data(as_text=True)
    assert consultation.title in page


def test_csv_export_carries_pseudonyms_only(client):
    consultation = factories.consultation()
    author = factories.participant(consultation, display_name="Loutre")
    factories.topic(consultation, author, body="Un avis")
    _login(client, factories.staff())
    response = client.get(f"/gestion/concertations/{consultation.id}/contributions.csv")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Loutre" in text and "Un avis" in text
    assert author.email not in text


def test_staff_create_publish_close_and_publish_the_synthesis(client):
    staff = factories.staff()
    _login(client, staff)
    response = client.submit("/gestion/concertations/nouvelle", {
        "title": "Parc", "question": "Quel parc ?", "charter": "Courtoisie", "opens_at": "2020-01-01T10:00", "closes_at": "2019-01-01T10:00",
    })
    assert response.status_code == 422 and "La clôture doit venir après l&#39;ouverture." in response.get_data(as_text=True)
    response = client.submit("/gestion/concertations/nouvelle", {
        "title": "Parc", "question": "Quel parc ?", "charter": "Courtoisie", "opens_at": "2020-01-01T10:00", "closes_at": "2035-01-01T10:00",
    })
    assert response.status_code == 302
    path = response.headers["Location"]
    assert client.submit(f"{path}/publier", {}, form_path=path).status_code == 302
    assert "Ouverte" in client.get(path).get_data(as_text=True)
    assert client.submit(f"{path}/clore", {}, form_path=path).status_code == 302
    assert client.submit(f"{path}/synthese", {"text": "Nous retenons le parc.", "based_on": 0}, form_path=path).status_code == 302
    assert client.submit(f"{path}/publier-synthese", {}, form_path=path).status_code == 302
    consultation_id = int(path.rsplit("/", 1)[1])
    page = client.get(f"/concertations/{consultation_id}/synthese").get_data(as_text=True)
    assert "Nous retenons le parc." in page and "En chiffres" in page


@pytest.fixture
def needs_pdf():
    import os

    if not pdf_available():
        if os.environ.get("REQUIRE_PDF") == "1":
            pytest.fail("WeasyPrint ne peut pas se charger alors que REQUIRE_PDF=1.")
        pytest.skip("WeasyPrint ne peut pas se charger.")


def test_the_synthesis_as_pdf(client, needs_pdf):
    consultation = factories.consultation()
    factories.topic(consultation)
    services.close_consultation(consultation, actor=SYSTEM)
    assert client.get(f"/concertations/{consultation.id}/synthese").status_code == 404
    services.save_synthesis(consultation, text="Synthèse.", actor=SYSTEM)
    services.publish_synthesis(consultation, actor=SYSTEM)
    response = client.get(f"/concertations/{consultation.id}/synthese.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    from tests.pdfcheck import check_official_pdf

    _reference, text = check_official_pdf(response.data, kind="SYNTH", title=consultation.title)
    assert f"/concertations/{consultation.id}/synthese" in text.replace(" ", "")  # the publication address
