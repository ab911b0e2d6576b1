"""The plans' back office under /gestion/plans: build the plan, keep it alive, steer its committees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from participation.accounts.models import Role, RoleGrant, User
from participation.core.dates import local_to_utc, utc_to_local
from participation.core.concurrency import EditConflict
from participation.core.errors import DomainError, PermissionDenied
from participation.core.permissions import require
from participation.core.web import edit_conflict, forbidden_page, form_error, form_status, get_or_404, paginate
from participation.extensions import db
from participation.plans import committees, pact, services
from participation.plans import dashboard as dashboards
from participation.plans import indicators as indicator_service
from participation.plans import report as reports
from participation.plans.forms import (
    ActionForm,
    ButtonForm,
    CommitteeForm,
    CommuneOpinionForm,
    DocumentForm,
    FromRecommendationForm,
    ReferralForm,
    DecisionForm,
    FundingForm,
    ImportForm,
    IndicatorForm,
    ItemForm,
    LinkForm,
    MeasurementForm,
    MeetingForm,
    MemberForm,
    MilestoneForm,
    MinutesForm,
    MoveMeetingForm,
    NodeForm,
    OutcomeForm,
    PactStepForm,
    PlanForm,
    ProgressForm,
    RecommendationForm,
    ReportForm,
    ReportTextForm,
    StatusForm,
    TransitionForm,
    TransmissionForm,
)
from participation.plans.models import (
    PLAN_WORKFLOW,
    Action,
    Committee,
    CommuneOpinion,
    Decision,
    Indicator,
    Meeting,
    Milestone,
    Plan,
    PlanKind,
    PlanNode,
    ProgressReport,
)
from participation.territory.models import Commune, Department, Neighbourhood, Theme
from flask_babel import gettext as _

staff_bp = Blueprint("plans_staff", __name__, url_prefix="/gestion/plans")
staff_bp.register_error_handler(PermissionDenied, forbidden_page)


@staff_bp.before_request
def _staff_only():
    # Every page here is for staff; anonymous visitors are sent to the login page.
    require(current_user, "plans.manage")


def _staff_choices():
    users = db.session.execute(sa.select(User.id, User.display_name).where(User.roles.any(RoleGrant.role.in_([Role.staff, Role.admin]))).order_by(User.display_name).limit(500)).all()
    return [(0, _("— Personne —"))] + [(u.id, u.display_name) for u in users]


def _back(plan: Plan, anchor: str = ""):
    return redirect(url_for("plans_staff.plan", plan_id=plan.id) + (f"#{anchor}" if anchor else ""))


def _refused(error: DomainError, plan: Plan, anchor: str = ""):
    db.session.rollback()
    flash(error.message, "error")
    return _back(plan, anchor)


# --- Plans --------------------------------------------------------------------------


@staff_bp.route("", endpoint="index")
def index():
    page = paginate(sa.select(Plan).order_by(Plan.start_year.desc(), Plan.id.desc()))
    return render_template("plans/staff/index.html", page=page)


@staff_bp.route("/nouveau", methods=["GET", "POST"], defaults={"plan_id": None})
@staff_bp.route("/<int:plan_id>/modifier", methods=["GET", "POST"])
def edit(plan_id: int | None):
    plan = get_or_404(Plan, plan_id) if plan_id else None
    form = PlanForm(obj=plan)
    form.manager.choices = _staff_choices()
    if request.method == "GET" and plan is not None:
        form.kind.data, form.manager.data = plan.kind.value, plan.manager_id or 0
    if form.validate_on_submit():
        try:
            plan = services.save_plan(plan, actor=current_user, title=form.title.data, kind=form.kind.data, start_year=form.start_year.data,
                                      end_year=form.end_year.data, summary=form.summary.data, signatories=form.signatories.data,
                                      partners=form.partners.data, manager=db.session.get(User, form.manager.data or 0))
            flash(_("Le plan est enregistré."), "success")
            return _back(plan)
        except DomainError as error:
            form_error(form, error)
    return render_template("plans/staff/edit.html", form=form, plan=plan), form_status(form)


@staff_bp.route("/<int:plan_id>")
def plan(plan_id: int):
    item = get_or_404(Plan, plan_id)
    data = dashboards.dashboard(item, indicator_page_number=min(max(request.args.get("indicateurs", 1, type=int) or 1, 1), 10_000))
    nodes = services.nodes_of(item)
    return render_template(
        "plans/staff/plan.html", **data, transitions=PLAN_WORKFLOW.allowed(item, current_user), nodes=nodes,
        committees=committees.committees_of(item), meetings=committees.meetings_of(item),
        reports=db.session.scalars(sa.select(ProgressReport).where(ProgressReport.plan_id == item.id).order_by(ProgressReport.id.desc())).unique().all(),
        timeline=services.timeline(item, limit=30), event_labels=_event_labels(), deadlines=pact.deadlines(item), opinions=pact.commune_opinions(item),
        node_form=NodeForm(), committee_form=CommitteeForm(), report_form=ReportForm(prefix="report"),
        import_form=ImportForm(), button=ButtonForm(), pact_form=PactStepForm(), transmission_form=TransmissionForm(),
        opinion_form=CommuneOpinionForm(), is_pact=item.kind == PlanKind.governance_pact, import_problems=None,
        document_form=DocumentForm(), recommendation_form=_from_recommendation_form(item), documents=services.documents_of(item, public_only=False), referral_form=_referral_form(item),
    )


def _from_recommendation_form(item: Plan) -> FromRecommendationForm:
    form = FromRecommendationForm()
    form.node.choices = [(n.id, f"{n.label} — {n.title[:80]}") for n in services.nodes_of(item)]
    form.recommendation.choices = _recommendation_choices(None)
    return form


@staff_bp.route("/<int:plan_id>/depuis-recommandation", methods=["POST"])
def action_from_recommendation(plan_id: int):
    from participation.referrals.models import Recommendation

    item = get_or_404(Plan, plan_id)
    form = _from_recommendation_form(item)
    if form.validate_on_submit():
        node = db.session.get(PlanNode, form.node.data)
        recommendation = db.session.get(Recommendation, form.recommendation.data)
        if node is None or node.plan_id != item.id or recommendation is None:
            flash(_("Choisissez un objectif du plan et une recommandation retenue."), "error")
            return _back(item, "arborescence")
        try:
            action_ = services.action_from_recommendation(node, recommendation, actor=current_user)
        except DomainError as error:
            return _refused(error, item, "arborescence")
        flash(_("L'action %(code)s reprend la recommandation ; complétez-la.", code=action_.code), "success")
        return redirect(url_for("plans_staff.action", action_id=action_.id))
    flash(_("Choisissez un objectif du plan et une recommandation retenue."), "error")
    return _back(item, "arborescence")


def _event_labels() -> dict:
    from participation.plans.views import EVENT_LABELS

    return EVENT_LABELS


def _referral_form(item: Plan) -> ReferralForm:
    from participation.referrals.models import Referral

    form = ReferralForm(referral=item.referral_id or 0)
    form.referral.choices = [(0, _("— Aucune —"))] + [(r.id, r.subject) for r in db.session.scalars(
        sa.select(Referral).order_by(Referral.id.desc()).limit(200)).unique()]
    return form


@staff_bp.route("/<int:plan_id>/documents", methods=["POST"])
def add_document(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            services.add_document(item, upload=form.document.data, title=form.title.data, is_public=form.is_public.data, actor=current_user)
            flash(_("Le document est ajouté."), "success")
        except DomainError as error:
            return _refused(error, item, "documents")
    else:
        flash(_("Donnez un titre au document."), "error")
    return _back(item, "documents")


@staff_bp.route("/<int:plan_id>/saisine", methods=["POST"])
def set_referral(plan_id: int):
    from participation.referrals.models import Referral

    item = get_or_404(Plan, plan_id)
    form = _referral_form(item)
    if form.validate_on_submit():
        services.set_referral(item, db.session.get(Referral, form.referral.data or 0), actor=current_user)
        flash(_("La saisine du plan est enregistrée."), "success")
    return _back(item)


@staff_bp.route("/<int:plan_id>/etat", methods=["POST"])
def change_state(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            event = services.change_plan_state(item, form.transition.data, actor=current_user)
            flash(_("Le plan est désormais « %(lower)s ».", lower=item.state.label.lower()), "success")
            del event
        except DomainError as error:
            return _refused(error, item)
    return _back(item)


@staff_bp.route("/<int:plan_id>/axes", methods=["POST"])
def add_axis(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = NodeForm()
    if not form.validate_on_submit():
        flash(_("Donnez un intitulé à l'axe."), "error")
        return _back(item, "arborescence")
    try:
        services.add_axis(item, title=form.title.data, description=form.description.data, actor=current_user)
    except DomainError as error:
        return _refused(error, item, "arborescence")
    return _back(item, "arborescence")


def _node(node_id: int) -> tuple[PlanNode, Plan]:
    node = get_or_404(PlanNode, node_id)
    return node, db.session.get(Plan, node.plan_id)


@staff_bp.route("/noeuds/<int:node_id>/objectifs", methods=["POST"])
def add_objective(node_id: int):
    node, item = _node(node_id)
    form = NodeForm()
    if not form.validate_on_submit():
        flash(_("Donnez un intitulé à l'objectif."), "error")
        return _back(item, "arborescence")
    try:
        services.add_objective(node, title=form.title.data, description=form.description.data, actor=current_user)
    except DomainError as error:
        return _refused(error, item, "arborescence")
    return _back(item, "arborescence")


@staff_bp.route("/noeuds/<int:node_id>/supprimer", methods=["POST"])
def delete_node(node_id: int):
    node, item = _node(node_id)
    if ButtonForm().validate_on_submit():
        try:
            if request.form.get("archive"):
                services.archive_node(node, actor=current_user)
                flash(_("%(label)s est archivé.", label=node.label), "success")
            else:
                services.delete_node(node, actor=current_user)
                flash(_("L'élément est supprimé."), "success")
        except DomainError as error:
            return _refused(error, item, "arborescence")
    return _back(item, "arborescence")


def _action_form(action: Action | None = None) -> ActionForm:
    form = ActionForm(obj=action)
    form.lead_department.choices = [(0, _("— Aucune —"))] + [(d.id, d.name) for d in db.session.scalars(sa.select(Department).order_by(Department.name))]
    form.communes.choices = [(c.id, c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))]
    form.neighbourhoods.choices = [(n.id, n.name) for n in db.session.scalars(sa.select(Neighbourhood).order_by(Neighbourhood.name))]
    form.themes.choices = [(t.id, t.name) for t in db.session.scalars(sa.select(Theme).where(Theme.archived.is_(False)).order_by(Theme.name))]
    if action is not None and request.method == "GET":
        form.lead_department.data = action.lead_department_id or 0
        form.communes.data = [c.id for c in action.communes]
        form.neighbourhoods.data = [n.id for n in action.neighbourhoods]
        form.themes.data = [t.id for t in action.themes]
    return form


def _save_action(form: ActionForm, action: Action | None, node: PlanNode | None) -> Action:
    def rows(model, ids):
        return list(db.session.scalars(sa.select(model).where(model.id.in_(ids or [])))) if ids else []

    return services.save_action(action, node=node, actor=current_user, title=form.title.data, description=form.description.data,
                                lead_department=db.session.get(Department, form.lead_department.data or 0), partners=form.partners.data,
                                target_public=form.target_public.data, start_date=form.start_date.data, end_date=form.end_date.data,
                                communes=rows(Commune, form.communes.data), neighbourhoods=rows(Neighbourhood, form.neighbourhoods.data),
                                themes=rows(Theme, form.themes.data))


@staff_bp.route("/noeuds/<int:node_id>/actions/nouvelle", methods=["GET", "POST"])
def new_action(node_id: int):
    node, item = _node(node_id)
    form = _action_form()
    if form.validate_on_submit():
        try:
            action = _save_action(form, None, node)
            flash(_("L'action %(code)s est créée.", code=action.code), "success")
            return redirect(url_for("plans_staff.action", action_id=action.id))
        except DomainError as error:
            form_error(form, error)
    return render_template("plans/staff/action_form.html", form=form, plan=item, node=node, action=None), form_status(form)


def _action(action_id: int) -> tuple[Action, Plan]:
    action = get_or_404(Action, action_id)
    return action, db.session.get(Plan, action.plan_id)


@staff_bp.route("/actions/<int:action_id>/modifier", methods=["GET", "POST"])
def edit_action(action_id: int):
    action, item = _action(action_id)
    form = _action_form(action)
    if form.validate_on_submit():
        try:
            _save_action(form, action, None)
            flash(_("L'action est enregistrée."), "success")
            return redirect(url_for("plans_staff.action", action_id=action.id))
        except DomainError as error:
            form_error(form, error)
    return render_template("plans/staff/action_form.html", form=form, plan=item, node=action.node, action=action), form_status(form)


def _recommendation_choices(action: Action | None):
    """Retained or partly retained recommendations, with their referral's subject: one query."""
    from participation.referrals.models import Opinion, Recommendation, RecommendationStatus, Referral

    rows = db.session.execute(
        sa.select(Recommendation.id, Recommendation.number, Recommendation.text, Referral.subject)
        .join(Opinion, Opinion.id == Recommendation.opinion_id).join(Referral, Referral.id == Opinion.referral_id)
        .where(Recommendation.status.in_([RecommendationStatus.retained, RecommendationStatus.partly_retained]))
        .order_by(Recommendation.id.desc()).limit(200)).all()
    return [(rid, f"n° {number} — {subject[:60]} : {text[:80]}") for rid, number, text, subject in rows]


@staff_bp.route("/actions/<int:action_id>", methods=["GET"])
def action(action_id: int, forms: dict | None = None):
    action_, item = _action(action_id)
    forms = forms or {}
    recommendation_form = forms.get("recommendation") or RecommendationForm()
    recommendation_form.recommendation.choices = _recommendation_choices(action_)
    indicators = list(db.session.scalars(sa.select(Indicator).where(Indicator.action_id == action_.id).order_by(Indicator.code)))
    return render_template(
        "plans/staff/action.html", plan=item, action=action_, status_form=forms.get("status") or StatusForm(),
        progress_form=forms.get("progress") or ProgressForm(progress=action_.progress), funding_form=forms.get("funding") or FundingForm(),
        milestone_form=forms.get("milestone") or MilestoneForm(), link_form=forms.get("link") or LinkForm(),
        recommendation_form=recommendation_form, button=ButtonForm(), links=services.linked_items([action_])[action_.id],
        recommendations=services.recommendations_of([action_])[action_.id], decisions=services.decisions_for(action=action_, limit=50),
        indicators=indicators, today=date.today(),
    ), form_status(*forms.values())


def _action_post(action_id: int, key: str, form, apply):
    action_, item = _action(action_id)
    if form.validate_on_submit():
        try:
            apply(action_, form)
            flash(_("C'est enregistré."), "success")
            return redirect(url_for("plans_staff.action", action_id=action_.id))
        except DomainError as error:
            form_error(form, error)
    return action(action_id, forms={key: form})


@staff_bp.route("/actions/<int:action_id>/statut", methods=["POST"])
def action_status(action_id: int):
    return _action_post(action_id, "status", StatusForm(),
                        lambda a, f: services.change_action_status(a, f.transition.data, actor=current_user, reason=f.reason.data))


@staff_bp.route("/actions/<int:action_id>/avancement", methods=["POST"])
def action_progress(action_id: int):
    return _action_post(action_id, "progress", ProgressForm(), lambda a, f: services.report_progress(a, progress=f.progress.data, actor=current_user))


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


@staff_bp.route("/actions/<int:action_id>/budget", methods=["POST"])
def action_budget(action_id: int):
    return _action_post(action_id, "funding", FundingForm(), lambda a, f: services.set_funding(
        a, funder=f.funder.data, planned_cents=_cents(f.planned.data), spent_cents=_cents(f.spent.data), actor=current_user))


@staff_bp.route("/actions/<int:action_id>/jalons", methods=["POST"])
def action_milestone(action_id: int):
    return _action_post(action_id, "milestone", MilestoneForm(),
                        lambda a, f: services.add_milestone(a, title=f.title.data, due_on=f.due_on.data, actor=current_user))


@staff_bp.route("/jalons/<int:milestone_id>/fait", methods=["POST"])
def milestone_done(milestone_id: int):
    milestone = get_or_404(Milestone, milestone_id)
    if ButtonForm().validate_on_submit():
        services.complete_milestone(milestone, actor=current_user)
    return redirect(url_for("plans_staff.action", action_id=milestone.action_id))


@staff_bp.route("/actions/<int:action_id>/liens", methods=["POST"])
def action_link(action_id: int):
    return _action_post(action_id, "link", LinkForm(),
                        lambda a, f: services.link(a, kind=f.kind.data, target_id=f.target_id.data, actor=current_user))


@staff_bp.route("/actions/<int:action_id>/recommandations", methods=["POST"])
def action_recommendation(action_id: int):
    from participation.referrals.models import Recommendation

    action_, _unused = _action(action_id)
    form = RecommendationForm()
    form.recommendation.choices = _recommendation_choices(action_)

    def attach(a, f):
        recommendation = db.session.get(Recommendation, f.recommendation.data)
        if recommendation is None:
            raise DomainError(_("Choisissez une recommandation."), field="recommendation")
        services.attach_recommendation(a, recommendation, actor=current_user)

    return _action_post(action_id, "recommendation", form, attach)


@staff_bp.route("/actions/<int:action_id>/archiver", methods=["POST"])
def archive_action(action_id: int):
    action_, item = _action(action_id)
    if ButtonForm().validate_on_submit():
        services.archive_action(action_, actor=current_user)
        flash(_("L'action %(code)s est archivée.", code=action_.code), "success")
    return _back(item, "arborescence")


# --- Indicators -------------------------------------------------------------------------


def _indicator_form(item: Plan, indicator: Indicator | None = None) -> IndicatorForm:
    form = IndicatorForm(obj=indicator)
    nodes = services.nodes_of(item)
    actions = services.actions_of(item)
    form.owner_ref.choices = [(f"n{n.id}", f"{n.label} — {n.title[:80]}") for n in nodes] + \
                             [(f"a{a.id}", _("Action %(code)s — %(value)s", code=a.code, value=a.title[:80])) for a in actions]
    form.owner.choices = _staff_choices()
    return form


@staff_bp.route("/<int:plan_id>/indicateurs/nouveau", methods=["GET", "POST"])
def new_indicator(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = _indicator_form(item)
    if form.validate_on_submit():
        try:
            ref = form.owner_ref.data or ""
            node = db.session.get(PlanNode, int(ref[1:])) if ref.startswith("n") and ref[1:].isdigit() else None
            action_ = db.session.get(Action, int(ref[1:])) if ref.startswith("a") and ref[1:].isdigit() else None
            indicator = indicator_service.save_indicator(
                None, plan=item, actor=current_user, code=form.code.data, name=form.name.data, node=node, action=action_,
                unit=form.unit.data, direction=form.direction.data, baseline_value=form.baseline_value.data,
                baseline_date=form.baseline_date.data, targets=indicator_service.parse_targets(form.targets.data),
                periodicity=form.periodicity.data, source=form.source.data, owner=db.session.get(User, form.owner.data or 0),
                min_value=form.min_value.data, max_value=form.max_value.data)
            flash(_("L'indicateur est créé."), "success")
            return redirect(url_for("plans_staff.indicator", indicator_id=indicator.id))
        except DomainError as error:
            form_error(form, error)
    return render_template("plans/staff/indicator_form.html", form=form, plan=item), form_status(form)


@staff_bp.route("/indicateurs/<int:indicator_id>", methods=["GET", "POST"])
def indicator(indicator_id: int):
    item = get_or_404(Indicator, indicator_id)
    plan_ = db.session.get(Plan, item.plan_id)
    form = MeasurementForm()
    if form.validate_on_submit():
        try:
            indicator_service.add_measurement(item, measured_on=form.measured_on.data, value=form.value.data, comment=form.comment.data,
                                              actor=current_user)
            flash(_("La mesure est enregistrée."), "success")
            return redirect(url_for("plans_staff.indicator", indicator_id=item.id))
        except DomainError as error:
            form_error(form, error)
    measurements = indicator_service.measurements_by_indicator([item.id])[item.id]
    return render_template("plans/staff/indicator.html", plan=plan_, indicator=item, form=form,
                           chart=indicator_service.chart(item, measurements), period_label=indicator_service.period_label), form_status(form)


@staff_bp.route("/<int:plan_id>/import", methods=["POST"])
def import_measurements(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(2 * 1024 * 1024 + 1) if upload else b""
        try:
            if not content or len(content) > 2 * 1024 * 1024:
                raise DomainError(_("Choisissez un fichier CSV de 2 Mo au plus."), field="file")
            count = indicator_service.import_measurements(item, content, actor=current_user)
            flash(ngettext("%(num)d mesure importée.", "%(num)d mesures importées.", count), "success")
        except indicator_service.ImportRefused as refused:
            db.session.rollback()
            return render_template("plans/staff/import_refused.html", plan=item, problems=refused.problems, message=refused.message), 422
        except DomainError as error:
            return _refused(error, item, "indicateurs")
    return _back(item, "indicateurs")


# --- Committees, meetings and decisions ------------------------------------------------------


@staff_bp.route("/<int:plan_id>/comites", methods=["POST"])
def add_committee(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = CommitteeForm()
    if form.validate_on_submit():
        try:
            committee = committees.create_committee(item, kind=form.kind.data, name=form.name.data,
                                                    convocation_days=form.convocation_days.data, actor=current_user)
            return redirect(url_for("plans_staff.committee", committee_id=committee.id))
        except DomainError as error:
            return _refused(error, item, "comites")
    flash(_("Nommez le comité et indiquez un délai de convocation de 0 à 60 jours."), "error")
    return _back(item, "comites")


@staff_bp.route("/comites/<int:committee_id>", methods=["GET"])
def committee(committee_id: int, member_form=None, meeting_form=None):
    item = get_or_404(Committee, committee_id)
    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.committee_id == item.id).order_by(Meeting.starts_at.desc())).unique().all()
    return render_template("plans/staff/committee.html", committee=item, plan=item.plan, meetings=meetings,
                           member_form=member_form or MemberForm(), meeting_form=meeting_form or MeetingForm()), \
        form_status(member_form, meeting_form)


@staff_bp.route("/comites/<int:committee_id>/membres", methods=["POST"])
def add_member(committee_id: int):
    item = get_or_404(Committee, committee_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            user = db.session.scalar(sa.select(User).where(User.email == (form.email.data or "").strip().lower()))
            committees.add_member(item, name=form.name.data, email=None if user else form.email.data, user=user,
                                  organisation=form.organisation.data, actor=current_user)
            return redirect(url_for("plans_staff.committee", committee_id=item.id))
        except DomainError as error:
            form_error(form, error)
    return committee(committee_id, member_form=form)


@staff_bp.route("/comites/<int:committee_id>/reunions", methods=["POST"])
def add_meeting(committee_id: int):
    item = get_or_404(Committee, committee_id)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting_ = committees.schedule_meeting(item, title=form.title.data, starts_at=local_to_utc(form.starts_at.data),
                                                   place=form.place.data, is_public=form.is_public.data, actor=current_user)
            return redirect(url_for("plans_staff.meeting", meeting_id=meeting_.id))
        except DomainError as error:
            form_error(form, error)
    return committee(committee_id, meeting_form=form)


def _meeting_forms(item: Meeting, forms: dict) -> dict:
    plan_ = item.committee.plan
    actions = services.actions_of(plan_)
    item_form = forms.get("item") or ItemForm()
    item_form.action.choices = [(0, "—")] + [(a.id, f"{a.code} — {a.title[:80]}") for a in actions]
    item_form.indicator.choices = [(0, "—")] + [(i.id, f"{i.code} — {i.name[:80]}") for i in indicator_service.indicators_of(plan_)]
    decision_form = forms.get("decision") or DecisionForm()
    decision_form.owner.choices = _staff_choices()
    decision_form.actions.choices = [(a.id, f"{a.code} — {a.title[:80]}") for a in actions]
    move_form = forms.get("move") or MoveMeetingForm(starts_at=utc_to_local(item.starts_at), place=item.place)
    return {"item_form": item_form, "decision_form": decision_form, "minutes_form": forms.get("minutes") or MinutesForm(minutes=item.minutes),
            "move_form": move_form}


@staff_bp.route("/reunions/<int:meeting_id>", methods=["GET"])
def meeting(meeting_id: int, forms: dict | None = None):
    item = get_or_404(Meeting, meeting_id)
    forms = forms or {}
    decisions = db.session.scalars(sa.select(Decision).where(Decision.meeting_id == item.id).order_by(Decision.id)).unique().all()
    return render_template("plans/staff/meeting.html", meeting=item, committee=item.committee, plan=item.committee.plan,
                           attendance=committees.attendance(item), decisions=decisions, button=ButtonForm(), outcome_form=OutcomeForm(),
                           **_meeting_forms(item, forms)), form_status(*forms.values())


def _meeting_post(meeting_id: int, key: str, form, apply):
    item = get_or_404(Meeting, meeting_id)
    if key == "item" or key == "decision":
        _meeting_forms(item, {key: form})
    if form.validate_on_submit():
        try:
            apply(item, form)
            flash(_("C'est enregistré."), "success")
            return redirect(url_for("plans_staff.meeting", meeting_id=item.id))
        except DomainError as error:
            if key == "button":  # a button has no field to show the message next to
                db.session.rollback()
                flash(error.message, "error")
                return redirect(url_for("plans_staff.meeting", meeting_id=item.id))
            form_error(form, error)
    return meeting(meeting_id, forms={key: form})


@staff_bp.route("/reunions/<int:meeting_id>/points", methods=["POST"])
def add_item(meeting_id: int):
    return _meeting_post(meeting_id, "item", ItemForm(), lambda m, f: committees.add_item(
        m, kind=f.kind.data, title=f.title.data, action=db.session.get(Action, f.action.data or 0),
        indicator=db.session.get(Indicator, f.indicator.data or 0), actor=current_user))


@staff_bp.route("/reunions/<int:meeting_id>/convocation", methods=["POST"])
def convene(meeting_id: int):
    return _meeting_post(meeting_id, "button", ButtonForm(), lambda m, f: committees.convene_now(m, actor=current_user))


@staff_bp.route("/reunions/<int:meeting_id>/presences", methods=["POST"])
def attendance(meeting_id: int):
    def apply(m, f):
        present = {int(v) for v in request.form.getlist("present") if v.isdigit() and len(v) < 10}
        committees.record_attendance(m, present, actor=current_user)

    return _meeting_post(meeting_id, "button", ButtonForm(), apply)


@staff_bp.route("/reunions/<int:meeting_id>/compte-rendu", methods=["POST"])
def minutes(meeting_id: int):
    def apply(m, f):
        if request.form.get("hold") and m.state.value == "planned":
            committees.hold_meeting(m, minutes=f.minutes.data, actor=current_user)
        else:
            m.minutes = services.clean(f.minutes.data, field_name="minutes", limit=50_000)

    return _meeting_post(meeting_id, "minutes", MinutesForm(), apply)


@staff_bp.route("/reunions/<int:meeting_id>/decisions", methods=["POST"])
def decision(meeting_id: int):
    def apply(m, f):
        actions = list(db.session.scalars(sa.select(Action).where(Action.id.in_(f.actions.data or [])))) if f.actions.data else []
        committees.take_decision(m, text=f.text.data, owner=db.session.get(User, f.owner.data or 0), due_on=f.due_on.data,
                                 actions=actions, actor=current_user)

    return _meeting_post(meeting_id, "decision", DecisionForm(), apply)


@staff_bp.route("/decisions/<int:decision_id>/fait", methods=["POST"])
def decision_done(decision_id: int):
    item = get_or_404(Decision, decision_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            committees.complete_decision(item, outcome=form.outcome.data, actor=current_user)
            flash(_("La décision est marquée comme mise en œuvre."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("plans_staff.meeting", meeting_id=item.meeting_id))


# --- Progress reports ----------------------------------------------------------------------


@staff_bp.route("/<int:plan_id>/bilans", methods=["POST"])
def add_report(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = ReportForm(prefix="report")
    if form.validate_on_submit():
        try:
            report = reports.create_report(item, title=form.title.data, period_start=form.period_start.data,
                                           period_end=form.period_end.data, actor=current_user)
            return redirect(url_for("plans_staff.report", report_id=report.id))
        except DomainError as error:
            return _refused(error, item, "bilans")
    flash(_("Donnez un titre et une période valide au bilan."), "error")
    return _back(item, "bilans")


@staff_bp.route("/bilans/<int:report_id>", methods=["GET", "POST"])
def report(report_id: int):
    item = get_or_404(ProgressReport, report_id)
    form = ReportTextForm(obj=item, based_on=item.revision)
    conflict = None
    if form.validate_on_submit():
        try:
            reports.save_texts(item, introduction=form.introduction.data, conclusion=form.conclusion.data, actor=current_user,
                               based_on=form.based_on.data or "")
            flash(_("Le bilan est enregistré."), "success")
            return redirect(url_for("plans_staff.report", report_id=item.id))
        except EditConflict as error:
            conflict = edit_conflict(form, error, text_fields={"introduction": "introduction", "conclusion": "conclusion"})
        except DomainError as error:
            form_error(form, error)
    return render_template("plans/staff/report.html", report=item, plan=item.plan, form=form, button=ButtonForm(), conflict=conflict,
                           figures=reports.report_figures(item)), 409 if conflict else form_status(form)


@staff_bp.route("/bilans/<int:report_id>/publication", methods=["POST"])
def publish_report(report_id: int):
    item = get_or_404(ProgressReport, report_id)
    if ButtonForm().validate_on_submit():
        try:
            reports.publish(item, actor=current_user)
            flash(_("Le bilan est publié : ses chiffres sont figés."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("plans_staff.report", report_id=item.id))


# --- Pacte de gouvernance ---------------------------------------------------------------------


@staff_bp.route("/<int:plan_id>/pacte/etape", methods=["POST"])
def pact_step(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = PactStepForm()
    if form.validate_on_submit():
        try:
            pact.mark_step(item, form.step.data, done_on=form.done_on.data, actor=current_user)
        except DomainError as error:
            return _refused(error, item, "pacte")
    else:
        flash(_("Indiquez une date valide."), "error")
    return _back(item, "pacte")


@staff_bp.route("/<int:plan_id>/pacte/transmission", methods=["POST"])
def pact_transmission(plan_id: int):
    item = get_or_404(Plan, plan_id)
    form = TransmissionForm()
    if form.validate_on_submit():
        communes = db.session.scalars(sa.select(Commune).order_by(Commune.name)).all()
        pact.transmit_to_communes(item, communes, transmitted_on=form.transmitted_on.data, actor=current_user)
    else:
        flash(_("Indiquez une date de transmission valide."), "error")
    return _back(item, "pacte")


@staff_bp.route("/pacte/avis/<int:opinion_id>", methods=["POST"])
def commune_opinion(opinion_id: int):
    opinion = get_or_404(CommuneOpinion, opinion_id)
    item = db.session.get(Plan, opinion.plan_id)
    form = CommuneOpinionForm()
    if form.validate_on_submit():
        try:
            pact.record_commune_opinion(opinion, given_on=form.given_on.data, text=form.opinion.data, actor=current_user)
        except DomainError as error:
            return _refused(error, item, "pacte")
    else:
        flash(_("Indiquez une date d'avis valide."), "error")
    return _back(item, "pacte")


# Editing and undoing (an indicator, a link, a member, a meeting's date): in their own module.
from participation.plans import staff_edits  # noqa: E402,F401
