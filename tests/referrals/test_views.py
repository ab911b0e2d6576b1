"""Referral pages: who sees what, the forms, the PDF, the open data and the query counts."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.pdf import pdf_available
from participation.extensions import db
from participation.referrals import services
from participation.referrals.models import OpinionState, Referral, ReferralKind, ReferralState
from tests.factories import PASSWORD
from tests.referrals.conftest import adopted, drafted, new_referral, sitting_with_quorum, transmitted


def test_public_list_and_page_show_the_timeline_without_member_names(setup, client):
    referral = transmitted(setup)
    services.propose(setup.council, subject="Proposition interne", question="?", actor=setup.member.user)
    db.session.flush()
    page = client.get("/saisines/").get_data(as_text=True)
    assert referral.subject in page and "Proposition interne" not in page
    html = client.get(f"/saisines/{referral.id}").get_data(as_text=True)
    assert "Chronologie" in html and "adopte son avis" in html and "transmis" in html
    for name in ("Paule", "Rita", "Marc"):
        assert name not in html


def test_a_proposal_is_not_public(setup, client):
    proposal = services.propose(setup.council, subject="Interne", question="?", actor=setup.member.user)
    db.session.flush()
    assert client.get(f"/saisines/{proposal.id}").status_code == 404
    client.login("presidente@example.org", PASSWORD)
    assert client.get(f"/saisines/{proposal.id}").status_code == 200


def test_drafting_pages_are_for_members(setup, client):
    referral = drafted(setup)
    path = f"/saisines/{referral.id}/redaction"
    assert client.get(path).status_code == 302
    other = __import__("tests.factories", fromlist=["user"]).user("autre@example.org")
    client.login(other.email, PASSWORD)
    assert client.get(path).status_code == 403


def test_a_member_saves_versions_and_compares_them(setup, client):
    referral = new_referral(setup)
    services.assign_group(referral, setup.group, actor=setup.president.user)
    db.session.flush()
    client.login("redactrice@example.org", PASSWORD)
    path = f"/saisines/{referral.id}/redaction"
    assert client.submit(path, {"body": "Un.\n\nDeux bus.", "based_on": 0}).status_code == 302
    assert client.submit(path, {"body": "Un.\n\nDeux trains.", "based_on": 1}).status_code == 302
    refused = client.submit(path, {"body": "   ", "based_on": 2})
    assert refused.status_code == 422 and "vide" in refused.get_data(as_text=True)
    html = client.get(f"{path}/comparer?de=1&a=2").get_data(as_text=True)
    assert "<del>bus.</del>" in html and "<ins>trains.</ins>" in html and "Paragraphe modifié" in html


def test_staff_record_the_vote_with_a_readable_refusal(setup, client):
    referral = drafted(setup)
    sitting = sitting_with_quorum(setup)
    db.session.flush()
    client.login("agent@example.org", PASSWORD)
    path = f"/gestion/saisines/{referral.id}"
    refused = client.submit(f"{path}/vote", {"sitting": sitting.id, "present": 1, "votes_for": 1, "votes_against": 0, "abstentions": 0},
                            form_path=path)
    assert refused.status_code == 422 and "quorum" in refused.get_data(as_text=True)
    assert db.session.get(type(referral), referral.id).opinion.state == OpinionState.ready
    ok = client.submit(f"{path}/vote", {"sitting": sitting.id, "present": 3, "votes_for": 3, "votes_against": 0, "abstentions": 0},
                       form_path=path)
    assert ok.status_code == 302
    assert db.session.get(type(referral), referral.id).state == ReferralState.adopted


def test_answering_before_transmission_is_refused(setup, client):
    referral = adopted(setup)
    db.session.flush()
    client.login("agent@example.org", PASSWORD)
    path = f"/gestion/saisines/{referral.id}"
    response = client.submit(f"{path}/reponse", {"general_answer": "Trop tôt."}, form_path=path)
    assert response.status_code == 422 and "transmission" in response.get_data(as_text=True)
    assert db.session.get(type(referral), referral.id).general_answer is None


def test_staff_back_office_is_for_staff(setup, client):
    assert client.get("/gestion/saisines").status_code == 302
    client.login("membre@example.org", PASSWORD)
    assert client.get("/gestion/saisines").status_code == 403


def test_public_answer_shows_latest_status_and_history(setup, client):
    from participation.referrals.models import RecommendationStatus

    referral = transmitted(setup)
    rec = referral.opinion.recommendations[0]
    services.set_recommendation_status(rec, status=RecommendationStatus.under_study, explanation="Étude lancée.",
                                       department=setup.department, actor=setup.staff)
    services.set_recommendation_status(rec, status=RecommendationStatus.retained, explanation="Pistes financées.",
                                       department=setup.department, actor=setup.staff)
    services.answer(referral, general_answer="Merci au conseil.", actor=setup.staff)
    db.session.flush()
    html = client.get(f"/saisines/{referral.id}").get_data(as_text=True)
    assert "Merci au conseil." in html and "Retenue" in html and "Pistes financées." in html
    assert "Historique de la réponse" in html and "Étude lancée." in html


def test_deliberations_csv(setup, client):
    adopted(setup)
    db.session.flush()
    response = client.get("/opendata/deliberations.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines()[0].startswith("COLL_NOM,COLL_SIRET,DELIB_ID,DELIB_DATE")


@pytest.mark.skipif(not pdf_available() and not os.environ.get("REQUIRE_PDF"), reason="WeasyPrint indisponible")
def test_the_pdf_opens_and_carries_the_vote(setup, client):
    from io import BytesIO

    from pypdf import PdfReader

    from participation.core.dates import format_day

    referral = drafted(setup)
    sitting = sitting_with_quorum(setup)
    services.record_vote(referral.opinion, sitting=sitting, votes_for=2, votes_against=0, abstentions=1, present=3,
                         actor=setup.staff)
    services.publish_opinion(referral.opinion, actor=setup.staff)
    db.session.flush()
    response = client.get(f"/saisines/{referral.id}/avis.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) >= 1
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    vote = referral.opinion.adopted_vote
    assert setup.council.name in text
    assert f"Adopté le {' '.join(format_day(vote.voted_on).split())}" in text
    assert "2 pour, 0 contre, 1 abstention" in text and "abstention(s)" not in text
    # An official document: tagged, with the letterhead, its reference, the addressee and the president's signature.
    from tests.pdfcheck import check_official_pdf

    reference, text = check_official_pdf(response.data, kind="AVIS", title=referral.subject)
    assert "Le président de l'agglomération" in text and setup.department.name in text
    assert "Paule Présidente" in text and "Présidente" in text
    assert f"/saisines/{referral.id}/avis" in text.replace(" ", "")
    again = client.get(f"/saisines/{referral.id}/avis.pdf")
    assert check_official_pdf(again.data, kind="AVIS")[0] == reference
    assert f'href="/saisines/{referral.id}/avis.pdf"' in client.get(f"/saisines/{referral.id}/avis").get_data(as_text=True)
    assert "3 membres présents ou représentés sur 3" in text


def _public_referrals(s, count: int) -> None:
    """Public referrals of the council, inserted in one statement: the list pages only read them."""
    today = date.today()
    states = (ReferralState.received, ReferralState.in_progress, ReferralState.transmitted, ReferralState.closed)
    db.session.execute(sa.insert(Referral), [
        {"council_id": s.council.id, "kind": ReferralKind.optional, "state": states[i % len(states)], "subject": f"Saisine n° {i}",
         "question": "Quelles priorités ?", "referred_by": "La collectivité", "department_id": s.department.id,
         "working_group_id": s.group.id, "received_on": today - timedelta(days=i % 365), "due_on": today + timedelta(days=90)}
        for i in range(count)])


def test_public_pages_run_the_same_queries_with_600_referrals_and_40_versions(setup, client, count_queries):
    referral = new_referral(setup)
    services.assign_group(referral, setup.group, actor=setup.president.user)
    for i in range(3):
        services.save_version(referral.opinion, body=f"Texte {i}\n\nDeuxième paragraphe {i}", actor=setup.writer.user)
    services.comment(referral.opinion, body="Préciser.", paragraph=1, actor=setup.member.user)
    _public_referrals(setup, 2)
    db.session.flush()
    reader = client.application.test_client()  # a resident: public pages only
    client.login("redactrice@example.org", PASSWORD)
    slug = setup.council.slug

    def counts(last_version: int, last_page: int) -> dict[str, int]:
        pages = {
            "liste": (reader, "/saisines/"),
            "dernière page": (reader, f"/saisines/?page={last_page}"),
            "liste du conseil": (reader, f"/saisines/?conseil={slug}&etat=in_progress"),
            "saisine": (reader, f"/saisines/{referral.id}"),
            "rédaction": (client, f"/saisines/{referral.id}/redaction"),
            "version": (client, f"/saisines/{referral.id}/redaction/versions/{last_version}"),
            "comparaison": (client, f"/saisines/{referral.id}/redaction/comparer?de=1&a={last_version}"),
        }
        found = {}
        for name, (who, path) in pages.items():
            with count_queries() as queries:
                assert who.get(path).status_code == 200, path
            found[name] = queries.count
        return found

    few = counts(last_version=3, last_page=1)
    _public_referrals(setup, 597)
    for i in range(37):
        services.save_version(referral.opinion, body=f"Texte suivant {i}\n\nDeuxième paragraphe", actor=setup.writer.user)
        services.comment(referral.opinion, body=f"Remarque {i}", actor=setup.member.user)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 600
    assert referral.opinion.version_count == 40
    many = counts(last_version=40, last_page=30)
    assert many == few
    assert max(many.values()) < 25
