"""Consultation pages: the public forum under /concertations/, the back office under /gestion/."""

from __future__ import annotations

from flask_babel import ngettext
import csv
import io

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from participation.core import holes
from participation.core.pagecache import cached_page, fragment
from participation.core.forms import parse_int
from participation.core.dates import local_to_utc, utc_to_local
from participation.core.concurrency import EditConflict
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.core.pdf import PDFUnavailable, render_pdf
from participation.core.permissions import can, require
from participation.core.web import edit_conflict, forbidden_page, form_error, form_status, get_or_404, paginate, paginate_rows, render_error
from participation.extensions import db, limiter
from participation.forums import attachments, reading, services
from participation.forums import moderation as moderation_service
from participation.core.uploads import send_stored_file
from participation.forums.forms import (
    AttachmentForm,
    CharterForm,
    ConfirmForm,
    ConsultationFilterForm,
    ConsultationForm,
    ContributionForm,
    EditForm,
    FollowForm,
    ModerationForm,
    ReactionForm,
    ReportForm,
    SynthesisForm,
    TopicForm,
)
from participation.forums.models import (
    CONSULTATION_WORKFLOW,
    AttachmentKind,
    Consultation,
    ConsultationAttachment,
    ConsultationState,
    Contribution,
    ContributionState,
    ReactionKind,
    ReportReason,
    Topic,
)
from participation.territory.models import Commune, Theme
from flask_babel import gettext as _

# What the public forum pages show: the forums, people's names, the charter and processes.
FORUM_PAGE_TAGS = ("forums", "users", "processes")

bp = Blueprint("forums", __name__, url_prefix="/concertations")
staff_bp = Blueprint("forums_staff", __name__, url_prefix="/gestion")
EXTRA_BLUEPRINTS = ("staff_bp",)


def _user_key() -> str:
    """Contributions are limited per account, wherever the person connects from."""
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


def _contribution_limit() -> str:
    return current_app.config["RATELIMIT_CONTRIBUTIONS"]


contribution_limit = limiter.limit(_contribution_limit, key_func=_user_key, methods=["POST"])


# Public list ------------------------------------------------------------------


def _filter_choices(form: ConsultationFilterForm) -> None:
    form.theme.choices = [("", _("Tous")), *[(str(t.id), t.name) for t in db.session.scalars(sa.select(Theme).order_by(Theme.name))]]
    form.commune.choices = [("", _("Toutes")), *[(str(c.id), c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))]]


@bp.route("/")
@cached_page(tags=FORUM_PAGE_TAGS)
def index():
    form = ConsultationFilterForm()
    _filter_choices(form)
    form.check()

    def listing():
        page = paginate_rows(
            reading.public_consultations(
                theme_id=int(form.theme.data) if form.theme.data else None,
                commune_id=int(form.commune.data) if form.commune.data else None,
                status=form.status.data or None,
                query=form.q.data,
            )
        )
        return render_template("forums/_consultation_list.html", page=page, filters=form.active(), now=utcnow())

    # The list is the same for everyone: built once for each filter and page, shared by logged-in people too.
    shared = fragment("consultation-list", listing, tags=FORUM_PAGE_TAGS, vary=tuple(sorted(request.args.items(multi=True))))
    return render_template("forums/index.html", listing=shared, form=form, filters=form.active()), form_status(form)


# A consultation and its topics --------------------------------------------------


def _consultation(consultation_id: int, *, options=()) -> Consultation:
    consultation = get_or_404(Consultation, consultation_id, options=options)
    require(current_user, "forums.view", consultation)
    return consultation


def _consultation_page(consultation: Consultation, *, topic_form=None, charter_form=None, status=None):
    query = (request.args.get("q") or "").strip()[:100]
    results = None
    if query:
        def found():
            select = reading.search_contributions(consultation, query)
            return render_template("forums/_search_results.html", consultation=consultation, query=query,
                                   results=paginate(select) if select is not None else None)

        # Published contributions only, the same for everyone: a search is built once and shared by logged-in people too.
        results = fragment("consultation-search", found, tags=FORUM_PAGE_TAGS,
                           vary=(consultation.id, query, request.args.get("page", "")))
    attached = attachments.attachments_of(consultation)
    return render_template(
        "forums/consultation.html",
        consultation=consultation,
        images=[a for a in attached if a.kind == AttachmentKind.image],
        documents=[a for a in attached if a.kind == AttachmentKind.document],
        shown_state=consultation.shown_state(),
        topic_list=None if query else holes.part("consultation-topics", consultation.id),
        results=results,
        query=query,
        participation=holes.part("consultation-participation", consultation.id, topic_form=topic_form, charter_form=charter_form),
    ), (status or form_status(topic_form, charter_form))


@holes.person_part("consultation-topics")
def _topic_list(consultation_id: str):
    """A page of the consultation's topics: the one everyone sees, built once, or the person's own
    when they have a waiting or hidden contribution there."""
    consultation = holes.part_subject(Consultation, consultation_id)

    def topic_list(actor):
        page = paginate(reading.topics_of(consultation, actor))
        page.items = reading.with_counts(page.items)
        return render_template("forums/_topic_list.html", consultation=consultation, page=page)

    if not _standing(consultation).own_unseen:
        return fragment("consultation-topics", lambda: topic_list(None), tags=FORUM_PAGE_TAGS,
                        vary=(consultation.id, request.args.get("page", "")))
    return topic_list(current_user)


@holes.person_part("consultation-participation")
def _participation(consultation_id: str, *, topic_form=None, charter_form=None):
    """How the person asking may take part: why not, the charter to accept, the form to open a topic
    (sent back with its errors when ``topic_form`` or ``charter_form`` is given)."""
    consultation = holes.part_subject(Consultation, consultation_id)
    accepted = _standing(consultation).accepted_charter
    refusal = _refusal(consultation)
    signed_in = current_user.is_authenticated
    show_charter = not accepted and signed_in

    def render(topic_form, charter_form):
        if topic_form is not None:
            topic_form.theme.choices = [("", _("Aucun")), *[(str(t.id), t.name) for t in consultation.themes]]
        return render_template("forums/_participation.html", consultation=consultation, shown_state=consultation.shown_state(),
                               refusal=refusal, topic_form=topic_form, charter_form=charter_form, signed_in=signed_in)

    if topic_form is not None or charter_form is not None:
        return render(topic_form, charter_form)
    # Empty forms, or why not: the same for everyone in the same case, built once (its token and moment filled here).
    html = fragment("consultation-participation",
                    lambda: render(TopicForm(formdata=None) if refusal is None else None, CharterForm(formdata=None) if show_charter else None),
                    tags=FORUM_PAGE_TAGS, vary=(consultation.id, str(refusal or ""), show_charter, signed_in))
    return holes.fill_for_request(html)


@bp.route("/<int:consultation_id>")
@cached_page(tags=FORUM_PAGE_TAGS)
def consultation(consultation_id: int):
    return _consultation_page(_consultation(consultation_id))


@bp.route("/<int:consultation_id>/fichiers/<int:attachment_id>")
def attachment(consultation_id: int, attachment_id: int):
    """A document or an image of the consultation, to whoever may see the consultation (a draft's: staff only)."""
    item = _consultation(consultation_id)
    attached = get_or_404(ConsultationAttachment, attachment_id)
    if attached.consultation_id != item.id:
        abort(404)
    return send_stored_file(attached.file, inline=attached.kind == AttachmentKind.image)


@bp.route("/<int:consultation_id>/charte", methods=["POST"])
@login_required
def accept_charter(consultation_id: int):
    item = _consultation(consultation_id)
    form = CharterForm()
    if not form.validate_on_submit():
        return _consultation_page(item, charter_form=form)
    services.accept_charter(item, actor=current_user)
    flash(_("Merci : vous avez accepté la charte de participation. Vous pouvez contribuer."), "success")
    return redirect(url_for("forums.consultation", consultation_id=item.id) + "#nouveau-sujet")


@bp.route("/<int:consultation_id>/sujets", methods=["POST"])
@login_required
@contribution_limit
def open_topic(consultation_id: int):
    item = _consultation(consultation_id)
    form = TopicForm()
    form.theme.choices = [("", _("Aucun")), *[(str(t.id), t.name) for t in item.themes]]
    if not form.validate_on_submit():
        return _consultation_page(item, topic_form=form)
    theme = next((t for t in item.themes if str(t.id) == form.theme.data), None)
    try:
        topic = services.open_topic(item, title=form.title.data, body=form.body.data, theme=theme, actor=current_user)
    except PermissionDenied:
        raise
    except DomainError as error:
        form_error(form, error)
        return _consultation_page(item, topic_form=form, status=error.status_code)
    if item.premoderated and not can(current_user, "forums.moderate", item):
        flash(_("Votre sujet est enregistré : il apparaîtra aux autres une fois approuvé par la modération."), "success")
    else:
        flash(_("Votre sujet est publié."), "success")
    return redirect(url_for("forums.topic", consultation_id=item.id, topic_id=topic.id))


def _topic(consultation_id: int, topic_id: int, *, options=()) -> tuple[Consultation, Topic]:
    """The topic and its consultation, read together (``options`` apply to the consultation)."""
    topic = get_or_404(Topic, topic_id, options=(sa.orm.joinedload(Topic.consultation).options(*options),))
    return _visible(consultation_id, topic)


def _visible(consultation_id: int, topic: Topic | None) -> tuple[Consultation, Topic]:
    if topic is None or topic.consultation_id != consultation_id:
        abort(404)
    require(current_user, "forums.view", topic.consultation)
    return topic.consultation, topic


def _topic_page(consultation: Consultation, topic: Topic, *, form=None, status=None):
    if not reading.has_public_thread(topic) and topic.author_id != getattr(current_user, "id", None) and not can(current_user, "forums.moderate", topic):
        # Nothing public in it: only those with a contribution of their own waiting there see it.
        if paginate(reading.thread(topic, current_user)).total == 0:
            abort(404)
    return render_template(
        "forums/topic.html",
        consultation=consultation,
        topic=topic,
        follow=holes.part("topic-follow", topic.id),
        thread=holes.part("topic-thread", topic.id),
        contribute=holes.part("topic-contribute", topic.id, form=form),
    ), (status or form_status(form))


def _topic_subject(topic_id: str) -> tuple[Topic, Consultation]:
    """The topic a part is about and its consultation, in one query once per request."""
    topic = holes.part_subject(Topic, topic_id, sa.orm.joinedload(Topic.consultation).lazyload("*"))
    return topic, topic.consultation


def _standing(consultation: Consultation, topic: Topic | None = None) -> reading.Standing:
    """Where the person asking stands on the consultation (and the topic): one query per request for all the parts."""
    return holes.once(("forums.standing", consultation.id, getattr(topic, "id", None)),
                      lambda: reading.standing(consultation, current_user, topic))


def _refusal(consultation: Consultation, topic: Topic | None = None):
    """Why the person asking may not contribute (``services.participation_refusal``), worked out once per request."""
    return holes.once(("forums.refusal", consultation.id), lambda: services.participation_refusal(
        consultation, current_user, accepted=_standing(consultation, topic).accepted_charter))


@holes.person_part("topic-thread")
def _thread(topic_id: str):
    """The topic's contributions for the person asking: the thread everyone of their kind sees, built once
    and filled with their reactions and controls, or their own when they have a waiting or hidden contribution."""
    topic, consultation = _topic_subject(topic_id)
    refusal = _refusal(consultation, topic)
    if not current_user.is_authenticated:
        mode = "anonymous"
    else:
        mode = "participant" if refusal is None else "member"
    shared = not _standing(consultation, topic).own_unseen

    def render(actor):
        page = paginate(reading.thread(topic, actor))
        return page, render_template(
            "forums/_thread.html", consultation=consultation, topic=topic, page=page,
            replies=reading.replies_to(page.items, actor), reaction_kinds=list(ReactionKind), mode=mode,
            reply_form=ContributionForm(formdata=None, prefix="reply") if mode == "participant" else None)

    if shared:
        # The same contributions for everyone of this mode: rendered once, personal bits filled below.
        html = fragment("topic-thread", lambda: render(None)[1], tags=FORUM_PAGE_TAGS,
                        vary=(topic.id, request.args.get("page", ""), mode))
    else:
        with holes.rendering():
            _page, html = render(current_user)
    return _fill_thread(html)


@holes.person_part("topic-follow")
def _follow_form(topic_id: str):
    """Following the topic, for a signed-in person."""
    if not current_user.is_authenticated:
        return ""
    topic, consultation = _topic_subject(topic_id)
    following = _standing(consultation, topic).following
    # Two variants, following or not, built once each (the form's token filled here).
    html = fragment("topic-follow", lambda: render_template("forums/_topic_follow.html", consultation=consultation, topic=topic,
                                                            following=following),
                    tags=FORUM_PAGE_TAGS, vary=(topic.id, following))
    return holes.fill_for_request(html)


@holes.person_part("topic-contribute")
def _contribute(topic_id: str, *, form=None):
    """The contribution form, or why the person may not contribute (with their text when it was refused)."""
    topic, consultation = _topic_subject(topic_id)
    refusal = _refusal(consultation, topic)
    signed_in = current_user.is_authenticated

    def render(form):
        return render_template("forums/_topic_contribute.html", consultation=consultation, topic=topic, refusal=refusal, form=form,
                               signed_in=signed_in)

    if form is not None:
        return render(form)
    # The empty form, or why not: the same for everyone in the same case, built once (its token and moment filled here).
    html = fragment("topic-contribute", lambda: render(ContributionForm(formdata=None) if refusal is None else None),
                    tags=FORUM_PAGE_TAGS, vary=(topic.id, str(refusal or ""), signed_in))
    return holes.fill_for_request(html)


def _fill_thread(html: str):
    """A thread's HTML with this person's token, reactions and controls (templates/forums/_thread.html)."""
    user = current_user._get_current_object()
    own_id = str(user.id) if user.is_authenticated else None

    def split(args):
        return [(arg, *arg.split("-", 1)) for arg in args]

    def pressed(args):
        mine = reading.reactions_of(user, sorted({int(cid) for _, cid, _ in split(args)}))
        return {arg: "true" if (kind := mine.get(int(cid))) is not None and kind.value == value else "false"
                for arg, cid, value in split(args)}

    def editable(args):
        own = reading.own_contributions(user, [int(cid) for _, cid, author in split(args) if author == str(user.id)])
        now = utcnow()
        found = {arg: int(cid) in own and services.edit_refusal(own[int(cid)], user, now) is None for arg, cid, _ in split(args)}
        for arg, cid, _unused in split(args):
            if found[arg]:  # its button goes when its time to edit ends
                holes.holds_until(services.edit_deadline(own[int(cid)]))
        return found

    return holes.fill_for_request(
        html,
        mine=lambda args: {arg: arg == own_id for arg in args},
        pressed=pressed,
        editable=editable,
    )


@bp.route("/<int:consultation_id>/sujets/<int:topic_id>")
@cached_page(tags=FORUM_PAGE_TAGS)
def topic(consultation_id: int, topic_id: int):
    return _topic_page(*_topic(consultation_id, topic_id))


@bp.route("/<int:consultation_id>/sujets/<int:topic_id>/contributions", methods=["POST"])
@login_required
@contribution_limit
def contribute(consultation_id: int, topic_id: int):
    # The topic is read with the person's standing (charter, follow).
    found, stands = reading.topic_for(topic_id, current_user)
    item, topic_ = _visible(consultation_id, found)
    prefix = "reply" if "reply-body" in request.form else ""
    form = ContributionForm(prefix=prefix)
    if not form.validate_on_submit():
        if prefix:
            # A reply's form sits under its contribution: its errors show in the main form's place.
            for message in [*form.body.errors, *form.form_errors]:
                flash(message, "error")
            return redirect(url_for("forums.topic", consultation_id=item.id, topic_id=topic_.id) + f"#contribution-{form.parent_id.data}")
        return _topic_page(item, topic_, form=form)
    parent = db.session.get(Contribution, parent_id) if (parent_id := parse_int(form.parent_id.data, minimum=1)) else None
    try:
        contribution = services.contribute(topic_, body=form.body.data, parent=parent, actor=current_user, stands=stands)
    except PermissionDenied:
        raise
    except DomainError as error:
        if prefix and services.participation_refusal(item, current_user) is None:
            flash(error.message, "error")
            return redirect(url_for("forums.topic", consultation_id=item.id, topic_id=topic_.id))
        # The page shows the refusal and, when contributing is no longer possible (the consultation
        # closed while the person wrote), the text they typed, reply or not, so that nothing is lost.
        form_error(form, error)
        return _topic_page(item, topic_, form=form, status=error.status_code)
    if contribution.state == ContributionState.pending:
        flash(_("Votre contribution est enregistrée : elle apparaîtra aux autres une fois approuvée par la modération."), "success")
    else:
        flash(_("Votre contribution est publiée."), "success")
    return redirect(url_for("forums.topic", consultation_id=item.id, topic_id=topic_.id, page=request.args.get("page")) + f"#contribution-{contribution.id}")


@bp.route("/<int:consultation_id>/sujets/<int:topic_id>/suivre", methods=["POST"])
@login_required
def follow(consultation_id: int, topic_id: int):
    item, topic_ = _topic(consultation_id, topic_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("follow") == "0":
        services.unfollow(topic_, actor=current_user)
        flash(_("Vous ne suivez plus ce sujet : vous ne recevrez plus de courriel à son propos."), "success")
    else:
        services.follow(topic_, actor=current_user)
        flash(_("Vous suivez ce sujet : ses nouvelles contributions vous seront signalées comme vous l'avez choisi pour les concertations."), "success")
    return redirect(url_for("forums.topic", consultation_id=item.id, topic_id=topic_.id) + "#suivre")


@bp.route("/desabonnement/<token>", methods=["GET", "POST"])
def unfollow_link(token: str):
    """The unsubscribe link of the mails: no login needed, one button to confirm (mail scanners open links)."""
    found = services.read_unfollow_token(token)
    if found is None:
        abort(404, _("Ce lien de désabonnement n'est pas valable."))
    person, topic_ = found
    form = ConfirmForm()
    if form.validate_on_submit():
        if topic_ is None:
            services.unfollow_all(actor=person)
            flash(_("Vous ne suivez plus aucun sujet : vous ne recevrez plus de courriel des concertations."), "success")
        else:
            services.unfollow(topic_, actor=person)
            flash(_("Vous ne suivez plus le sujet « %(title)s ».", title=topic_.title), "success")
        return redirect(url_for("forums.unfollow_link", token=token))
    follows = services.follow_count(person, topic_)
    return render_template("forums/unfollow.html", form=form, topic=topic_, follows=follows), form_status(form)


# One contribution ---------------------------------------------------------------


def _contribution(contribution_id: int) -> Contribution:
    contribution = get_or_404(Contribution, contribution_id)
    require(current_user, "forums.view", contribution.consultation)
    return contribution


def _thread_url(contribution: Contribution) -> str:
    return url_for("forums.topic", consultation_id=contribution.consultation_id, topic_id=contribution.topic_id) + f"#contribution-{contribution.id}"


@bp.route("/contributions/<int:contribution_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(contribution_id: int):
    contribution = _contribution(contribution_id)
    require(current_user, "forums.edit", contribution)
    refusal = services.edit_refusal(contribution, current_user)
    form = EditForm(data={"body": contribution.body} if request.method == "GET" else None)
    if refusal is None and form.validate_on_submit():
        try:
            services.edit_contribution(contribution, body=form.body.data, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Votre contribution est modifiée."), "success")
            return redirect(_thread_url(contribution))
    return render_template("forums/edit.html", contribution=contribution, form=form, refusal=refusal), (409 if refusal and request.method == "POST" else form_status(form))


@bp.route("/contributions/<int:contribution_id>/supprimer", methods=["POST"])
@login_required
def delete(contribution_id: int):
    contribution = _contribution(contribution_id)
    require(current_user, "forums.edit", contribution)
    services.delete_contribution(contribution, actor=current_user)
    flash(_("Votre contribution est supprimée."), "success")
    return redirect(url_for("forums.topic", consultation_id=contribution.consultation_id, topic_id=contribution.topic_id))


@bp.route("/contributions/<int:contribution_id>/reaction", methods=["POST"])
@login_required
def react(contribution_id: int):
    contribution = _contribution(contribution_id)
    require(current_user, "forums.participate", contribution)
    form = ReactionForm()
    if not form.validate_on_submit():
        abort(400)
    kind = services.react(contribution, ReactionKind(form.kind.data), actor=current_user)
    flash(_("Votre réaction est enregistrée : « %(label)s ».", label=kind.label) if kind else _("Votre réaction est retirée."), "success")
    return redirect(_thread_url(contribution))


@bp.route("/contributions/<int:contribution_id>/signaler", methods=["GET", "POST"])
@login_required
def report(contribution_id: int):
    contribution = _contribution(contribution_id)
    require(current_user, "forums.participate", contribution)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation_service.report(contribution, reason=ReportReason(form.reason.data), comment=form.comment.data, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Merci : votre signalement est transmis à la modération."), "success")
            return redirect(_thread_url(contribution))
    return render_template("forums/report.html", contribution=contribution, form=form), form_status(form)


# Synthesis ----------------------------------------------------------------------


def _published_synthesis(consultation_id: int) -> Consultation:
    item = _consultation(consultation_id)
    if item.state != ConsultationState.synthesis_published and not can(current_user, "forums.manage", item):
        abort(404, _("La synthèse de cette concertation n'est pas encore publiée."))
    return item


@bp.route("/<int:consultation_id>/synthese")
@cached_page(tags=FORUM_PAGE_TAGS)
def synthesis(consultation_id: int):
    item = _published_synthesis(consultation_id)
    return render_template("forums/synthesis.html", consultation=item, figures=reading.synthesis_figures(item))


@bp.route("/<int:consultation_id>/synthese.pdf")
def synthesis_pdf(consultation_id: int):
    item = _published_synthesis(consultation_id)
    try:
        from participation.core.documents import issue
        from participation.core.urls import external_url

        document = issue("SYNTH", item, title=_("Synthèse — %(title)s", title=item.title), url=external_url("forums.synthesis", consultation_id=item.id))
        data = render_pdf("forums/synthesis_pdf.html", document=document, consultation=item, figures=reading.synthesis_figures(item),
                          title=document.title)
    except PDFUnavailable:
        return render_error(503, _("Le PDF ne peut pas être produit pour le moment : lisez la synthèse en ligne."))
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename=\"synthese-concertation-{item.id}.pdf\""
    return response


# Back office --------------------------------------------------------------------


staff_bp.register_error_handler(PermissionDenied, forbidden_page)


@staff_bp.route("/concertations")
@login_required
def staff_list():
    require(current_user, "forums.manage")
    page = paginate(reading.staff_consultations())
    return render_template("forums/staff_list.html", page=page)


def _consultation_form_choices(form: ConsultationForm) -> None:
    form.themes.choices = [(t.id, t.name) for t in db.session.scalars(sa.select(Theme).where(Theme.archived.is_(False)).order_by(Theme.name))]
    form.communes.choices = [(c.id, c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))]


def _save_from_form(item: Consultation | None, form: ConsultationForm) -> Consultation:
    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(form.themes.data or []))).all()
    communes = db.session.scalars(sa.select(Commune).where(Commune.id.in_(form.communes.data or []))).all()
    return services.save_consultation(
        item,
        title=form.title.data,
        question=form.question.data,
        presentation=form.presentation.data,
        charter=form.charter.data,
        opens_at=local_to_utc(form.opens_at.data),
        closes_at=local_to_utc(form.closes_at.data),
        premoderated=form.premoderated.data,
        themes=themes,
        communes=communes,
        actor=current_user,
    )


@staff_bp.route("/concertations/nouvelle", methods=["GET", "POST"])
@login_required
def staff_new():
    require(current_user, "forums.manage")
    form = ConsultationForm()
    _consultation_form_choices(form)
    if form.validate_on_submit():
        try:
            item = _save_from_form(None, form)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La concertation est créée en brouillon : publiez-la quand elle est prête."), "success")
            return redirect(url_for("forums_staff.staff_consultation", consultation_id=item.id))
    return render_template("forums/staff_form.html", form=form, consultation=None), form_status(form)


def _staff_page(item: Consultation, *, form=None, synthesis_form=None, attachment_form=None, conflict=None):
    if form is None:
        form = ConsultationForm(formdata=None, data={
            "title": item.title, "question": item.question, "presentation": item.presentation, "charter": item.charter,
            "opens_at": utc_to_local(item.opens_at), "closes_at": utc_to_local(item.closes_at), "premoderated": item.premoderated,
            "themes": [t.id for t in item.themes], "communes": [c.id for c in item.communes],
        })
        _consultation_form_choices(form)
    if synthesis_form is None:
        synthesis_form = SynthesisForm(formdata=None, data={"text": item.synthesis or "", "based_on": item.synthesis_revision})
    transitions = {t.name: t for t in CONSULTATION_WORKFLOW.allowed(item, current_user)}
    return render_template(
        "forums/staff_form.html", form=form, consultation=item, synthesis_form=synthesis_form, transitions=transitions,
        figures=reading.synthesis_figures(item), attachments=attachments.attachments_of(item),
        attachment_form=attachment_form or AttachmentForm(formdata=None), remove_form=ConfirmForm(formdata=None), conflict=conflict,
    ), 409 if conflict else form_status(form, synthesis_form, attachment_form)


@staff_bp.route("/concertations/<int:consultation_id>", methods=["GET", "POST"])
@login_required
def staff_consultation(consultation_id: int):
    item = get_or_404(Consultation, consultation_id)
    require(current_user, "forums.manage", item)
    if request.method == "GET":
        return _staff_page(item)
    form = ConsultationForm()
    _consultation_form_choices(form)
    if form.validate_on_submit():
        try:
            _save_from_form(item, form)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La concertation est enregistrée."), "success")
            return redirect(url_for("forums_staff.staff_consultation", consultation_id=item.id))
    return _staff_page(item, form=form)


@staff_bp.route("/concertations/<int:consultation_id>/fichiers", methods=["POST"])
@login_required
def staff_add_attachment(consultation_id: int):
    item = get_or_404(Consultation, consultation_id)
    require(current_user, "forums.manage", item)
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            attached = attachments.add_attachment(item, upload=form.file.data, title=form.title.data, alt_text=form.alt_text.data, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("« %(title)s » est ajouté%(value)s à la présentation.", title=attached.title, value='e' if attached.kind == AttachmentKind.image else ''), "success")
            return redirect(url_for("forums_staff.staff_consultation", consultation_id=item.id) + "#fichiers")
    return _staff_page(item, attachment_form=form)


@staff_bp.route("/concertations/<int:consultation_id>/fichiers/<int:attachment_id>/retirer", methods=["POST"])
@login_required
def staff_remove_attachment(consultation_id: int, attachment_id: int):
    item = get_or_404(Consultation, consultation_id)
    require(current_user, "forums.manage", item)
    attached = get_or_404(ConsultationAttachment, attachment_id)
    if attached.consultation_id != item.id:
        abort(404)
    title = attached.title
    attachments.remove_attachment(attached, actor=current_user)
    flash(_("« %(title)s » est retiré de la présentation.", title=title), "success")
    return redirect(url_for("forums_staff.staff_consultation", consultation_id=item.id) + "#fichiers")


@staff_bp.route("/concertations/<int:consultation_id>/<any('publier', 'clore', 'publier-synthese'):action>", methods=["POST"])
@login_required
def staff_transition(consultation_id: int, action: str):
    item = get_or_404(Consultation, consultation_id)
    require(current_user, "forums.manage", item)
    operation, message = {
        "publier": (services.publish_consultation, _("La concertation est publiée.")),
        "clore": (services.close_consultation, _("La concertation est close : plus personne ne peut y contribuer.")),
        "publier-synthese": (services.publish_synthesis, _("La synthèse est publiée ; contributeurs et abonnés en sont avertis.")),
    }[action]
    operation(item, actor=current_user)
    flash(message, "success")
    return redirect(url_for("forums_staff.staff_consultation", consultation_id=item.id))


@staff_bp.route("/concertations/<int:consultation_id>/synthese", methods=["POST"])
@login_required
def staff_synthesis(consultation_id: int):
    item = get_or_404(Consultation, consultation_id)
    require(current_user, "forums.manage", item)
    form = SynthesisForm()
    if form.validate_on_submit():
        try:
            services.save_synthesis(item, text=form.text.data, actor=current_user, based_on=form.based_on.data or "")
        except PermissionDenied:
            raise
        except EditConflict as error:
            return _staff_page(item, synthesis_form=form, conflict=edit_conflict(form, error, text_field="text"))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La synthèse est enregistrée."), "success")
            return redirect(url_for("forums_staff.staff_consultation", consultation_id=item.id) + "#synthese")
    return _staff_page(item, synthesis_form=form)


@staff_bp.route("/concertations/<int:consultation_id>/contributions.csv")
@login_required
def staff_export(consultation_id: int):
    item = get_or_404(Consultation, consultation_id)
    require(current_user, "forums.export", item)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # for spreadsheet software to read UTF-8
    csv.writer(buffer, delimiter=";").writerows(reading.export_rows(item, actor=current_user))
    response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=\"concertation-{item.id}-contributions.csv\""
    return response


@staff_bp.route("/moderation", methods=["GET", "POST"])
@login_required
def moderation():
    require(current_user, "forums.view_moderation")
    queue = request.args.get("file", "reported")
    if queue not in ("pending", "reported"):
        queue = "reported"
    form = ModerationForm()
    if request.method == "POST" and form.validate_on_submit():
        ids = request.form.getlist("contributions", type=int)
        items = db.session.scalars(sa.select(Contribution).where(Contribution.id.in_(ids)).order_by(Contribution.id)).all() if ids else []
        try:
            count = moderation_service.moderate(items, action=form.action.data, reason=form.reason.data, actor=current_user,
                                                suspend_days=form.suspend_days.data)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(ngettext("« %(action)s » : %(num)d contribution traitée, son auteur est averti par courriel.",
                           "« %(action)s » : %(num)d contributions traitées, leurs auteurs sont avertis par courriel.",
                           count, action=moderation_service.MODERATION_ACTIONS[form.action.data]), "success")
            return redirect(url_for("forums_staff.moderation", file=queue))
    page = paginate(moderation_service.moderation_queue(queue))
    return render_template(
        "forums/moderation.html", page=page, queue=queue, form=form, reports=moderation_service.open_reports([c.id for c in page.items]),
    ), form_status(form)
