"""Questionnaires wired to the platform: theme followers told by their preferences, desk queues, figures, the register."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.outbox import OutboxMail
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.news.models import ThemeFollower
from participation.notifications.models import Category, Delivery, Notification
from participation.notifications.services import set_preference
from participation.processes.models import Method, Process
from participation.staff.indicators import IndicatorQuery, indicators as declared
from participation.staff.queues import queues, run
from participation.surveys import services as surveys
from participation.surveys.models import SurveyState
from tests import factories
from tests.surveys.helpers import respond


def _survey(*, themes=(), access="open", title="Mobilité au quotidien"):
    questionnaire = factories.questionnaire(title=title, access=access)
    if themes:
        questionnaire.themes = list(themes)
    factories.survey_question(questionnaire, "short_text", "Une idée ?")
    return questionnaire


def test_theme_followers_are_told_by_their_preferences_when_a_questionnaire_opens(mailbox):
    mobility, culture = factories.theme("Mobilités"), factories.theme("Culture")
    at_once, quiet, elsewhere = factories.user("vite@example.org"), factories.user("calme@example.org"), factories.user("ailleurs@example.org")
    for user, theme in ((at_once, mobility), (quiet, mobility), (elsewhere, culture)):
        db.session.add(ThemeFollower(user_id=user.id, theme_id=theme.id))
    set_preference(quiet, Category.questionnaires, Delivery.none, actor=quiet)
    questionnaire = _survey(themes=[mobility])
    factories.open_survey(questionnaire)
    told = db.session.scalars(sa.select(Notification.user_id).where(Notification.title == "Nouveau questionnaire : Mobilité au quotidien")
                              .order_by(Notification.user_id)).all()
    assert told == sorted([at_once.id, quiet.id])  # the follower of another theme is not told
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.subject == "Nouveau questionnaire : Mobilité au quotidien")).all()
    assert [m.recipient for m in mails] == ["vite@example.org"]  # « pas de courriel » chosen: the notice only
    assert "List-Unsubscribe" in mails[0].headers and "Les questionnaires" in mails[0].body_text
    # By invitation only: nobody is told.
    private = _survey(themes=[mobility], access="invitation", title="Panel")
    factories.open_survey(private)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.title == "Nouveau questionnaire : Panel")) == 0


def _queue(key):
    return next(q for q in queues() if q.key == key)


def test_the_desk_queues_count_late_and_unpublished_questionnaires(app):
    staff, resident = factories.staff(), factories.user()
    late = factories.open_survey(_survey(title="En retard"))
    late.closes_at = utcnow() - timedelta(days=2)
    factories.open_survey(_survey(title="Encore ouvert"))
    closed = factories.open_survey(_survey(title="Clos"))
    surveys.close_questionnaire(closed, actor=SYSTEM)
    db.session.flush()
    with app.test_request_context():
        past = run(_queue("questionnaires_past_closing"), staff)
        assert past.count == 1 and [i.title for i in past.items] == ["En retard"]
        unpublished = run(_queue("questionnaires_unpublished"), staff)
        assert unpublished.count == 1 and unpublished.items[0].url == f"/gestion/questionnaires/{closed.id}"
    from participation.core.permissions import can

    assert not can(resident, _queue("questionnaires_unpublished").permission)
    surveys.close_due()
    db.session.flush()
    with app.test_request_context():
        assert run(_queue("questionnaires_past_closing"), staff).count == 0
        assert run(_queue("questionnaires_unpublished"), staff).count == 2


def test_the_figures_and_the_register_count_the_responses(app):
    questionnaire, q = factories.survey_with_every_kind(title="Besoins 2026")
    for n in range(3):
        respond(questionnaire, q, key=f"navigateur-{n}")
    invited = factories.open_survey(_survey(access="invitation", title="Panel"))
    db.session.flush()
    figures = next(i for i in declared() if i.key == "surveys").func(IndicatorQuery(utcnow().year))
    figure = next(f for f in figures if f.key == "questionnaires")
    rows = {row[0]: row for row in figure.rows}
    assert rows["Besoins 2026"][1] == 3 and rows["Panel"][1] == 0
    from participation.processes.services import sync

    sync("questionnaire")  # the worker's run
    process = db.session.scalar(sa.select(Process).where(Process.source_kind == "questionnaire", Process.source_id == questionnaire.id))
    assert process is not None and process.method == Method.questionnaire and process.participants == 3
    # By invitation only, a questionnaire is not a public process.
    assert db.session.scalar(sa.select(Process.id).where(Process.source_kind == "questionnaire", Process.source_id == invited.id)) is None
    assert invited.state == SurveyState.open
