"""The back office's forms, end to end: a sitting prepared, published, moved; minutes; a draw; the budget."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from participation.core.dates import utc_to_local
from participation.accounts import personal_data
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail
from participation.councils.models import Draw, Minutes, MinutesState, Sitting, SittingState
from participation.extensions import db
from tests import factories


def _staff_client(app):
    client = app.test_client()
    client.login(factories.staff().email, factories.PASSWORD)
    return client


def test_staff_prepare_publish_and_move_a_sitting(app):
    council = factories.council()
    members = [factories.member(council) for _ in range(2)]
    client = _staff_client(app)
    base = f"/gestion/conseils/{council.id}/seances"
    when = utc_to_local(utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.submit(base, {"title": "Plénière de rentrée", "kind": "plenary", "starts_at": when, "place": "Salle du conseil",
                                    "is_public": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    sitting = db.session.scalar(sa.select(Sitting).where(Sitting.title == "Plénière de rentrée"))
    page = f"/gestion/conseils/seances/{sitting.id}"
    refused = client.submit(f"{page}/etat", {"transition": "publish"}, form_path=page)
    assert refused.status_code == 302 and db.session.get(Sitting, sitting.id).state == SittingState.draft
    assert client.submit(f"{page}/ordre-du-jour", {"title": "Budget participatif"}, form_path=page).status_code == 302
    assert client.submit(f"{page}/etat", {"transition": "publish"}, form_path=page).status_code == 302
    sitting = db.session.get(Sitting, sitting.id)
    assert sitting.state == SittingState.published and sitting.convened_at is not None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "councils/convocation")) == 2
    later = utc_to_local(sitting.starts_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.submit(f"{page}/deplacer", {"starts_at": later, "place": "Salle des fêtes"}, form_path=page).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "councils/moved")) == 2
    # Minutes drafted, submitted, from the same page.
    assert client.submit(f"{page}/compte-rendu", {"body": "Compte rendu de la séance.", "based_on": 0}, form_path=page).status_code == 302
    assert client.submit(f"{page}/compte-rendu/submit", {}, form_path=page).status_code == 302
    assert db.session.scalar(sa.select(Minutes.state).where(Minutes.sitting_id == sitting.id)) == MinutesState.submitted
    assert members


def test_staff_import_a_list_and_perform_a_draw(app, client):
    council = factories.council(kind="citizen", colleges=(("Collège des habitants", 4), ("Collège des acteurs locaux", 4)))
    staff = _staff_client(app)
    base = f"/gestion/conseils/{council.id}/tirages"
    rows = "\n".join(f"Personne {i};p{i}@example.org;{'F' if i % 2 else 'H'};1980;" for i in range(10))
    data = {"source_label": "Bailleur social", "file": (io.BytesIO(f"nom;courriel;genre;annee_naissance;commune\n{rows}\n".encode()), "liste.csv")}
    response = staff.submit(f"/gestion/conseils/{council.id}/volontaires/import", data, form_path=base, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    response = staff.submit(base, {"title": "Tirage des habitants", "college": str(council.colleges[0].id), "seats": "4",
                                   "quotas": "genre: femme=2, homme=2"})
    assert response.status_code == 302, response.get_data(as_text=True)
    draw = db.session.scalar(sa.select(Draw).where(Draw.council_id == council.id))
    response = staff.submit(f"/gestion/conseils/tirages/{draw.id}/effectuer", {}, form_path=base)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tirages/{draw.id}")
    draw = db.session.get(Draw, draw.id)
    assert len(draw.selected) == 4
    assert "Résultat identique" in client.get(f"/conseils/{council.slug}/tirages/{draw.id}?graine={draw.seed}").get_data(as_text=True)


def test_budget_and_training_forms(app):
    council = factories.council()
    member = factories.member(council)
    staff = _staff_client(app)
    page = f"/gestion/conseils/{council.id}/travaux"
    year = utcnow().year
    assert staff.submit(f"/gestion/conseils/{council.id}/budget", {"year": str(year), "allocation": "5000"}, form_path=page).status_code == 302
    bad = staff.submit(f"/gestion/conseils/{council.id}/budget", {"year": "1850", "allocation": "5000"}, form_path=page)
    assert bad.status_code == 422 and "Une année entre 2000 et 2100." in bad.get_data(as_text=True)
    when = utc_to_local(utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    assert staff.submit(f"/gestion/conseils/{council.id}/formations", {"title": "Animer une réunion", "starts_at": when, "capacity": "1"},
                        form_path=page).status_code == 302
    person = app.test_client()
    person.login(member.user.email, factories.PASSWORD)
    space = person.get(f"/conseils/{council.slug}/espace").get_data(as_text=True)
    assert "5 000,00 €" in space and "Animer une réunion" in space and "1 place libre sur 1" in space


def test_my_data_lists_seats_with_gender_and_birth_year():
    council = factories.council()
    member = factories.member(council, gender="man", birth_year=1977)
    document = personal_data.export(member.user)
    [seat] = document["conseils"]["mandats"]
    assert (seat["conseil"], seat["genre"], seat["annee_naissance"]) == (council.name, "Homme", 1977)


def test_a_working_group_document_is_for_the_councils_members(app):
    from tests.councils.test_access import _pdf

    council = factories.council()
    member = factories.member(council)
    staff = _staff_client(app)
    from participation.core.permissions import SYSTEM
    from participation.councils import extras

    group = extras.create_group(council, name="Mobilités", purpose="Plan vélo", lead=member, actor=SYSTEM)
    page = f"/gestion/conseils/{council.id}/travaux"
    data = {"title": "Carte des pistes", "file": (_pdf(), "carte.pdf")}
    response = staff.submit(f"/gestion/conseils/{council.id}/documents?groupe={group.id}", data, form_path=page,
                            content_type="multipart/form-data")
    assert response.status_code == 302
    person = app.test_client()
    person.login(member.user.email, factories.PASSWORD)
    space = person.get(f"/conseils/{council.slug}/espace").get_data(as_text=True)
    assert "Carte des pistes" in space


def test_publishing_a_sitting_says_when_the_convocation_goes_out_in_each_language(app):
    import html

    council = factories.council(convocation_days=1)
    soon, later = factories.sitting(council, days=0.5), factories.sitting(council, days=30)
    db.session.commit()
    client = _staff_client(app)

    def published(sitting, lang):
        page = f"/gestion/conseils/seances/{sitting.id}"
        response = client.submit(f"{page}/etat?lang={lang}", {"transition": "publish"}, form_path=page)
        assert response.status_code == 302
        return html.unescape(client.get(f"{page}?lang={lang}").get_data(as_text=True))

    assert "La séance est publiée ; la convocation part maintenant." in published(soon, "fr")
    # One day: singular in French, as in English.
    english = published(later, "en")
    assert "The sitting is published; the convocation will go out 1 day before." in english
    assert "notice of meeting due 1 day before" in english
    assert "convocation prévue 1 jour avant" in html.unescape(client.get(f"/gestion/conseils/seances/{later.id}?lang=fr").get_data(as_text=True))
