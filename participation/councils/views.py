"""Council pages: the public pages under /conseils/ and the members' space; the back office is in staff_views.py
(/gestion/conseils), the sittings' PDF documents in document_views.py."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required


from participation.core import holes
from participation.core.pagecache import cached_page, fragment
from participation.core.french import a
from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.core.permissions import can, require
from participation.core.uploads import send_stored_file
from participation.core.web import form_error, form_status, get_or_404, paginate, render_error
from participation.councils import draws as draw_service
from participation.councils import extras as extras_service
from participation.councils import lottery, services
from participation.councils import sittings as sitting_service
from participation.councils.forms import (
    ActionForm,
    AnswerForm,
    ApplicationForm,
    InvitationForm,
    RerunForm,
    VolunteerForm,
)
from participation.councils.models import (
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
    Minutes,
    MinutesState,
    Sitting,
    SittingState,
    Training,
    TrainingRegistration,
    VolunteerSource,
    WorkingGroup,
)
from participation.councils.member_space import bp as member_space_bp  # noqa: F401 (registered through EXTRA_BLUEPRINTS)
from participation.councils.staff_views import staff_bp  # noqa: F401 (registered through EXTRA_BLUEPRINTS)
from participation.councils.policies import current_membership
from participation.extensions import db
from flask_babel import gettext as _

bp = Blueprint("councils", __name__, url_prefix="/conseils")
# What a council's page shows: the council, its members, sittings, minutes and draws, its activity reports.
COUNCIL_PAGE_TAGS = ("councils", "referrals", "users")
EXTRA_BLUEPRINTS = ("staff_bp", "member_space_bp")


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



# The sitting's documents as PDF (minutes, attendance sheet, convocation): their routes join these blueprints.
from participation.councils import document_views  # noqa: E402,F401
