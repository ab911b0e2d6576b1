"""Indicators: each figure has its chart and its table, a CSV equal to the table, a bounded number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta


from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.processes import services
from participation.processes.models import LeaderKind, Method, Uptake
from participation.staff.indicators import IndicatorQuery, collect, indicators
from tests import factories
from tests.staff.conftest import login, text

YEAR = utcnow().year


def _data(n: int, commune=None):
    """Accounts, contributions, events and processes of this year: ``n`` of each."""
    consultation = factories.consultation(communes=[commune] if commune else ())
    for i in range(n):
        person = factories.participant(consultation, display_name=f"Habitant {i}")
        person.commune_id = commune.id if commune else None
        factories.topic(consultation, person, title=f"Sujet {i}")
        process = services.save_process(None, actor=SYSTEM, title=f"Atelier {i}", leader_kind=LeaderKind.authority, method=Method.workshop,
                                        uptake=Uptake.pending, starts_on=date(YEAR, 1, 1) + timedelta(days=i % 20), participants=10)
        services.publish(process, actor=SYSTEM)
    db.session.flush()


def _queries(client, count_queries, path):
    client.get(path)
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_every_figure_has_its_chart_table_and_csv(client, people):
    _data(3)
    login(client, people.staff)
    body = client.get(f"/gestion/indicateurs?annee={YEAR}").get_data(as_text=True)
    figures = [f for _, fs in collect(IndicatorQuery(YEAR)) for f in fs]
    assert len(figures) >= 10
    for figure in figures:
        section = body[body.index(f'id="fig-{figure.key}"'):]
        section = section[:section.index("</section>")]
        if figure.rows:
            assert 'role="img"' in section and "<table>" in section and "<caption>" in section, figure.key
        assert f"/gestion/indicateurs/{figure.key}.csv" in section, figure.key
    assert " style=" not in body and body.count("<h1") == 1


def test_csv_equals_the_table(client, people):
    _data(4)
    login(client, people.staff)
    figure = next(f for _, fs in collect(IndicatorQuery(YEAR)) for f in fs if f.key == "processes_by_method")
    response = client.get(f"/gestion/indicateurs/processes_by_method.csv?annee={YEAR}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == list(figure.columns)
    assert rows[1:] == [[str(v) for v in row] for row in figure.rows]
    assert ["Atelier participatif", "4", "40"] in rows
    assert client.get("/gestion/indicateurs/nothing.csv").status_code == 404
    assert client.get("/gestion/indicateurs/processes_by_method.csv?annee=1789").status_code == 400


def test_the_commune_filter_keeps_that_communes_figures(client, people):
    commune = factories.commune(name="Veretz", insee_code="37270", population=4000)
    _data(2, commune)
    _data(3)
    login(client, people.staff)
    page = text(client.get(f"/gestion/indicateurs?annee={YEAR}&commune={commune.id}"))
    assert "commune de Veretz" in page
    table = page[page.index("Habitants ayant un compte, par commune : données"):]
    assert "Veretz 2 4000" in table


def test_the_page_runs_a_bounded_number_of_queries(client, people, count_queries):
    login(client, people.staff)
    _data(2)
    few = _queries(client, count_queries, f"/gestion/indicateurs?annee={YEAR}")
    _data(25)
    many = _queries(client, count_queries, f"/gestion/indicateurs?annee={YEAR}")
    assert many == few <= 30, (few, many)


def test_only_staff_open_the_indicators(client, people):
    for role, expected in (("resident", 403), ("moderator", 403), ("staff", 200), ("admin", 200)):
        fresh = client.application.test_client()
        login(fresh, people[role])
        assert fresh.get("/gestion/indicateurs").status_code == expected, role
        assert fresh.get("/gestion/indicateurs/accounts_by_month.csv").status_code == expected, role
    login(client, people.staff)
    assert client.get("/gestion/indicateurs?annee=abc&commune=999999").status_code in (200, 422)


def test_each_domain_declares_its_indicators():
    assert {"accounts", "forums", "referrals", "councils", "events", "grants", "processes"} <= {i.key for i in indicators()}
