"""Indicators: measurements refused with a French message, CSV import all or nothing, charts with their table, reminders."""

from __future__ import annotations

import threading
from html import unescape
from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.outbox import OutboxMail
from participation.core.permissions import SYSTEM
from participation.core.scheduler import registered_jobs, run_job
from participation.extensions import db
from participation.notifications.models import Notification
from participation.plans import indicators, jobs, services
from participation.plans.models import Indicator, Measurement
from tests import factories
from tests.factories import PASSWORD


def new_indicator(plan, *, code="I-1", owner=None, periodicity="yearly", **values):
    objective = services.nodes_of(plan)[1]
    values.setdefault("min_value", 0)
    values.setdefault("max_value", 100)
    return indicators.save_indicator(None, plan=plan, actor=SYSTEM, code=code, name="Taux de couverture en accueil du jeune enfant",
                                     node=objective, unit="%", baseline_value=40, baseline_date=date(2024, 12, 31),
                                     targets={"2030": 55.0, "2035": 60.0}, periodicity=periodicity, owner=owner, **values)


def test_periods_of_each_periodicity():
    assert indicators.period_start(date(2026, 8, 15), "quarterly") == date(2026, 7, 1)
    assert indicators.period_start(date(2026, 8, 15), "half_yearly") == date(2026, 7, 1)
    assert indicators.previous_period(date(2026, 2, 1), "quarterly") == date(2025, 10, 1)
    assert indicators.previous_period(date(2026, 2, 1), "monthly") == date(2026, 1, 1)
    assert indicators.period_label(date(2026, 1, 1), "quarterly") == "1er trimestre 2026"
    assert indicators.period_label(date(2026, 7, 1), "half_yearly") == "2e semestre 2026"


def test_a_measurement_out_of_range_in_the_future_or_twice_in_a_period_is_refused():
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan)
    with pytest.raises(ValidationError, match="hors de l'intervalle déclaré pour cet indicateur \\(entre 0 et 100\\)"):
        indicators.add_measurement(indicator, measured_on=date(2025, 12, 31), value="120", actor=SYSTEM)
    with pytest.raises(ValidationError, match="dans le futur"):
        indicators.add_measurement(indicator, measured_on=date(2026, 6, 2), value="45", actor=SYSTEM, today=date(2026, 6, 1))
    with pytest.raises(ValidationError, match="un nombre"):
        indicators.add_measurement(indicator, measured_on=date(2025, 12, 31), value="beaucoup", actor=SYSTEM)
    indicators.add_measurement(indicator, measured_on=date(2025, 12, 31), value="45,5", actor=SYSTEM)
    with pytest.raises(ValidationError, match="existe déjà pour la période « 2025 »"):
        indicators.add_measurement(indicator, measured_on=date(2025, 6, 30), value="44", actor=SYSTEM)
    assert [m.value for m in indicators.measurements_by_indicator([indicator.id])[indicator.id]] == [45.5]


def test_the_csv_import_is_checked_line_by_line_and_is_all_or_nothing():
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan)
    indicators.add_measurement(indicator, measured_on=date(2024, 12, 31), value=41, actor=SYSTEM)
    bad = (b"code;date;valeur;commentaire\n"
           b"I-1;2025-12-31;45;ok\n"
           b"I-9;2025-12-31;45;\n"
           b"I-1;31/12/2024;42;\n"
           b"I-1;2026-13-01;42;\n"
           b"I-1;2023-12-31;140;\n")
    with pytest.raises(indicators.ImportRefused) as refused:
        indicators.import_measurements(plan, bad, actor=SYSTEM, today=date(2026, 6, 1))
    assert refused.value.message == "Le fichier n'a pas été importé : 4 lignes à corriger."
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (3, "aucun indicateur du plan n'a le code « I-9 »"),
        (4, "une mesure existe déjà pour la période « 2024 »"),
        (5, "date « 2026-13-01 » illisible (AAAA-MM-JJ ou JJ/MM/AAAA)"),
        (6, "la valeur est hors de l'intervalle déclaré pour cet indicateur (entre 0 et 100)."),
    ]
    assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) == 1  # nothing was kept
    good = "I-1;2025-12-31;45,5;Enquête CAF\nI-1;31/12/2023;39;\n".encode()
    assert indicators.import_measurements(plan, good, actor=SYSTEM, today=date(2026, 6, 1)) == 2
    values = [(m.period_start.year, m.value) for m in indicators.measurements_by_indicator([indicator.id])[indicator.id]]
    assert values == [(2023, 39.0), (2024, 41.0), (2025, 45.5)]


def test_the_import_refusal_is_shown_line_by_line_in_the_back_office(client):
    agent = factories.staff()
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    new_indicator(plan)
    client.login(agent.email, PASSWORD)
    import io

    path = f"/gestion/plans/{plan.id}"
    response = client.submit(f"{path}/import", {"file": (io.BytesIO(b"I-1;2025-12-31;999;\n"), "mesures.csv")}, form_path=path,
                             content_type="multipart/form-data")
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "Ligne 1 : la valeur est hors de l'intervalle" in html and "Aucune mesure n'a été enregistrée" in html


def test_each_chart_has_its_data_table(client):
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan)
    for year, value in ((2024, 41), (2025, 47.5)):
        indicators.add_measurement(indicator, measured_on=date(year, 12, 31), value=value, actor=SYSTEM)
    html = client.get(f"/plans/{plan.slug}").get_data(as_text=True)
    assert 'role="img" aria-labelledby="graphe-' in html and "<title id=\"graphe-" in html
    assert "<caption id=\"donnees-" in html and "<th scope=\"row\">2025</th><td>47,5</td>" in html
    assert "<th scope=\"row\">Cible 2035</th><td>60</td>" in html and "Référence (2024)" in html
    assert "<polyline" in html


def test_staff_enter_a_measurement_and_see_the_refusal_next_to_the_field(client):
    agent = factories.staff()
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan)
    client.login(agent.email, PASSWORD)
    path = f"/gestion/plans/indicateurs/{indicator.id}"
    refused = client.submit(path, {"measured_on": "2025-12-31", "value": "-3"})
    assert refused.status_code == 422 and 'id="value-erreur"' in refused.get_data(as_text=True)
    assert client.submit(path, {"measured_on": "2025-12-31", "value": "48"}).status_code == 302
    assert db.session.scalar(sa.select(Measurement.value)) == 48


def test_the_person_responsible_is_reminded_once_per_period():
    owner = factories.user("mesures@caf.example")
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    indicator = new_indicator(plan, owner=owner, periodicity="quarterly")
    today = date(2026, 2, 10)  # the 4th quarter of 2025 is due
    assert indicators.measurements_due_for(owner, today) == [(indicator, date(2025, 10, 1))]
    assert jobs.remind_measurements_due(today) == 1
    assert jobs.remind_measurements_due(date(2026, 3, 1)) == 0  # same period: no second mail
    notices = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == owner.id)).all()
    assert notices == ["Mesure attendue : I-1 « Taux de couverture en accueil du jeune enfant », 4e trimestre 2025"]
    indicators.add_measurement(indicator, measured_on=date(2025, 12, 31), value=50, actor=owner)
    assert indicators.measurements_due_for(owner, today) == []
    assert jobs.remind_measurements_due(date(2026, 4, 2)) == 1  # the next quarter is due


@pytest.mark.committing
def test_two_workers_running_the_reminder_at_once_send_one_mail(app):
    owner = factories.user("mesures@caf.example")
    plan = factories.plan(axes=1, objectives=1, actions=1, state="running")
    new_indicator(plan, owner=owner, periodicity="monthly")
    db.session.commit()
    job = next(j for j in registered_jobs() if j.id == "plans.measurements_due")
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait(10)
            results.append(run_job(app, job))
        except BaseException as error:  # pragma: no cover
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and sorted(results) == [0, 1]
    db.session.remove()
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "plans/measurement_due")).all()
    assert [m.recipient for m in mails] == ["mesures@caf.example"]
    assert db.session.scalar(sa.select(sa.func.count(Indicator.id))) == 1
