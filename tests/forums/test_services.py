"""Consultation services: taking part, its refusals, moderation, search, synthesis, the worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.accounts.jobs import end_suspensions
from participation.accounts.models import AccountState
from participation.core.errors import DomainError, PermissionDenied, ValidationError
from participation.core.eventlog import DomainEvent
from participation.core.models import utcnow
from participation.core.outbox import deliver_due
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import moderation, reading, services
from participation.forums.jobs import advance_consultations
from participation.forums.models import ConsultationState, ContributionState, ReactionKind, ReportReason
from tests import factories


def _visible_ids(topic, actor):
    return [c.id for c in db.session.scalars(reading.thread(topic, actor)).all()]


def test_a_resident_accepts_the_charter_contributes_replies_reacts_and_follows(mailbox):
    consultation = factories.consultation()
    camille = factories.user(display_name="Camille")
    assert services.participation_refusal(consultation, camille) == "Acceptez la charte de participation de cette concertation pour contribuer."
    with pytest.raises(DomainError, match="charte"):
        services.open_topic(consultation, title="Vélo", body="Plus de pistes", actor=camille)

    services.accept_charter(consultation, actor=camille)
    topic = services.open_topic(consultation, title="Pistes cyclables", body="Il faut une piste vers la gare.", actor=camille)
    assert services.is_following(topic, camille)

    leo = factories.participant(consultation, display_name="Léo")
    answer = services.contribute(topic, body="D'accord, et des arceaux.", actor=leo)
    reply = services.contribute(topic, body="Oui, devant la gare.", parent=answer, actor=camille)
    # A reply to a reply joins the first level.
    nested = services.contribute(topic, body="Et à la médiathèque.", parent=reply, actor=leo)
    assert nested.parent_id == answer.id

    assert services.react(answer, ReactionKind.support, actor=camille) == ReactionKind.support
    assert (answer.support_count, answer.agree_count) == (1, 0)
    assert services.react(answer, ReactionKind.agree, actor=camille) == ReactionKind.agree
    assert (answer.support_count, answer.agree_count) == (0, 1)
    assert services.react(answer, ReactionKind.agree, actor=camille) is None
    assert answer.agree_count == 0
    with pytest.raises(DomainError, match="propre contribution"):
        services.react(answer, ReactionKind.support, actor=leo)

    # Camille follows her topic: Léo's answers reach her by mail, never Léo's own.
    deliver_due()
    to_camille = [m for m in mailbox if m.recipients == [camille.email]]
    assert len(to_camille) == 2
    assert "Pistes cyclables" in to_camille[0].subject and "D'accord, et des arceaux." in to_camille[0].text
    assert "Pour ne plus suivre ce sujet : http://participation.test/concertations/desabonnement/" in to_camille[0].text
    # Léo follows since his answer: he hears of Camille's reply only.
    to_leo = [m for m in mailbox if m.recipients == [leo.email]]
    assert len(to_leo) == 1 and "Oui, devant la gare." in to_leo[0].text


def test_after_closing_contributing_is_refused_with_the_reason():
    consultation = factories.consultation()
    resident = factories.participant(consultation)
    topic = factories.topic(consultation, resident)
    services.close_consultation(consultation, actor=SYSTEM)
    with pytest.raises(DomainError, match="La concertation est close depuis le"):
        services.contribute(topic, body="Trop tard ?", actor=resident)


def test_a_page_never_shows_open_after_the_closing_date_and_the_worker_closes_on_time():
    consultation = factories.consultation(state="published", opens_in_days=1, closes_in_days=3)
    assert consultation.state == ConsultationState.published
    now = utcnow()
    assert advance_consultations(now=now) == 0
    assert advance_consultations(now=now + timedelta(days=1, minutes=1)) == 1
    assert consultation.state == ConsultationState.open
    # Past the closing date, before the worker runs: shown closed, refusing contributions.
    later = now + timedelta(days=3, minutes=1)
    assert consultation.shown_state(later) == ConsultationState.closed
    assert not consultation.accepts_contributions(later)
    assert advance_consultations(now=later) == 1
    assert consultation.state == ConsultationState.closed
    assert advance_consultations(now=later) == 0
    names = db.session.scalars(sa.select(DomainEvent.name).where(DomainEvent.subject_type == "consultations", DomainEvent.subject_id == consultation.id)).all()
    assert names[-2:] == ["consultation.opened", "consultation.closed"]


def test_refusals_say_why():
    upcoming = factories.consultation(state="published")
    resident = factories.user()
    assert "ouvrira le" in services.participation_refusal(upcoming, resident)
    from flask_login import AnonymousUserMixin

    assert "Connectez-vous" in services.participation_refusal(upcoming, AnonymousUserMixin())
    consultation = factories.consultation()
    with pytest.raises(ValidationError, match="Écrivez"):
        services.open_topic(consultation, title="x", body=" ", actor=factories.participant(consultation))


def test_links_are_limited_for_new_accounts():
    consultation = factories.consultation()
    newcomer = factories.participant(consultation)
    with pytest.raises(ValidationError, match="au plus 1 lien"):
        services.open_topic(consultation, title="Pub", body="http://a.example http://b.example", actor=newcomer)
    newcomer.created_at = utcnow() - timedelta(days=30)
    assert services.open_topic(consultation, title="Liens", body="http://a.example http://b.example", actor=newcomer)


def test_three_reports_hide_a_contribution_a_moderator_restores_it_and_the_author_gets_the_reason(mailbox):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author, body="Un avis vif.")
    contribution = db.session.scalars(reading.thread(topic, author)).first()
    readers = [factories.participant(consultation) for _ in range(3)]
    moderation.report(contribution, reason=ReportReason.abusive, actor=readers[0])
    with pytest.raises(DomainError, match="déjà signalé"):
        moderation.report(contribution, reason=ReportReason.spam, actor=readers[0])
    moderation.report(contribution, reason=ReportReason.spam, actor=readers[1])
    assert contribution.state == ContributionState.published
    moderation.report(contribution, reason=ReportReason.off_topic, actor=readers[2])
    assert contribution.state == ContributionState.hidden
    assert contribution.id not in _visible_ids(topic, readers[0])
    assert contribution.id in _visible_ids(topic, author)  # the author sees it, marked
    assert contribution in db.session.scalars(moderation.moderation_queue("reported")).all()

    moderator = factories.user(roles=["moderator"])
    moderation.moderate([contribution], action="restore", reason="Propos vifs mais dans la charte.", actor=moderator)
    assert contribution.state == ContributionState.published and contribution.report_count == 0
    moderation.moderate([contribution], action="hide", reason="Après relecture : propos injurieux.", actor=moderator)
    assert contribution.state == ContributionState.removed
    deliver_due()
    to_author = [m for m in mailbox if m.recipients == [author.email]]
    assert [m.subject for m in to_author] == ["Votre contribution est de nouveau visible", "Votre contribution a été masquée"]
    assert "Motif : Après relecture : propos injurieux." in to_author[1].text
    event = db.session.scalars(sa.select(DomainEvent).where(DomainEvent.name == "contribution.hidden")).one()
    assert event.actor_id == moderator.id and event.data["reason"] == "Après relecture : propos injurieux."


def test_a_premoderated_contribution_is_invisible_to_others_until_approved():
    consultation = factories.consultation(premoderated=True)
    author = factories.participant(consultation)
    other = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution = db.session.scalars(reading.thread(topic, author)).one()
    assert contribution.state == ContributionState.pending
    assert _visible_ids(topic, other) == []
    assert db.session.execute(reading.topics_of(consultation, other)).all() == []
    queue = db.session.scalars(moderation.moderation_queue("pending")).all()
    assert queue == [contribution]
    moderation.moderate([contribution], action="approve", reason="Conforme à la charte.", actor=factories.user(roles=["moderator"]))
    assert _visible_ids(topic, other) == [contribution.id]


def test_moderation_by_a_resident_or_by_staff_without_the_moderator_role_is_refused():
    consultation = factories.consultation()
    topic = factories.topic(consultation)
    contribution = db.session.scalars(reading.thread(topic, None)).one()
    for person in (factories.user(), factories.staff()):
        with pytest.raises(PermissionDenied):
            moderation.moderate([contribution], action="hide", reason="Non.", actor=person)
    assert contribution.state == ContributionState.published
    with pytest.raises(ValidationError, match="motif"):
        moderation.moderate([contribution], action="hide", reason=" ", actor=factories.admin())


def test_suspending_the_author_for_a_period_blocks_contributions_until_the_worker_reinstates(mailbox):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution = db.session.scalars(reading.thread(topic, author)).one()
    moderation.moderate([contribution], action="suspend", reason="Insultes répétées.", suspend_days=7, actor=factories.user(roles=["moderator"]))
    assert author.state == AccountState.suspended
    assert author.suspended_until > utcnow() + timedelta(days=6)
    assert "suspendu jusqu'au" in services.participation_refusal(consultation, author)
    other = factories.consultation()
    with pytest.raises(DomainError, match="suspendu"):
        services.open_topic(other, title="Ailleurs", body="Encore", actor=author)
    deliver_due()
    mail = [m for m in mailbox if m.recipients == [author.email]][-1]
    assert mail.subject == "Votre compte est suspendu" and "Insultes répétées." in mail.text

    assert end_suspensions(now=utcnow() + timedelta(days=6)) == 0
    assert end_suspensions(now=utcnow() + timedelta(days=8)) == 1
    assert author.state == AccountState.active and author.suspended_until is None


def test_a_moderator_cannot_suspend_a_staff_author():
    consultation = factories.consultation()
    agent = factories.participant(consultation, roles=["staff"])
    topic = factories.topic(consultation, agent)
    contribution = db.session.scalars(reading.thread(topic, agent)).one()
    with pytest.raises(DomainError, match="seul un administrateur"):
        moderation.moderate([contribution], action="suspend", reason="Hors sujet.", suspend_days=7,
                            actor=factories.user(roles=["moderator"]))
    assert agent.state == AccountState.active


def test_edit_within_the_window_and_delete_keeping_replies():
    consultation = factories.consultation()
    author = factories.participant(consultation)
    topic = factories.topic(consultation, author, body="Premier jet")
    first = db.session.scalars(reading.thread(topic, author)).one()
    services.edit_contribution(first, body="Texte corrigé", actor=author)
    assert first.edited_at is not None and first.body == "Texte corrigé"
    with pytest.raises(PermissionDenied):
        services.edit_contribution(first, body="Pas à moi", actor=factories.participant(consultation))
    first.created_at = utcnow() - timedelta(minutes=16)
    with pytest.raises(DomainError, match="15 minutes"):
        services.edit_contribution(first, body="Trop tard", actor=author)

    replier = factories.participant(consultation)
    services.contribute(topic, body="Une réponse", parent=first, actor=replier)
    lonely = services.contribute(topic, body="Seul", actor=author)
    services.delete_contribution(first, actor=author)
    services.delete_contribution(lonely, actor=author)
    visible = db.session.scalars(reading.thread(topic, replier)).all()
    assert [(c.id, c.state, c.body) for c in visible] == [(first.id, ContributionState.deleted, "")]


def test_search_finds_a_word_in_a_contribution():
    consultation = factories.consultation(title="Plan vélo")
    other = factories.consultation(title="Piscine")
    factories.topic(consultation, body="Il faudrait des stationnements sécurisés près de la médiathèque.")
    factories.topic(other, body="Horaires élargis le dimanche.")
    rows = db.session.execute(reading.public_consultations(query="médiathèque")).all()
    assert [c.id for c, _ in rows] == [consultation.id]
    rows = db.session.execute(reading.public_consultations(query="Piscine")).all()
    assert [c.id for c, _ in rows] == [other.id]
    found = db.session.scalars(reading.search_contributions(consultation, "stationnement sécurisé")).all()
    assert len(found) == 1
    assert reading.search_contributions(consultation, "\"') OR 1=1 --") is not None


def test_synthesis_figures_publication_and_mail(mailbox):
    mobility = factories.theme("Mobilités")
    consultation = factories.consultation(themes=[mobility])
    commune = factories.commune("Bellerive")
    author = factories.participant(consultation)
    author.commune_id = commune.id
    topic = services.open_topic(consultation, title="Bus", body="Plus de bus", theme=mobility, actor=author)
    answer = services.contribute(topic, body="Et le soir", actor=factories.participant(consultation))
    services.react(answer, ReactionKind.support, actor=author)
    follower = factories.user()
    services.follow(topic, actor=follower)
    services.close_consultation(consultation, actor=SYSTEM)

    figures = reading.synthesis_figures(consultation)
    assert (figures["contributions"], figures["contributors"], figures["topics"]) == (2, 2, 1)
    assert ("Bellerive", 1) in figures["by_commune"] and figures["by_theme"] == [("Mobilités", 2)]
    assert figures["most_supported"] == [answer]

    with pytest.raises(DomainError, match="Rédigez la synthèse"):
        services.publish_synthesis(consultation, actor=SYSTEM)
    services.save_synthesis(consultation, text="La collectivité retient **trois** pistes.", actor=SYSTEM)
    services.publish_synthesis(consultation, actor=SYSTEM)
    assert consultation.state == ConsultationState.synthesis_published
    deliver_due()
    recipients = sorted(m.recipients[0] for m in mailbox if "synthèse" in m.subject)
    assert len(recipients) == 3 and follower.email in recipients
