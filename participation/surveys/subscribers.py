"""What questionnaire events cause, and what the domain holds about a person (register of processings, my data, closing)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.extensions import db
from participation.pages.privacy import Processing, register_processing
from participation.surveys import plan_indicators  # noqa: F401  (its subscriber: published results feed plan indicators)
from participation.surveys.models import Answer, Question, Questionnaire, Response
from flask_babel import lazy_gettext as _l

register_processing(Processing(
    name=_l("Questionnaires"),
    purpose=_l("Connaître les besoins du territoire et les attentes des habitants, et suivre leur évolution d'une vague à l'autre."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD) ; chaque questionnaire précise sa finalité avant la première question."),
    data=_l("Réponses aux questions ; facultativement commune, quartier, tranche d'âge et genre ; adresse électronique des personnes invitées."),
    recipients=_l("Les agents de la collectivité qui conduisent le questionnaire ; les résultats publiés ne montrent jamais un groupe de moins de 5 personnes."),
    retention=lambda c: (_l("Les réponses libres et les invitations sont effacées après la durée fixée pour chaque questionnaire "
                         "(12 mois après la clôture par défaut) ; les résultats agrégés sont gardés.")),
))


@personal_data.section("questionnaires")
def responses_section(user) -> list[dict]:
    """The answers given with the account: one query for the responses, one for their answers."""
    responses = db.session.execute(
        sa.select(Response.id, Response.code, Response.submitted_at, Questionnaire.title, Questionnaire.wave_label, Response.draft)
        .join(Questionnaire, Questionnaire.id == Response.questionnaire_id)
        .where(Response.user_id == user.id).order_by(Response.id)).all()
    answers = {}
    for response_id, label, item, choice, number, text, day in db.session.execute(
        sa.select(Answer.response_id, Question.label, Answer.item, Answer.choice, Answer.number, Answer.text, Answer.date_value)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_([r.id for r in responses] or [0])).order_by(Answer.id)):
        value = " ".join(str(v) for v in (item, choice if number is None or choice else number, text, day) if v is not None)
        answers.setdefault(response_id, []).append({"question": label, "reponse": value})
    return [
        {"questionnaire": title + (f" ({wave})" if wave else ""), "code": code,
         "envoyee_le": submitted.isoformat() if submitted else None,
         "reponses": answers.get(response_id, []) if submitted else draft}
        for response_id, code, submitted, title, wave, draft in responses
    ]


@subscribe("user.closed")
def forget_responses(event: DomainEvent) -> None:
    """A closed account's unsent drafts are deleted; its sent answers stay, detached from the account (anonymous)."""
    db.session.execute(sa.delete(Response).where(Response.user_id == event.subject_id, Response.submitted_at.is_(None)))
    db.session.execute(sa.update(Response).where(Response.user_id == event.subject_id).values(user_id=None))


@subscribe("questionnaire.opened")
def tell_followers(event: DomainEvent) -> None:
    """Those who follow the referral a questionnaire prepares (or its council), or one of its themes,
    are told it is open (as they chose for « Les questionnaires »), unless it is by invitation only."""
    from participation.accounts.models import User
    from participation.councils.models import CouncilFollower
    from participation.news.models import ThemeFollower
    from participation.referrals.models import Referral, ReferralFollower
    from participation.surveys.models import Access, questionnaire_themes
    from participation.surveys.notices import tell

    questionnaire: Questionnaire = event.subject
    if questionnaire.access == Access.invitation:
        return
    followers = sa.select(ThemeFollower.user_id).where(ThemeFollower.theme_id.in_(
        sa.select(questionnaire_themes.c.theme_id).where(questionnaire_themes.c.questionnaire_id == questionnaire.id)))
    if questionnaire.referral_id is not None:
        council_id = db.session.scalar(sa.select(Referral.council_id).where(Referral.id == questionnaire.referral_id))
        followers = followers.union(
            sa.select(ReferralFollower.user_id).where(ReferralFollower.referral_id == questionnaire.referral_id),
            sa.select(CouncilFollower.user_id).where(CouncilFollower.council_id == council_id))
    users = db.session.scalars(sa.select(User).where(User.id.in_(followers)).order_by(User.id)).all()
    tell(users, _l("Nouveau questionnaire : %(title)s", title=questionnaire.title), body=_l("Votre avis est demandé sur un sujet que vous suivez."),
         url=f"/questionnaires/{questionnaire.id}", event=event, dedup_key=f"questionnaire.opened:{questionnaire.id}",
         about=questionnaire.title)
