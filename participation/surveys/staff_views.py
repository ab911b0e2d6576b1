"""The questionnaires' back office, under /gestion/questionnaires/: build, open, invite, read, publish, compare.

A council's bureau uses the same pages for its council's questionnaires (the
policies let it, questionnaire by questionnaire); they are then shown in a
layout without the back office's navigation, with crumbs leading back to the
council's space (``surveys/bureau_layout.html``). The list of the council's
questionnaires is in ``council_views.py``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response as HTTPResponse, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.dates import local_to_utc, utc_to_local
from participation.core.errors import DomainError, PermissionDenied
from participation.core.permissions import can, require
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate, paginate_rows, rollback_only
from participation.extensions import db
from participation.surveys import answering, results, services
from participation.surveys.forms import ConfirmForm, IndicatorLinkForm, InvitationForm, PublicationForm, QuestionForm, QuestionnaireForm, SectionForm, WaveForm
from participation.surveys.models import (CHOICE_KINDS, PROFILE_KINDS, TEXT_KINDS, SURVEY_WORKFLOW, Invitation, Question, QuestionKind,
                                          Questionnaire, Response, Section, SurveyState)

staff_bp = Blueprint("surveys_staff", __name__, url_prefix="/gestion/questionnaires")
staff_bp.register_error_handler(PermissionDenied, forbidden_page)


def _for_staff() -> bool:
    """Staff manage every questionnaire (``surveys.manage`` without an object is theirs only)."""
    return can(current_user, "surveys.manage")


@staff_bp.context_processor
def _layout() -> dict:
    return {"surveys_layout": "staff/_layout.html" if _for_staff() else "surveys/bureau_layout.html"}


def bureau_councils(user) -> list:
    """The councils whose questionnaires ``user`` may manage as a member of their bureau: one query."""
    from participation.councils.models import Council, CouncilState, MemberRole, Membership, MembershipState

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return list(db.session.scalars(
        sa.select(Council).join(Membership, Membership.council_id == Council.id)
        .where(Membership.user_id == user.id, Membership.state == MembershipState.active, Council.state != CouncilState.archived,
               Membership.role.in_([MemberRole.president, MemberRole.co_president, MemberRole.bureau]))
        .order_by(Council.name)
    ))

CSV_MAX_BYTES = 1024 * 1024


def _staff_questionnaire(questionnaire_id: int) -> Questionnaire:
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    require(current_user, "surveys.manage", questionnaire)
    return questionnaire


def _crumbs(questionnaire: Questionnaire | None = None, council=None) -> list:
    council = council or getattr(questionnaire, "council", None)
    if _for_staff() or council is None:
        crumbs = [(_("Questionnaires"), url_for("surveys_staff.index"))]
    else:
        crumbs = [(council.name, url_for("councils.space", slug=council.slug)),
                  (_("Questionnaires du conseil"), url_for("surveys_council.index", slug=council.slug))]
    if questionnaire is not None:
        crumbs.append((questionnaire.display_title, url_for("surveys_staff.detail", questionnaire_id=questionnaire.id)))
    return crumbs


@staff_bp.route("/")
@login_required
def index():
    require(current_user, "surveys.manage")
    answered = (sa.select(sa.func.count(Response.id))
                .where(Response.questionnaire_id == Questionnaire.id, Response.submitted_at.is_not(None)).scalar_subquery())
    page = paginate_rows(sa.select(Questionnaire, answered.label("answered"))
                         .options(sa.orm.lazyload(Questionnaire.sections), sa.orm.lazyload(Questionnaire.questions),
                                  sa.orm.lazyload(Questionnaire.themes))
                         .order_by(Questionnaire.id.desc()))
    return render_template("surveys/staff/index.html", page=page, council=None)


# Description -------------------------------------------------------------------------


def _questionnaire_form(questionnaire: Questionnaire | None = None) -> QuestionnaireForm:
    from participation.events.models import Event
    from participation.forums.models import Consultation
    from participation.referrals.models import Referral
    from participation.territory.models import Theme

    form = QuestionnaireForm(obj=None if request.method == "POST" or questionnaire is None else questionnaire)
    staff = _for_staff()
    councils = _council_choices(staff)
    form.council_id.choices = ([("", _("Aucun (la collectivité)"))] if staff else []) + [(str(c.id), c.name) for c in councils]
    if not staff:
        # A bureau links its questionnaire to its council's referrals only.
        del form.consultation_id
        del form.event_id
    if request.method == "GET" and questionnaire is None:
        wanted = (request.args.get("conseil") or "")[:200]
        form.council_id.data = next((str(c.id) for c in councils if c.slug == wanted), "" if staff else str(councils[0].id))
    if request.method == "GET" and questionnaire is not None:
        form.council_id.data = str(questionnaire.council_id or "")
        form.opens_at.data, form.closes_at.data = utc_to_local(questionnaire.opens_at), utc_to_local(questionnaire.closes_at)
        form.themes.data = [t.id for t in questionnaire.themes]
        form.access.data = questionnaire.access.value
        for name in ("consultation_id", "referral_id", "event_id"):
            if name in form:
                getattr(form, name).data = str(getattr(questionnaire, name) or "")
    form.themes.choices = [(tid, name) for tid, name in db.session.execute(sa.select(Theme.id, Theme.name).where(Theme.archived.is_(False)).order_by(Theme.name))]
    referrals = sa.select(Referral.id, Referral.subject).order_by(Referral.id.desc()).limit(100)
    if not staff:
        # (The referral staff may have linked stays offered, so that saving the form keeps it.)
        referrals = referrals.where(sa.or_(Referral.council_id.in_([c.id for c in councils]),
                                           Referral.id == getattr(questionnaire, "referral_id", None)))
    form.referral_id.choices = [("", _("Aucune")), *[(str(i), t) for i, t in db.session.execute(referrals)]]
    if staff:
        form.consultation_id.choices = [("", _("Aucune")), *[(str(i), t) for i, t in db.session.execute(
            sa.select(Consultation.id, Consultation.title).order_by(Consultation.id.desc()).limit(100))]]
        form.event_id.choices = [("", _("Aucun")), *[(str(i), t) for i, t in db.session.execute(
            sa.select(Event.id, Event.title).order_by(Event.starts_at.desc()).limit(100))]]
    return form


def _council_choices(staff: bool) -> list:
    """The councils the form offers: every council to staff, the bureau's own councils to a bureau member."""
    from participation.councils.models import Council, CouncilState

    if staff:
        return list(db.session.scalars(sa.select(Council).where(Council.state != CouncilState.archived).order_by(Council.name)))
    councils = bureau_councils(current_user)
    if not councils:
        raise PermissionDenied()
    return councils


def _values(form: QuestionnaireForm) -> dict:
    from participation.surveys.models import Access

    return {
        "title": form.title.data, "wave_label": (form.wave_label.data or "").strip(), "introduction": form.introduction.data or "",
        "purpose": form.purpose.data or "", "legal_basis": form.legal_basis.data or "", "recipients": form.recipients.data or "",
        "retention_months": form.retention_months.data, "access": Access(form.access.data),
        "opens_at": local_to_utc(form.opens_at.data), "closes_at": local_to_utc(form.closes_at.data),
        **{name: int(getattr(form, name).data) if (getattr(form, name).data or "").isdigit() else None
           for name in ("consultation_id", "referral_id", "event_id", "council_id") if name in form},
    }


def _themes(form):
    from participation.territory.models import Theme

    return db.session.scalars(sa.select(Theme).where(Theme.id.in_(form.themes.data or []))).all()


@staff_bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create():
    form = _questionnaire_form()  # staff, or a council's bureau (for its own councils only): 403 to anyone else
    if form.validate_on_submit():
        try:
            questionnaire = services.save_questionnaire(None, _values(form), themes=_themes(form), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le questionnaire est créé en brouillon. Ajoutez ses sections et ses questions."), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))
    council = None
    if not _for_staff():
        from participation.councils.models import Council

        council = db.session.get(Council, int(form.council_id.data)) if (form.council_id.data or "").isdigit() else None
    return render_template("surveys/staff/form.html", form=form, questionnaire=None, crumbs=_crumbs(council=council)), form_status(form)


@staff_bp.route("/<int:questionnaire_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    form = _questionnaire_form(questionnaire)
    if form.validate_on_submit():
        try:
            services.save_questionnaire(questionnaire, _values(form), themes=_themes(form), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le questionnaire est enregistré."), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))
    return render_template("surveys/staff/form.html", form=form, questionnaire=questionnaire, crumbs=_crumbs(questionnaire)), form_status(form)


@staff_bp.route("/<int:questionnaire_id>")
@login_required
def detail(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    section_form = SectionForm(formdata=None)
    return _detail_page(questionnaire, section_form)


def _detail_page(questionnaire, section_form, status=200):
    _condition_choices(section_form, questionnaire)
    return render_template(
        "surveys/staff/detail.html", questionnaire=questionnaire, crumbs=_crumbs(council=questionnaire.council), section_form=section_form,
        locked=services.structure_refusal(questionnaire), answered=results.submitted_count(questionnaire),
        invitations=services.invitation_counts(questionnaire), transitions=SURVEY_WORKFLOW.allowed(questionnaire, current_user),
        confirm=ConfirmForm(formdata=None), wave_form=WaveForm(formdata=None),
    ), status


def _condition_choices(form, questionnaire: Questionnaire, before_section: Section | None = None) -> None:
    positions = {s.id: s.position for s in questionnaire.sections}
    limit = positions.get(before_section.id) if before_section else None
    form.condition_question.choices = [("", _("Toujours afficher"))] + [
        (str(q.id), q.label[:80]) for q in questionnaire.ordered_questions()
        if q.kind in (QuestionKind.single, QuestionKind.multiple, *PROFILE_KINDS) and (limit is None or positions[q.section_id] < limit)]


def _condition(form, questionnaire: Questionnaire):
    raw = form.condition_question.data or ""
    if not raw.isdigit():
        return None
    question = db.session.get(Question, int(raw))
    if question is None or question.questionnaire_id != questionnaire.id:
        return None
    return (question, (form.condition_value.data or "").strip())


@staff_bp.route("/<int:questionnaire_id>/sections", methods=["POST"])
@login_required
def add_section(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    form = SectionForm()
    _condition_choices(form, questionnaire)
    if form.validate_on_submit():
        try:
            services.add_section(questionnaire, title=form.title.data, description=form.description.data,
                                 condition=_condition(form, questionnaire), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La section est ajoutée."), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))
    rollback_only()
    return _detail_page(questionnaire, form, 422)


def _section(questionnaire: Questionnaire, section_id: int) -> Section:
    section = get_or_404(Section, section_id)
    if section.questionnaire_id != questionnaire.id:
        abort(404)
    return section


@staff_bp.route("/<int:questionnaire_id>/sections/<int:section_id>", methods=["GET", "POST"])
@login_required
def edit_section(questionnaire_id: int, section_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    section = _section(questionnaire, section_id)
    form = SectionForm(obj=None if request.method == "POST" else section)
    _condition_choices(form, questionnaire, section)
    if request.method == "GET":
        form.condition_question.data = str(section.condition_question_id or "")
    if form.validate_on_submit():
        try:
            services.update_section(section, title=form.title.data, description=form.description.data,
                                    condition=_condition(form, questionnaire), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La section est enregistrée."), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))
    return render_template("surveys/staff/section.html", form=form, questionnaire=questionnaire, section=section,
                           crumbs=_crumbs(questionnaire)), form_status(form)


@staff_bp.route("/<int:questionnaire_id>/sections/<int:section_id>/supprimer", methods=["POST"])
@login_required
def remove_section(questionnaire_id: int, section_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    section = _section(questionnaire, section_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_section(section, actor=current_user)
    flash(_("La section et ses questions sont supprimées."), "success")
    return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))


# Questions ---------------------------------------------------------------------------


def _question(questionnaire: Questionnaire, question_id: int) -> Question:
    question = get_or_404(Question, question_id)
    if question.questionnaire_id != questionnaire.id:
        abort(404)
    return question


def _indicator_form(question) -> IndicatorLinkForm | None:
    if question is None or not can(current_user, "surveys.link_indicator", question.questionnaire):
        return None
    from participation.surveys.plan_indicators import indicator_choices

    form = IndicatorLinkForm(indicator=question.indicator_id or 0, indicator_option=question.indicator_option or "")
    form.indicator.choices = indicator_choices()
    return form


def _question_page(questionnaire, form, question=None, status=None):
    return render_template("surveys/staff/question.html", form=form, questionnaire=questionnaire, question=question,
                           indicator_form=_indicator_form(question),
                           locked=services.structure_refusal(questionnaire), crumbs=_crumbs(questionnaire)), (status or form_status(form))


@staff_bp.route("/<int:questionnaire_id>/questions/<int:question_id>/indicateur", methods=["POST"])
@login_required
def link_indicator(questionnaire_id: int, question_id: int):
    from participation.plans.models import Indicator
    from participation.surveys.plan_indicators import link_indicator as link

    questionnaire = _staff_questionnaire(questionnaire_id)
    require(current_user, "surveys.link_indicator", questionnaire)
    question = _question(questionnaire, question_id)
    form = IndicatorLinkForm()
    form.indicator.validate_choice = False  # the service checks what is chosen
    if form.validate_on_submit():
        try:
            link(question, db.session.get(Indicator, form.indicator.data or 0), form.indicator_option.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("La question alimente l'indicateur choisi quand ses résultats sont publiés.") if question.indicator_id
                  else _("La question n'alimente plus d'indicateur."), "success")
    else:
        flash(_("Choisissez un indicateur dans la liste."), "error")
    return redirect(url_for("surveys_staff.edit_question", questionnaire_id=questionnaire.id, question_id=question.id) + "#indicateur")


@staff_bp.route("/<int:questionnaire_id>/questions/nouvelle", methods=["GET", "POST"])
@login_required
def add_question(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    form = QuestionForm()
    form.section_id.choices = [(str(s.id), s.title) for s in questionnaire.sections]
    if request.method == "GET":
        form.section_id.data = request.args.get("section", "")[:12]
    _condition_choices(form, questionnaire)
    if form.validate_on_submit():
        section = next((s for s in questionnaire.sections if str(s.id) == form.section_id.data), questionnaire.sections[-1])
        try:
            services.add_question(section, QuestionKind(form.kind.data), form.values(), condition=_condition(form, questionnaire),
                                  actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La question est ajoutée."), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id) + f"#section-{section.id}")
    return _question_page(questionnaire, form)


@staff_bp.route("/<int:questionnaire_id>/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(questionnaire_id: int, question_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    question = _question(questionnaire, question_id)
    form = QuestionForm()
    form.section_id.choices = [(str(s.id), s.title) for s in questionnaire.sections]
    section = next(s for s in questionnaire.sections if s.id == question.section_id)
    _condition_choices(form, questionnaire, section)
    if request.method == "GET":
        settings = question.settings or {}
        form.process(data={
            "kind": question.kind.value, "section_id": str(question.section_id), "label": question.label, "help_text": question.help_text,
            "required": question.required, "options": "\n".join(question.options), "items": "\n".join(question.items),
            "allow_other": settings.get("allow_other", False), "display": settings.get("display", "radio"),
            "max_choices": settings.get("max_choices"), "minimum": settings.get("min"), "maximum": settings.get("max"),
            "low_label": settings.get("low_label", ""), "high_label": settings.get("high_label", ""),
            "condition_question": str(question.condition_question_id or ""), "condition_value": question.condition_value or "",
            "public": question.public,
            "min_date": date.fromisoformat(settings["min_date"]) if settings.get("min_date") else None,
            "max_date": date.fromisoformat(settings["max_date"]) if settings.get("max_date") else None,
        })
    elif form.validate_on_submit():
        try:
            services.update_question(question, form.values(), condition=_condition(form, questionnaire), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La question est enregistrée."), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id) + f"#question-{question.id}")
    return _question_page(questionnaire, form, question)


@staff_bp.route("/<int:questionnaire_id>/questions/<int:question_id>/<action>", methods=["POST"])
@login_required
def question_action(questionnaire_id: int, question_id: int, action: str):
    questionnaire = _staff_questionnaire(questionnaire_id)
    question = _question(questionnaire, question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "supprimer":
        services.remove_question(question, actor=current_user)
        flash(_("La question est supprimée."), "success")
    elif action in ("monter", "descendre"):
        services.move_question(question, -1 if action == "monter" else 1, actor=current_user)
    else:
        abort(404)
    return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))


@staff_bp.route("/<int:questionnaire_id>/apercu/<int:number>")
@login_required
def preview(questionnaire_id: int, number: int):
    """The pages as a respondent sees them, every section shown, nothing sent."""
    from participation.surveys.forms import AnswerForm
    from participation.surveys.services import option_labels

    questionnaire = _staff_questionnaire(questionnaire_id)
    visibility = answering.Visibility(questionnaire, {})
    sections = questionnaire.sections
    if not 1 <= number <= len(sections):
        abort(404)
    section = sections[number - 1]
    questions = visibility.questions_by_section.get(section.id, [])
    return render_template("surveys/answer.html", questionnaire=questionnaire, section=section, questions=questions, number=number,
                           total=len(sections), values={}, errors={}, form=AnswerForm(formdata=None), options=option_labels, preview=True)


# Copies and states -------------------------------------------------------------------------


@staff_bp.route("/<int:questionnaire_id>/dupliquer", methods=["POST"])
@login_required
def duplicate(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = services.duplicate(questionnaire, actor=current_user)
    flash(_("Une copie est créée en brouillon, sans les réponses."), "success")
    return redirect(url_for("surveys_staff.detail", questionnaire_id=copy.id))


@staff_bp.route("/<int:questionnaire_id>/vague", methods=["POST"])
@login_required
def new_wave(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    form = WaveForm()
    if form.validate_on_submit():
        try:
            wave = services.new_wave(questionnaire, wave_label=form.wave_label.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La vague « %(wave_label)s » est créée en brouillon avec les mêmes questions.", wave_label=wave.wave_label), "success")
            return redirect(url_for("surveys_staff.detail", questionnaire_id=wave.id))
    rollback_only()
    for message in [*form.wave_label.errors, *form.form_errors]:
        flash(message, "error")
    return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id) + "#vague")


@staff_bp.route("/<int:questionnaire_id>/etat/<action>", methods=["POST"])
@login_required
def transition(questionnaire_id: int, action: str):
    questionnaire = _staff_questionnaire(questionnaire_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "open":
        services.open_questionnaire(questionnaire, actor=current_user)
        flash(_("Le questionnaire est ouvert aux réponses."), "success")
    elif action == "close":
        services.close_questionnaire(questionnaire, actor=current_user)
        flash(_("Le questionnaire est clos : il ne reçoit plus de réponses."), "success")
    else:
        abort(404)
    return redirect(url_for("surveys_staff.detail", questionnaire_id=questionnaire.id))


@staff_bp.route("/<int:questionnaire_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    form = InvitationForm()
    if form.validate_on_submit():
        text = form.addresses.data or ""
        upload = form.file.data
        try:
            if upload is not None and getattr(upload, "filename", ""):
                content = upload.stream.read(CSV_MAX_BYTES + 1)
                if len(content) > CSV_MAX_BYTES:
                    raise DomainError(_("Le fichier dépasse 1 Mo."), field="file")
                try:
                    text += "\n" + content.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text += "\n" + content.decode("cp1252", errors="replace")
            added, known, rejected = services.import_invitations(questionnaire, text, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            message = _("%(added)s invitation%(value)s ajoutée%(value)s", added=added, value='s' if added > 1 else '')
            if known:
                message += _(", %(known)s adresse%(value)s déjà invitée%(value)s", known=known, value='s' if known > 1 else '')
            if rejected:
                message += _(" ; ignoré%(value)s car invalide%(value)s : ", value='s' if len(rejected) > 1 else '') + ", ".join(rejected[:10])
            flash(message + ".", "success")
            return redirect(url_for("surveys_staff.invitations", questionnaire_id=questionnaire.id))
    page = paginate(sa.select(Invitation).where(Invitation.questionnaire_id == questionnaire.id).order_by(Invitation.id))
    return render_template("surveys/staff/invitations.html", questionnaire=questionnaire, form=form, page=page,
                           counts=services.invitation_counts(questionnaire), crumbs=_crumbs(questionnaire)), form_status(form)


# Results -------------------------------------------------------------------------------------


@staff_bp.route("/<int:questionnaire_id>/resultats")
@login_required
def results_page(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    return render_template("surveys/staff/results.html", questionnaire=questionnaire, results=results.question_results(questionnaire),
                           total=results.submitted_count(questionnaire), started=results.started_count(questionnaire),
                           invitations=services.invitation_counts(questionnaire), crumbs=_crumbs(questionnaire),
                           dimensions=results.DIMENSIONS, crossable=CHOICE_KINDS + (QuestionKind.matrix,))


@staff_bp.route("/<int:questionnaire_id>/resultats/textes/<int:question_id>")
@login_required
def texts(questionnaire_id: int, question_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    question = _question(questionnaire, question_id)
    query = (request.args.get("q") or "").strip()[:100]
    page = paginate_rows(results.text_answers(question, query))
    return render_template("surveys/staff/texts.html", questionnaire=questionnaire, question=question, page=page, query=query,
                           crumbs=_crumbs(questionnaire))


@staff_bp.route("/<int:questionnaire_id>/croisement")
@login_required
def crosstab(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    raw = request.args.get("question", "")
    dimension = request.args.get("par", "commune")
    if dimension not in results.DIMENSIONS or not raw.isdigit() or len(raw) > 12:
        abort(404)
    question = _question(questionnaire, int(raw))
    if question.kind not in CHOICE_KINDS:
        abort(404)
    return render_template("surveys/staff/crosstab.html", questionnaire=questionnaire, table=results.crosstab(questionnaire, question, dimension),
                           dimensions=results.DIMENSIONS, small=results.SMALL_GROUP, crumbs=_crumbs(questionnaire))


@staff_bp.route("/<int:questionnaire_id>/comparaison")
@login_required
def compare(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    if questionnaire.previous_wave is None:
        abort(404, _("Ce questionnaire n'a pas de vague précédente à laquelle se comparer."))
    return render_template("surveys/staff/compare.html", questionnaire=questionnaire, rows=results.comparison(questionnaire),
                           crumbs=_crumbs(questionnaire))


def _csv(lines, filename: str) -> HTTPResponse:
    # Built whole inside the request (a few megabytes for 10,000 responses): the queries run in its transaction.
    return HTTPResponse("".join(lines), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=\"{filename}\""})


@staff_bp.route("/<int:questionnaire_id>/reponses.csv")
@login_required
def export_responses(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    return _csv(results.export_responses(questionnaire), f"questionnaire-{questionnaire.id}-reponses.csv")


@staff_bp.route("/<int:questionnaire_id>/resultats.csv")
@login_required
def export_aggregates(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    return _csv(results.export_aggregates(questionnaire), f"questionnaire-{questionnaire.id}-resultats.csv")


@staff_bp.route("/<int:questionnaire_id>/publication", methods=["GET", "POST"])
@login_required
def publication(questionnaire_id: int):
    questionnaire = _staff_questionnaire(questionnaire_id)
    form = PublicationForm()
    form.questions.choices = [(q.id, q.label) for q in questionnaire.ordered_questions() if q.kind not in TEXT_KINDS]
    if request.method == "GET":
        form.analysis.data = questionnaire.analysis
        form.questions.data = [q.id for q in questionnaire.questions if q.public]
    elif form.validate_on_submit():
        try:
            if questionnaire.state == SurveyState.closed:
                services.publish_results(questionnaire, analysis=form.analysis.data, public_question_ids=form.questions.data or [],
                                         actor=current_user)
                flash(_("Les résultats sont publiés."), "success")
            elif questionnaire.state == SurveyState.published:
                services.set_publication(questionnaire, analysis=form.analysis.data, public_question_ids=form.questions.data or [],
                                         actor=current_user)
                flash(_("La publication est mise à jour."), "success")
            else:
                raise DomainError(_("Closez le questionnaire avant d'en publier les résultats."))
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect(url_for("surveys.public_results", questionnaire_id=questionnaire.id))
    return render_template("surveys/staff/publication.html", questionnaire=questionnaire, form=form,
                           crumbs=_crumbs(questionnaire)), form_status(form)
