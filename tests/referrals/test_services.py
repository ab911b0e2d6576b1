"""The referral's path, the drafting, the vote and the droit de suite, through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.concurrency import diff_lines
from participation.core.errors import DomainError, PermissionDenied, TransitionRefused
from participation.core.eventlog import events_about
from participation.core.outbox import OutboxMail
from participation.extensions import db
from participation.referrals import jobs, opendata, services
from participation.referrals.models import (
    OpinionState,
    RecommendationStatus,
    RecommendationUpdate,
    ReferralKind,
    ReferralState,
)
from tests import factories
from tests.referrals.conftest import drafted, new_referral, sitting_with_quorum, transmitted


def test_add_months_keeps_the_day_or_the_last_of_the_month():
    assert services.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert services.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_a_saisine_starts_received_and_is_due_three_months_later(setup):
    referral = new_referral(setup, received_on=date(2025, 3, 10))
    assert referral.state == ReferralState.received
    assert referral.due_on == date(2025, 6, 10)
    assert [e.name for e in events_about(referral)] == ["referral.received"]


def test_the_due_date_default_is_configurable(setup, app):
    saved, app.config["REFERRALS_DUE_MONTHS"] = app.config["REFERRALS_DUE_MONTHS"], 2
    try:
        assert new_referral(setup, received_on=date(2025, 3, 10)).due_on == date(2025, 5, 10)
    finally:
        app.config["REFERRALS_DUE_MONTHS"] = saved


def test_only_staff_refer_a_question(setup):
    with pytest.raises(PermissionDenied):
        services.refer(setup.council, kind=ReferralKind.optional, subject="x", question="y", act=None, referred_by=None,
                       department=setup.department, actor=setup.member.user)


def test_full_path_of_a_saisine(setup, app):
    referral = transmitted(setup)
    assert referral.state == ReferralState.transmitted
    assert referral.answer_due_on == services.add_months(referral.transmitted_at.date(), 3)
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.template == "referrals/transmitted"))
    assert mail.recipient == "mobilites@collectivite.example"
    first = referral.opinion.recommendations[0]
    services.set_recommendation_status(first, status=RecommendationStatus.retained, explanation="Inscrit au budget 2026.",
                                       department=setup.department, actor=setup.staff)
    services.answer(referral, general_answer="La collectivité remercie le conseil.", actor=setup.staff)
    assert referral.state == ReferralState.answered
    services.close(referral, actor=setup.staff)
    assert referral.state == ReferralState.closed
    names = [e.name for e in events_about(referral)]
    assert names == ["referral.received", "referral.started", "referral.adopted", "referral.transmitted", "referral.answered",
                     "referral.closed"]


def test_full_path_of_an_auto_saisine(setup):
    referral = services.propose(setup.council, subject="Alimentation locale", question="Comment ?", actor=setup.member.user)
    assert referral.state == ReferralState.proposed and referral.kind == ReferralKind.self_referral
    assert not referral.is_public
    with pytest.raises(TransitionRefused, match="accepter"):
        services.assign_group(referral, setup.group, actor=setup.president.user)
    assert referral.working_group_id is None
    with pytest.raises(PermissionDenied):
        services.accept(referral, actor=setup.member.user)
    services.accept(referral, actor=setup.president.user)
    drafted(setup, referral)
    services.record_vote(referral.opinion, sitting=sitting_with_quorum(setup), votes_for=2, votes_against=1, abstentions=0, present=3,
                         actor=setup.staff)
    services.publish_opinion(referral.opinion, actor=setup.staff)
    assert referral.state == ReferralState.adopted
    services.transmit(referral, actor=setup.staff)
    # No department referred it: an administrator answers for the authority.
    admin = factories.admin()
    first = referral.opinion.recommendations[0]
    services.set_recommendation_status(first, status=RecommendationStatus.retained, explanation="Dès la rentrée.",
                                       department=setup.department, actor=admin)
    services.answer(referral, general_answer="La collectivité retient l'avis.", actor=admin)
    assert referral.state == ReferralState.answered and referral.answer_department_id is None
    services.close(referral, actor=setup.staff)
    assert referral.state == ReferralState.closed


def test_the_bureau_declines_with_a_reason_but_never_a_mandatory_one(setup):
    proposal = services.propose(setup.council, subject="Sujet", question="Q ?", actor=setup.member.user)
    with pytest.raises(DomainError, match="motive"):
        services.decline(proposal, reason=" ", actor=setup.president.user)
    assert proposal.state == ReferralState.proposed
    services.decline(proposal, reason="Hors du champ du conseil.", actor=setup.president.user)
    assert proposal.state == ReferralState.declined and proposal.decline_reason == "Hors du champ du conseil."
    mandatory = new_referral(setup, kind=ReferralKind.mandatory)
    with pytest.raises(TransitionRefused, match="obligatoire"):
        services.decline(mandatory, reason="Non.", actor=setup.president.user)
    assert mandatory.state == ReferralState.received


def test_out_of_order_transitions_are_refused_and_change_nothing(setup):
    referral = drafted(setup)
    with pytest.raises(TransitionRefused, match="adopté"):
        services.publish_opinion(referral.opinion, actor=setup.staff)
    assert referral.opinion.published_at is None and referral.opinion.state == OpinionState.ready
    with pytest.raises(TransitionRefused, match="transmission"):
        services.answer(referral, general_answer="Réponse.", actor=setup.staff)
    assert referral.general_answer is None and referral.state == ReferralState.in_progress
    with pytest.raises(TransitionRefused, match="transmission"):
        services.set_recommendation_status(referral.opinion.recommendations[0], status=RecommendationStatus.retained,
                                           explanation="Oui.", department=setup.department, actor=setup.staff)
    with pytest.raises(TransitionRefused, match="adopté"):
        services.transmit(referral, actor=setup.staff)
    assert referral.transmitted_at is None


def test_versions_keep_their_author_and_the_diff_marks_changes(setup):
    referral = new_referral(setup)
    services.assign_group(referral, setup.group, actor=setup.president.user)
    opinion = referral.opinion
    services.save_version(opinion, body="Le conseil salue le projet.\n\nIl demande plus de bus.", actor=setup.writer.user)
    services.save_version(opinion, body="Le conseil salue le projet.\n\nIl demande plus de trains.\n\nUn ajout.",
                          note="Trains", actor=setup.president.user)
    one, two = services.version(opinion, 1), services.version(opinion, 2)
    assert one.author_id == setup.writer.user_id and two.author_id == setup.president.user_id
    lines = diff_lines(one.body, two.body)
    rendered = " ".join(str(line.html) for line in lines)
    assert "<del>bus.</del>" in rendered and "<ins>trains.</ins>" in rendered and "<ins>Un ajout.</ins>" in rendered
    assert [line.kind for line in lines] == ["same", "changed", "added"]
    with pytest.raises(DomainError, match="pas changé"):
        services.save_version(opinion, body=two.body, actor=setup.writer.user)
    with pytest.raises(PermissionDenied):
        services.save_version(opinion, body="Autre", actor=setup.member.user)


def test_comments_on_the_whole_or_a_paragraph(setup):
    referral = drafted(setup)
    opinion = referral.opinion
    whole = services.comment(opinion, body="Bien.", actor=setup.member.user)
    second = services.comment(opinion, body="À préciser.", paragraph=2, actor=setup.member.user)
    assert whole.paragraph is None and second.paragraph == 2
    with pytest.raises(DomainError, match="paragraphe"):
        services.comment(opinion, body="?", paragraph=9, actor=setup.member.user)


def test_recommendations_are_numbered_and_renumbered(setup):
    referral = new_referral(setup)
    services.assign_group(referral, setup.group, actor=setup.president.user)
    opinion = referral.opinion
    first = services.add_recommendation(opinion, text="Un", actor=setup.writer.user)
    services.add_recommendation(opinion, text="Deux", actor=setup.writer.user)
    services.add_recommendation(opinion, text="Trois", actor=setup.writer.user)
    services.remove_recommendation(first, actor=setup.writer.user)
    assert [(r.number, r.text) for r in opinion.recommendations] == [(1, "Deux"), (2, "Trois")]


def test_a_rejected_opinion_goes_back_to_drafting(setup):
    referral = drafted(setup)
    vote = services.record_vote(referral.opinion, sitting=sitting_with_quorum(setup), votes_for=1, votes_against=2, abstentions=0,
                                present=3, actor=setup.staff)
    assert not vote.adopted
    assert referral.opinion.state == OpinionState.drafting and referral.state == ReferralState.in_progress


def test_the_vote_needs_the_quorum_and_coherent_numbers(setup):
    referral = drafted(setup)
    sitting = sitting_with_quorum(setup)
    with pytest.raises(DomainError, match="quorum"):
        services.record_vote(referral.opinion, sitting=sitting, votes_for=1, votes_against=0, abstentions=0, present=1, actor=setup.staff)
    with pytest.raises(DomainError, match="plus de votes"):
        services.record_vote(referral.opinion, sitting=sitting, votes_for=3, votes_against=1, abstentions=0, present=3, actor=setup.staff)
    assert referral.opinion.state == OpinionState.ready and services.votes_of(referral.opinion) == []


def test_recommendation_status_history_is_kept(setup):
    referral = transmitted(setup)
    rec = referral.opinion.recommendations[1]
    services.set_recommendation_status(rec, status=RecommendationStatus.under_study, explanation="Étude en cours.",
                                       department=setup.department, actor=setup.staff)
    services.set_recommendation_status(rec, status=RecommendationStatus.partly_retained, explanation="Deux lignes renforcées.",
                                       department=setup.department, actor=setup.staff)
    assert rec.status == RecommendationStatus.partly_retained
    assert [u.status for u in services.history(referral.opinion)[rec.id]] == [RecommendationStatus.partly_retained,
                                                                               RecommendationStatus.under_study]
    assert db.session.scalar(sa.select(sa.func.count(RecommendationUpdate.id))) == 2


def test_only_the_answering_department_answers(setup):
    referral = transmitted(setup)
    from tests import factories

    other = factories.staff()
    with pytest.raises(PermissionDenied):
        services.answer(referral, general_answer="Réponse.", actor=other)
    assert referral.general_answer is None


def test_overdue_reminder_weekly_never_twice_a_week(setup):
    referral = transmitted(setup)
    due = referral.answer_due_on
    assert jobs.send_answer_reminders(today=due) == 0
    monday = due + timedelta(days=7 - due.weekday())
    assert jobs.send_answer_reminders(today=monday) == 1
    assert jobs.send_answer_reminders(today=monday + timedelta(days=2)) == 0
    assert jobs.send_answer_reminders(today=monday + timedelta(days=7)) == 1
    services.answer(referral, general_answer="Enfin.", actor=setup.staff)
    assert jobs.send_answer_reminders(today=monday + timedelta(days=14)) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "referrals/answer_overdue")) == 2


def test_deliberations_export_validates_against_the_scdl_field_list(setup, app, client):
    """SCDL « deliberations » 2.1.5: the columns in the schema's order, required ones filled, ISO dates, integer votes."""
    import csv
    import io
    import json
    import re

    territory = factories.territory(name="Agglomération de Test", siret="20009999200014")
    referral = drafted(setup)
    services.record_vote(referral.opinion, sitting=sitting_with_quorum(setup), votes_for=2, votes_against=0, abstentions=1,
                         present=3, actor=setup.staff)
    # Adopted is not yet public: the export holds published opinions only.
    with app.test_request_context():
        assert opendata.rows(territory) == []
    services.publish_opinion(referral.opinion, actor=setup.staff)
    db.session.flush()
    expected = ["COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM", "DELIB_OBJET",
                "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE",
                "VOTE_ABSTENTION", "DELIB_URL"]
    with app.test_request_context():
        rows = opendata.rows(territory)
        text = opendata.to_csv(territory)
    assert opendata.FIELDS == expected
    assert len(rows) == 1 and opendata.problems(rows[0]) == []
    row = rows[0]
    assert list(row) == expected
    vote = referral.opinion.adopted_vote
    assert row["COLL_NOM"] == "Agglomération de Test"
    assert row["COLL_SIRET"] == "20009999200014" and re.fullmatch(r"\d{14}", row["COLL_SIRET"])
    assert row["DELIB_ID"] == f"AVIS-{setup.council.id}-{vote.voted_on.year}-{referral.opinion.id:04d}"
    assert row["DELIB_DATE"] == vote.voted_on.isoformat() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["DELIB_DATE"])
    assert row["DELIB_MATIERE_CODE"] == "5.2" and row["DELIB_MATIERE_NOM"]
    assert row["DELIB_OBJET"] == f"Avis du {setup.council.name} : {referral.subject}"
    assert [row[k] for k in ("BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE")] == [None] * 4
    assert [row[k] for k in opendata.INTEGERS] == [3, 3, 2, 0, 1]
    assert all(isinstance(row[k], int) for k in opendata.INTEGERS)
    assert row["DELIB_URL"].endswith(f"/saisines/{referral.id}/avis")

    # The CSV: the header in the schema's order, the same values, empty optional cells.
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == expected
    cells = dict(zip(parsed[0], parsed[1], strict=True))
    assert [cells[k] for k in opendata.INTEGERS] == ["3", "3", "2", "0", "1"]
    assert cells["BUDGET_ANNEE"] == "" and cells["COLL_SIRET"] == "20009999200014"
    # The JSON carries integers.
    data = json.loads(client.get("/opendata/deliberations.json").get_data(as_text=True))
    assert data["data"][0]["VOTE_POUR"] == 2 and list(data["data"][0]) == expected

    # A rejected or still-drafted opinion is no deliberation; a row missing a required value does not validate.
    assert opendata.problems({**row, "COLL_SIRET": "123"}) == ["COLL_SIRET : 14 chiffres"]
    assert opendata.problems({**row, "DELIB_OBJET": ""}) == ["DELIB_OBJET vide"]
    assert opendata.problems({**row, "VOTE_POUR": "2"}) == ["VOTE_POUR : entier"]
    assert opendata.problems({**row, "DELIB_DATE": "12/03/2026"}) == ["DELIB_DATE : AAAA-MM-JJ"]


def test_timeline_names_bodies_never_members(setup):
    referral = transmitted(setup)
    steps = services.timeline(referral)
    text = " ".join(s.text + (s.detail or "") for s in steps)
    assert "adopte son avis" in text and "transmis" in text and "Pour : 3" in text
    for name in ("Paule", "Rita", "Marc", "Présidente"):
        assert name not in text
