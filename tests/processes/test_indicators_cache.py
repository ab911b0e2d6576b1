"""The indicators page keeps the year's figures in the page cache: a few queries, never stale, the same for every viewer."""

from __future__ import annotations

from datetime import date

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.processes import services
from participation.processes.models import LeaderKind, Method, Uptake
from tests import factories
from tests.processes.test_indicators import YEAR, _data, _queries
from tests.staff.conftest import login, text

PATH = f"/gestion/indicateurs?annee={YEAR}"


def _figures(response) -> str:
    """The figures' part of the page: from the first section to the end of the main content."""
    body = response.get_data(as_text=True)
    return body[body.index('<section aria-labelledby="ind-'):body.index("</main>")]


def _process(title: str, starts_on: date) -> None:
    process = services.save_process(None, actor=SYSTEM, title=title, leader_kind=LeaderKind.authority, method=Method.workshop,
                                    uptake=Uptake.pending, starts_on=starts_on, participants=10)
    services.publish(process, actor=SYSTEM)


def test_the_cached_page_runs_the_same_few_queries_with_small_and_larger_data(cache_on, client, people, count_queries):
    login(client, people.staff)
    _data(2)
    db.session.commit()
    few = _queries(client, count_queries, PATH)
    assert "Participants : 20 " in text(client.get(PATH))
    _data(25)
    db.session.commit()
    many = _queries(client, count_queries, PATH)
    assert "Participants : 270 " in text(client.get(PATH))
    # The page's own queries (the account, its roles, communes, the filters' generation), the latest event and each
    # section's generation, never the figures'.
    assert many == few <= 18, (few, many)


def test_a_change_recorded_as_an_event_shows_at_the_next_load(cache_on, client, people):
    login(client, people.staff)
    _data(2)
    _process("Atelier de l'an passé", date(YEAR - 1, 6, 1))
    db.session.commit()
    assert "Participants : 20 " in text(client.get(PATH))
    assert "Participants : 10 " in text(client.get(f"/gestion/indicateurs?annee={YEAR - 1}"))
    _process("Atelier de plus", date(YEAR, 1, 2))
    _process("Autre atelier de l'an passé", date(YEAR - 1, 6, 2))
    db.session.commit()
    assert "Participants : 30 " in text(client.get(PATH))
    assert "Participants : 20 " in text(client.get(f"/gestion/indicateurs?annee={YEAR - 1}"))


def test_a_log_in_counts_at_once_among_the_years_active_residents(cache_on, app, client, people, count_queries):
    """A log-in bumps no tag of the page cache; the year in progress follows every event all the same."""
    login(client, people.staff)
    db.session.commit()
    hit = _queries(client, count_queries, PATH)
    assert "Habitants actifs dans l'année : 0 " in text(client.get(PATH))
    resident = app.test_client()
    login(resident, people.resident)
    with count_queries() as counter:
        page = text(client.get(PATH))
    assert "Habitants actifs dans l'année : 1 " in page
    # The accounts' section alone is computed again (its four queries), the others are kept.
    assert counter.count == hit + 4, (hit, counter.count)


def test_a_change_computes_again_only_the_sections_that_read_it(cache_on, client, people, count_queries):
    login(client, people.staff)
    _data(2)
    db.session.commit()
    past = f"/gestion/indicateurs?annee={YEAR - 1}"
    hit = _queries(client, count_queries, past)
    _process("Atelier de l'an passé", date(YEAR - 1, 6, 1))
    db.session.commit()
    with count_queries() as counter:
        page = text(client.get(past))
    assert "Participants : 10 " in page
    assert counter.count == hit + 1, (hit, counter.count)  # the processes' one query


def test_the_figures_are_the_same_whoever_looks(client, app, people):
    """No indicator depends on the viewer: the figures a staff member caches may be shown to another."""
    other = factories.staff(email="agent.voirie@example.org", department_=factories.department())
    _data(3)
    db.session.commit()
    pages = []
    for user in (people.staff, other, people.admin):
        viewer = app.test_client()
        login(viewer, user)
        pages.append(_figures(viewer.get(PATH)))
    assert "Atelier participatif" in pages[0]
    assert pages[0] == pages[1] == pages[2]

