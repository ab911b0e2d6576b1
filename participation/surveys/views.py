"""Public pages of the questionnaires, under /questionnaires/: answer page by page, read published results.

The back office is in ``staff_views.py`` (its blueprint is registered from here).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (Blueprint, Response as HTTPResponse, abort, after_this_request, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user

from participation.core.errors import DomainError
from participation.core.pagecache import cached_page, fragment
from participation.core.pdf import PDFUnavailable, render_pdf
from participation.core.permissions import require
from participation.core.tokens import make_token, token_digest
from participation.core.web import get_or_404, paginate, rollback_only
from participation.extensions import db, limiter
from participation.surveys import answering, results
from participation.surveys.forms import AnswerForm, ConfirmForm
from participation.surveys.models import Access, Invitation, Questionnaire, SurveyState
from participation.surveys.services import invitation_by_token, option_labels
from participation.surveys.council_views import council_bp  # noqa: F401  (registered through EXTRA_BLUEPRINTS)
from participation.surveys.staff_views import staff_bp  # noqa: F401  (registered through EXTRA_BLUEPRINTS)
from flask_babel import gettext as _

bp = Blueprint("surveys", __name__, url_prefix="/questionnaires")
EXTRA_BLUEPRINTS = ("staff_bp", "council_bp")

BROWSER_COOKIE = "questionnaires_navigateur"
INVITATIONS_KEY = "questionnaire_invitations"
MAX_PAGE = 200


def _answer_limit() -> str:
    return current_app.config.get("RATELIMIT_SURVEY_ANSWERS", "30 per minute;600 per day")


answer_limit = limiter.limit(_answer_limit, methods=["POST"])


@bp.route("/")
def index():
    statement = (
        sa.select(Questionnaire)
        .where(sa.or_(sa.and_(Questionnaire.state == SurveyState.open, Questionnaire.access != Access.invitation),
                      Questionnaire.state == SurveyState.published))
        .order_by(Questionnaire.id.desc())
    )
    page = paginate(statement)
    return render_template("surveys/index.html", page=page)


def _questionnaire(questionnaire_id: int) -> Questionnaire:
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    require(current_user, "surveys.view", questionnaire)
    return questionnaire


def _browser_key(create: bool) -> str | None:
    raw = request.cookies.get(BROWSER_COOKIE)
    if raw and 20 <= len(raw) <= 100:
        return token_digest(raw)
    if not create:
        return None
    raw = make_token()

    @after_this_request
    def _set_cookie(response):
        response.set_cookie(BROWSER_COOKIE, raw, max_age=3 * 365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        return response

    return token_digest(raw)


def _invitation(questionnaire: Questionnaire) -> Invitation | None:
    invitation_id = (session.get(INVITATIONS_KEY) or {}).get(str(questionnaire.id))
    return db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None


def _response(questionnaire: Questionnaire, *, create: bool = False):
    invitation = _invitation(questionnaire)
    anonymous_open = questionnaire.access == Access.open and invitation is None and not current_user.is_authenticated
    return answering.find_response(questionnaire, user=current_user, invitation=invitation,
                                   browser_key=_browser_key(create and anonymous_open) if anonymous_open else None, create=create)


@bp.route("/<int:questionnaire_id>")
def show(questionnaire_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    refusal = answering.answer_refusal(questionnaire)
    response = None
    if refusal is None:
        try:
            response = _response(questionnaire)
        except DomainError as error:
            refusal = error.message
    return render_template("surveys/show.html", questionnaire=questionnaire, refusal=refusal, response=response,
                           pages=len(answering.Visibility(questionnaire, (response.draft if response else None) or {}).shown_sections))


@bp.route("/invitation/<token>")
def invitation(token: str):
    """The personal link: remembered in the session, so that each page knows who answers."""
    try:
        found = invitation_by_token(token[:200])
    except DomainError as error:
        abort(404, error.message)
    invitations = dict(session.get(INVITATIONS_KEY) or {})
    invitations[str(found.questionnaire_id)] = found.id
    session[INVITATIONS_KEY] = invitations
    return redirect(url_for("surveys.show", questionnaire_id=found.questionnaire_id))


def _page_context(questionnaire, visibility, number: int, draft: dict, *, errors=None, values=None, form=None, preview=False):
    sections = visibility.shown_sections
    section = sections[number - 1]
    return dict(
        questionnaire=questionnaire, section=section, questions=visibility.questions(section), number=number, total=len(sections),
        values=values if values is not None else draft, errors=errors or {}, form=form or AnswerForm(formdata=None),
        options=option_labels, preview=preview,
    )


@bp.route("/<int:questionnaire_id>/repondre/<int:number>", methods=["GET", "POST"])
@answer_limit
def answer(questionnaire_id: int, number: int):
    questionnaire = _questionnaire(questionnaire_id)
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    response = _response(questionnaire, create=request.method == "POST")
    answering.check_can_answer(questionnaire, response)
    draft = (response.draft if response else None) or {}
    visibility = answering.Visibility(questionnaire, draft)
    if number > len(visibility.shown_sections):
        return redirect(url_for("surveys.review", questionnaire_id=questionnaire.id))
    if request.method == "GET":
        return render_template("surveys/answer.html", **_page_context(questionnaire, visibility, number, draft))
    form = AnswerForm()
    section = visibility.shown_sections[number - 1]
    if not form.validate_on_submit():
        rollback_only()
        return render_template("surveys/answer.html", **_page_context(
            questionnaire, visibility, number, draft, form=form, values=_posted(visibility, section))), 422
    try:
        visibility = answering.save_page(response, section, request.form)
    except answering.AnswerErrors as refused:
        rollback_only()
        return render_template("surveys/answer.html", **_page_context(
            questionnaire, visibility, number, draft, errors=refused.errors, form=form, values=_posted(visibility, section))), 422
    if request.form.get("later"):
        flash(_("Vos réponses sont enregistrées. Revenez quand vous voulez") + (
            _(" avec le lien reçu par courriel") if response.invitation_id else
            _(", connecté à votre compte") if response.user_id else _(", depuis ce navigateur")) + _(" pour reprendre."), "success")
        return redirect(url_for("surveys.show", questionnaire_id=questionnaire.id))
    next_number = (visibility.page_of(section.id) or number) + 1
    if next_number > len(visibility.shown_sections):
        return redirect(url_for("surveys.review", questionnaire_id=questionnaire.id))
    return redirect(url_for("surveys.answer", questionnaire_id=questionnaire.id, number=next_number))


def _posted(visibility, section) -> dict:
    """What was typed, to show it back with the errors (never stored)."""
    values = {}
    for question in visibility.questions(section):
        try:
            value = answering.clean_value(question, request.form)
        except ValueError:
            value = None
        if value is not None:
            values[str(question.id)] = value
    return values


@bp.route("/<int:questionnaire_id>/recapitulatif", methods=["GET", "POST"])
@answer_limit
def review(questionnaire_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    response = _response(questionnaire)
    answering.check_can_answer(questionnaire, response)
    if response is None:
        return redirect(url_for("surveys.answer", questionnaire_id=questionnaire.id, number=1))
    form = ConfirmForm()
    gaps = {}
    if form.validate_on_submit():
        try:
            answering.submit(response)
        except answering.AnswerErrors as refused:
            rollback_only()
            gaps = refused.errors
        else:
            return redirect(url_for("surveys.thanks", questionnaire_id=questionnaire.id))
    elif request.method == "POST":
        rollback_only()
    visibility = answering.Visibility(questionnaire, response.draft or {})
    return render_template("surveys/review.html", questionnaire=questionnaire, summary=answering.summary(response),
                           visibility=visibility, gaps=gaps or answering.missing(response), form=form), (422 if gaps else 200)


@bp.route("/<int:questionnaire_id>/merci")
def thanks(questionnaire_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    return render_template("surveys/thanks.html", questionnaire=questionnaire)


def _published(questionnaire_id: int) -> Questionnaire:
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    require(current_user, "surveys.view_results", questionnaire)
    return questionnaire


# What the results page shows: the questionnaire's tables, and the council, consultation, referral
# or event its links name (their tables only: a contribution or a registration changes nothing here).
RESULTS_TAGS = ("surveys", "councils", "consultations", "referrals", "events")


@bp.route("/<int:questionnaire_id>/resultats")
@cached_page(tags=RESULTS_TAGS)
def public_results(questionnaire_id: int):
    questionnaire = _published(questionnaire_id)

    def render_answers():
        # Aggregates over every response (50,000 on a large questionnaire): built once, shared by every
        # visitor, logged in or not, until an event of the surveys domain (an answer, a publication).
        return render_template("surveys/_results_public_answers.html", questionnaire=questionnaire,
                               results=results.question_results(questionnaire, public_only=True),
                               total=results.submitted_count(questionnaire), small=results.SMALL_GROUP)

    answers = fragment("survey-results", render_answers, tags=RESULTS_TAGS, vary=(questionnaire.id,))
    return render_template("surveys/results_public.html", questionnaire=questionnaire, answers=answers)


@bp.route("/<int:questionnaire_id>/resultats.pdf")
def public_results_pdf(questionnaire_id: int):
    questionnaire = _published(questionnaire_id)
    try:
        from participation.core.documents import issue
        from participation.core.urls import external_url

        document = issue("QUEST", questionnaire, title=f"Résultats : {questionnaire.display_title}",
                         url=external_url("surveys.public_results", questionnaire_id=questionnaire.id))
        pdf = render_pdf("surveys/results_pdf.html", document=document, questionnaire=questionnaire,
                         results=results.question_results(questionnaire, public_only=True),
                         total=results.submitted_count(questionnaire), small=results.SMALL_GROUP)
    except PDFUnavailable:
        abort(404, _("Le PDF n'est pas disponible sur ce serveur : consultez la page des résultats."))
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    return HTTPResponse(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f"inline; filename=\"resultats-questionnaire-{questionnaire.id}.pdf\""})


@bp.app_template_filter("pct")
def format_percent(value) -> str:
    """« 42,5 % » with a non-breaking space."""
    from participation.core.numbers import percent

    return percent(value)


@bp.app_template_filter("decimal")
def format_decimal(value, digits: int = 1) -> str:
    from participation.core.numbers import decimal

    return decimal(value, digits)


@bp.app_template_filter("points")
def format_points(value) -> str:
    """A difference in percentage points, signed: « +4,2 points »."""
    value = float(value or 0)
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):.1f}".rstrip("0").rstrip(".").replace(".", ",") + "\u00a0point" + ("s" if abs(value) >= 2 else "")
