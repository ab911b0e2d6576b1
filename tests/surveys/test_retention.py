"""Retention, « Mes données », closing an account, the agenda: what the domain keeps, shows and forgets."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.accounts import services as accounts
from participation.agenda.sources import AgendaQuery, collect
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import answering, jobs, results, services
from participation.surveys.models import Answer, Invitation, Response
from tests import factories
from tests.surveys.helpers import full_answers, respond


def _respond_as(questionnaire, q, person):
    response = answering.find_response(questionnaire, user=person, create=True)
    visibility = answering.Visibility(questionnaire, {})
    for page, form in enumerate(full_answers(q)):
        visibility = answering.save_page(response, visibility.shown_sections[page], form)
    return answering.submit(response)


def test_free_text_and_invitations_go_after_the_retention_period_aggregates_stay():
    questionnaire, q = factories.survey_with_every_kind(retention_months=12)
    services.import_invitations(questionnaire, "anne@example.org", actor=SYSTEM)
    respond(questionnaire, q, key="a")
    answering.find_response(questionnaire, browser_key="unfinished", create=True)
    closed = utcnow()
    services.close_questionnaire(questionnaire, actor=SYSTEM, now=closed)
    before = {r.question.id: r for r in results.question_results(questionnaire)}
    assert jobs.purge(now=closed + timedelta(days=360)) == 0
    assert jobs.purge(now=closed + timedelta(days=370)) == 1
    assert db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.text.is_not(None))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(Invitation.questionnaire_id == questionnaire.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id)) == 1
    after = {r.question.id: r for r in results.question_results(questionnaire)}
    assert [b.count for b in after[q["bus"].id].bars] == [b.count for b in before[q["bus"].id].bars]
    assert after[q["household"].id].mean == before[q["household"].id].mean
    assert jobs.purge(now=closed + timedelta(days=800)) == 0


def test_my_data_lists_answers_and_closing_the_account_detaches_them():
    questionnaire, q = factories.survey_with_every_kind(access="account")
    person = factories.user()
    _respond_as(questionnaire, q, person)
    other, _ = factories.survey_with_every_kind(title="Autre questionnaire", access="account")
    answering.find_response(other, user=person, create=True)
    document = personal_data.export(person)["questionnaires"]
    assert document[0]["questionnaire"] == "Vos besoins" and document[0]["code"].startswith("R-")
    assert {"question": "Prenez-vous le bus ?", "reponse": "Oui"} in document[0]["reponses"]
    accounts.close_account(person, password=factories.PASSWORD, actor=person)
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.user_id == person.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == other.id)) == 0
    assert results.submitted_count(questionnaire) == 1


def test_an_open_questionnaire_is_in_the_agenda_while_open():
    theme = factories.theme("Mobilité")
    questionnaire, _ = factories.survey_with_every_kind(open_=False, closes_at=utcnow() + timedelta(days=20))
    questionnaire.themes = [theme]
    invited, _ = factories.survey_with_every_kind(title="Sur invitation", access="invitation", closes_at=utcnow() + timedelta(days=20))
    query = AgendaQuery(start=utcnow() - timedelta(days=1), end=utcnow() + timedelta(days=30))
    assert not [i for i in collect(query) if i.kind == "questionnaire"]
    factories.open_survey(questionnaire)
    items = [i for i in collect(query) if i.kind == "questionnaire"]
    assert [i.uid for i in items] == [f"questionnaire-{questionnaire.id}"] and items[0].theme_ids == {theme.id}
    assert invited.id not in {int(i.uid.split("-")[1]) for i in items}


def test_followers_of_the_referral_are_told_when_its_questionnaire_opens():
    from participation.notifications.models import Notification
    from participation.referrals import services as referrals
    from participation.referrals.models import ReferralKind

    council = factories.council(colleges=(("Collège des habitants", 10),))
    staff = factories.staff()
    referral = referrals.refer(council, subject="Plan de mobilité", question="Quelles priorités ?", act="Plan 2026",
                               referred_by="Le président", department=factories.department(), actor=staff, kind=ReferralKind.optional)
    resident = factories.user()
    referrals.follow(referral, actor=resident)
    questionnaire, _ = factories.survey_with_every_kind(open_=False, referral_id=referral.id)
    factories.open_survey(questionnaire)
    notices = db.session.scalars(sa.select(Notification).where(Notification.user_id == resident.id)).all()
    assert [n.title for n in notices if n.title.startswith("Nouveau questionnaire")] == ["Nouveau questionnaire : Vos besoins"]
