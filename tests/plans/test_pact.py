"""The pacte de gouvernance: deadlines from the renewal date (nine months; two months for communes' opinions), warnings 30 days before, once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.outbox import OutboxMail
from participation.core.permissions import SYSTEM
from participation.core.scheduler import registered_jobs, run_job
from participation.extensions import db
from participation.plans import jobs, pact
from tests import factories
from tests.factories import PASSWORD

RENEWAL = date(2026, 3, 22)


@pytest.fixture
def pacte():
    factories.territory(council_renewal_date=RENEWAL)
    manager = factories.staff(email="dgs@collectivite.example")
    return factories.plan(title="Pacte de gouvernance 2026", kind="governance_pact", start_year=2026, end_year=2032, manager=manager)


def test_the_deadlines_are_computed_from_the_renewal_date(pacte):
    deadlines = {d.key: d for d in pact.deadlines(pacte, today=date(2026, 5, 1))}
    assert deadlines["adoption"].due_on == date(2026, 12, 22)  # nine months
    assert deadlines["transmission"].due_on == date(2026, 10, 22)  # two months before, for the communes' opinions
    assert deadlines["debate"].due_on == date(2026, 10, 22)
    communes = [factories.commune(name="Saint-Martin"), factories.commune(name="Beaulieu")]
    pact.transmit_to_communes(pacte, communes, transmitted_on=date(2026, 6, 30), actor=SYSTEM)
    first, second = pact.commune_opinions(pacte)
    pact.record_commune_opinion(first, given_on=date(2026, 8, 10), text="Avis favorable.", actor=SYSTEM)
    deadlines = {d.key: d for d in pact.deadlines(pacte, today=date(2026, 9, 1))}
    assert deadlines[f"opinion-{first.commune_id}"].done_on == date(2026, 8, 10)
    silent = deadlines[f"opinion-{second.commune_id}"]
    assert silent.due_on == date(2026, 8, 30) and silent.deemed  # no answer in two months: deemed given
    assert deadlines["transmission"].done_on == date(2026, 6, 30)


def test_no_renewal_date_no_deadlines(pacte):
    factories.territory(council_renewal_date=None)
    assert pact.deadlines(pacte) == []


def test_staff_are_warned_30_days_before_each_deadline_once(pacte):
    assert jobs.warn_pact_deadlines(date(2026, 9, 21)) == 0  # 31 days before the transmission's deadline
    assert jobs.warn_pact_deadlines(date(2026, 9, 22)) == 2  # the debate and the transmission
    assert jobs.warn_pact_deadlines(date(2026, 9, 30)) == 0  # once
    pact.mark_step(pacte, "debate", done_on=date(2026, 9, 25), actor=SYSTEM)
    assert jobs.warn_pact_deadlines(date(2026, 11, 22)) == 1  # the adoption; the transmission's deadline has passed
    subjects = db.session.scalars(sa.select(OutboxMail.subject).where(OutboxMail.template == "plans/pact_deadline").order_by(OutboxMail.id)).all()
    assert subjects == [
        "Échéance du pacte de gouvernance dans 30 jours : Débat et délibération sur l'élaboration du pacte",
        "Échéance du pacte de gouvernance dans 30 jours : Transmission du projet aux communes",
        "Échéance du pacte de gouvernance dans 30 jours : Adoption du pacte",
    ]


def test_the_deadlines_show_in_the_back_office(pacte, client):
    client.login("dgs@collectivite.example", PASSWORD)
    html = client.get(f"/gestion/plans/{pacte.id}").get_data(as_text=True)
    assert "Pacte de gouvernance : échéances" in html and "mardi 22 décembre 2026" in html


@pytest.mark.committing
def test_two_workers_send_one_warning(app):
    factories.territory(council_renewal_date=date.today().replace(day=1))
    manager = factories.staff(email="dgs@collectivite.example")
    plan = factories.plan(kind="governance_pact", start_year=2026, end_year=2032, manager=manager)
    deadline = next(d for d in pact.deadlines(plan) if d.key == "adoption")
    db.session.commit()
    job = next(j for j in registered_jobs() if j.id == "plans.pact_deadlines")
    import participation.plans.jobs as plan_jobs

    original = plan_jobs.warn_pact_deadlines
    start = threading.Barrier(2)
    results = []

    def worker():
        start.wait(10)
        results.append(run_job(app, type(job)(job.id, lambda: original(deadline.warn_on()), job.seconds, job.singleton, job.description)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 1]
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.template == "plans/pact_deadline")) == 1


def test_admins_set_the_renewal_date_in_the_territory_settings(client):
    from participation.territory import services as territory

    item = factories.territory()
    admin = factories.admin()
    values = {column: getattr(item, column) for column in territory.TERRITORY_FIELDS}
    values["council_renewal_date"] = date(2026, 3, 22)
    client.login(admin.email, PASSWORD)
    form = {k: ("" if v is None else v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items()}
    form["brand_colour"] = item.brand_colour or "#1f5f8b"
    response = client.submit("/gestion/territoire", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert factories.territory().council_renewal_date == date(2026, 3, 22)
