"""The plans' back office, what corrects or undoes: edit an indicator, remove a link or a
committee member, move a meeting. Registered on ``staff_views.staff_bp`` (same access rule)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.accounts.models import User
from participation.core.dates import local_to_utc
from participation.core.errors import DomainError
from participation.core.web import form_error, form_status, get_or_404
from participation.extensions import db
from participation.plans import committees, services
from participation.plans import indicators as indicator_service
from participation.plans.forms import ButtonForm, MoveMeetingForm
from participation.plans.models import Action, ActionLink, CommitteeMember, Indicator, Meeting, Plan, PlanNode
from participation.plans.staff_views import _indicator_form, meeting, staff_bp


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


@staff_bp.route("/indicateurs/<int:indicator_id>/modifier", methods=["GET", "POST"])
def edit_indicator(indicator_id: int):
    item = get_or_404(Indicator, indicator_id)
    plan_ = db.session.get(Plan, item.plan_id)
    form = _indicator_form(plan_, item)
    if not form.is_submitted():
        form.owner_ref.data = f"n{item.node_id}" if item.node_id else f"a{item.action_id}"
        form.owner.data = item.owner_id or 0
        form.targets.data = "\n".join(f"{year} : {_number_text(value)}" for year, value in sorted((item.targets or {}).items()))
        for name in ("baseline_value", "min_value", "max_value"):
            getattr(form, name).data = _number_text(getattr(item, name))
        form.direction.data, form.periodicity.data = item.direction.value, item.periodicity.value
    if form.validate_on_submit():
        try:
            ref = form.owner_ref.data or ""
            node = db.session.get(PlanNode, int(ref[1:])) if ref.startswith("n") and ref[1:].isdigit() else None
            action_ = db.session.get(Action, int(ref[1:])) if ref.startswith("a") and ref[1:].isdigit() else None
            indicator_service.save_indicator(
                item, plan=plan_, actor=current_user, code=form.code.data, name=form.name.data, node=node, action=action_,
                unit=form.unit.data, direction=form.direction.data, baseline_value=form.baseline_value.data,
                baseline_date=form.baseline_date.data, targets=indicator_service.parse_targets(form.targets.data),
                periodicity=form.periodicity.data, source=form.source.data, owner=db.session.get(User, form.owner.data or 0),
                min_value=form.min_value.data, max_value=form.max_value.data)
            flash(_("L'indicateur est modifié."), "success")
            return redirect(url_for("plans_staff.indicator", indicator_id=item.id))
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
    return render_template("plans/staff/indicator_form.html", form=form, plan=plan_, indicator=item), form_status(form)


@staff_bp.route("/liens/<int:link_id>/retirer", methods=["POST"])
def remove_link(link_id: int):
    row = get_or_404(ActionLink, link_id)
    action_id = row.action_id
    if ButtonForm().validate_on_submit():
        services.unlink(row, actor=current_user)
        flash(_("Le lien est retiré."), "success")
    return redirect(url_for("plans_staff.action", action_id=action_id) + "#liens")


@staff_bp.route("/membres/<int:member_id>/retirer", methods=["POST"])
def remove_member(member_id: int):
    member = get_or_404(CommitteeMember, member_id)
    committee_id = member.committee_id
    if ButtonForm().validate_on_submit():
        name = member.name
        committees.remove_member(member, actor=current_user)
        flash(_("%(name)s ne fait plus partie du comité.", name=name), "success")
    return redirect(url_for("plans_staff.committee", committee_id=committee_id))


@staff_bp.route("/reunions/<int:meeting_id>/deplacer", methods=["POST"])
def move_meeting(meeting_id: int):
    item = get_or_404(Meeting, meeting_id)
    form = MoveMeetingForm()
    if form.validate_on_submit():
        try:
            committees.move_meeting(item, starts_at=local_to_utc(form.starts_at.data), place=form.place.data, actor=current_user)
            flash(_("La réunion est déplacée ; les membres déjà convoqués en sont prévenus.") if item.convened_at
                  else _("La réunion est déplacée."), "success")
            return redirect(url_for("plans_staff.meeting", meeting_id=item.id))
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
    return meeting(meeting_id, forms={"move": form})
