"""A council's working means, managed on the back office's « groupes, formations et budget » page
(``extras``): working groups, documents, trainings, the yearly budget and its spending."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.councils.models import (
    BudgetYear,
    Council,
    CouncilDocument,
    Membership,
    MembershipState,
    Sitting,
    SpendingLine,
    Training,
    TrainingRegistration,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.councils.policies import current_membership
from participation.councils.services import checked_text
from participation.extensions import db
from flask_babel import gettext as _


# --- Working groups ---------------------------------------------------------


def create_group(council: Council, *, name: str, purpose: str | None, lead: Membership | None, actor) -> WorkingGroup:
    require(actor, "councils.manage", council)
    name = checked_text(name, limit=160, field_name="name", required=_("Indiquez le nom du groupe."))
    if db.session.scalar(sa.select(WorkingGroup.id).where(WorkingGroup.council_id == council.id, WorkingGroup.name == name)):
        raise ValidationError(_("Ce conseil a déjà un groupe de ce nom."), field="name")
    if lead is not None and (lead.council_id != council.id or lead.state != MembershipState.active):
        raise ValidationError(_("L'animateur ou l'animatrice doit être membre du conseil."), field="lead")
    group = WorkingGroup(council_id=council.id, name=name, purpose=purpose or "", lead_id=getattr(lead, "id", None))
    db.session.add(group)
    db.session.flush()
    if lead is not None:
        db.session.add(WorkingGroupMember(group_id=group.id, membership_id=lead.id))
    record("working_group.created", group, actor, {"council": council.id})
    return group


def add_group_member(group: WorkingGroup, membership: Membership, *, actor) -> None:
    require(actor, "councils.manage", group.council)
    if membership.council_id != group.council_id or membership.state != MembershipState.active:
        raise ValidationError(_("Seul un membre du conseil peut rejoindre l'un de ses groupes."), field="membership")
    if db.session.scalar(sa.select(WorkingGroupMember.id).where(WorkingGroupMember.group_id == group.id,
                                                                WorkingGroupMember.membership_id == membership.id)):
        raise ValidationError(_("%(name)s fait déjà partie du groupe.", name=membership.name), field="membership")
    db.session.add(WorkingGroupMember(group_id=group.id, membership_id=membership.id))
    db.session.flush()
    record("working_group.member_added", group, actor, {"membership": membership.id})


# --- Documents --------------------------------------------------------------


def add_document(council: Council, *, upload, title: str, is_public: bool = False, sitting: Sitting | None = None,
                 group: WorkingGroup | None = None, actor) -> CouncilDocument:
    from participation.core.uploads import store_upload

    require(actor, "councils.manage", council)
    title = checked_text(title, limit=200, field_name="title", required=_("Donnez un titre au document."))
    stored = store_upload(upload, actor=actor)
    document = CouncilDocument(council_id=council.id, sitting_id=getattr(sitting, "id", None), working_group_id=getattr(group, "id", None),
                               file_id=stored.id, title=title, is_public=bool(is_public))
    db.session.add(document)
    db.session.flush()
    record("council.document_added", council, actor, {"document": document.id, "title": title})
    return document


def document_readable(document: CouncilDocument, user) -> bool:
    from participation.core.permissions import can

    if document.is_public:
        return True
    return can(user, "councils.view_private", db.session.get(Council, document.council_id))


# --- Trainings --------------------------------------------------------------


def create_training(council: Council, *, title: str, description: str | None, starts_at: datetime | None, ends_at: datetime | None,
                    place: str | None, capacity: int | None, actor) -> Training:
    require(actor, "councils.manage", council)
    title = checked_text(title, limit=200, field_name="title", required=_("Donnez un titre à la formation."))
    if starts_at is None:
        raise ValidationError(_("Indiquez la date et l'heure de la formation."), field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("La fin doit être après le début."), field="ends_at")
    if not capacity or capacity < 1:
        raise ValidationError(_("Indiquez le nombre de places."), field="capacity")
    training = Training(council_id=council.id, title=title, description=description or "", starts_at=starts_at, ends_at=ends_at,
                        place=checked_text(place, limit=300), capacity=capacity)
    db.session.add(training)
    db.session.flush()
    record("training.created", training, actor, {"council": council.id})
    return training


def places_taken(training: Training) -> int:
    return db.session.scalar(sa.select(sa.func.count(TrainingRegistration.id)).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.cancelled_at.is_(None))) or 0


def register_for_training(training: Training, *, actor) -> TrainingRegistration:
    council = db.session.get(Council, training.council_id)
    require(actor, "councils.register_training", council)
    if training.cancelled or training.starts_at <= utcnow():
        raise DomainError(_("Les inscriptions à cette formation sont closes."))
    # Lock the training row: two last-minute registrations cannot both take the last place.
    db.session.execute(sa.select(Training.id).where(Training.id == training.id).with_for_update())
    seat = current_membership(actor, council)
    registration = db.session.scalar(sa.select(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.membership_id == seat.id))
    if registration is not None and registration.cancelled_at is None:
        raise DomainError(_("Vous êtes déjà inscrit à cette formation."))
    if places_taken(training) >= training.capacity:
        raise DomainError(_("Cette formation est complète."))
    if registration is None:
        registration = TrainingRegistration(training_id=training.id, membership_id=seat.id)
        db.session.add(registration)
    registration.cancelled_at = None
    db.session.flush()
    record("training.registered", training, actor, {"membership": seat.id})
    return registration


def cancel_training_registration(training: Training, *, actor) -> None:
    council = db.session.get(Council, training.council_id)
    require(actor, "councils.register_training", council)
    seat = current_membership(actor, council)
    registration = db.session.scalar(sa.select(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.membership_id == seat.id,
        TrainingRegistration.cancelled_at.is_(None)))
    if registration is None:
        raise DomainError(_("Vous n'êtes pas inscrit à cette formation."))
    registration.cancelled_at = utcnow()
    record("training.registration_cancelled", training, actor, {"membership": seat.id})


# --- Budget -----------------------------------------------------------------


def set_budget(council: Council, *, year: int | None, allocation_cents: int | None, actor) -> BudgetYear:
    require(actor, "councils.manage", council)
    if not year or not 2000 <= year <= 2100:
        raise ValidationError(_("Indiquez l'année du budget."), field="year")
    if allocation_cents is None or allocation_cents < 0:
        raise ValidationError(_("Indiquez la dotation de l'année (0 ou plus)."), field="allocation")
    budget = db.session.scalar(sa.select(BudgetYear).where(BudgetYear.council_id == council.id, BudgetYear.year == year))
    if budget is None:
        budget = BudgetYear(council_id=council.id, year=year, allocation_cents=allocation_cents)
        db.session.add(budget)
    budget.allocation_cents = allocation_cents
    db.session.flush()
    record("council.budget_set", council, actor, {"year": year, "allocation_cents": allocation_cents})
    return budget


def add_spending(budget: BudgetYear, *, spent_on: date | None, label: str, amount_cents: int | None, actor) -> SpendingLine:
    council = db.session.get(Council, budget.council_id)
    require(actor, "councils.manage", council)
    label = checked_text(label, limit=200, field_name="label", required=_("Indiquez l'objet de la dépense."))
    if spent_on is None or spent_on.year != budget.year:
        raise ValidationError(_("Indiquez une date de l'année %(year)s.", year=budget.year), field="spent_on")
    if not amount_cents or amount_cents <= 0:
        raise ValidationError(_("Indiquez un montant positif."), field="amount")
    line = SpendingLine(budget_id=budget.id, spent_on=spent_on, label=label, amount_cents=amount_cents)
    budget.lines.append(line)
    db.session.flush()
    record("council.spending_added", council, actor, {"year": budget.year, "amount_cents": amount_cents, "label": label})
    return line
