"""Plans, their tree of axes, objectives and actions, and what the actions link to.

Every function takes the acting person, checks the permission, changes the
models and records a domain event; none commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import DomainEvent, record
from participation.core.follows import is_following, toggle_follow
from participation.core.permissions import require
from participation.extensions import db
from participation.plans.models import (
    ACTION_WORKFLOW,
    PLAN_WORKFLOW,
    Action,
    ActionFollower,
    ActionFunding,
    ActionLink,
    ActionRecommendation,
    ActionStatus,
    Decision,
    Funder,
    Indicator,
    LinkKind,
    Milestone,
    NodeKind,
    Plan,
    PlanFollower,
    PlanKind,
    PlanNode,
)
from participation.territory.services import slugify
from flask_babel import gettext as _

TEXT_LIMIT = 20_000
# The recommendation statuses that may become an action (droit de suite).
RETAINED = ("retained", "partly_retained")


def clean(value, *, field_name: str, required: str | None = None, limit: int = 300) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(required, field=field_name)
    if len(value) > limit:
        raise ValidationError(_("%(limit)s caractères au plus.", limit=limit), field=field_name)
    return value


# --- Plans --------------------------------------------------------------------


def _unique_slug(title: str, plan_id: int | None) -> str:
    base = slugify(title.replace("–", "-").replace("—", "-"))[:100] or "plan"
    slug, n = base, 1
    while db.session.scalar(sa.select(Plan.id).where(Plan.slug == slug, Plan.id != (plan_id or 0))) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_plan(plan: Plan | None, *, actor, title: str, kind: PlanKind | str, start_year: int | None, end_year: int | None,
              summary: str = "", signatories: str = "", partners: str = "", manager=None) -> Plan:
    require(actor, "plans.manage", plan)
    title = clean(title, field_name="title", required=_("Donnez un titre au plan."), limit=200)
    if start_year is None or end_year is None:
        raise ValidationError(_("Indiquez les années de début et de fin du plan."), field="start_year")
    if not (2000 <= start_year <= 2100 and 2000 <= end_year <= 2100):
        raise ValidationError(_("Les années vont de 2000 à 2100."), field="start_year")
    if start_year > end_year:
        raise ValidationError(_("L'année de fin suit l'année de début."), field="end_year")
    values = dict(title=title, kind=PlanKind(kind), start_year=start_year, end_year=end_year,
                  summary=clean(summary, field_name="summary", limit=TEXT_LIMIT),
                  signatories=clean(signatories, field_name="signatories", limit=4000),
                  partners=clean(partners, field_name="partners", limit=4000), manager_id=getattr(manager, "id", None))
    if plan is None:
        plan = Plan(slug=_unique_slug(title, None), **values)
        db.session.add(plan)
        db.session.flush()
        record("plan.created", plan, actor, {"title": title})
        return plan
    if _actions_outside(plan, start_year, end_year):
        raise ValidationError(_("Des actions ont des dates hors de cette période : modifiez-les d'abord."), field="start_year")
    for key, value in values.items():
        setattr(plan, key, value)
    record("plan.updated", plan, actor)
    return plan


def _actions_outside(plan: Plan, start_year: int, end_year: int) -> bool:
    if plan.id is None:
        return False
    return db.session.scalar(sa.select(sa.func.count(Action.id)).where(
        Action.plan_id == plan.id,
        sa.or_(Action.start_date < date(start_year, 1, 1), Action.end_date > date(end_year, 12, 31)))) > 0




def change_plan_state(plan: Plan, transition: str, *, actor, today: date | None = None) -> DomainEvent:
    event = PLAN_WORKFLOW.apply(plan, transition, actor=actor)
    if transition == "adopt":
        plan.adopted_on = today or date.today()
    return event


# --- The tree -------------------------------------------------------------------


def _next_number(model, **where) -> int:
    conditions = [getattr(model, k) == v if v is not None else getattr(model, k).is_(None) for k, v in where.items()]
    return (db.session.scalar(sa.select(sa.func.max(model.number)).where(*conditions)) or 0) + 1


def add_axis(plan: Plan, *, title: str, description: str = "", actor) -> PlanNode:
    require(actor, "plans.manage", plan)
    title = clean(title, field_name="title", required=_("Donnez un titre à l'axe."))
    number = _next_number(PlanNode, plan_id=plan.id, parent_id=None)
    node = PlanNode(plan_id=plan.id, kind=NodeKind.axis, number=number, code=str(number), title=title,
                    description=clean(description, field_name="description", limit=TEXT_LIMIT))
    db.session.add(node)
    db.session.flush()
    record("plan.axis_added", plan, actor, {"node_id": node.id, "code": node.code, "title": title})
    return node


def add_objective(axis: PlanNode, *, title: str, description: str = "", actor) -> PlanNode:
    plan = db.session.get(Plan, axis.plan_id)
    require(actor, "plans.manage", plan)
    if axis.kind != NodeKind.axis:
        raise ValidationError(_("Un objectif se place sous un axe."), field="parent")
    title = clean(title, field_name="title", required=_("Donnez un titre à l'objectif."))
    number = _next_number(PlanNode, plan_id=plan.id, parent_id=axis.id)
    node = PlanNode(plan_id=plan.id, parent_id=axis.id, kind=NodeKind.objective, number=number, code=f"{axis.code}.{number}",
                    title=title, description=clean(description, field_name="description", limit=TEXT_LIMIT))
    db.session.add(node)
    db.session.flush()
    record("plan.objective_added", plan, actor, {"node_id": node.id, "code": node.code, "title": title})
    return node


def delete_node(node: PlanNode, *, actor) -> None:
    """Delete an empty axe or objectif; one that holds objectives, actions or indicators is refused (archive it instead)."""
    plan = db.session.get(Plan, node.plan_id)
    require(actor, "plans.manage", plan)
    children = db.session.scalar(sa.select(sa.func.count(PlanNode.id)).where(PlanNode.parent_id == node.id))
    actions = db.session.scalar(sa.select(sa.func.count(Action.id)).where(
        Action.node_id.in_(sa.select(PlanNode.id).where(sa.or_(PlanNode.id == node.id, PlanNode.parent_id == node.id)))))
    indicators = db.session.scalar(sa.select(sa.func.count(Indicator.id)).where(Indicator.node_id == node.id))
    if children or actions or indicators:
        raise DomainError(_("%(label)s contient des objectifs, des actions ou des indicateurs : il ne peut être supprimé, archivez-le pour en garder l'historique.", label=node.label))
    record("plan.node_deleted", plan, actor, {"code": node.code, "title": node.title})
    db.session.delete(node)
    db.session.flush()


def archive_node(node: PlanNode, *, actor) -> None:
    plan = db.session.get(Plan, node.plan_id)
    require(actor, "plans.manage", plan)
    node.archived = True
    record("plan.node_archived", plan, actor, {"code": node.code, "title": node.title})


def nodes_of(plan: Plan, *, include_archived: bool = False) -> list[PlanNode]:
    query = sa.select(PlanNode).where(PlanNode.plan_id == plan.id)
    if not include_archived:
        query = query.where(PlanNode.archived.is_(False))
    return list(db.session.scalars(query.order_by(PlanNode.parent_id.is_not(None), PlanNode.parent_id, PlanNode.number)))


@dataclass
class TreeNode:
    node: PlanNode
    children: list[TreeNode] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def tree(plan: Plan, actions: list[Action]) -> list[TreeNode]:
    """The plan's axes with their objectives and actions, from rows already read (two queries in all)."""
    nodes = nodes_of(plan)
    by_id = {n.id: TreeNode(n) for n in nodes}
    roots = []
    for n in nodes:
        if n.parent_id is None:
            roots.append(by_id[n.id])
        elif n.parent_id in by_id:
            by_id[n.parent_id].children.append(by_id[n.id])
    for action in actions:
        if action.node_id in by_id:
            by_id[action.node_id].actions.append(action)
    return sorted(roots, key=lambda t: t.node.number)


# --- Actions --------------------------------------------------------------------


def _check_dates(plan: Plan, start: date | None, end: date | None) -> None:
    period_start, period_end = date(plan.start_year, 1, 1), date(plan.end_year, 12, 31)
    for value, name in ((start, "start_date"), (end, "end_date")):
        if value is not None and not (period_start <= value <= period_end):
            raise ValidationError(_("Les dates d'une action sont comprises dans la période du plan (%(start_year)s–%(end_year)s).", start_year=plan.start_year, end_year=plan.end_year),
                                  field=name)
    if start and end and start > end:
        raise ValidationError(_("La date de fin suit la date de début."), field="end_date")


def save_action(action: Action | None, *, node: PlanNode | None = None, actor, title: str, description: str = "",
                lead_department=None, partners: str = "", target_public: str = "", start_date: date | None = None,
                end_date: date | None = None, communes=(), neighbourhoods=(), themes=()) -> Action:
    plan = db.session.get(Plan, (node or action.node).plan_id)
    require(actor, "plans.manage", plan)
    title = clean(title, field_name="title", required=_("Donnez un titre à l'action."))
    _check_dates(plan, start_date, end_date)
    values = dict(title=title, description=clean(description, field_name="description", limit=TEXT_LIMIT),
                  lead_department_id=getattr(lead_department, "id", None), partners=clean(partners, field_name="partners", limit=4000),
                  target_public=clean(target_public, field_name="target_public"), start_date=start_date, end_date=end_date)
    if action is None:
        if node is None or node.archived:
            raise ValidationError(_("Choisissez l'objectif de l'action."), field="node")
        number = _next_number(Action, node_id=node.id)
        action = Action(plan_id=plan.id, node_id=node.id, number=number, code=f"{node.code}.{number}", **values)
        db.session.add(action)
        event = "plan.action_added"
    else:
        for key, value in values.items():
            setattr(action, key, value)
        event = "plan.action_updated"
    action.communes = list(communes)
    action.neighbourhoods = list(neighbourhoods)
    action.themes = list(themes)
    db.session.flush()
    record(event, plan, actor, {"action_id": action.id, "code": action.code, "title": action.title})
    return action


def archive_action(action: Action, *, actor) -> None:
    plan = db.session.get(Plan, action.plan_id)
    require(actor, "plans.manage", plan)
    action.archived = True
    record("plan.action_archived", plan, actor, {"action_id": action.id, "code": action.code})


def change_action_status(action: Action, transition: str, *, actor, reason: str | None = None) -> DomainEvent:
    """Engage, complete, postpone (with a reason), abandon (with a reason) or reopen an action."""
    reason = clean(reason, field_name="reason", limit=2000) or None
    if transition in ("postpone", "abandon") and not reason:
        raise ValidationError(_("Indiquez la raison du report ou de l'abandon."), field="reason")
    ACTION_WORKFLOW._check(action, transition, actor)
    action.status_reason = reason
    if transition == "complete":
        action.progress = 100
    return ACTION_WORKFLOW.apply(action, transition, actor=actor, data={"reason": reason, "plan_id": action.plan_id})


def report_progress(action: Action, *, progress: int | None, actor) -> None:
    require(actor, "plans.report", action)
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError(_("L'avancement est un pourcentage entre 0 et 100."), field="progress")
    previous = action.progress
    action.progress = progress
    record("plan_action.progress_reported", action, actor, {"from": previous, "to": progress, "plan_id": action.plan_id})


def set_funding(action: Action, *, funder: Funder | str, planned_cents: int | None, spent_cents: int | None, actor) -> ActionFunding:
    require(actor, "plans.report", action)
    funder = Funder(funder)
    for value, name in ((planned_cents, "planned"), (spent_cents, "spent")):
        if value is None or value < 0 or value > 10**13:
            raise ValidationError(_("Indiquez un montant positif en euros."), field=name)
    line = next((f for f in action.fundings if f.funder == funder), None)
    if line is None:
        line = ActionFunding(funder=funder)
        action.fundings.append(line)
    line.planned_cents, line.spent_cents = planned_cents, spent_cents
    db.session.flush()
    record("plan_action.budget_changed", action, actor, {"funder": funder, "planned_cents": planned_cents, "spent_cents": spent_cents,
                                                          "plan_id": action.plan_id})
    return line


def add_milestone(action: Action, *, title: str, due_on: date | None, actor) -> Milestone:
    require(actor, "plans.report", action)
    title = clean(title, field_name="title", required=_("Nommez le jalon."))
    if due_on is None:
        raise ValidationError(_("Indiquez la date prévue du jalon."), field="due_on")
    plan = db.session.get(Plan, action.plan_id)
    _check_dates(plan, due_on, None)
    milestone = Milestone(title=title, due_on=due_on)
    action.milestones.append(milestone)
    db.session.flush()
    record("plan_action.milestone_added", action, actor, {"title": title, "due_on": due_on.isoformat(), "plan_id": action.plan_id})
    return milestone


def complete_milestone(milestone: Milestone, *, done_on: date | None = None, actor) -> None:
    action = db.session.get(Action, milestone.action_id)
    require(actor, "plans.report", action)
    milestone.done_on = done_on or date.today()
    record("plan_action.milestone_done", action, actor, {"title": milestone.title, "plan_id": action.plan_id})


LINK_TARGETS = {
    LinkKind.consultation: ("consultation_id", "participation.forums.models", "Consultation"),
    LinkKind.event: ("event_id", "participation.events.models", "Event"),
    LinkKind.grant_call: ("grant_call_id", "participation.grants.models", "GrantCall"),
    LinkKind.grant_application: ("grant_application_id", "participation.grants.models", "GrantApplication"),
}


def link_target_model(kind: LinkKind):
    import importlib

    column, module, name = LINK_TARGETS[kind]
    return getattr(importlib.import_module(module), name)


def link(action: Action, *, kind: LinkKind | str, target_id: int | None, actor) -> ActionLink:
    """Tie the action to a consultation, an event, a grant call or a funded application that carries it out."""
    require(actor, "plans.manage", action)
    kind = LinkKind(kind)
    column = LINK_TARGETS[kind][0]
    if target_id is None or db.session.get(link_target_model(kind), target_id) is None:
        raise ValidationError(_("Aucun élément « %(lower)s » ne porte ce numéro.", lower=kind.label.lower()), field="target_id")
    exists = db.session.scalar(sa.select(ActionLink.id).where(ActionLink.action_id == action.id, getattr(ActionLink, column) == target_id))
    if exists is not None:
        raise ValidationError(_("Ce lien existe déjà."), field="target_id")
    row = ActionLink(action_id=action.id, kind=kind, **{column: target_id})
    db.session.add(row)
    db.session.flush()
    record("plan_action.linked", action, actor, {"kind": kind, "target_id": target_id, "plan_id": action.plan_id})
    return row


def unlink(row: ActionLink, *, actor) -> None:
    """Undo a link made by mistake or no longer true; the journal keeps it."""
    action = db.session.get(Action, row.action_id)
    require(actor, "plans.manage", action)
    column = LINK_TARGETS[row.kind][0]
    target_id = getattr(row, column)
    db.session.delete(row)
    db.session.flush()
    record("plan_action.unlinked", action, actor, {"kind": row.kind, "target_id": target_id, "plan_id": action.plan_id})


@dataclass
class LinkedItem:
    kind: LinkKind
    title: str
    endpoint: str
    values: dict
    link_id: int = 0


def linked_items(actions: list[Action]) -> dict[int, list[LinkedItem]]:
    """What carries each action out, in one query per kind of target."""
    from participation.events.models import Event
    from participation.forums.models import Consultation
    from participation.grants.models import GrantApplication, GrantCall

    ids = [a.id for a in actions]
    result: dict[int, list[LinkedItem]] = {i: [] for i in ids}
    if not ids:
        return result
    specs = [
        (Consultation, ActionLink.consultation_id, Consultation.title, LinkKind.consultation, "forums.consultation", "consultation_id"),
        (Event, ActionLink.event_id, Event.title, LinkKind.event, "events.show", "event_id"),
        (GrantCall, ActionLink.grant_call_id, GrantCall.title, LinkKind.grant_call, "grants.call", "call_id"),
        (GrantApplication, ActionLink.grant_application_id, GrantApplication.project_title, LinkKind.grant_application, None, None),
    ]
    for model, column, title, kind, endpoint, param in specs:
        rows = db.session.execute(sa.select(ActionLink.action_id, model.id, title, ActionLink.id).join(model, model.id == column)
                                  .where(ActionLink.action_id.in_(ids)).order_by(model.id)).all()
        for action_id, target_id, text, link_id in rows:
            result[action_id].append(LinkedItem(kind, text, endpoint, {param: target_id} if param else {}, link_id))
    return result


# --- Recommendations of the councils (droit de suite) -----------------------------------


def _check_retained(recommendation) -> None:
    if recommendation.status.value not in RETAINED:
        raise ValidationError(_("Seule une recommandation retenue ou partiellement retenue devient une action."), field="recommendation")


def attach_recommendation(action: Action, recommendation, *, actor) -> ActionRecommendation:
    require(actor, "plans.manage", action)
    _check_retained(recommendation)
    exists = db.session.scalar(sa.select(ActionRecommendation.id).where(ActionRecommendation.action_id == action.id,
                                                                        ActionRecommendation.recommendation_id == recommendation.id))
    if exists is not None:
        raise ValidationError(_("Cette recommandation est déjà rattachée à l'action."), field="recommendation")
    row = ActionRecommendation(action_id=action.id, recommendation_id=recommendation.id)
    db.session.add(row)
    db.session.flush()
    record("plan_action.recommendation_attached", action, actor, {"recommendation_id": recommendation.id, "plan_id": action.plan_id})
    record("recommendation.carried_by_action", recommendation, actor, {"action_id": action.id, "plan_id": action.plan_id})
    return row


def action_from_recommendation(node: PlanNode, recommendation, *, actor, title: str | None = None) -> Action:
    """A retained recommendation becomes a new action under ``node``, tied to it."""
    _check_retained(recommendation)
    text = " ".join(recommendation.text.split())
    action = save_action(None, node=node, actor=actor, title=title or (text[:297] + "…" if len(text) > 300 else text),
                         description=_("Cette action répond à la recommandation n° %(number)s d'un avis du conseil.", number=recommendation.number))
    attach_recommendation(action, recommendation, actor=actor)
    return action


def recommendations_of(actions: list[Action]) -> dict[int, list]:
    """Each action's recommendations with their opinion and referral, in one query."""
    from participation.referrals.models import Opinion, Recommendation, Referral

    ids = [a.id for a in actions]
    result: dict[int, list] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(ActionRecommendation.action_id, Recommendation, Referral)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(Opinion, Opinion.id == Recommendation.opinion_id).join(Referral, Referral.id == Opinion.referral_id)
        .where(ActionRecommendation.action_id.in_(ids)).order_by(Recommendation.number)
    ).all()
    for action_id, recommendation, referral in rows:
        result[action_id].append((recommendation, referral))
    return result


def actions_for_recommendation(recommendation) -> list[Action]:
    return list(db.session.scalars(sa.select(Action).join(ActionRecommendation, ActionRecommendation.action_id == Action.id)
                                   .where(ActionRecommendation.recommendation_id == recommendation.id).order_by(Action.code)))


# --- Reading ----------------------------------------------------------------------


def actions_of(plan: Plan, *, include_archived: bool = False) -> list[Action]:
    """The plan's actions with their fundings, milestones, communes and themes: a fixed number of queries."""
    query = sa.select(Action).where(Action.plan_id == plan.id)
    if not include_archived:
        query = query.where(Action.archived.is_(False))
    return list(db.session.scalars(query.order_by(Action.node_id, Action.number)).unique())


def status_counts(actions: list[Action]) -> dict[ActionStatus, int]:
    counts = {status: 0 for status in ActionStatus}
    for action in actions:
        counts[action.status] += 1
    return counts


def decisions_for(*, plan: Plan | None = None, action: Action | None = None, limit: int = 10) -> list[Decision]:
    from participation.plans.models import decision_actions

    query = sa.select(Decision)
    if plan is not None:
        query = query.where(Decision.plan_id == plan.id)
    if action is not None:
        query = query.join(decision_actions, decision_actions.c.decision_id == Decision.id).where(decision_actions.c.action_id == action.id)
    return list(db.session.scalars(query.order_by(Decision.created_at.desc(), Decision.id.desc()).limit(limit)).unique())


def public_plans():
    from participation.plans.models import PUBLIC_PLAN_STATES

    return sa.select(Plan).where(Plan.state.in_(PUBLIC_PLAN_STATES)).order_by(Plan.start_year.desc(), Plan.id.desc())


def recent_plans(limit: int = 3) -> list[Plan]:
    """For the home page: the public plans most recently changed."""
    return list(db.session.scalars(public_plans().order_by(None).order_by(Plan.updated_at.desc()).limit(limit)))


PLAN_EVENT_PREFIXES = ("plan.", "plan_action.")


def timeline(plan: Plan, *, limit: int = 50) -> list[DomainEvent]:
    """The plan's events and its actions' events, newest first."""
    query = sa.select(DomainEvent).where(sa.or_(
        sa.and_(DomainEvent.subject_type == "plans", DomainEvent.subject_id == plan.id),
        sa.and_(DomainEvent.subject_type == "plan_actions",
                DomainEvent.subject_id.in_(sa.select(Action.id).where(Action.plan_id == plan.id))),
    )).order_by(DomainEvent.id.desc()).limit(limit)
    return list(db.session.scalars(query))


# --- Following ------------------------------------------------------------------


def follow_plan(plan: Plan, *, actor) -> bool:
    require(actor, "plans.follow", plan)
    return toggle_follow(PlanFollower, actor, plan_id=plan.id)


def follow_action(action: Action, *, actor) -> bool:
    require(actor, "plans.follow", action)
    return toggle_follow(ActionFollower, actor, action_id=action.id)


def follows_plan(plan: Plan, user) -> bool:
    return is_following(PlanFollower, user, plan_id=plan.id)


def follows_action(action: Action, user) -> bool:
    return is_following(ActionFollower, user, action_id=action.id)


def action_followers(action: Action) -> list:
    """Who follows the action or its plan, each once."""
    from participation.accounts.models import User

    return list(db.session.scalars(sa.select(User).where(sa.or_(
        User.id.in_(sa.select(ActionFollower.user_id).where(ActionFollower.action_id == action.id)),
        User.id.in_(sa.select(PlanFollower.user_id).where(PlanFollower.plan_id == action.plan_id)),
    )).order_by(User.id)))


# --- Documents ------------------------------------------------------------------


def add_document(plan: Plan, *, upload, title: str, is_public: bool = True, actor):
    """A document of the plan (diagnostic, délibération), checked and stored through core/uploads."""
    from participation.core.uploads import store_upload
    from participation.plans.models import PlanDocument

    require(actor, "plans.manage", plan)
    title = clean(title, field_name="title", required=_("Donnez un titre au document."), limit=200)
    stored = store_upload(upload, actor=actor, field="document")
    document = PlanDocument(plan_id=plan.id, title=title, file_id=stored.id, is_public=is_public)
    db.session.add(document)
    db.session.flush()
    record("plan.document_added", plan, actor, {"title": title})
    return document


def documents_of(plan: Plan, *, public_only: bool = True) -> list:
    from participation.plans.models import PlanDocument

    query = sa.select(PlanDocument).where(PlanDocument.plan_id == plan.id)
    if public_only:
        query = query.where(PlanDocument.is_public.is_(True))
    return list(db.session.scalars(query.order_by(PlanDocument.id)))


def set_referral(plan: Plan, referral, *, actor) -> None:
    """The saisine of the council of development on this plan: its published opinion shows on the plan's page."""
    require(actor, "plans.manage", plan)
    plan.referral_id = getattr(referral, "id", None)
    record("plan.referral_set", plan, actor, {"referral_id": plan.referral_id})
