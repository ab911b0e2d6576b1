"""Public plan pages under /plans/; the back office is in staff_views.py (/gestion/plans)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required


from participation.core import holes
from participation.core.pagecache import cached_page, fragment
from participation.core.permissions import can, require
from participation.core.web import get_or_404, paginate
from participation.extensions import db
from participation.plans import dashboard as dashboards
from participation.plans import indicators as indicator_service
from participation.plans import report as reports
from participation.plans import services
from participation.plans.forms import ButtonForm
from participation.plans.models import Action, Indicator, Plan, ProgressReport, ReportState
from participation.plans.staff_views import staff_bp  # noqa: F401  (registered through EXTRA_BLUEPRINTS)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

bp = Blueprint("plans", __name__, url_prefix="/plans")
EXTRA_BLUEPRINTS = ("staff_bp",)

# The events of a plan shown on its public page, and how they read.
PUBLIC_EVENTS = {
    "plan.consultation_opened": _l("Consultation ouverte sur le plan"),
    "plan.adopted": _l("Plan adopté"),
    "plan.started": _l("Mise en œuvre lancée"),
    "plan.evaluation_started": _l("Évaluation ouverte"),
    "plan.resumed": _l("Mise en œuvre reprise"),
    "plan.closed": _l("Plan clos"),
    "plan_action.engaged": _l("Action engagée"),
    "plan_action.completed": _l("Action réalisée"),
    "plan_action.postponed": _l("Action reportée"),
    "plan_action.abandoned": _l("Action abandonnée"),
    "plan_action.reopened": _l("Action rouverte"),
    "plan_report.published": _l("Bilan publié"),
}


# Every event of a plan's timeline as staff read it.
EVENT_LABELS = {
    **PUBLIC_EVENTS,
    "plan.created": _l("Plan créé"),
    "plan.updated": _l("Plan modifié"),
    "plan.axis_added": _l("Axe ajouté"),
    "plan.objective_added": _l("Objectif ajouté"),
    "plan.node_deleted": _l("Élément supprimé"),
    "plan.node_archived": _l("Élément archivé"),
    "plan.action_added": _l("Action ajoutée"),
    "plan.action_updated": _l("Action modifiée"),
    "plan.action_archived": _l("Action archivée"),
    "plan.indicator_saved": _l("Indicateur enregistré"),
    "plan.measurements_imported": _l("Mesures importées"),
    "plan.committee_created": _l("Comité créé"),
    "plan.committee_member_added": _l("Membre de comité ajouté"),
    "plan.report_created": _l("Bilan préparé"),
    "plan.document_added": _l("Document ajouté"),
    "plan.referral_set": _l("Saisine du conseil rattachée"),
    "plan.pact_step_done": _l("Étape du pacte franchie"),
    "plan.pact_transmitted": _l("Projet de pacte transmis aux communes"),
    "plan.commune_opinion_recorded": _l("Avis d'une commune enregistré"),
    "plan_action.progress_reported": _l("Avancement déclaré"),
    "plan_action.budget_changed": _l("Budget modifié"),
    "plan_action.milestone_added": _l("Jalon ajouté"),
    "plan_action.milestone_done": _l("Jalon franchi"),
    "plan_action.linked": _l("Lien ajouté"),
    "plan_action.recommendation_attached": _l("Recommandation d'un conseil rattachée"),
}


def plan_by_slug(slug: str) -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.slug == slug))
    if plan is None or not can(current_user, "plans.view", plan):
        abort(404)
    return plan


def page_number(name: str = "page") -> int:
    value = request.args.get(name, 1, type=int) or 1
    return min(max(value, 1), 10_000)


@bp.route("/")
@cached_page
def index():
    page = paginate(services.public_plans())
    return render_template("plans/index.html", page=page)


@bp.route("/<slug>")
@cached_page
def plan(slug: str):
    item = plan_by_slug(slug)

    def shared():
        data = dashboards.dashboard(item, indicator_page_number=page_number("indicateurs"))
        events = [e for e in services.timeline(item, limit=200) if e.name in PUBLIC_EVENTS][:15]
        actions_by_id = {a.id: a for a in data["actions"]}
        published = db.session.scalars(sa.select(ProgressReport).where(ProgressReport.plan_id == item.id,
                                                                       ProgressReport.state == ReportState.published)
                                       .order_by(ProgressReport.period_end.desc())).unique().all()
        return render_template("plans/_plan_shared.html", **data, events=events, event_labels=PUBLIC_EVENTS,
                               actions_by_id=actions_by_id, documents=services.documents_of(item), reports=published)

    # The dashboard is the same for everyone: built once per page of indicators, every event invalidating it
    # as it does the anonymous page (it shows the plan's links to other domains).
    page = fragment("plan", shared, vary=(item.id, page_number("indicateurs")))
    return render_template("plans/plan.html", plan=item, shared=holes.fill(page, follow=holes.part("plan-follow", item.id)))


@holes.person_part("plan-follow")
def _follow_button(plan_id: str):
    """The plan's follow button, as the person asking follows it or not."""
    item = holes.part_subject(Plan, plan_id)
    return render_template("plans/_plan_follow.html", plan=item, following=services.follows_plan(item, current_user))


@bp.route("/<slug>/actions/<int:action_id>")
@cached_page
def action(slug: str, action_id: int):
    item = plan_by_slug(slug)
    act = get_or_404(Action, action_id)
    if act.plan_id != item.id or act.archived:
        abort(404)
    indicators = list(db.session.scalars(sa.select(Indicator).where(Indicator.action_id == act.id, Indicator.archived.is_(False))
                                         .order_by(Indicator.code)))
    measurements = indicator_service.measurements_by_indicator([i.id for i in indicators])
    charts = [indicator_service.chart(i, measurements[i.id]) for i in indicators]
    return render_template("plans/action.html", plan=item, action=act, charts=charts, links=services.linked_items([act])[act.id],
                           recommendations=services.recommendations_of([act])[act.id],
                           decisions=services.decisions_for(action=act, limit=20), today=dashboards.date.today(),
                           following=services.follows_action(act, current_user), form=ButtonForm())


@bp.route("/<slug>/suivre", methods=["POST"])
@login_required
def follow(slug: str):
    item = plan_by_slug(slug)
    if ButtonForm().validate_on_submit():
        now = services.follow_plan(item, actor=current_user)
        flash(_("Vous suivez ce plan : vous serez prévenu·e des changements de statut de ses actions.") if now
              else _("Vous ne suivez plus ce plan."), "success")
    return redirect(url_for("plans.plan", slug=item.slug))


@bp.route("/<slug>/actions/<int:action_id>/suivre", methods=["POST"])
@login_required
def follow_action(slug: str, action_id: int):
    item = plan_by_slug(slug)
    act = get_or_404(Action, action_id)
    if act.plan_id != item.id:
        abort(404)
    if ButtonForm().validate_on_submit():
        now = services.follow_action(act, actor=current_user)
        flash(_("Vous suivez cette action.") if now else _("Vous ne suivez plus cette action."), "success")
    return redirect(url_for("plans.action", slug=item.slug, action_id=act.id))


@bp.route("/<slug>/documents/<int:document_id>")
def document(slug: str, document_id: int):
    from participation.core.uploads import send_stored_file
    from participation.plans.models import PlanDocument

    item = plan_by_slug(slug)
    doc = get_or_404(PlanDocument, document_id)
    if doc.plan_id != item.id or (not doc.is_public and not can(current_user, "plans.manage", item)):
        abort(404)
    return send_stored_file(doc.file)


@bp.route("/indicateurs/<int:indicator_id>/mesure", methods=["GET", "POST"])
@login_required
def measure(indicator_id: int):
    """The person responsible for an indicator (a partner's account as well as staff) enters its measurement."""
    from participation.core.errors import DomainError
    from participation.core.web import form_error, form_status
    from participation.plans.forms import MeasurementForm

    indicator = get_or_404(Indicator, indicator_id)
    require(current_user, "plans.measure", indicator)
    form = MeasurementForm()
    if form.validate_on_submit():
        try:
            indicator_service.add_measurement(indicator, measured_on=form.measured_on.data, value=form.value.data, comment=form.comment.data,
                                              actor=current_user)
            flash(_("La mesure est enregistrée. Merci !"), "success")
            return redirect(url_for("plans.measure", indicator_id=indicator.id))
        except DomainError as error:
            form_error(form, error)
    measurements = indicator_service.measurements_by_indicator([indicator.id])[indicator.id]
    return render_template("plans/measure.html", indicator=indicator, plan=db.session.get(Plan, indicator.plan_id), form=form,
                           chart=indicator_service.chart(indicator, measurements)), form_status(form)


def _report(slug: str, report_id: int) -> ProgressReport:
    item = plan_by_slug(slug)
    report = get_or_404(ProgressReport, report_id)
    if report.plan_id != item.id or (report.state != ReportState.published and not can(current_user, "plans.manage", item)):
        abort(404)
    return report


@bp.route("/<slug>/bilans/<int:report_id>")
@cached_page
def report(slug: str, report_id: int):
    item = _report(slug, report_id)
    return render_template("plans/report.html", report=item, plan=item.plan, figures=reports.report_figures(item))


@bp.route("/<slug>/bilans/<int:report_id>.pdf")
def report_pdf(slug: str, report_id: int):
    from participation.core.pdf import PDFUnavailable, render_pdf
    from participation.core.web import render_error

    item = _report(slug, report_id)
    try:
        from participation.core.documents import issue
        from participation.core.urls import external_url

        document = issue("SUIVI", item, title=f"{item.title} — {item.plan.title}", url=external_url("plans.report", slug=slug, report_id=report_id))
        pdf = render_pdf("plans/report_pdf.html", document=document, report=item, plan=item.plan, figures=reports.report_figures(item))
    except PDFUnavailable:
        return render_error(503, _("Le PDF ne peut être produit pour l'instant."))
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"bilan-{item.plan.slug}-{item.id}.pdf\""})


def euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _csv(rows: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(rows)
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=\"{filename}\""})


@bp.route("/<slug>/plan-d-actions.csv")
def actions_csv(slug: str):
    """One row per action: its tree path, lead, dates, budget by funder, status and progress."""
    from participation.plans.models import Funder

    item = plan_by_slug(slug)
    actions = services.actions_of(item)
    nodes = {n.id: n for n in services.nodes_of(item, include_archived=True)}
    header = ["code", "axe", "objectif", "action", _("direction pilote"), _("début"), "fin", "statut", "raison", _("avancement (%)")]
    header += [_("prévu %(label)s (€)", label=f.label) for f in Funder] + [_("dépensé %(label)s (€)", label=f.label) for f in Funder] + [_("prévu total (€)"), _("dépensé total (€)")]
    rows = [header]
    for a in actions:
        node = nodes.get(a.node_id)
        axis = nodes.get(node.parent_id) if node and node.parent_id else node
        objective = node if node and node.parent_id else None
        by_funder = {f.funder: f for f in a.fundings}
        rows.append([a.code, f"{axis.code} {axis.title}" if axis else "", f"{objective.code} {objective.title}" if objective else "", a.title,
                     a.lead_department.name if a.lead_department else "", a.start_date.isoformat() if a.start_date else "",
                     a.end_date.isoformat() if a.end_date else "", a.status.label, a.status_reason or "", a.progress]
                    + [euros(by_funder[f].planned_cents) if f in by_funder else "0.00" for f in Funder]
                    + [euros(by_funder[f].spent_cents) if f in by_funder else "0.00" for f in Funder]
                    + [euros(a.planned_cents), euros(a.spent_cents)])
    return _csv(rows, f"plan-d-actions-{item.slug}.csv")


@bp.route("/<slug>/mesures.csv")
def measurements_csv(slug: str):
    from participation.plans.models import Measurement

    item = plan_by_slug(slug)
    rows = [["code", "indicateur", _("unité"), _("période"), _("date de mesure"), "valeur", "commentaire"]]
    query = (sa.select(Indicator.code, Indicator.name, Indicator.unit, Indicator.periodicity, Measurement.period_start,
                       Measurement.measured_on, Measurement.value, Measurement.comment)
             .join(Measurement, Measurement.indicator_id == Indicator.id).where(Indicator.plan_id == item.id)
             .order_by(Indicator.code, Measurement.period_start))
    for code, name, unit, periodicity, start, measured_on, value, comment in db.session.execute(query):
        rows.append([code, name, unit, indicator_service.period_label(start, periodicity), measured_on.isoformat(),
                     f"{value:g}".replace(".", ","), comment or ""])
    return _csv(rows, f"mesures-{item.slug}.csv")
