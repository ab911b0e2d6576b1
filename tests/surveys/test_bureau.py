"""A council's bureau builds, opens and publishes its council's questionnaires, and reads their results."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.core.eventlog import DomainEvent
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import services
from participation.surveys.models import Questionnaire, SurveyState
from tests import factories


def _bureau(council, role="bureau"):
    seat = factories.member(council, role=role)
    return seat.user if getattr(seat, "user", None) is not None else db.session.get(factories.User, seat.user_id)


def _fresh(client):
    return client.application.test_client()


def test_a_bureau_member_runs_a_questionnaire_for_their_council_from_start_to_published_results(client):
    council = factories.council("Conseil de développement du Val")
    other = factories.council("Conseil citoyen des Tilleuls")
    person = _bureau(council)
    client.login(person.email, factories.PASSWORD)

    # The way in: « Mon espace » and the members' space lead to the council's questionnaires, never to the back office.
    space = client.get("/mon-espace").get_data(as_text=True)
    assert f'href="/conseils/{council.slug}/questionnaires"' in space and f"/conseils/{other.slug}/questionnaires" not in space
    assert f'href="/conseils/{council.slug}/questionnaires"' in client.get(f"/conseils/{council.slug}/espace").get_data(as_text=True)
    listing = client.get(f"/conseils/{council.slug}/questionnaires")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "Questionnaires du Conseil de développement du Val" in page and 'class="staff-nav"' not in page
    assert f'href="/gestion/questionnaires/nouveau?conseil={council.slug}"' in page

    # The form offers only their council: no « Aucun », no other council, no consultation nor event.
    form = client.get(f"/gestion/questionnaires/nouveau?conseil={council.slug}").get_data(as_text=True)
    choices = re.search(r'<select[^>]*name="council_id".*?</select>', form, re.S).group(0)
    assert council.name in choices and other.name not in choices and 'value=""' not in choices
    assert 'name="consultation_id"' not in form and 'name="event_id"' not in form
    assert 'class="staff-nav"' not in form and 'href="/gestion/"' not in form

    created = client.submit(f"/gestion/questionnaires/nouveau?conseil={council.slug}", {
        "title": "Vos attentes pour le quartier", "purpose": "Préparer l'avis du conseil.", "retention_months": "12",
        "access": "open", "council_id": str(council.id)})
    assert created.status_code == 302, created.get_data(as_text=True)
    questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.title == "Vos attentes pour le quartier"))
    assert questionnaire.council_id == council.id and questionnaire.created_by_id == person.id
    detail_path = f"/gestion/questionnaires/{questionnaire.id}"
    detail = client.get(detail_path).get_data(as_text=True)
    assert 'class="staff-nav"' not in detail and 'href="/gestion/"' not in detail and 'href="/gestion/questionnaires/"' not in detail
    assert f'href="/conseils/{council.slug}/questionnaires"' in detail

    added = client.submit(f"{detail_path}/questions/nouvelle",
                          {"kind": "single", "label": "Prenez-vous le bus ?", "options": "Oui\nNon", "public": "y"})
    assert added.status_code == 302
    question = questionnaire.questions[0]
    assert "Alimenter un indicateur" not in client.get(f"{detail_path}/questions/{question.id}").get_data(as_text=True)
    opened = client.submit(f"{detail_path}/etat/open", form_path=detail_path)
    assert opened.status_code == 302 and questionnaire.state == SurveyState.open

    # A resident answers, on the public page that names the council.
    resident = _fresh(client)
    public = resident.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert "Proposé par <a href=\"/conseils/" in public and "le Conseil de développement du Val" in public
    answer_path = f"/questionnaires/{questionnaire.id}/repondre/1"
    token = resident.csrf_token(answer_path)
    started = re.search(r'name="started"[^>]*value="([^"]+)"', resident.get(answer_path).get_data(as_text=True)).group(1)
    assert resident.post(answer_path, data={question.field: "Oui", "csrf_token": token, "started": started}).status_code == 302
    assert resident.submit(f"/questionnaires/{questionnaire.id}/recapitulatif").status_code == 302

    # The bureau member reads the results, closes, and publishes.
    results = client.get(f"{detail_path}/resultats")
    assert results.status_code == 200 and "1 réponse envoyée" in results.get_data(as_text=True)
    assert client.submit(f"{detail_path}/etat/close", form_path=detail_path).status_code == 302
    published = client.submit(f"{detail_path}/publication", {"analysis": "Le bus compte.", "questions": [str(question.id)]})
    assert published.status_code == 302 and questionnaire.state == SurveyState.published
    events = db.session.execute(sa.select(DomainEvent.name, DomainEvent.actor_id).where(
        DomainEvent.subject_type == "questionnaires", DomainEvent.subject_id == questionnaire.id)).all()
    by_bureau = {"questionnaire.created", "questionnaire.question_added", "questionnaire.opened", "questionnaire.closed",
                 "questionnaire.published"}
    assert {name for name, _ in events} == by_bureau | {"questionnaire.answered"}
    assert {actor for name, actor in events if name in by_bureau} == {person.id}
    listed = client.get(f"/conseils/{council.slug}/questionnaires").get_data(as_text=True)
    assert "Vos attentes pour le quartier" in listed and "Résultats publiés" in listed


@pytest.mark.parametrize("who", ["other_bureau", "ordinary_member", "resident"])
def test_others_get_403_on_a_councils_questionnaire(client, who):
    council = factories.council()
    other = factories.council()
    questionnaire = factories.questionnaire(council_id=council.id, title="Questionnaire du conseil")
    factories.survey_question(questionnaire, "single", "Prenez-vous le bus ?", options=["Oui", "Non"])
    person = {"other_bureau": lambda: _bureau(other), "ordinary_member": lambda: _bureau(council, role="member"),
              "resident": factories.user}[who]()
    client.login(person.email, factories.PASSWORD)
    base = f"/gestion/questionnaires/{questionnaire.id}"
    question = questionnaire.questions[0]
    for path in (base, f"{base}/modifier", f"{base}/resultats", f"{base}/publication", f"{base}/questions/nouvelle",
                 f"{base}/questions/{question.id}", f"{base}/apercu/1", f"{base}/invitations", f"{base}/reponses.csv",
                 f"/conseils/{council.slug}/questionnaires", "/gestion/questionnaires/"):
        response = client.get(path)
        assert response.status_code == 403, (who, path, response.status_code)
    new = client.get(f"/gestion/questionnaires/nouveau?conseil={council.slug}")
    if who == "other_bureau":  # their own council only
        choices = re.search(r'<select[^>]*name="council_id".*?</select>', new.get_data(as_text=True), re.S).group(0)
        assert other.name in choices and council.name not in choices
    else:
        assert new.status_code == 403
    token = client.csrf_token("/mon-espace")
    for path in (f"{base}/etat/open", f"{base}/dupliquer", f"{base}/sections"):
        assert client.post(path, data={"csrf_token": token, "title": "x"}).status_code == 403, (who, path)
    assert questionnaire.state == SurveyState.draft and len(questionnaire.sections) == 1
    assert f"/conseils/{council.slug}/questionnaires" not in client.get("/mon-espace").get_data(as_text=True)


def test_a_bureau_member_cannot_choose_another_council_nor_its_referrals(client):
    council = factories.council()
    other = factories.council()
    person = _bureau(council, role="president")
    client.login(person.email, factories.PASSWORD)
    values = {"title": "Détourné", "purpose": "Essai.", "retention_months": "12", "access": "open"}
    refused = client.submit("/gestion/questionnaires/nouveau", {**values, "council_id": str(other.id)})
    assert refused.status_code == 422
    refused = client.submit("/gestion/questionnaires/nouveau", {**values, "council_id": ""})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(Questionnaire).where(Questionnaire.title == "Détourné")) is None
    # Through the services too: another council, or none, is refused.
    with pytest.raises(Exception) as error:
        services.save_questionnaire(None, {"title": "Détourné", "purpose": "Essai.", "council_id": other.id}, actor=person)
    assert type(error.value).__name__ == "PermissionDenied"
    with pytest.raises(Exception) as error:
        services.save_questionnaire(None, {"title": "Détourné", "purpose": "Essai."}, actor=person)
    assert type(error.value).__name__ == "PermissionDenied"
    mine = services.save_questionnaire(None, {"title": "Le mien", "purpose": "Essai.", "council_id": council.id}, actor=person)
    # Its referrals only: another council's referral is neither offered nor taken.
    from participation.referrals import services as referrals
    from participation.referrals.models import ReferralKind

    theirs = referrals.refer(other, subject="Plan de mobilité", question="Quelles priorités ?", act="Plan 2026", referred_by="Le président",
                             department=factories.department(), actor=SYSTEM, kind=ReferralKind.optional)
    ours = referrals.refer(council, subject="Jardins partagés", question="Où ?", act="Délibération", referred_by="Le président",
                           department=factories.department(), actor=SYSTEM, kind=ReferralKind.optional)
    db.session.commit()
    form = client.get(f"/gestion/questionnaires/{mine.id}/modifier").get_data(as_text=True)
    assert "Jardins partagés" in form and "Plan de mobilité" not in form
    refused = client.submit(f"/gestion/questionnaires/{mine.id}/modifier", {**values, "title": "Le mien", "council_id": str(council.id),
                                                                            "referral_id": str(theirs.id)})
    assert refused.status_code == 422 and mine.referral_id is None
    with pytest.raises(Exception) as error:
        services.save_questionnaire(mine, {"referral_id": theirs.id}, actor=person)
    assert "Choisissez une saisine de votre conseil." in str(error.value.message)
    assert services.save_questionnaire(mine, {"referral_id": ours.id}, actor=person).referral_id == ours.id
    with pytest.raises(Exception) as error:
        services.save_questionnaire(mine, {"council_id": other.id}, actor=person)
    assert type(error.value).__name__ == "PermissionDenied"
    db.session.rollback()


def test_staff_keep_every_questionnaire_and_may_give_one_to_a_council(client):
    council = factories.council("Conseil de développement du Val")
    agent = factories.staff()
    client.login(agent.email, factories.PASSWORD)
    form = client.get("/gestion/questionnaires/nouveau").get_data(as_text=True)
    assert 'name="council_id"' in form and 'name="consultation_id"' in form and 'class="staff-nav"' in form
    created = client.submit("/gestion/questionnaires/nouveau", {
        "title": "Pour le conseil", "purpose": "Essai.", "retention_months": "12", "access": "open", "council_id": str(council.id)})
    assert created.status_code == 302
    questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.title == "Pour le conseil"))
    assert questionnaire.council_id == council.id
    assert client.get(f"/conseils/{council.slug}/questionnaires").status_code == 200
    assert client.get(f"/gestion/questionnaires/{questionnaire.id}").status_code == 200
    assert client.get("/conseils/inconnu/questionnaires").status_code == 404
    # A wave keeps its council.
    factories.survey_question(questionnaire, "single", "Prenez-vous le bus ?", options=["Oui", "Non"])
    services.open_questionnaire(questionnaire, actor=SYSTEM)
    services.close_questionnaire(questionnaire, actor=SYSTEM)
    assert services.new_wave(questionnaire, wave_label="2027", actor=SYSTEM).council_id == council.id


def test_the_councils_list_and_my_space_run_a_bounded_number_of_queries(client, count_queries):
    council = factories.council()
    person = _bureau(council)
    client.login(person.email, factories.PASSWORD)
    counts = []
    for total in (1, 12):
        while len(db.session.scalars(sa.select(Questionnaire.id).where(Questionnaire.council_id == council.id)).all()) < total:
            factories.questionnaire(council_id=council.id)
        db.session.commit()
        with count_queries() as listing:
            assert client.get(f"/conseils/{council.slug}/questionnaires").status_code == 200
        with count_queries() as space:
            assert client.get("/mon-espace").status_code == 200
        counts.append((listing.count, space.count))
    assert counts[0] == counts[1], counts
