"""Council pages: public pages under /conseils/, the members' space, and the back office under /gestion/conseils."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required


from participation.core import holes
from participation.core.pagecache import cached_page, fragment
from participation.core.french import a, de
from participation.core.dates import local_to_utc, utc_to_local
from participation.core.concurrency import EditConflict
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.core.permissions import can, require
from participation.core.uploads import send_stored_file
from participation.core.web import edit_conflict, forbidden_page, form_error, form_status, get_or_404, paginate, render_error
from participation.councils import draws as draw_service
from participation.councils import extras as extras_service
from participation.councils import lottery, services
from participation.councils import sittings as sitting_service
from participation.councils.forms import (
    ActionForm,
    AgendaItemForm,
    AnswerForm,
    ApplicationForm,
    ApproveMinutesForm,
    BudgetForm,
    CollegeForm,
    CouncilForm,
    DocumentForm,
    DrawForm,
    GroupForm,
    GroupMemberForm,
    ImportVolunteersForm,
    InvitationForm,
    InviteForm,
    MinutesForm,
    MoveForm,
    RerunForm,
    SittingForm,
    SpendingForm,
    TrainingForm,
    VolunteerForm,
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
    CollegeKind,
    Council,
    CouncilDocument,
    CouncilState,
    Draw,
    DrawState,
    Membership,
    MembershipState,
    Minutes,
    MinutesState,
    Sitting,
    SittingState,
    Training,
    TrainingRegistration,
    Volunteer,
    VolunteerSource,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.councils.member_space import bp as member_space_bp  # noqa: F401 (registered through EXTRA_BLUEPRINTS)
from participation.councils.policies import current_membership
from participation.extensions import db
from participation.territory.models import Neighbourhood
from flask_babel import gettext as _

bp = Blueprint("councils", __name__, url_prefix="/conseils")
# What a council's page shows: the council, its members, sittings, minutes and draws, its activity reports.
COUNCIL_PAGE_TAGS = ("councils", "referrals", "users")
staff_bp = Blueprint("councils_staff", __name__, url_prefix="/gestion/conseils")
EXTRA_BLUEPRINTS = ("staff_bp", "member_space_bp")


staff_bp.register_error_handler(PermissionDenied, forbidden_page)


def _published_council(slug: str) -> Council:
    council = db.session.scalar(sa.select(Council).where(Council.slug == slug))
    if council is None or (council.state == CouncilState.draft and not can(current_user, "councils.manage", council)):
        abort(404)
    return council


def _in(council: Council, obj):
    if obj is None or obj.council_id != council.id:
        abort(404)
    return obj


# =============================================================================
# Public pages


@bp.route("/")
@cached_page
def index():
    page = paginate(services.public_councils().order_by(Council.state.desc(), Council.name))
    return render_template("councils/index.html", page=page)


@bp.route("/<slug>")
@cached_page
def council(slug: str):
    council = _published_council(slug)

    def shared():
        members = paginate(services.members_query(council).options(sa.orm.joinedload(Membership.college)), per_page=50)
        now = utcnow()
        upcoming = db.session.scalars(
            sa.select(Sitting).where(Sitting.council_id == council.id, Sitting.is_public.is_(True), Sitting.state != SittingState.draft,
                                     Sitting.starts_at >= now).order_by(Sitting.starts_at).limit(5)
        ).all()
        minutes = db.session.scalars(
            sa.select(Minutes).join(Sitting, Sitting.id == Minutes.sitting_id)
            .where(Sitting.council_id == council.id, Minutes.state == MinutesState.published).order_by(Sitting.starts_at.desc()).limit(5)
        ).all()
        draws = db.session.scalars(sa.select(Draw).where(Draw.council_id == council.id, Draw.state == DrawState.performed)
                                   .order_by(Draw.performed_at.desc()).limit(5)).all()
        return render_template("councils/_council_shared.html", council=council, members=members, upcoming=upcoming,
                               minutes=minutes, draws=draws)

    # Members, sittings, minutes and draws are the same for everyone: built once per page of members
    # (an upcoming sitting becomes past with time: the fragment lives PAGE_CACHE_SECONDS at most).
    page = fragment("council", shared, tags=COUNCIL_PAGE_TAGS, vary=(council.id, request.args.get("page", "")))
    return render_template("councils/council.html", council=council,
                           shared=holes.fill(page, **{part: holes.part("council", f"{council.id}.{part}") for part in ("nav", "candidacy", "follow")}))


@holes.person_part("council")
def _personal_part(about: str):
    """A part of the council's page for the person asking: their seat's links (``nav``), the call for candidates
    (``candidacy``), the follow button (``follow``)."""
    council_id, _unused, part = about.partition(".")
    # With its colleges (the call for candidates shows which): kept with the page, as the council itself.
    council = holes.part_subject(Council, council_id, sa.orm.selectinload(Council.colleges))
    seat, following = holes.once(("councils.person", council.id),
                                 lambda: (current_membership(current_user, council), services.follows(council, current_user)))
    return render_template("councils/_council_personal.html", part=part, council=council, seat=seat,
                           drawn_college=any(c.kind == CollegeKind.drawn_residents for c in council.colleges), following=following)


@bp.route("/<slug>/suivre", methods=["POST"])
@login_required
def follow(slug: str):
    council = _published_council(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    now_following = services.follow(council, actor=current_user)
    flash(_("Vous suivez ce conseil : vous serez prévenu·e de ses avis et des réponses de la collectivité.") if now_following
          else _("Vous ne suivez plus ce conseil."), "success")
    return redirect(url_for("councils.council", slug=council.slug))


@bp.route("/<slug>/reglement-interieur")
@cached_page
def rules(slug: str):
    return render_template("councils/rules.html", council=_published_council(slug))


@bp.route("/<slug>/seances")
@cached_page
def sittings(slug: str):
    council = _published_council(slug)
    query = services.public_sittings(council_id=council.id, private=can(current_user, "councils.view_private", council))
    page = paginate(query.order_by(Sitting.starts_at.desc(), Sitting.id.desc()))
    return render_template("councils/sittings.html", council=council, page=page)


@bp.route("/<slug>/seances/<int:sitting_id>", methods=["GET", "POST"])
def sitting(slug: str, sitting_id: int):
    council = _published_council(slug)
    sitting = _in(council, get_or_404(Sitting, sitting_id))
    private = can(current_user, "councils.view_private", council)
    if sitting.state == SittingState.draft and not can(current_user, "councils.manage_sitting", council):
        abort(404)
    if not sitting.is_public and not private:
        require(current_user, "councils.view_private", council)
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if minutes is not None and minutes.state != MinutesState.published and not private:
        minutes = None
    documents = db.session.scalars(sa.select(CouncilDocument).where(CouncilDocument.sitting_id == sitting.id)
                                   .order_by(CouncilDocument.id)).all()
    if not private:
        documents = [d for d in documents if d.is_public]
    seat = current_membership(current_user, council)
    form, attendance, convened = None, None, []
    if seat is not None and sitting.state == SittingState.published:
        convened = sitting_service.convened_members(sitting)
        attendance = db.session.scalar(sa.select(Attendance).where(Attendance.sitting_id == sitting.id, Attendance.membership_id == seat.id))
        form = AnswerForm(obj=None)
        form.proxy.choices = [("", _("— Personne —"))] + [(str(m.id), m.name) for m in convened if m.id != seat.id]
        if request.method == "GET" and attendance is not None:
            form.answer.data = attendance.answer.value if attendance.answer else None
            form.proxy.data = str(attendance.proxy_id or "")
        if form.validate_on_submit():
            proxy = db.session.get(Membership, int(form.proxy.data)) if form.proxy.data else None
            try:
                sitting_service.answer_convocation(sitting, answer=form.answer.data, proxy=proxy, actor=current_user)
            except DomainError as error:
                form_error(form, error)
            else:
                flash(_("Votre réponse est enregistrée."), "success")
                return redirect(url_for("councils.sitting", slug=slug, sitting_id=sitting.id))
    elif request.method == "POST":
        require(current_user, "councils.answer_convocation", sitting)
        abort(409)
    quorum = sitting_service.quorum_status(sitting) if private and sitting.state == SittingState.published else None
    return render_template("councils/sitting.html", council=council, sitting=sitting, minutes=minutes, documents=documents,
                           seat=seat, form=form, attendance=attendance, quorum=quorum, private=private,
                           proxies_held=sitting_service.proxies_held(sitting, seat) if form is not None else []), form_status(form)


@bp.route("/<slug>/tirages/<int:draw_id>")
@cached_page
def draw(slug: str, draw_id: int):
    council = _published_council(slug)
    draw = _in(council, get_or_404(Draw, draw_id))
    if draw.state != DrawState.performed:
        abort(404)
    form = RerunForm(formdata=request.args if request.args else None)
    rerun = None
    if request.args.get("graine") is not None and form.validate():
        rerun = draw_service.rerun_draw(draw, form.graine.data)
    return render_template("councils/draw.html", council=council, draw=draw, form=form, rerun=rerun, algorithm=lottery.ALGORITHM,
                           labels=draw_service.quota_labels(council), dimensions=lottery.DIMENSIONS), form_status(form if request.args else None)


@bp.route("/<slug>/tirages/<int:draw_id>.json")
def draw_data(slug: str, draw_id: int):
    council = _published_council(slug)
    draw = _in(council, get_or_404(Draw, draw_id))
    if draw.state != DrawState.performed:
        abort(404)
    return jsonify({
        "conseil": council.name, "tirage": draw.title, "sieges": draw.seats, "graine": draw.seed, "quotas": draw.quotas,
        "algorithme": lottery.ALGORITHM, "candidats": draw.candidates, "tires": draw.selected, "reserve": draw.reserve,
        "effectue_le": draw.performed_at.isoformat() if draw.performed_at else None,
    })


@bp.route("/<slug>/candidature", methods=["GET", "POST"])
@login_required
def apply(slug: str):
    council = _published_council(slug)
    require(current_user, "councils.apply", council)
    form = ApplicationForm()
    colleges = [c for c in council.colleges if c.kind != CollegeKind.drawn_residents]
    form.college.choices = [(str(c.id), c.name) for c in colleges]
    if form.validate_on_submit():
        try:
            services.apply_to_council(council, college=db.session.get(College, int(form.college.data)), motivation=form.motivation.data,
                                      gender=form.gender.data, birth_year=form.birth_year.data, elected_councillor=form.elected_councillor.data,
                                      organisation=form.organisation.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Votre candidature est envoyée. Les agents chargés du conseil vous répondront."), "success")
            return redirect(url_for("councils.council", slug=slug))
    return render_template("councils/apply.html", council=council, form=form), form_status(form)


@bp.route("/<slug>/volontaire", methods=["GET", "POST"])
@login_required
def volunteer(slug: str):
    council = _published_council(slug)
    require(current_user, "councils.apply", council)
    form = VolunteerForm()
    if form.validate_on_submit():
        try:
            draw_service.add_volunteer(council, name=current_user.display_name, email=current_user.email, gender=form.gender.data,
                                       birth_year=form.birth_year.data, commune=current_user.commune, source=VolunteerSource.application,
                                       user=current_user, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Vous êtes inscrit comme volontaire pour le prochain tirage au sort."), "success")
            return redirect(url_for("councils.council", slug=slug))
    return render_template("councils/volunteer.html", council=council, form=form), form_status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    membership = services.invitation(token)
    if membership is None:
        return render_error(404, _("Cette invitation n'existe pas ou a déjà reçu une réponse."))
    form = InvitationForm()
    decline = ActionForm()
    if request.method == "POST" and request.form.get("decline") is not None:
        if decline.validate_on_submit():
            services.decline_invitation(membership, actor=current_user if current_user.is_authenticated else None)
            flash(_("Vous avez décliné l'invitation. Merci de votre réponse."), "success")
            return redirect(url_for("councils.council", slug=membership.council.slug))
    elif form.validate_on_submit():
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        try:
            services.accept_invitation(membership, gender=form.gender.data, birth_year=form.birth_year.data,
                                       elected_councillor=form.elected_councillor.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Bienvenue %(a_name)s !", a_name=a(membership.council.name)), "success")
            return redirect(url_for("councils.space", slug=membership.council.slug))
    return render_template("councils/invitation.html", membership=membership, council=membership.council, form=form,
                           decline=decline), form_status(form)


# =============================================================================
# Members' space


@bp.route("/<slug>/espace")
@login_required
def space(slug: str):
    council = _published_council(slug)
    require(current_user, "councils.view_private", council)
    now = utcnow()
    upcoming = db.session.scalars(
        sa.select(Sitting).where(Sitting.council_id == council.id, Sitting.state == SittingState.published, Sitting.starts_at >= now)
        .order_by(Sitting.starts_at).limit(10)
    ).all()
    drafts = db.session.execute(
        sa.select(Minutes, Sitting).join(Sitting, Sitting.id == Minutes.sitting_id)
        .where(Sitting.council_id == council.id, Minutes.state.in_((MinutesState.submitted, MinutesState.approved)))
        .order_by(Sitting.starts_at.desc()).limit(10)
    ).all()
    groups = db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.council_id == council.id, WorkingGroup.archived.is_(False))
                                .order_by(WorkingGroup.name).limit(50)).all()
    trainings = db.session.execute(
        sa.select(Training, sa.select(sa.func.count(TrainingRegistration.id)).where(
            TrainingRegistration.training_id == Training.id, TrainingRegistration.cancelled_at.is_(None)).scalar_subquery())
        .where(Training.council_id == council.id, Training.starts_at >= now).order_by(Training.starts_at).limit(10)
    ).all()
    seat = current_membership(current_user, council)
    mine = set()
    if seat is not None:
        mine = set(db.session.scalars(sa.select(TrainingRegistration.training_id).where(
            TrainingRegistration.membership_id == seat.id, TrainingRegistration.cancelled_at.is_(None))))
    documents = db.session.scalars(sa.select(CouncilDocument).where(CouncilDocument.council_id == council.id)
                                   .order_by(CouncilDocument.created_at.desc()).limit(20)).all()
    budget = db.session.scalar(sa.select(BudgetYear).where(BudgetYear.council_id == council.id).order_by(BudgetYear.year.desc()).limit(1))
    return render_template("councils/space.html", council=council, upcoming=upcoming, drafts=drafts, groups=groups, trainings=trainings,
                           mine=mine, seat=seat, documents=documents, budget=budget, action=ActionForm())


@bp.route("/<slug>/formations/<int:training_id>/inscription", methods=["POST"])
@login_required
def register_training(slug: str, training_id: int):
    council = _published_council(slug)
    training = _in(council, get_or_404(Training, training_id))
    form = ActionForm()
    if form.validate_on_submit():
        cancel = request.form.get("cancel") == "1"
        if cancel:
            extras_service.cancel_training_registration(training, actor=current_user)
            flash(_("Votre inscription est annulée ; la place est libérée."), "success")
        else:
            extras_service.register_for_training(training, actor=current_user)
            flash(_("Vous êtes inscrit à la formation « %(title)s ».", title=training.title), "success")
    return redirect(url_for("councils.space", slug=slug))


@bp.route("/<slug>/documents/<int:document_id>")
def document(slug: str, document_id: int):
    council = _published_council(slug)
    document = _in(council, get_or_404(CouncilDocument, document_id))
    if not extras_service.document_readable(document, current_user):
        require(current_user, "councils.view_private", council)
    return send_stored_file(document.file)


# =============================================================================
# Back office


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
            flash(_("La séance est publiée ; la convocation part ") + ("maintenant." if sitting.convened_at else
                                                                    _("%(convocation_days)s jours avant.", convocation_days=sitting.council.convocation_days)), "success")
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


# The sitting's documents as PDF (minutes, attendance sheet, convocation): their routes join these blueprints.
from participation.councils import document_views  # noqa: E402,F401
