"""Every back-office page runs the same number of queries whatever the amount of data."""

from __future__ import annotations

import pytest

from participation.core.eventlog import record
from participation.core.outbox import MailStatus
from tests import factories
from tests.staff.conftest import login

# A page: the person and their roles, the territory, the unread count, then its own queries.
LIMIT = 8


def _queries(client, count_queries, path) -> int:
    client.get(path)  # templates compiled, session warmed: only the page's own work is counted
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


def _add_mails(n):
    for i in range(n):
        factories.mail(status=MailStatus.failed if i % 3 == 0 else MailStatus.pending)


def _add_events(n, people):
    for i in range(n):
        record("user.profile_updated", people.resident, people.moderator if i % 2 else people.staff, {"n": i})


def _add_accounts(n):
    for i in range(n):
        factories.user(roles=["moderator"] if i % 4 == 0 else ())


@pytest.mark.parametrize(
    "path, add",
    [
        ("/gestion/courriels", lambda people, n: _add_mails(n)),
        ("/gestion/courriels?status=failed&recipient=example", lambda people, n: _add_mails(n)),
        ("/gestion/journal", lambda people, n: _add_events(n, people)),
        ("/gestion/journal?domain=accounts&subject_type=users", lambda people, n: _add_events(n, people)),
        ("/gestion/journal.csv?domain=accounts", lambda people, n: _add_events(n, people)),
        ("/gestion/utilisateurs", lambda people, n: _add_accounts(n)),
        ("/gestion/utilisateurs?role=resident", lambda people, n: _add_accounts(n)),
    ],
)
def test_list_pages_run_a_bounded_number_of_queries(client, people, count_queries, path, add):
    login(client, people.admin)
    add(people, 3)
    few = _queries(client, count_queries, path)
    add(people, 37)
    many = _queries(client, count_queries, path)
    assert many == few <= LIMIT, (path, few, many)


def test_dashboard_runs_two_queries_per_queue_at_most(client, people, count_queries):
    """« What waits for me »: a count and the oldest items for each queue the person may see, whatever the data."""
    from participation.staff.queues import visible_queues

    login(client, people.admin)
    _add_mails(3), _add_accounts(3)
    few = _queries(client, count_queries, "/gestion/")
    _add_mails(37), _add_accounts(37)
    many = _queries(client, count_queries, "/gestion/")
    assert many == few <= LIMIT + 2 * len(visible_queues(people.admin)), (few, many)


def test_account_page_runs_a_bounded_number_of_queries(client, people, count_queries):
    login(client, people.admin)
    path = f"/gestion/utilisateurs/{people.resident.id}"
    _add_events(3, people)
    few = _queries(client, count_queries, path)
    _add_events(37, people)
    many = _queries(client, count_queries, path)
    assert many == few <= LIMIT, (few, many)


def test_second_page_runs_as_many_queries_as_the_first(client, people, count_queries):
    login(client, people.admin)
    _add_mails(45)
    assert _queries(client, count_queries, "/gestion/courriels?page=3") == _queries(client, count_queries, "/gestion/courriels")
