"""The councils' back office under /gestion/conseils: councils and their members, draws, sittings and minutes,
working groups, trainings and budget."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required


from participation.core.french import de
from participation.core.dates import local_to_utc, utc_to_local
from participation.core.concurrency import EditConflict
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.core.web import edit_conflict, forbidden_page, form_error, form_status, get_or_404, paginate
from participation.councils import draws as draw_service
from participation.councils import extras as extras_service
from participation.councils import services
from participation.councils import sittings as sitting_service
from participation.councils.forms import (
    ActionForm,
    AgendaItemForm,
    ApproveMinutesForm,
    BudgetForm,
    CollegeForm,
    CouncilForm,
    DocumentForm,
    DrawForm,
    GroupForm,
    GroupMemberForm,
    ImportVolunteersForm,
    InviteForm,
    MinutesForm,
    MoveForm,
    SittingForm,
    SpendingForm,
    TrainingForm,
)
from participation.councils.models import (
    COUNCIL_WORKFLOW,
    DEFAULT_AGE_BANDS,
    MEMBERSHIP_WORKFLOW,
    MINUTES_WORKFLOW,
    SITTING_WORKFLOW,
    Attendance,
    BudgetYear,
    College,
    Council,
    CouncilDocument,
    Draw,
    Membership,
    MembershipState,
    Minutes,
    Sitting,
    SittingState,
    Training,
    TrainingRegistration,
    Volunteer,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.extensions import db
from participation.territory.models import Neighbourhood
from flask_babel import gettext as _
from flask_babel import ngettext

staff_bp = Blueprint("councils_staff", __name__, url_prefix="/gestion/conseils")
staff_bp.register_error_handler(PermissionDenied, forbidden_page)


def _council(council_id: int) -> Council:
    council = get_or_404(Council, council_id)
    require(current_user, "councils.manage", council)
    return council


def _choices(items, label=str):
    return [(str(i.id), label(i)) for i in items]


def _neighbourhood_choices():
    return [("", _("— Aucun —"))] + [(str(n.id), n.name) for n in db.session.scalars(sa.select(Neighbourhood).order_by(Neighbourhood.name))]


def _manager_choices():
    from participation.accounts.models import Role, RoleGrant, User

    users = db.session.scalars(sa.select(User).join(RoleGrant).where(RoleGrant.role.in_((Role.staff, Role.admin)))
                               .order_by(User.display_name).distinct()).all()
    return [("", _("— Personne —"))] + [(str(u.id), u.display_name) for u in users]


@staff_bp.route("/")
@login_required
def councils():
    require(current_user, "councils.manage")
    page = paginate(sa.select(Council).order_by(Council.name))
    return render_template("councils/staff/index.html", page=page)


def _council_values(form: CouncilForm) -> dict:
    from participation.accounts.models import User

    return {
        "name": form.name.data, "kind": form.kind.data, "purpose": form.purpose.data, "rules": form.rules.data,
        "neighbourhood": db.session.get(Neighbourhood, int(form.neighbourhood.data)) if form.neighbourhood.data else None,
        "mandate_start": form.mandate_start.data, "mandate_end": form.mandate_end.data,
        "manager": db.session.get(User, int(form.manager.data)) if form.manager.data else None,
        "convocation_days": form.convocation_days.data, "quorum_percent": form.quorum_percent.data, "max_proxies": form.max_proxies.data,
        "age_bands": services.parse_age_bands(form.age_bands.data) if (form.age_bands.data or "").strip() else None,
    }


def _bands_text(bands) -> str:
    return "\n".join(f"{b['label']} ; {b['min']} ; {b['max'] if b['max'] is not None else ''} ; {b['share']:g}" for b in bands or [])


@staff_bp.route("/nouveau", methods=["GET", "POST"])
@staff_bp.route("/<int:council_id>/modifier", methods=["GET", "POST"], endpoint="edit")
@login_required
def new(council_id: int | None = None):
    council = _council(council_id) if council_id else None
    require(current_user, "councils.manage", council)
    form = CouncilForm(obj=council if request.method == "GET" else None)
    form.neighbourhood.choices = _neighbourhood_choices()
    form.manager.choices = _manager_choices()
    if request.method == "GET":
        form.age_bands.data = _bands_text(council.age_bands if council else DEFAULT_AGE_BANDS)
        if council:
            form.kind.data = council.kind.value
            form.neighbourhood.data = str(council.neighbourhood_id or "")
            form.manager.data = str(council.manager_id or "")
    if form.validate_on_submit():
        try:
            saved = services.save_council(council, actor=current_user, **_council_values(form))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le conseil est enregistré.") if council else _("Le conseil est créé : ajoutez ses collèges, puis publiez-le."), "success")
            return redirect(url_for("councils_staff.council", council_id=saved.id))
    return render_template("councils/staff/council_form.html", council=council, form=form), form_status(form)


@staff_bp.route("/<int:council_id>", methods=["GET"], endpoint="council")
@login_required
def manage_council(council_id: int):
    council = _council(council_id)
    members = paginate(services.members_query(council, states=(MembershipState.active,)), per_page=50)
    pending = db.session.scalars(services.members_query(council, states=(MembershipState.applied, MembershipState.invited)).limit(100)).all()
    return render_template("councils/staff/council.html", council=council, members=members, pending=pending,
                           report=services.composition_report(council), college_form=CollegeForm(), action=ActionForm(),
                           transitions=COUNCIL_WORKFLOW.allowed(council, current_user), membership_workflow=MEMBERSHIP_WORKFLOW)


@staff_bp.route("/<int:council_id>/historique")
@login_required
def history(council_id: int):
    council = _council(council_id)
    page = paginate(services.members_query(council, states=tuple(MembershipState)).order_by(None)
                    .order_by(Membership.start_date.desc().nulls_last(), Membership.id.desc()))
    return render_template("councils/staff/history.html", council=council, page=page)


@staff_bp.route("/<int:council_id>/etat", methods=["POST"])
@login_required
def change_state(council_id: int):
    council = _council(council_id)
    form = ActionForm()
    if form.validate_on_submit():
        services.change_council_state(council, request.form.get("transition", ""), actor=current_user)
        flash(_("Le conseil est maintenant « %(lower)s ».", lower=council.state.label.lower()), "success")
    return redirect(url_for("councils_staff.council", council_id=council.id))


@staff_bp.route("/<int:council_id>/colleges", methods=["POST"])
@login_required
def add_college(council_id: int):
    council = _council(council_id)
    form = CollegeForm()
    if form.validate_on_submit():
        try:
            services.add_college(council, name=form.name.data, seats=form.seats.data, kind=form.kind.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le collège « %(data)s » est ajouté.", data=form.name.data), "success")
            return redirect(url_for("councils_staff.council", council_id=council.id))
    members = paginate(services.members_query(council), per_page=50)
    return render_template("councils/staff/council.html", council=council, members=members, pending=[],
                           report=services.composition_report(council), college_form=form, action=ActionForm(),
                           transitions=COUNCIL_WORKFLOW.allowed(council, current_user), membership_workflow=MEMBERSHIP_WORKFLOW), 422


@staff_bp.route("/<int:council_id>/inviter", methods=["GET", "POST"])
@login_required
def invite(council_id: int):
    council = _council(council_id)
    form = InviteForm()
    form.college.choices = _choices(council.colleges)
    if form.validate_on_submit():
        try:
            services.invite_member(council, college=db.session.get(College, int(form.college.data)), name=form.name.data, email=form.email.data,
                                   role=form.role.data, organisation=form.organisation.data, elected_councillor=form.elected_councillor.data,
                                   actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'invitation est envoyée à %(data)s.", data=form.email.data), "success")
            return redirect(url_for("councils_staff.council", council_id=council.id))
    return render_template("councils/staff/invite.html", council=council, form=form), form_status(form)


@staff_bp.route("/membres/<int:membership_id>/<action>", methods=["POST"])
@login_required
def membership_action(membership_id: int, action: str):
    membership = get_or_404(Membership, membership_id)
    council = _council(membership.council_id)
    form = ActionForm()
    if form.validate_on_submit():
        if action in ("accept", "refuse"):
            services.decide_application(membership, action, actor=current_user)
            flash(_("La candidature %(de_name)s est %(value)s.", de_name=de(membership.name), value='acceptée' if action == 'accept' else 'refusée'), "success")
        elif action == "end":
            services.end_membership(membership, actor=current_user)
            flash(_("Le mandat %(de_name)s est terminé ; il reste dans l'historique.", de_name=de(membership.name)), "success")
        elif action == "withdraw":
            services.withdraw_invitation(membership, actor=current_user)
            flash(_("L'invitation %(de_name)s est retirée.", de_name=de(membership.name)), "success")
        elif action == "role":
            services.set_role(membership, request.form.get("role", ""), actor=current_user)
            flash(_("Le rôle %(de_name)s est maintenant « %(label)s ».", de_name=de(membership.name), label=membership.role.label), "success")
        else:
            abort(404)
    return redirect(url_for("councils_staff.council", council_id=council.id))


# --- Draws (back office) ----------------------------------------------------


def _draws_page(council, form, import_form, status=200):
    draws = paginate(sa.select(Draw).where(Draw.council_id == council.id).order_by(Draw.id.desc()))
    volunteers = db.session.scalar(sa.select(sa.func.count(Volunteer.id)).where(Volunteer.council_id == council.id,
                                                                                Volunteer.withdrawn.is_(False)))
    return render_template("councils/staff/draws.html", council=council, draws=draws, form=form, import_form=import_form,
                           volunteers=volunteers, action=ActionForm()), status


def _draw_form(council):
    form = DrawForm()
    form.college.choices = _choices(council.colleges)
    return form


@staff_bp.route("/<int:council_id>/tirages", methods=["GET", "POST"])
@login_required
def draws(council_id: int):
    council = _council(council_id)
    form = _draw_form(council)
    if form.validate_on_submit():
        try:
            quotas = draw_service.parse_quotas(form.quotas.data, form.seats.data)
            draw_service.prepare_draw(council, college=db.session.get(College, int(form.college.data)), title=form.title.data,
                                      seats=form.seats.data, quotas=quotas, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le tirage est préparé : effectuez-le quand le vivier est complet."), "success")
            return redirect(url_for("councils_staff.draws", council_id=council.id))
    return _draws_page(council, form, ImportVolunteersForm(), form_status(form))


@staff_bp.route("/<int:council_id>/volontaires/import", methods=["POST"])
@login_required
def import_volunteers(council_id: int):
    council = _council(council_id)
    form = ImportVolunteersForm()
    if form.validate_on_submit():
        try:
            count = draw_service.import_volunteers(council, form.file.data.read(), source_label=form.source_label.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("%(count)s volontaire%(value)s ajouté%(value)s au vivier.", count=count, value='s' if count > 1 else ''), "success")
            return redirect(url_for("councils_staff.draws", council_id=council.id))
    return _draws_page(council, _draw_form(council), form, form_status(form))


@staff_bp.route("/tirages/<int:draw_id>/effectuer", methods=["POST"])
@login_required
def perform_draw(draw_id: int):
    draw = get_or_404(Draw, draw_id)
    council = _council(draw.council_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            draw_service.perform_draw(draw, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("councils_staff.draws", council_id=council.id))
        flash(_("Le tirage est effectué et publié ; %(len_selected)s personnes sont invitées.", len_selected=len(draw.selected)), "success")
        return redirect(url_for("councils.draw", slug=council.slug, draw_id=draw.id))
    return redirect(url_for("councils_staff.draws", council_id=council.id))


# --- Sittings (back office) -------------------------------------------------


@staff_bp.route("/<int:council_id>/seances", methods=["GET", "POST"])
@login_required
def sittings_admin(council_id: int):
    council = _council(council_id)
    require(current_user, "councils.manage_sitting", council)
    form = SittingForm()
    groups = db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.council_id == council.id).order_by(WorkingGroup.name)).all()
    form.working_group.choices = [("", _("— Aucun —"))] + _choices(groups, lambda g: g.name)
    if form.validate_on_submit():
        try:
            sitting = sitting_service.create_sitting(
                council, kind=form.kind.data, working_group=db.session.get(WorkingGroup, int(form.working_group.data)) if form.working_group.data else None,
                is_public=form.is_public.data, title=form.title.data, starts_at=local_to_utc(form.starts_at.data), ends_at=local_to_utc(form.ends_at.data),
                place=form.place.data, video_url=form.video_url.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La séance est créée : ajoutez son ordre du jour, puis publiez-la."), "success")
            return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))
    page = paginate(sa.select(Sitting).where(Sitting.council_id == council.id).order_by(Sitting.starts_at.desc(), Sitting.id.desc()))
    return render_template("councils/staff/sittings.html", council=council, page=page, form=form), form_status(form)


def _sitting_admin(sitting: Sitting) -> Council:
    council = _council(sitting.council_id)
    require(current_user, "councils.manage_sitting", sitting)
    return council


def _render_sitting_admin(sitting, council, *, item_form=None, move_form=None, minutes_form=None, approve_form=None, status=200,
                          conflict=None):
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    convened = sitting_service.convened_members(sitting)
    attendances = {a.membership_id: a for a in db.session.scalars(sa.select(Attendance).where(Attendance.sitting_id == sitting.id))}
    later = db.session.scalars(sa.select(Sitting).where(Sitting.council_id == council.id, Sitting.starts_at > sitting.starts_at,
                                                        Sitting.state != SittingState.cancelled).order_by(Sitting.starts_at).limit(20)).all()
    move_form = move_form or MoveForm(data={"starts_at": utc_to_local(sitting.starts_at), "ends_at": utc_to_local(sitting.ends_at),
                                            "place": sitting.place, "video_url": sitting.video_url})
    minutes_form = minutes_form or MinutesForm(data={"body": minutes.body if minutes else "", "based_on": minutes.revision if minutes else 0})
    approve_form = approve_form or ApproveMinutesForm()
    approve_form.at_sitting.choices = _choices(later, lambda s: f"{s.title} ({s.starts_at.strftime('%d/%m/%Y')})")
    return render_template(
        "councils/staff/sitting.html", council=council, sitting=sitting, minutes=minutes, convened=convened, attendances=attendances,
        quorum=sitting_service.quorum_status(sitting), item_form=item_form or AgendaItemForm(), move_form=move_form,
        minutes_form=minutes_form, approve_form=approve_form, action=ActionForm(), sitting_transitions=SITTING_WORKFLOW.allowed(sitting, current_user),
        minutes_transitions=MINUTES_WORKFLOW.allowed(minutes, current_user) if minutes else [],
        attendance_open=sitting.state == SittingState.published and sitting.starts_at.timestamp() - 12 * 3600 <= utcnow().timestamp(),
        conflict=conflict,
    ), status


@staff_bp.route("/seances/<int:sitting_id>")
@login_required
def sitting_admin(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    return _render_sitting_admin(sitting, _sitting_admin(sitting))


@staff_bp.route("/seances/<int:sitting_id>/ordre-du-jour", methods=["POST"])
@login_required
def add_item(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    council = _sitting_admin(sitting)
    form = AgendaItemForm()
    if form.validate_on_submit():
        try:
            sitting_service.add_agenda_item(sitting, title=form.title.data, description=form.description.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le point est ajouté à l'ordre du jour."), "success")
            return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))
    return _render_sitting_admin(sitting, council, item_form=form, status=422)


@staff_bp.route("/seances/<int:sitting_id>/etat", methods=["POST"])
@login_required
def sitting_state(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    _sitting_admin(sitting)
    form = ActionForm()
    if form.validate_on_submit():
        transition = request.form.get("transition")
        if transition == "publish":
            sitting_service.publish_sitting(sitting, actor=current_user)
            days = sitting.council.convocation_days
            flash(_("La séance est publiée ; la convocation part maintenant.") if sitting.convened_at else
                  ngettext("La séance est publiée ; la convocation partira %(num)d jour avant.",
                           "La séance est publiée ; la convocation partira %(num)d jours avant.", days), "success")
        elif transition == "cancel":
            sitting_service.cancel_sitting(sitting, actor=current_user)
            flash(_("La séance est annulée ; les personnes convoquées sont prévenues."), "success")
        else:
            abort(404)
    return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))


@staff_bp.route("/seances/<int:sitting_id>/deplacer", methods=["POST"])
@login_required
def move_sitting(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    council = _sitting_admin(sitting)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            sitting_service.move_sitting(sitting, starts_at=local_to_utc(form.starts_at.data), ends_at=local_to_utc(form.ends_at.data), place=form.place.data,
                                         video_url=form.video_url.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La séance est déplacée ; les personnes convoquées sont prévenues."), "success")
            return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))
    return _render_sitting_admin(sitting, council, move_form=form, status=422)


@staff_bp.route("/seances/<int:sitting_id>/presences", methods=["POST"])
@login_required
def mark_attendance(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    _sitting_admin(sitting)
    form = ActionForm()
    if form.validate_on_submit():
        present = set(request.form.getlist("present", type=int))
        sitting_service.mark_attendance(sitting, present, actor=current_user)
        flash(_("Les présences sont enregistrées."), "success")
    return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))


@staff_bp.route("/seances/<int:sitting_id>/compte-rendu", methods=["POST"])
@login_required
def save_minutes(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    council = _sitting_admin(sitting)
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            sitting_service.save_minutes(sitting, body=form.body.data, actor=current_user, based_on=form.based_on.data or "")
        except EditConflict as error:
            return _render_sitting_admin(sitting, council, minutes_form=form, status=409,
                                         conflict=edit_conflict(form, error, text_field="body"))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le compte rendu est enregistré."), "success")
            return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))
    return _render_sitting_admin(sitting, council, minutes_form=form, status=422)


@staff_bp.route("/seances/<int:sitting_id>/compte-rendu/<transition>", methods=["POST"])
@login_required
def minutes_transition(sitting_id: int, transition: str):
    sitting = get_or_404(Sitting, sitting_id)
    council = _sitting_admin(sitting)
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if minutes is None:
        abort(404)
    if transition == "approve":
        form = ApproveMinutesForm()
        later = db.session.scalars(sa.select(Sitting).where(Sitting.council_id == council.id)).all()
        form.at_sitting.choices = _choices(later)
        if form.validate_on_submit():
            try:
                sitting_service.approve_minutes(minutes, at_sitting=db.session.get(Sitting, int(form.at_sitting.data)), actor=current_user)
            except DomainError as error:
                form_error(form, error)
            else:
                flash(_("Le compte rendu est approuvé."), "success")
                return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))
        return _render_sitting_admin(sitting, council, approve_form=form, status=422)
    form = ActionForm()
    if form.validate_on_submit():
        actions = {"submit": sitting_service.submit_minutes, "return": sitting_service.return_minutes,
                   "publish": sitting_service.publish_minutes}
        if transition not in actions:
            abort(404)
        actions[transition](minutes, actor=current_user)
        flash(_("Le compte rendu est maintenant « %(lower)s ».", lower=minutes.state.label.lower()), "success")
    return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))


@staff_bp.route("/<int:council_id>/documents", methods=["POST"])
@login_required
def add_document(council_id: int):
    council = _council(council_id)
    form = DocumentForm()
    sitting = db.session.get(Sitting, request.args.get("seance", type=int) or 0)
    group = db.session.get(WorkingGroup, request.args.get("groupe", type=int) or 0)
    if (sitting is not None and sitting.council_id != council.id) or (group is not None and group.council_id != council.id):
        abort(404)
    if form.validate_on_submit():
        try:
            extras_service.add_document(council, upload=form.file.data, title=form.title.data, is_public=form.is_public.data,
                                        sitting=sitting, group=group, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
            db.session.rollback()
        else:
            flash(_("Le document est ajouté."), "success")
    else:
        flash(_("Indiquez un titre et choisissez un fichier."), "error")
    if sitting is not None:
        return redirect(url_for("councils_staff.sitting_admin", sitting_id=sitting.id))
    return redirect(url_for("councils_staff.extras", council_id=council.id))


# --- Working groups, trainings, budget (back office) -------------------------


def _render_extras(council, *, group_form=None, member_form=None, training_form=None, budget_form=None, spending_form=None, status=200):
    groups = db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.council_id == council.id).order_by(WorkingGroup.name).limit(100)).all()
    group_members = {}
    for row in db.session.scalars(sa.select(WorkingGroupMember).where(WorkingGroupMember.group_id.in_([g.id for g in groups]))):
        group_members.setdefault(row.group_id, []).append(row.membership)
    members = db.session.scalars(services.members_query(council)).all()
    group_form = group_form or GroupForm()
    group_form.lead.choices = [("", _("— À désigner —"))] + _choices(members, lambda m: m.name)
    member_form = member_form or GroupMemberForm()
    member_form.membership.choices = _choices(members, lambda m: m.name)
    trainings = db.session.execute(
        sa.select(Training, sa.select(sa.func.count(TrainingRegistration.id)).where(
            TrainingRegistration.training_id == Training.id, TrainingRegistration.cancelled_at.is_(None)).scalar_subquery())
        .where(Training.council_id == council.id).order_by(Training.starts_at.desc()).limit(50)).all()
    budgets = db.session.scalars(sa.select(BudgetYear).where(BudgetYear.council_id == council.id).order_by(BudgetYear.year.desc()).limit(5)).all()
    documents = db.session.scalars(sa.select(CouncilDocument).where(CouncilDocument.council_id == council.id)
                                   .order_by(CouncilDocument.created_at.desc()).limit(50)).all()
    return render_template("councils/staff/extras.html", council=council, groups=groups, group_members=group_members,
                           group_form=group_form, member_form=member_form, training_form=training_form or TrainingForm(),
                           trainings=trainings, budgets=budgets, budget_form=budget_form or BudgetForm(),
                           spending_form=spending_form or SpendingForm(), documents=documents, document_form=DocumentForm()), status


@staff_bp.route("/<int:council_id>/travaux")
@login_required
def extras(council_id: int):
    return _render_extras(_council(council_id))


@staff_bp.route("/<int:council_id>/groupes", methods=["POST"])
@login_required
def add_group(council_id: int):
    council = _council(council_id)
    form = GroupForm()
    form.lead.choices = [("", "")] + _choices(db.session.scalars(services.members_query(council)).all())
    if form.validate_on_submit():
        try:
            extras_service.create_group(council, name=form.name.data, purpose=form.purpose.data,
                                        lead=db.session.get(Membership, int(form.lead.data)) if form.lead.data else None,
                                        actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le groupe de travail est créé."), "success")
            return redirect(url_for("councils_staff.extras", council_id=council.id))
    return _render_extras(council, group_form=form, status=422)


@staff_bp.route("/groupes/<int:group_id>/membres", methods=["POST"])
@login_required
def add_group_member(group_id: int):
    group = get_or_404(WorkingGroup, group_id)
    council = _council(group.council_id)
    form = GroupMemberForm()
    form.membership.choices = _choices(db.session.scalars(services.members_query(council)).all())
    if form.validate_on_submit():
        try:
            extras_service.add_group_member(group, db.session.get(Membership, int(form.membership.data)), actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
            db.session.rollback()
        else:
            flash(_("Le membre rejoint le groupe « %(name)s ».", name=group.name), "success")
    return redirect(url_for("councils_staff.extras", council_id=council.id))


@staff_bp.route("/<int:council_id>/formations", methods=["POST"])
@login_required
def add_training(council_id: int):
    council = _council(council_id)
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            extras_service.create_training(council, title=form.title.data, description=form.description.data, starts_at=local_to_utc(form.starts_at.data),
                                           ends_at=local_to_utc(form.ends_at.data), place=form.place.data, capacity=form.capacity.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La formation est ajoutée au plan de formation."), "success")
            return redirect(url_for("councils_staff.extras", council_id=council.id))
    return _render_extras(council, training_form=form, status=422)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


@staff_bp.route("/<int:council_id>/budget", methods=["POST"])
@login_required
def set_budget(council_id: int):
    council = _council(council_id)
    form = BudgetForm()
    if form.validate_on_submit():
        try:
            extras_service.set_budget(council, year=form.year.data, allocation_cents=_cents(form.allocation.data), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La dotation %(data)s est enregistrée.", data=form.year.data), "success")
            return redirect(url_for("councils_staff.extras", council_id=council.id))
    return _render_extras(council, budget_form=form, status=422)


@staff_bp.route("/budgets/<int:budget_id>/depenses", methods=["POST"])
@login_required
def add_spending(budget_id: int):
    budget = get_or_404(BudgetYear, budget_id)
    council = _council(budget.council_id)
    form = SpendingForm()
    if form.validate_on_submit():
        try:
            extras_service.add_spending(budget, spent_on=form.spent_on.data, label=form.label.data, amount_cents=_cents(form.amount.data),
                                        actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La dépense est enregistrée."), "success")
            return redirect(url_for("councils_staff.extras", council_id=council.id))
    return _render_extras(council, spending_form=form, status=422)
