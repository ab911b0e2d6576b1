"""The indicators page keeps the year's figures in the page cache: a few queries, never stale, the same for every viewer."""

from __future__ import annotations

from datetime import date

import pytest

from participation.core import pagecache
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
    client.get("/compte/")  # reads the flashed « vous êtes connecté »: pages are shared once none waits
    _data(2)
    db.session.commit()
    few = _queries(client, count_queries, PATH)
    assert "Participants : 20 " in text(client.get(PATH))
    _data(25)
    db.session.commit()
    many = _queries(client, count_queries, PATH)
    assert "Participants : 270 " in text(client.get(PATH))
    # The whole page is kept for the staff holding the same roles: the person's card (without Redis: the account,
    # its roles, unread notices), the generation and the latest event; never the figures', nor the communes'.
    assert many == few <= 6, (few, many)


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_a_change_recorded_as_an_event_shows_at_the_next_load(request, store, cache_on, client, people):
    """With Redis, the change's tags and the journal's generation move in one round trip after the commit."""
    if store == "redis":
        request.getfixturevalue("redis_cache")
    login(client, people.staff)
    client.get("/compte/")  # reads the flashed « vous êtes connecté »: the page is kept whole once none waits
    _data(2)
    _process("Atelier de l'an passé", date(YEAR - 1, 6, 1))
    db.session.commit()
    assert "Participants : 20 " in text(client.get(PATH))
    assert "Participants : 10 " in text(client.get(f"/gestion/indicateurs?annee={YEAR - 1}"))
    assert client.get(PATH).headers["X-Page-Cache"] == "hit-shared"
    journal = pagecache.journal_generation()
    _process("Atelier de plus", date(YEAR, 1, 2))
    _process("Autre atelier de l'an passé", date(YEAR - 1, 6, 2))
    db.session.commit()
    assert pagecache.journal_generation() != journal
    response = client.get(PATH)
    assert "Participants : 30 " in text(response) and response.headers["X-Page-Cache"] == "miss-shared"
    assert "Participants : 20 " in text(client.get(f"/gestion/indicateurs?annee={YEAR - 1}"))


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_a_log_in_counts_at_once_among_the_years_active_residents(request, store, cache_on, app, client, people, count_queries):
    """A log-in bumps no tag of the page cache; the year in progress follows every event all the same."""
    if store == "redis":
        request.getfixturevalue("redis_cache")
    login(client, people.staff)
    client.get("/compte/")  # reads the flashed « vous êtes connecté »
    db.session.commit()
    from participation.core import pagecache

    pagecache.clear()
    if store == "redis":
        request.getfixturevalue("redis_cache")  # (a new prefix: nothing kept)
    with count_queries() as cold:  # every section computed
        client.get(PATH)
    hit = _queries(client, count_queries, PATH)
    assert client.get(PATH).headers["X-Page-Cache"] == "hit-shared"
    assert "Habitants actifs dans l'année : 0 " in text(client.get(PATH))
    resident = app.test_client()
    login(resident, people.resident)
    with count_queries() as counter:
        response = client.get(PATH)
    assert "Habitants actifs dans l'année : 1 " in text(response)
    assert response.headers["X-Page-Cache"] == "miss-shared"
    # The page is rendered again, but of its sections only the accounts' one is computed again: the others are kept.
    assert hit < counter.count <= cold.count - 15, (hit, counter.count, cold.count)
    assert client.get(PATH).headers["X-Page-Cache"] == "hit-shared"


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



@pytest.mark.parametrize("store", ["memory", "redis"])
def test_the_page_kept_for_the_staff_is_served_only_to_people_holding_the_same_roles(request, store, cache_on, app, client, people):
    """The whole page is kept once for the staff holding the same roles, each with their own header;
    a person without the permission never gets it, nor one who lost it since."""
    if store == "redis":
        request.getfixturevalue("redis_cache")
    other = factories.staff(email="agent.voirie@example.org", display_name="Paul Voirie", department_=factories.department())
    db.session.commit()
    viewers = {}
    for name, user in (("staff", people.staff), ("other", other), ("resident", people.resident), ("moderator", people.moderator),
                       ("admin", people.admin)):
        viewers[name] = login(app.test_client(), user)
        viewers[name].get("/compte/")  # reads the flashed « vous êtes connecté »
    first = viewers["staff"].get(PATH)
    assert first.headers["X-Page-Cache"] == "miss-shared" and "Nadia Agente" in first.get_data(as_text=True)
    second = viewers["other"].get(PATH)
    assert second.headers["X-Page-Cache"] == "hit-shared"
    body = second.get_data(as_text=True)
    assert "Paul Voirie" in body and "Nadia Agente" not in body and "@@h:" not in body
    assert _figures(second) == _figures(first)
    for name in ("resident", "moderator"):
        assert viewers[name].get(PATH).status_code == 403, name
    admin = viewers["admin"].get(PATH)
    assert admin.status_code == 200 and admin.headers["X-Page-Cache"] == "miss-shared"  # the admins' own copy
    # Paul loses his role: the page he was served a moment ago is refused to him.
    from participation.accounts import services as accounts
    from participation.accounts.models import Role

    accounts.revoke_role(other, Role.staff, actor=SYSTEM)
    db.session.commit()
    assert viewers["other"].get(PATH).status_code == 403
