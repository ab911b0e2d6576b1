"""The pacte de gouvernance (CGCT L5211-11-2) and its deadlines, computed from the
general renewal of municipal councils set in the territory's settings.

* adoption: within nine months of the renewal;
* each commune's opinion: within two months of the draft's transmission to it,
  deemed given after that (a simple opinion: the EPCI goes on);
* so the draft must be transmitted two months before the adoption deadline at
  the latest, and the debate on drafting a pacte held before the transmission.

Staff are warned 30 days before each deadline not yet met, once (a dedup key
per plan, step and date), whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.permissions import require
from participation.extensions import db
from participation.plans.models import CommuneOpinion, PactMilestone, PactStep, Plan, PlanKind
from flask_babel import gettext as _

ADOPTION_MONTHS = 9
OPINION_MONTHS = 2
WARNING_DAYS = 30


def renewal_date() -> date | None:
    from participation.territory.services import current_territory

    territory = current_territory()
    return getattr(territory, "council_renewal_date", None)


@dataclass
class Deadline:
    key: str  # "debate", "transmission", "adoption" or "opinion-<commune id>"
    label: str
    due_on: date
    done_on: date | None
    # For a commune's opinion: deemed given when the two months passed without one.
    deemed: bool = False

    def is_late(self, today: date) -> bool:
        return self.done_on is None and not self.deemed and self.due_on < today

    def warn_on(self) -> date:
        return self.due_on - relativedelta(days=WARNING_DAYS)


def deadlines(plan: Plan, *, today: date | None = None, renewal: date | None = None) -> list[Deadline]:
    """The pacte's deadlines, in order; empty when the plan is not a pacte or no renewal date is set."""
    today = today or date.today()
    renewal = renewal or renewal_date()
    if plan.kind != PlanKind.governance_pact or renewal is None:
        return []
    adoption = renewal + relativedelta(months=ADOPTION_MONTHS)
    transmission = adoption - relativedelta(months=OPINION_MONTHS)
    done = dict(db.session.execute(sa.select(PactMilestone.step, PactMilestone.done_on).where(PactMilestone.plan_id == plan.id)).all())
    result = [
        Deadline("debate", PactStep.debate.label, transmission, done.get(PactStep.debate)),
        Deadline("transmission", PactStep.transmission.label, transmission, done.get(PactStep.transmission)),
    ]
    for opinion in commune_opinions(plan):
        due = opinion.transmitted_on + relativedelta(months=OPINION_MONTHS)
        result.append(Deadline(f"opinion-{opinion.commune_id}", _("Avis de la commune : %(name)s", name=opinion.commune.name), due, opinion.given_on,
                               deemed=opinion.given_on is None and due < today))
    result.append(Deadline("adoption", PactStep.adoption.label, adoption, done.get(PactStep.adoption)))
    return result


def commune_opinions(plan: Plan) -> list[CommuneOpinion]:
    return list(db.session.scalars(sa.select(CommuneOpinion).where(CommuneOpinion.plan_id == plan.id).order_by(CommuneOpinion.id)))


def mark_step(plan: Plan, step: PactStep | str, *, done_on: date | None, actor) -> PactMilestone:
    require(actor, "plans.manage", plan)
    step = PactStep(step)
    if done_on is None or done_on > date.today():
        raise ValidationError(_("Indiquez une date passée ou du jour."), field="done_on")
    row = db.session.scalar(sa.select(PactMilestone).where(PactMilestone.plan_id == plan.id, PactMilestone.step == step))
    if row is None:
        row = PactMilestone(plan_id=plan.id, step=step, done_on=done_on)
        db.session.add(row)
    row.done_on = done_on
    db.session.flush()
    record("plan.pact_step_done", plan, actor, {"step": step, "done_on": done_on.isoformat()})
    return row


def transmit_to_communes(plan: Plan, communes, *, transmitted_on: date, actor) -> int:
    """The draft goes to each commune: each has two months for its opinion."""
    require(actor, "plans.manage", plan)
    known = {o.commune_id for o in commune_opinions(plan)}
    added = 0
    for commune in communes:
        if commune.id in known:
            continue
        db.session.add(CommuneOpinion(plan_id=plan.id, commune_id=commune.id, transmitted_on=transmitted_on))
        added += 1
    db.session.flush()
    if not db.session.scalar(sa.select(PactMilestone.id).where(PactMilestone.plan_id == plan.id, PactMilestone.step == PactStep.transmission)):
        db.session.add(PactMilestone(plan_id=plan.id, step=PactStep.transmission, done_on=transmitted_on))
    record("plan.pact_transmitted", plan, actor, {"communes": added, "transmitted_on": transmitted_on.isoformat()})
    return added


def record_commune_opinion(opinion: CommuneOpinion, *, given_on: date | None, text: str, actor) -> None:
    plan = db.session.get(Plan, opinion.plan_id)
    require(actor, "plans.manage", plan)
    if given_on is None or given_on < opinion.transmitted_on:
        raise ValidationError(_("L'avis est rendu après la transmission du projet."), field="given_on")
    opinion.given_on = given_on
    opinion.opinion = (text or "").strip()[:4000] or None
    record("plan.commune_opinion_recorded", plan, actor, {"commune_id": opinion.commune_id, "given_on": given_on.isoformat()})


def deadlines_to_warn(today: date | None = None) -> list[tuple[Plan, Deadline]]:
    """Every pacte's deadlines not met that fall within the next 30 days."""
    today = today or date.today()
    renewal = renewal_date()
    if renewal is None:
        return []
    result = []
    for plan in db.session.scalars(sa.select(Plan).where(Plan.kind == PlanKind.governance_pact).order_by(Plan.id)).unique():
        for deadline in deadlines(plan, today=today, renewal=renewal):
            if deadline.done_on is None and not deadline.deemed and deadline.warn_on() <= today <= deadline.due_on:
                result.append((plan, deadline))
    return result
