"""Referral pages: the public list and pages (/saisines/), the members' drafting
(/saisines/<id>/redaction) and the back office (/gestion/saisines/); the open
data is declared in referrals/opendata.py."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from flask_babel import gettext as _


from participation.core import holes
from participation.core.pagecache import cached_page, fragment
from participation.core.concurrency import EditConflict, diff_lines
from participation.core.errors import DomainError, PermissionDenied
from participation.core.french import de
from participation.core.documents import issue
from participation.core.pdf import render_pdf
from participation.core.urls import external_url
from participation.referrals.documents import opinion_document
from participation.core.permissions import can, require
from participation.core.web import edit_conflict, forbidden_page, form_error, form_status, get_or_404, paginate
from participation.councils.models import Council, Sitting, SittingState, WorkingGroup
from participation.extensions import db
from participation.referrals import services
from participation.referrals.forms import (
    ActionForm,
    AnswerForm,
    CommentForm,
    DeclineForm,
    GroupForm,
    ProposalForm,
    RecommendationForm,
    ReferralForm,
    ReportForm,
    ReportTextsForm,
    ScheduleVoteForm,
    StatusForm,
    VersionForm,
    VoteForm,
)
from participation.referrals.models import (
    ACTIVITY_REPORT_WORKFLOW,
    REFERRAL_WORKFLOW,
    ActivityReport,
    Opinion,
    OpinionState,
    Recommendation,
    RecommendationStatus,
    Referral,
    ReferralKind,
    ReferralState,
)
from participation.referrals.report import (
    create_report,
    current_year,
    edit_report,
    figures_of,
    open_years,
    publish_report,
    published_years,
    reports_query,
)
from participation.territory.models import Department
from participation.territory.services import current_territory

bp = Blueprint("referrals", __name__, url_prefix="/saisines")
staff_bp = Blueprint("referrals_staff", __name__, url_prefix="/gestion/saisines")
EXTRA_BLUEPRINTS = ("staff_bp",)

staff_bp.register_error_handler(PermissionDenied, forbidden_page)

# What a referral's page shows: the referral, its opinion and answers (this domain), its council and sittings,
# the departments that answer (territory, a site tag).
REFERRAL_PAGE_TAGS = ("referrals", "councils")


def _referral(referral_id: int, action: str = "referrals.view") -> Referral:
    referral = get_or_404(Referral, referral_id)
    if action == "referrals.view" and not can(current_user, action, referral):
        abort(404)  # a proposal inside the council: nothing to see from outside
    require(current_user, action, referral)
    return referral


def _done(referral: Referral, message: str, endpoint: str = "referrals.referral"):
    flash(message, "success")
    return redirect(url_for(endpoint, referral_id=referral.id))


def _refused(error: DomainError, referral: Referral, endpoint: str = "referrals.referral"):
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for(endpoint, referral_id=referral.id))


def _council_by_slug(slug: str) -> Council:
    return db.session.scalar(sa.select(Council).where(Council.slug == slug)) or abort(404)


def _council_filter() -> tuple[Council | None, int | None]:
    """The ``?conseil=`` filter of a list: the council, and the id to filter on (-1, matching nothing, for an unknown slug)."""
    slug = request.args.get("conseil") or None
    if slug is None:
        return None, None
    council = db.session.scalar(sa.select(Council).where(Council.slug == slug))
    return council, council.id if council else -1


def _count(statement) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))


def _departments():
    return db.session.scalars(sa.select(Department).where(Department.archived.is_(False)).order_by(Department.name)).all()


# Public pages ---------------------------------------------------------------------


@bp.route("/")
@cached_page
def index():
    state = request.args.get("etat")
    state = ReferralState(state) if state in {s.value for s in ReferralState} else None
    council, council_id = _council_filter()
    page = paginate(services.public_referrals(state=state, council_id=council_id))
    return render_template("referrals/index.html", page=page, state=state, states=services.PUBLIC_STATES, council=council)


@bp.route("/<int:referral_id>")
@cached_page
def referral(referral_id: int):
    item = _referral(referral_id)

    def shared():
        opinion = item.opinion
        public_answer = item.state in (ReferralState.answered, ReferralState.closed)
        return render_template(
            "referrals/_referral_shared.html", referral=item, opinion=opinion, steps=services.timeline(item),
            published=opinion is not None and opinion.state == OpinionState.published, public_answer=public_answer,
            history=services.history(opinion) if opinion and public_answer else {})

    # The referral's facts, opinion, answers and history are the same for everyone who may see it: built once.
    page = fragment("referral", shared, tags=REFERRAL_PAGE_TAGS, vary=(item.id,))
    return render_template("referrals/referral.html", referral=item, shared=holes.fill(page, personal=holes.part("referral", item.id)))


@holes.person_part("referral")
def _personal_part(referral_id: str):
    """What the person asking may do with the referral: follow it, and, for staff, decide on it."""
    # Its council, without the council's colleges and members: the policies read who sits on its bureau.
    item = holes.part_subject(Referral, referral_id, sa.orm.joinedload(Referral.council).lazyload("*"))
    groups = []
    if can(current_user, "referrals.decide", item) and item.state in (ReferralState.received, ReferralState.accepted, ReferralState.in_progress):
        groups = db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.council_id == item.council_id,
                                                                  WorkingGroup.archived.is_(False)).order_by(WorkingGroup.name)).all()
    group_form = GroupForm()
    group_form.group.choices = [(g.id, g.name) for g in groups]
    return render_template(
        "referrals/_referral_personal.html", referral=item,
        following=services.follows(item, current_user) if current_user.is_authenticated else False,
        action_form=ActionForm(), decline_form=DeclineForm(), group_form=group_form, groups=groups,
        actions={t.name for t in REFERRAL_WORKFLOW.allowed(item, current_user)},
    )


@bp.route("/<int:referral_id>/suivre", methods=["POST"])
@login_required
def follow(referral_id: int):
    item = _referral(referral_id)
    if ActionForm().validate_on_submit():
        now = services.follow(item, actor=current_user)
        flash(_("Vous suivez cette saisine : vous serez prévenu·e de l'avis et de la réponse.") if now
              else _("Vous ne suivez plus cette saisine."), "success")
    return redirect(url_for("referrals.referral", referral_id=item.id))


@bp.route("/<int:referral_id>/decision", methods=["POST"])
@login_required
def decide(referral_id: int):
    item = _referral(referral_id, "referrals.decide")
    decision = request.form.get("decision")
    try:
        if decision == "accept" and ActionForm().validate_on_submit():
            services.accept(item, actor=current_user)
            return _done(item, _("La saisine est acceptée."))
        if decision == "decline":
            form = DeclineForm()
            services.decline(item, reason=form.reason.data if form.validate_on_submit() else "", actor=current_user)
            return _done(item, _("La saisine est refusée ; le motif est publié avec elle."))
        if decision == "group":
            form = GroupForm()
            group = db.session.get(WorkingGroup, form.group.data) if form.validate_on_submit() else None
            services.assign_group(item, group, actor=current_user)
            return _done(item, _("La saisine est confiée au groupe de travail."))
    except DomainError as error:
        return _refused(error, item)
    abort(400)


@bp.route("/proposer/<slug>", methods=["GET", "POST"])
@login_required
def propose(slug: str):
    council = _council_by_slug(slug)
    require(current_user, "referrals.propose", council)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            item = services.propose(council, subject=form.subject.data, question=form.question.data, act=form.act.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Votre proposition d'auto-saisine est transmise au bureau."), "success")
            return redirect(url_for("referrals.referral", referral_id=item.id))
    return render_template("referrals/propose.html", council=council, form=form), form_status(form)


@bp.route("/<int:referral_id>/avis")
@cached_page
def opinion(referral_id: int):
    item = _referral(referral_id)
    if item.opinion is None or item.opinion.state != OpinionState.published:
        abort(404)
    return render_template("referrals/opinion.html", referral=item, opinion=item.opinion, vote=item.opinion.adopted_vote)


@bp.route("/<int:referral_id>/avis.pdf")
def opinion_pdf(referral_id: int):
    item = _referral(referral_id)
    if item.opinion is None or item.opinion.state != OpinionState.published:
        abort(404)
    pdf = render_pdf("referrals/opinion_pdf.html", document=opinion_document(item), referral=item, opinion=item.opinion,
                     vote=item.opinion.adopted_vote, territory=current_territory())
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"avis-{item.id}.pdf\""})


# Drafting (members) -----------------------------------------------------------------


def _opinion_of(referral_id: int, action: str):
    item = _referral(referral_id, "referrals.view_draft")
    if item.opinion is None:
        abort(404)
    require(current_user, action, item.opinion)
    return item, item.opinion


def _drafting_page(item, opinion, *, version_form=None, comment_form=None, recommendation_form=None, conflict=None):
    version_form = version_form or VersionForm(formdata=None, body=opinion.body, based_on=opinion.version_count)
    versions = paginate(services.versions_query(opinion), per_page=20)
    comments = paginate(services.comments_query(opinion), per_page=30)
    forms = (version_form, comment_form, recommendation_form)
    return render_template(
        "referrals/drafting.html", referral=item, opinion=opinion, versions=versions, comments=comments,
        paragraphs=services.paragraphs(opinion.body), version_form=version_form, comment_form=comment_form or CommentForm(formdata=None),
        recommendation_form=recommendation_form or RecommendationForm(formdata=None), action_form=ActionForm(),
        may_draft=can(current_user, "referrals.draft", opinion), may_comment=can(current_user, "referrals.comment", opinion),
        conflict=conflict,
    ), 409 if conflict else form_status(*forms)


@bp.route("/<int:referral_id>/redaction", methods=["GET", "POST"])
@login_required
def drafting(referral_id: int):
    item, opinion = _opinion_of(referral_id, "referrals.view_draft")
    form = conflict = None
    if request.method == "POST":
        require(current_user, "referrals.draft", opinion)
        form = VersionForm()
        if form.validate_on_submit():
            try:
                version = services.save_version(opinion, body=form.body.data, note=form.note.data, actor=current_user,
                                                based_on=form.based_on.data or "")
            except EditConflict as error:
                conflict = edit_conflict(form, error, text_field="body")
            except DomainError as error:
                form_error(form, error)
            else:
                flash(_("Version %(number)s enregistrée.", number=version.number), "success")
                return redirect(url_for("referrals.drafting", referral_id=item.id))
    return _drafting_page(item, opinion, version_form=form, conflict=conflict)


@bp.route("/<int:referral_id>/redaction/commentaires", methods=["POST"])
@login_required
def comment(referral_id: int):
    item, opinion = _opinion_of(referral_id, "referrals.comment")
    form = CommentForm()
    if form.validate_on_submit():
        try:
            services.comment(opinion, body=form.body.data, paragraph=form.paragraph.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Commentaire ajouté."), "success")
            return redirect(url_for("referrals.drafting", referral_id=item.id))
    return _drafting_page(item, opinion, comment_form=form)


@bp.route("/<int:referral_id>/redaction/recommandations", methods=["POST"])
@login_required
def add_recommendation(referral_id: int):
    item, opinion = _opinion_of(referral_id, "referrals.draft")
    form = RecommendationForm()
    if form.validate_on_submit():
        try:
            services.add_recommendation(opinion, text=form.text.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Recommandation ajoutée."), "success")
            return redirect(url_for("referrals.drafting", referral_id=item.id))
    return _drafting_page(item, opinion, recommendation_form=form)


@bp.route("/<int:referral_id>/redaction/recommandations/<int:number>/supprimer", methods=["POST"])
@login_required
def remove_recommendation(referral_id: int, number: int):
    item, opinion = _opinion_of(referral_id, "referrals.draft")
    rec = next((r for r in opinion.recommendations if r.number == number), None) or abort(404)
    if ActionForm().validate_on_submit():
        try:
            services.remove_recommendation(rec, actor=current_user)
        except DomainError as error:
            return _refused(error, item, "referrals.drafting")
        flash(_("Recommandation retirée ; les suivantes sont renumérotées."), "success")
    return redirect(url_for("referrals.drafting", referral_id=item.id))


@bp.route("/<int:referral_id>/redaction/vote", methods=["POST"])
@login_required
def submit(referral_id: int):
    item, opinion = _opinion_of(referral_id, "referrals.draft")
    if ActionForm().validate_on_submit():
        try:
            if request.form.get("decision") == "reopen":
                services.reopen_opinion(opinion, actor=current_user)
                flash(_("La rédaction reprend."), "success")
            else:
                services.submit_opinion(opinion, actor=current_user)
                flash(_("Le projet d'avis est prêt pour le vote en séance."), "success")
        except DomainError as error:
            return _refused(error, item, "referrals.drafting")
    return redirect(url_for("referrals.drafting", referral_id=item.id))


@bp.route("/<int:referral_id>/redaction/versions/<int:number>")
@login_required
def version(referral_id: int, number: int):
    item, opinion = _opinion_of(referral_id, "referrals.view_draft")
    found = services.version(opinion, number) or abort(404)
    return render_template("referrals/version.html", referral=item, opinion=opinion, version=found)


@bp.route("/<int:referral_id>/redaction/comparer")
@login_required
def compare(referral_id: int):
    item, opinion = _opinion_of(referral_id, "referrals.view_draft")
    old_n = request.args.get("de", type=int) or max(opinion.version_count - 1, 1)
    new_n = request.args.get("a", type=int) or opinion.version_count
    old, new = services.version(opinion, old_n), services.version(opinion, new_n)
    if old is None or new is None:
        abort(404)
    return render_template("referrals/compare.html", referral=item, opinion=opinion, old=old, new=new,
                           lines=diff_lines(old.body, new.body), numbers=range(opinion.version_count, 0, -1))


# Back office -----------------------------------------------------------------------


@staff_bp.route("", endpoint="index")
@login_required
def staff_index():
    require(current_user, "referrals.manage")
    council, council_id = _council_filter()
    page = paginate(services.all_referrals(council_id=council_id))
    return render_template("referrals/staff/index.html", page=page, council=council, overdue=_count(services.overdue_referrals()),
                           late_opinions=_count(services.opinions_due(before=date.today())))


@staff_bp.route("/en-retard")
@login_required
def overdue():
    require(current_user, "referrals.manage")
    late_opinions = db.session.scalars(services.opinions_due(before=date.today()).limit(100)).all()
    return render_template("referrals/staff/overdue.html", page=paginate(services.overdue_referrals()), late_opinions=late_opinions)


@staff_bp.route("/nouvelle/<slug>", methods=["GET", "POST"])
@login_required
def new(slug: str):
    council = _council_by_slug(slug)
    require(current_user, "referrals.manage", council)
    form = ReferralForm()
    form.department.choices = [(d.id, d.name) for d in _departments()]
    if form.validate_on_submit():
        try:
            item = services.refer(council, kind=ReferralKind(form.kind.data), subject=form.subject.data, question=form.question.data,
                                  act=form.act.data, referred_by=form.referred_by.data,
                                  department=db.session.get(Department, form.department.data or 0),
                                  received_on=form.received_on.data, due_on=form.due_on.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La saisine est enregistrée ; le bureau du conseil est prévenu."), "success")
            return redirect(url_for("referrals_staff.referral", referral_id=item.id))
    return render_template("referrals/staff/new.html", council=council, form=form), form_status(form)


def _staff_page(item: Referral, **forms):
    opinion = item.opinion
    scheduled = opinion.vote_item.sitting if opinion is not None and opinion.vote_item is not None else None
    schedule_form = forms.get("schedule_form") or ScheduleVoteForm(formdata=None, prefix="programmation")
    schedule_form.sitting.choices = [(s.id, f"{s.title} ({s.starts_at:%d/%m/%Y})")
                                     for s in db.session.scalars(services.vote_sittings(item).limit(20))]
    vote_form = forms.get("vote_form") or VoteForm(formdata=None, sitting=scheduled.id if scheduled else None)
    vote_form.sitting.choices = [(s.id, f"{s.title} ({s.starts_at:%d/%m/%Y})") for s in db.session.scalars(
        sa.select(Sitting).where(Sitting.council_id == item.council_id, Sitting.state == SittingState.published)
        .order_by(Sitting.starts_at.desc()).limit(20))]
    departments = [(d.id, d.name) for d in _departments()]
    status_forms = {}
    if opinion is not None:
        for rec in opinion.recommendations:
            form = forms.get("status_forms", {}).get(rec.id) or StatusForm(formdata=None, prefix=f"r{rec.id}",
                                                                            department=rec.department_id or item.department_id)
            form.department.choices = departments
            status_forms[rec.id] = form
    answer_form = forms.get("answer_form") or AnswerForm(formdata=None, general_answer=item.general_answer)
    return render_template(
        "referrals/staff/referral.html", referral=item, opinion=opinion, vote_form=vote_form, answer_form=answer_form,
        schedule_form=schedule_form, scheduled=scheduled,
        status_forms=status_forms, action_form=ActionForm(), votes=services.votes_of(opinion) if opinion else [],
        history=services.history(opinion) if opinion else {}, steps=services.timeline(item),
        actions={t.name for t in REFERRAL_WORKFLOW.allowed(item, current_user)},
    ), form_status(schedule_form, vote_form, answer_form, *status_forms.values())


@staff_bp.route("/<int:referral_id>", endpoint="referral")
@login_required
def staff_referral(referral_id: int):
    item = get_or_404(Referral, referral_id)
    if not (can(current_user, "referrals.manage", item) or can(current_user, "referrals.answer", item)):
        raise PermissionDenied()
    return _staff_page(item)


@staff_bp.route("/<int:referral_id>/programmer-le-vote", methods=["POST"])
@login_required
def schedule_vote(referral_id: int):
    item = get_or_404(Referral, referral_id)
    require(current_user, "referrals.manage", item)
    if item.opinion is None:
        abort(404)
    form = ScheduleVoteForm(prefix="programmation")
    if form.validate_on_submit():
        try:
            services.schedule_vote(item.opinion, sitting=db.session.get(Sitting, form.sitting.data or 0), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(item, _("Le vote est inscrit à l'ordre du jour de la séance ; les membres du conseil sont prévenus."),
                         "referrals_staff.referral")
    return _staff_page(item, schedule_form=form)


@staff_bp.route("/<int:referral_id>/vote", methods=["POST"])
@login_required
def vote(referral_id: int):
    item = get_or_404(Referral, referral_id)
    require(current_user, "referrals.vote", item)
    form = VoteForm()
    if item.opinion is None:
        abort(404)
    if form.validate_on_submit():
        try:
            result = services.record_vote(item.opinion, sitting=db.session.get(Sitting, form.sitting.data or 0), votes_for=form.votes_for.data,
                                          votes_against=form.votes_against.data, abstentions=form.abstentions.data,
                                          present=form.present.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'avis est adopté.") if result.adopted else _("L'avis n'est pas adopté : il retourne en rédaction."), "success")
            return redirect(url_for("referrals_staff.referral", referral_id=item.id))
    return _staff_page(item, vote_form=form)


@staff_bp.route("/<int:referral_id>/etape", methods=["POST"])
@login_required
def step(referral_id: int):
    item = get_or_404(Referral, referral_id)
    require(current_user, "referrals.manage", item)
    what = request.form.get("step")
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if what == "publish" and item.opinion is not None:
            services.publish_opinion(item.opinion, actor=current_user)
            message = _("L'avis est publié.")
        elif what == "transmit":
            services.transmit(item, actor=current_user)
            message = _("L'avis est transmis à la direction qui a saisi le conseil.")
        elif what == "close":
            services.close(item, actor=current_user)
            message = _("La saisine est clôturée.")
        else:
            abort(400)
    except DomainError as error:
        return _refused(error, item, "referrals_staff.referral")
    return _done(item, message, "referrals_staff.referral")


@staff_bp.route("/<int:referral_id>/reponse", methods=["POST"])
@login_required
def answer(referral_id: int):
    item = get_or_404(Referral, referral_id)
    require(current_user, "referrals.answer", item)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer(item, general_answer=form.general_answer.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(item, _("La réponse est publiée sur la page de la saisine."), "referrals_staff.referral")
    return _staff_page(item, answer_form=form)


@staff_bp.route("/<int:referral_id>/recommandations/<int:recommendation_id>", methods=["POST"])
@login_required
def recommendation(referral_id: int, recommendation_id: int):
    item = get_or_404(Referral, referral_id)
    rec = get_or_404(Recommendation, recommendation_id)
    if item.opinion is None or rec.opinion_id != item.opinion.id:
        abort(404)
    require(current_user, "referrals.answer", item)
    form = StatusForm(prefix=f"r{rec.id}")
    form.department.choices = [(d.id, d.name) for d in _departments()]
    if form.validate_on_submit():
        try:
            services.set_recommendation_status(rec, status=RecommendationStatus(form.status.data), explanation=form.explanation.data,
                                               department=db.session.get(Department, form.department.data or 0), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(item, _("Suite de la recommandation n° %(number)s enregistrée.", number=rec.number), "referrals_staff.referral")
    return _staff_page(item, status_forms={rec.id: form})


# Yearly activity reports -------------------------------------------------------------


def _activity_report(slug: str, year: int) -> ActivityReport:
    council = _council_by_slug(slug)
    item = db.session.scalar(sa.select(ActivityReport).where(ActivityReport.council_id == council.id, ActivityReport.year == year))
    if item is None or not can(current_user, "referrals.view_report", item):
        abort(404)  # a draft is not shown outside the back office
    return item


@bp.route("/rapports/<slug>/<int:year>")
def report(slug: str, year: int):
    item = _activity_report(slug, year)
    return render_template("referrals/report.html", report=item, figures=figures_of(item))


@bp.route("/rapports/<slug>/<int:year>.pdf")
def report_pdf(slug: str, year: int):
    item = _activity_report(slug, year)
    document = issue("RAPP", item, title=_("Rapport d'activité %(year)s %(council)s", year=item.year, council=de(item.council.name)),
                     url=external_url("referrals.report", slug=slug, year=year))
    pdf = render_pdf("referrals/report_pdf.html", document=document, report=item, figures=figures_of(item), territory=current_territory())
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"rapport-activite-{item.council.slug}-{item.year}.pdf\""})


@bp.app_template_global()
def council_activity_reports(council) -> list[int]:
    """The years of a council's published activity reports, newest first, for its public page: one query."""
    return published_years(council.id)


@bp.app_template_global()
def member_opinion_drafts(group_ids) -> list:
    """The drafts that these working groups are writing (referral id, subject, opinion state), for « Mon espace »: one query."""
    if not group_ids:
        return []
    return db.session.execute(
        sa.select(Referral.id, Referral.subject, Opinion.state, Opinion.version_count)
        .join(Opinion, Opinion.referral_id == Referral.id)
        .where(Referral.working_group_id.in_(list(group_ids)), Opinion.state.in_([OpinionState.drafting, OpinionState.ready]))
        .order_by(Referral.due_on, Referral.id)
        .limit(20)
    ).all()


def _reports_page(council: Council | None, council_id: int | None, *, form: ReportForm | None = None):
    form = form or ReportForm(formdata=None)
    years = open_years(council) if council else []
    form.year.choices = [(year, str(year)) for year in years]
    page = paginate(reports_query(council_id=council_id))
    return render_template("referrals/staff/reports.html", page=page, council=council, form=form, years=years), form_status(form)


@staff_bp.route("/rapports", endpoint="reports")
@login_required
def staff_reports():
    require(current_user, "referrals.report")
    return _reports_page(*_council_filter())


@staff_bp.route("/rapports/nouveau/<slug>", methods=["POST"])
@login_required
def new_report(slug: str):
    council = _council_by_slug(slug)
    require(current_user, "referrals.report", council)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            item = create_report(council, year=form.year.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le rapport d'activité %(year)s est créé : complétez ses textes, puis publiez-le.", year=item.year), "success")
            return redirect(url_for("referrals_staff.report", report_id=item.id))
    return _reports_page(council, council.id, form=form)


@staff_bp.route("/rapports/<int:report_id>", methods=["GET", "POST"], endpoint="report")
@login_required
def staff_report(report_id: int):
    item = get_or_404(ActivityReport, report_id)
    require(current_user, "referrals.report", item)
    form = conflict = None
    if request.method == "POST":
        form = ReportTextsForm()
        if form.validate_on_submit():
            try:
                edit_report(item, introduction=form.introduction.data, outlook=form.outlook.data, actor=current_user,
                            based_on=form.based_on.data or "")
            except EditConflict as error:
                conflict = edit_conflict(form, error, text_fields={"introduction": "introduction", "outlook": "outlook"})
            except DomainError as error:
                form_error(form, error)
            else:
                flash(_("Les textes du rapport sont enregistrés."), "success")
                return redirect(url_for("referrals_staff.report", report_id=item.id))
    form = form or ReportTextsForm(formdata=None, introduction=item.introduction, outlook=item.outlook, based_on=item.revision)
    return render_template(
        "referrals/staff/report.html", report=item, form=form, figures=figures_of(item), conflict=conflict,
        publish_refusal=ACTIVITY_REPORT_WORKFLOW.refusal(item, "publish", current_user), year_open=item.year >= current_year(),
    ), 409 if conflict else form_status(form)


@staff_bp.route("/rapports/<int:report_id>/publication", methods=["POST"])
@login_required
def publish_activity_report(report_id: int):
    item = get_or_404(ActivityReport, report_id)
    require(current_user, "referrals.report", item)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        publish_report(item, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Le rapport est publié : ses chiffres restent ceux d'aujourd'hui, et les membres du conseil sont prévenus."), "success")
    return redirect(url_for("referrals_staff.report", report_id=report_id))
