"""« What waits for me »: each queue's count is its real count, for each person, with no cross-department leak."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.councils.extras import create_group
from participation.councils.sittings import save_minutes, submit_minutes
from participation.events import services as events
from participation.extensions import db
from participation.forums import moderation
from participation.forums.models import Contribution, ContributionState, ReportReason
from participation.grants import services as grants
from participation.grants.models import ApplicationState, GrantApplication
from participation.staff.queues import QueueItem, collect, queues, register_queue
from tests import factories
from tests.referrals.conftest import Setup, transmitted
from tests.staff.conftest import login, text


@pytest.fixture
def work(people):
    """Work waiting in every domain, for two departments."""
    culture, sports = factories.department(name="Direction de la culture"), factories.department(name="Direction des sports")
    agent = factories.staff(email="culture@example.org", display_name="Chloé Culture", department_=culture)
    other = factories.staff(email="sports@example.org", display_name="Samir Sports", department_=sports)

    # Grants: one application to instruct in each department, one completed file in culture.
    culture_call = factories.grant_call(department_=culture, title="Appel culture")
    sports_call = factories.grant_call(department_=sports, title="Appel sports")
    factories.submitted_application(culture_call, project_title="Festival de quartier")
    factories.submitted_application(sports_call, project_title="Tournoi inter-quartiers")
    completed = factories.submitted_application(culture_call, factories.association(name="Les Amis du livre"), project_title="Lecture publique")
    grants.start_review(completed, actor=SYSTEM)
    grants.request_completion(completed, missing="Le RIB.", actor=SYSTEM)
    grants.resubmit_application(completed, actor=completed.association.representatives[0].user)

    # Referrals: an opinion transmitted to culture, awaiting its answer, past due.
    council = factories.council(colleges=(("Collège des habitants", 10),))
    president = factories.member(council, role="president", user_=factories.user("presidente@example.org"))
    writer = factories.member(council, user_=factories.user("redactrice@example.org"))
    member = factories.member(council, user_=factories.user("membre@example.org"))
    group = create_group(council, name="Culture", purpose="", lead=writer, actor=SYSTEM)
    referral = transmitted(Setup(council, president, writer, member, group, culture, agent))
    referral.answer_due_on = date.today() - timedelta(days=3)

    # Councils: minutes submitted for approval.
    sitting = factories.sitting(council, days=3, publish=True)
    minutes = save_minutes(sitting, body="Le conseil a débattu.", actor=SYSTEM)
    submit_minutes(minutes, actor=SYSTEM)

    # Events: 9 places of 10 taken.
    event = factories.event(capacity=10, title="Atelier mobilités")
    for i in range(9):
        events.register(event, actor=factories.user(f"inscrit{i}@example.org"))
    factories.event(capacity=10, title="Atelier tranquille")

    # Consultations: one contribution awaiting moderation, one reported.
    premoderated = factories.consultation(premoderated=True)
    factories.topic(premoderated, title="Sujet modéré a priori")
    open_one = factories.consultation()
    topic = factories.topic(open_one, title="Sujet signalé")
    first = db.session.scalars(sa.select(Contribution).where(Contribution.topic_id == topic.id)).first()
    moderation.report(first, reason=ReportReason.abusive, actor=factories.participant(open_one))

    # Mail: one failed.
    from participation.core.outbox import MailStatus

    factories.mail(status=MailStatus.failed)
    db.session.flush()
    return {"agent": agent, "other": other, "moderator": people.moderator, "admin": people.admin, "referral": referral}


EXPECTED = {
    # queue key: count for (agent of culture, moderator, instructor of sports, admin); None: not shown.
    "grant_applications_submitted": (1, None, 1, 2),
    "grant_applications_completed": (1, None, 0, 1),
    "opinions_to_answer": (1, None, 0, 1),
    "answers_overdue": (1, None, 0, 1),
    "minutes_to_approve": (1, None, 1, 1),
    "events_filling_up": (1, None, 1, 1),
    "contributions_pending": (None, 1, None, 1),
    "contributions_reported": (None, 1, None, 1),
    "failed_mail": (None, None, None, 1),
}
PEOPLE = ("agent", "moderator", "other", "admin")


def _counts(app, user) -> dict[str, int]:
    with app.test_request_context():
        return {r.queue.key: r.count for r in collect(user)}


def test_each_queue_counts_what_really_waits_for_each_person(work, app):
    for index, who in enumerate(PEOPLE):
        counts = _counts(app, work[who])
        for key, expected in EXPECTED.items():
            assert counts.get(key) == expected[index], (who, key, counts.get(key))


def test_counts_equal_the_rows_of_the_domains_tables(work, app):
    """The admin's counts, checked against the tables themselves."""
    counts = _counts(app, work["admin"])
    assert counts["grant_applications_submitted"] == db.session.scalar(
        sa.select(sa.func.count()).where(GrantApplication.state == ApplicationState.submitted))
    assert counts["contributions_pending"] == db.session.scalar(
        sa.select(sa.func.count()).where(Contribution.state == ContributionState.pending))


def test_the_page_lists_oldest_first_with_age_and_no_other_departments_case(client, work):
    login(client, work["agent"])
    page = text(client.get("/gestion/"))
    assert "Demandes de subvention à instruire (1)" in page and "Festival de quartier" in page
    assert "Tournoi inter-quartiers" not in page  # the sports department's
    assert "Dossiers complétés (1)" in page and "Lecture publique" in page
    assert "Réponses aux avis en retard (1)" in page and "depuis 3 jours" in page
    assert "Événements bientôt complets (1)" in page and "9 places prises sur 10" in page and "dans 10 jours" in page
    assert "Atelier tranquille" not in page
    assert "Contributions à modérer" not in page and "Courriels en échec" not in page

    other = client.application.test_client()
    login(other, work["other"])
    page = text(other.get("/gestion/"))
    assert "Tournoi inter-quartiers" in page and "Festival de quartier" not in page
    assert "Avis qui attendent" not in page.split("Rien en attente")[0]

    moderator = client.application.test_client()
    login(moderator, work["moderator"])
    page = text(moderator.get("/gestion/"))
    assert "Contributions à modérer (1)" in page and "Contributions signalées (1)" in page
    assert "Demandes de subvention" not in page


def test_queue_items_come_oldest_first(work, app):
    with app.test_request_context():
        result = next(r for r in collect(work["admin"]) if r.queue.key == "grant_applications_submitted")
    assert [i.since for i in result.items] == sorted(i.since for i in result.items)


def test_a_domain_adds_a_queue_by_declaring_it(client, people, app):
    """The page shows any declared queue, without knowing its domain."""
    from participation.staff import queues as registry

    @register_queue("test_queue", "File d'essai", permission="staff.access", order=1)
    def test_queue(user):
        from participation.accounts.models import User

        return sa.select(User).where(User.id == user.id), User.created_at, lambda u: QueueItem(u.display_name, "/", u.created_at)

    try:
        login(client, people.staff)
        assert "File d'essai (1)" in text(client.get("/gestion/"))
        assert any(q.key == "test_queue" for q in queues())
    finally:
        registry._queues.pop("test_queue")
