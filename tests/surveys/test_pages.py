"""Questionnaire pages: answering in a browser's way (forms, cookie), who sees what, the back office."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import services
from participation.surveys.models import Question, Response, SurveyState
from tests import factories
from tests.surveys.helpers import full_answers, respond


def _post_page(client, questionnaire, number, form):
    path = f"/questionnaires/{questionnaire.id}/repondre/{number}"
    data = [(k, v) for k in form for v in form.getlist(k)]
    token = client.csrf_token(path)
    page = client.get(path).get_data(as_text=True)
    started = re.search(r'name="started"[^>]*value="([^"]+)"', page).group(1)
    from werkzeug.datastructures import MultiDict

    return client.post(path, data=MultiDict([*data, ("csrf_token", token), ("started", started)]))


def test_a_resident_answers_page_by_page_reviews_and_sends(client):
    questionnaire, q = factories.survey_with_every_kind()
    intro = client.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "Connaître les besoins des habitants." in intro and "Qui lit les réponses" in intro and "12 mois" in intro
    pages = full_answers(q)
    response = _post_page(client, questionnaire, 1, pages[0])
    assert response.status_code == 302 and response.location.endswith("/repondre/2")
    second = client.get(f"/questionnaires/{questionnaire.id}/repondre/2").get_data(as_text=True)
    assert "Page 2 sur 2" in second and "<legend>Vos besoins prioritaires" in second
    assert _post_page(client, questionnaire, 2, pages[1]).location.endswith("/repondre/3")
    assert _post_page(client, questionnaire, 3, pages[2]).location.endswith("/recapitulatif")
    review = client.get(f"/questionnaires/{questionnaire.id}/recapitulatif").get_data(as_text=True)
    assert "Logement, Transports" in review and "1. Piste cyclable ; 2. Parc ; 3. Marché" in review
    sent = client.submit(f"/questionnaires/{questionnaire.id}/recapitulatif")
    assert sent.status_code == 302 and sent.location.endswith("/merci")
    stored = db.session.scalar(sa.select(Response).where(Response.questionnaire_id == questionnaire.id))
    assert stored.submitted_at is not None
    # The same browser cannot answer twice.
    again = client.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "Vous avez déjà répondu" in again


def test_a_refused_page_shows_each_error_next_to_its_field_and_stores_nothing(client):
    questionnaire, q = factories.survey_with_every_kind()
    _post_page(client, questionnaire, 1, full_answers(q)[0])
    needs = full_answers(q, household="99")[1]
    del needs[q["bus"].field]
    response = _post_page(client, questionnaire, 2, needs)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{q["household"].field}-erreur">Indiquez un nombre entre 1 et 20.' in page
    assert f'aria-describedby="{q["household"].field}-erreur" aria-invalid="true"' in page
    assert 'id="erreurs"' in page and f'href="#{q["bus"].field}"' in page
    # What was typed is shown back, not stored.
    assert "Plus de pistes cyclables" in page
    stored = db.session.scalar(sa.select(Response).where(Response.questionnaire_id == questionnaire.id))
    assert str(q["idea"].id) not in stored.draft


def test_the_honeypot_refuses_a_robot(client):
    questionnaire, q = factories.survey_with_every_kind()
    form = full_answers(q)[0]
    form["website"] = "http://spam.example"
    response = _post_page(client, questionnaire, 1, form)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id)) == 0


def test_a_closed_questionnaire_takes_no_answer(client):
    questionnaire, q = factories.survey_with_every_kind()
    services.close_questionnaire(questionnaire, actor=SYSTEM)
    page = client.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "il ne reçoit plus de réponses" in page
    assert client.get(f"/questionnaires/{questionnaire.id}/repondre/1").status_code == 409


def test_drafts_are_hidden_from_residents_and_pages_are_bounded(client):
    draft = factories.questionnaire(title="En préparation")
    assert client.get(f"/questionnaires/{draft.id}").status_code == 302
    resident = factories.user()
    client.login(resident.email, factories.PASSWORD)
    assert client.get(f"/questionnaires/{draft.id}").status_code == 403
    assert client.get("/gestion/questionnaires/").status_code == 403
    assert client.get("/questionnaires/999999").status_code == 404
    questionnaire, _ = factories.survey_with_every_kind()
    assert client.get(f"/questionnaires/{questionnaire.id}/repondre/100000").status_code == 404
    assert client.get(f"/questionnaires/{questionnaire.id}/repondre/7").status_code == 302


def test_staff_build_a_questionnaire_and_are_told_why_answered_questions_are_locked(client):
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    created = client.submit("/gestion/questionnaires/nouveau", {
        "title": "Vos déplacements", "purpose": "Adapter le réseau de bus.", "retention_months": "12", "access": "open"})
    assert created.status_code == 302
    questionnaire = db.session.scalar(sa.select(services.Questionnaire).where(services.Questionnaire.title == "Vos déplacements"))
    path = f"/gestion/questionnaires/{questionnaire.id}/questions/nouvelle"
    refused = client.submit(path, {"kind": "single", "label": "Votre mode de transport", "options": "Bus"})
    assert refused.status_code == 422 and "Indiquez au moins deux réponses possibles" in refused.get_data(as_text=True)
    added = client.submit(path, {"kind": "single", "label": "Votre mode de transport", "options": "Bus\nVoiture\nVélo", "public": "y"})
    assert added.status_code == 302
    question = questionnaire.questions[0]
    services.open_questionnaire(questionnaire, actor=SYSTEM)
    from participation.surveys import answering

    answering.find_response(questionnaire, browser_key="k", create=True)
    db.session.flush()
    detail = client.get(f"/gestion/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "ses questions ne peuvent plus être supprimées" in detail
    edit = f"/gestion/questionnaires/{questionnaire.id}/questions/{question.id}"
    changed = client.submit(edit, {"kind": "single", "label": "Votre mode de transport", "options": "Bus\nTram"})
    assert changed.status_code == 422 and "ouvrez une nouvelle vague" in changed.get_data(as_text=True)
    reworded = client.submit(edit, {"kind": "single", "label": "Votre mode de transport principal", "options": "Bus\nVoiture\nVélo"})
    assert reworded.status_code == 302
    removed = client.submit(f"{edit}/supprimer", form_path=f"/gestion/questionnaires/{questionnaire.id}")
    assert removed.status_code == 302
    assert db.session.get(Question, question.id) is not None


def test_staff_preview_and_duplicate(client):
    questionnaire, q = factories.survey_with_every_kind(open_=False)
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    preview = client.get(f"/gestion/questionnaires/{questionnaire.id}/apercu/3").get_data(as_text=True)
    assert "Aperçu" in preview and "À quelle fréquence ?" in preview and "disabled" in preview
    copy = client.submit(f"/gestion/questionnaires/{questionnaire.id}/dupliquer", form_path=f"/gestion/questionnaires/{questionnaire.id}")
    assert copy.status_code == 302
    duplicate = db.session.scalar(sa.select(services.Questionnaire).where(services.Questionnaire.title == "Copie de Vos besoins"))
    assert len(duplicate.questions) == len(questionnaire.questions)
    condition = duplicate.sections[2].condition_question_id
    assert condition in {x.id for x in duplicate.questions} and duplicate.sections[2].condition_value == "Oui"


def test_results_page_and_crosstab_run_a_bounded_number_of_queries(client, count_queries):
    questionnaire, q = factories.survey_with_every_kind()
    for i in range(6):
        respond(questionnaire, q, key=f"p{i}", age="30 à 44 ans" if i < 5 else "75 ans ou plus")
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    with count_queries() as few:
        assert client.get(f"/gestion/questionnaires/{questionnaire.id}/resultats").status_code == 200
    for i in range(6, 14):
        respond(questionnaire, q, key=f"p{i}", age="60 à 74 ans")
    with count_queries() as more:
        page = client.get(f"/gestion/questionnaires/{questionnaire.id}/resultats")
    assert more.count <= few.count <= 25
    assert '<svg class="chart-svg" role="img"' in page.get_data(as_text=True)
    with count_queries() as crossing:
        table = client.get(f"/gestion/questionnaires/{questionnaire.id}/croisement?question={q['bus'].id}&par=age").get_data(as_text=True)
    assert crossing.count <= 15
    # 5 aged 30-44 shown; the single person aged 75 or more is masked.
    assert re.search(r"30 à 44 ans</th>\s*<td>5</td>", table)
    assert re.search(r"75 ans ou plus</th>\s*<td colspan=\"\d+\" class=\"masked\">Moins de 5 répondants", table)
    assert client.get(f"/gestion/questionnaires/{questionnaire.id}/croisement?question=abc&par=age").status_code == 404
    assert client.get(f"/gestion/questionnaires/{questionnaire.id}/croisement?question={q['bus'].id}&par=x").status_code == 404


def test_csv_export_has_one_row_per_response_with_bom_and_semicolons(client):
    questionnaire, q = factories.survey_with_every_kind()
    respond(questionnaire, q, key="a")
    respond(questionnaire, q, key="b", bus="Non")
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    body = client.get(f"/gestion/questionnaires/{questionnaire.id}/reponses.csv").get_data()
    assert body.startswith("\ufeff".encode())
    import csv
    import io

    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    header = rows[0]
    assert header[0] == "Réponse" and any("[Logement]" in h for h in header)
    logement = header.index(next(h for h in header if h.endswith("[Logement]")))
    assert rows[1][logement] == "1" and rows[1][0].startswith("R-")
    aggregated = client.get(f"/gestion/questionnaires/{questionnaire.id}/resultats.csv").get_data().decode("utf-8-sig")
    assert "Prenez-vous le bus ?;;Oui;1;50,0;" in aggregated


def test_publication_shows_chosen_charts_as_html_and_pdf(client):
    questionnaire, q = factories.survey_with_every_kind()
    for i in range(5):
        respond(questionnaire, q, key=f"r{i}", bus="Oui" if i < 3 else "Non")
    services.close_questionnaire(questionnaire, actor=SYSTEM)
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    path = f"/gestion/questionnaires/{questionnaire.id}/publication"
    refused = client.submit(path, {"analysis": "", "questions": [str(q["bus"].id)]})
    assert refused.status_code == 422 and "Rédigez une courte analyse" in refused.get_data(as_text=True)
    published = client.submit(path, {"analysis": "Le bus compte.", "questions": [str(q["bus"].id), str(q["satisfaction"].id)]})
    assert published.status_code == 302
    assert questionnaire.state == SurveyState.published
    client.get("/compte/deconnexion")
    page = client.get(f"/questionnaires/{questionnaire.id}/resultats").get_data(as_text=True)
    assert "Le bus compte." in page and "Prenez-vous le bus ?" in page and "Vos besoins prioritaires" not in page
    assert "Oui : 60\u00a0% (3)" in page and "Non : 40\u00a0% (2)" in page
    pdf = client.get(f"/questionnaires/{questionnaire.id}/resultats.pdf")
    assert pdf.status_code in (200, 404)
    if pdf.status_code == 200:
        assert pdf.data.startswith(b"%PDF")
        from tests.pdfcheck import check_official_pdf

        check_official_pdf(pdf.data, kind="QUEST", title=questionnaire.display_title)


def test_a_new_wave_compares_question_by_question_in_points(client):
    first, q = factories.survey_with_every_kind(wave_label="2025")
    for i in range(4):
        respond(first, q, key=f"a{i}", bus="Oui" if i < 1 else "Non")
    services.close_questionnaire(first, actor=SYSTEM)
    second = services.new_wave(first, wave_label="2027", actor=SYSTEM)
    bus = next(x for x in second.questions if x.key == q["bus"].key)
    channel = next(x for x in second.questions if x.key == q["channel"].key)
    services.update_question(channel, {"label": channel.label, "options": "Journal\nRéseaux sociaux\nAffichage", "display": "list"},
                             actor=SYSTEM)
    services.open_questionnaire(second, actor=SYSTEM)
    mapping = {name: next(x for x in second.questions if x.key == question.key) for name, question in q.items()}
    for i in range(4):
        respond(second, mapping, key=f"b{i}", bus="Oui" if i < 3 else "Non")
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    page = client.get(f"/gestion/questionnaires/{second.id}/comparaison").get_data(as_text=True)
    assert "2025 et 2027" in page
    assert re.search(r"Oui</th>\s*<td>25\u00a0%</td><td>75\u00a0%</td>\s*<td class=\"diff-up\">\+50\u00a0points</td>", page)
    assert "Non compar" in page and "Réseaux sociaux" in page and "Site internet" in page
    assert bus.key == q["bus"].key


def test_too_many_answers_from_one_address_get_a_429_and_nothing_is_saved(app, tmp_path):
    from participation import create_app
    from participation.extensions import limiter

    enabled = limiter.enabled
    keys = ["TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BASE_URL", "ARGON2_FAST", "MAIL_DELIVERY", "DEMO_MODE"]
    limited = create_app({**{key: app.config[key] for key in keys}, "INSTANCE_PATH": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
                          "RATELIMIT_ENABLED": True, "RATELIMIT_SURVEY_ANSWERS": "2 per minute", "FORUMS_MIN_FILL_SECONDS": 0})
    limited.test_client_class = type(app.test_client())
    try:
        questionnaire, q = factories.survey_with_every_kind()
        statuses = []
        for _ in range(3):
            client = limited.test_client()
            statuses.append(_post_page(client, questionnaire, 1, full_answers(q)[0]).status_code)
        assert statuses == [302, 302, 429]
        assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id)) == 2
    finally:
        limiter.reset()
        limiter.enabled = enabled
