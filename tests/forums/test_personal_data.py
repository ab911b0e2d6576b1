"""« Mes données » holds the person's participation; a closed account's contributions stay under « Compte supprimé »."""

from __future__ import annotations

import json

import sqlalchemy as sa

from participation.accounts import services as accounts
from participation.accounts.models import CLOSED_ACCOUNT_NAME, User
from participation.extensions import db
from participation.forums import moderation, reading, services
from participation.forums.models import (
    CharterAcceptance,
    Contribution,
    ContributionState,
    Follow,
    Reaction,
    ReactionKind,
    Report,
    ReportReason,
)
from tests import factories


def _scene():
    consultation = factories.consultation(title="Plan vélo")
    jeanne = factories.participant(consultation, display_name="Jeanne Dupont")
    other = factories.participant(consultation, display_name="Paul")
    topic = factories.topic(consultation, jeanne, title="Arceaux à la gare", body="Il faut des arceaux couverts.")
    answer = services.contribute(topic, body="Et un atelier de réparation.", actor=other)
    services.react(answer, ReactionKind.support, actor=jeanne)
    moderation.report(answer, reason=ReportReason.other, comment="Publicité déguisée pour mon voisin", actor=jeanne)
    elsewhere = factories.topic(consultation, other, title="Parkings")
    services.follow(elsewhere, actor=jeanne)
    return consultation, jeanne, other, topic, answer


def test_my_data_lists_contributions_reactions_follows_reports_and_charters(client):
    consultation, jeanne, _, topic, answer = _scene()
    client.login(jeanne.email, factories.PASSWORD)
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200
    part = json.loads(response.get_data(as_text=True))["concertations"]
    assert [c["texte"] for c in part["contributions"]] == ["Il faut des arceaux couverts."]
    assert part["contributions"][0]["concertation"] == "Plan vélo" and part["contributions"][0]["sujet"] == "Arceaux à la gare"
    assert [t["titre"] for t in part["sujets_ouverts"]] == ["Arceaux à la gare"]
    assert part["reactions"] == [{"contribution": answer.id, "sujet": "Arceaux à la gare", "reaction": "Soutien",
                                  "date": part["reactions"][0]["date"]}]
    assert {f["sujet"] for f in part["sujets_suivis"]} == {"Arceaux à la gare", "Parkings"}
    assert part["signalements"][0]["motif"] == "Autre" and part["signalements"][0]["precisions"] == "Publicité déguisée pour mon voisin"
    assert [c["concertation"] for c in part["chartes_acceptees"]] == ["Plan vélo"]


def test_a_closed_account_s_contributions_stay_under_compte_supprime(client):
    consultation, jeanne, other, topic, answer = _scene()
    premoderated = factories.consultation(premoderated=True)
    services.accept_charter(premoderated, actor=jeanne)
    waiting = factories.topic(premoderated, jeanne, body="En attente de relecture.")
    waiting_contribution = db.session.scalar(sa.select(Contribution).where(Contribution.topic_id == waiting.id))
    assert waiting_contribution.state == ContributionState.pending

    accounts.close_account(jeanne, password=factories.PASSWORD, actor=jeanne)
    jeanne_id = jeanne.id
    # Even if a closed account's row still held its name, the pages show only « Compte supprimé ».
    db.session.execute(sa.update(User).where(User.id == jeanne_id).values(display_name="Jeanne Dupont"))
    db.session.expire_all()

    topic_page = client.get(f"/concertations/{consultation.id}/sujets/{topic.id}").get_data(as_text=True)
    assert "Il faut des arceaux couverts." in topic_page
    assert CLOSED_ACCOUNT_NAME in topic_page and "Jeanne Dupont" not in topic_page
    for path in (f"/concertations/{consultation.id}", f"/concertations/{consultation.id}?q=arceaux"):
        page = client.get(path).get_data(as_text=True)
        assert CLOSED_ACCOUNT_NAME in page and "Jeanne Dupont" not in page, path
    staff = factories.staff()
    rows = list(reading.export_rows(consultation, actor=staff))
    assert any(CLOSED_ACCOUNT_NAME in row for row in rows) and not any("Jeanne Dupont" in row for row in rows)

    # What only served her is gone; the counts of her reactions stay.
    assert db.session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == jeanne_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(CharterAcceptance.id)).where(CharterAcceptance.user_id == jeanne_id)) == 0
    report = db.session.scalar(sa.select(Report).where(Report.contribution_id == answer.id))
    assert report.reporter_id is None and report.reason == ReportReason.other
    assert db.session.scalar(sa.select(sa.func.count(Reaction.id)).where(Reaction.contribution_id == answer.id)) == 1
    assert db.session.get(Contribution, answer.id).support_count == 1
    # Her text waiting for moderation was never public: it is withdrawn, not published later under « Compte supprimé ».
    waiting_contribution = db.session.get(Contribution, waiting_contribution.id)
    assert waiting_contribution.state == ContributionState.deleted and waiting_contribution.body == ""


def test_no_mail_is_queued_for_the_closed_account_when_her_topic_gets_answers():
    from participation.core.outbox import OutboxMail

    consultation, jeanne, other, topic, _ = _scene()
    accounts.close_account(jeanne, password=factories.PASSWORD, actor=jeanne)
    services.contribute(topic, body="Une réponse après son départ.", actor=other)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.user_id == jeanne.id)) == 0
    assert len(db.session.scalars(reading.thread(topic, None)).all()) == 3
