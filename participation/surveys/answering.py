"""Answering a questionnaire: who answers, what is shown (conditions evaluated here, on the
server), each page's checks, the summary and sending.

A refused page stores nothing: ``save_page`` raises ``AnswerErrors`` with a
French message per question, shown next to its field.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

import sqlalchemy as sa

from participation.core.errors import DomainError, PermissionDenied
from participation.core.eventlog import record
from participation.core.locking import lock_row
from participation.core.models import utcnow
from participation.extensions import db
from participation.surveys.models import (
    AGE_BANDS,
    GENDERS,
    NO_ANSWER,
    NOT_IN_QPV,
    OTHER,
    Access,
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Section,
    SurveyState,
)
from participation.surveys.services import option_labels
from flask_babel import gettext as _

TEXT_MAX = {QuestionKind.short_text: 200, QuestionKind.long_text: 5000}
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class AnswerErrors(DomainError):
    """Some answers of a page are refused: ``errors`` maps a question's id to its message."""

    status_code = 422

    def __init__(self, errors: dict[int, str]):
        super().__init__(_("Certaines réponses sont à corriger."))
        self.errors = errors


# ---------------------------------------------------------------------------
# Who answers


def answer_refusal(questionnaire: Questionnaire, now: datetime | None = None) -> str | None:
    """Why nobody can answer now, or ``None``."""
    now = now or utcnow()
    if questionnaire.state == SurveyState.draft:
        return _("Ce questionnaire n'est pas encore ouvert.")
    if questionnaire.state != SurveyState.open or (questionnaire.closes_at and questionnaire.closes_at <= now):
        return _("Ce questionnaire est clos : il ne reçoit plus de réponses. Merci de votre intérêt.")
    if questionnaire.opens_at and questionnaire.opens_at > now:
        return _("Ce questionnaire n'est pas encore ouvert aux réponses.")
    return None


def _new_code() -> str:
    while True:
        code = "R-" + "".join(secrets.choice(CODE_ALPHABET) for _unused in range(8))
        if db.session.scalar(sa.select(Response.id).where(Response.code == code)) is None:
            return code


def find_response(questionnaire: Questionnaire, *, user=None, browser_key: str | None = None,
                  invitation: Invitation | None = None, create: bool = False) -> Response | None:
    """The respondent's response (a draft or a sent one), started if ``create``.

    An invitation's link stands for its person whatever the access; otherwise
    an account answers once per account, and a browser once per browser.
    """
    if invitation is not None and invitation.questionnaire_id != questionnaire.id:
        invitation = None
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "id", None))
    if invitation is not None:
        where = Response.invitation_id == invitation.id
    elif questionnaire.access == Access.invitation:
        raise PermissionDenied(_("Ce questionnaire est réservé aux personnes invitées : ouvrez le lien personnel reçu par courriel."))
    elif authenticated:
        where = Response.user_id == user.id
    elif questionnaire.access == Access.account:
        raise PermissionDenied(_("Connectez-vous pour répondre à ce questionnaire : une réponse par compte."))
    elif browser_key:
        where = Response.browser_key == browser_key
    else:
        return None
    response = db.session.scalar(sa.select(Response).where(Response.questionnaire_id == questionnaire.id, where))
    if response is None and create:
        response = Response(
            questionnaire_id=questionnaire.id, code=_new_code(), draft={},
            invitation_id=getattr(invitation, "id", None),
            user_id=user.id if authenticated and invitation is None else None,
            browser_key=browser_key if invitation is None and not authenticated else None,
        )
        db.session.add(response)
        db.session.flush()
    return response


def check_can_answer(questionnaire: Questionnaire, response: Response | None, now: datetime | None = None) -> None:
    refusal = answer_refusal(questionnaire, now)
    if refusal:
        raise DomainError(refusal)
    if response is not None and response.submitted_at is not None:
        raise DomainError(_("Vous avez déjà répondu à ce questionnaire : une seule réponse est possible. Merci !"))


# ---------------------------------------------------------------------------
# What is shown


def chosen(question: Question, value) -> set[str]:
    """The options a stored value chooses, for conditions."""
    if value is None:
        return set()
    if question.kind == QuestionKind.single:
        return {value.get("choice")}
    if question.kind == QuestionKind.multiple:
        return set(value.get("choices", []))
    if isinstance(value, str):
        return {value}
    return set()


class Visibility:
    """Which sections and questions are shown, given the answers so far (earlier sections decide)."""

    def __init__(self, questionnaire: Questionnaire, answers: dict):
        self.questionnaire = questionnaire
        self.answers = answers
        self.by_id = {q.id: q for q in questionnaire.questions}
        self.questions_by_section: dict[int, list[Question]] = {s.id: [] for s in questionnaire.sections}
        for question in questionnaire.ordered_questions():
            self.questions_by_section.setdefault(question.section_id, []).append(question)
        self.shown_questions: set[int] = set()
        self.shown_sections: list[Section] = []
        for section in questionnaire.sections:
            if not self._holds(section.condition_question_id, section.condition_value):
                continue
            self.shown_sections.append(section)
            for question in self.questions_by_section.get(section.id, []):
                if self._holds(question.condition_question_id, question.condition_value):
                    self.shown_questions.add(question.id)

    def _holds(self, question_id, value) -> bool:
        if question_id is None:
            return True
        question = self.by_id.get(question_id)
        if question is None or question_id not in self.shown_questions:
            return False
        return value in chosen(question, self.answers.get(str(question_id)))

    def questions(self, section: Section) -> list[Question]:
        return [q for q in self.questions_by_section.get(section.id, []) if q.id in self.shown_questions]

    def page_of(self, section_id: int) -> int | None:
        for index, section in enumerate(self.shown_sections, start=1):
            if section.id == section_id:
                return index
        return None


# ---------------------------------------------------------------------------
# Reading a page's answers


def _number(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() else value


def _fmt(value) -> str:
    return str(value).replace(".", ",")


def clean_value(question: Question, form):
    """The answer to ``question`` in ``form`` (anything with ``get`` and ``getlist``), ``None`` if empty;
    raises ``ValueError`` with the French message to show next to the field."""
    name = question.field
    kind = question.kind
    raw = (form.get(name) or "").strip()
    if kind == QuestionKind.single:
        if not raw:
            return None
        if raw not in option_labels(question):
            raise ValueError(_("Choisissez une des réponses proposées."))
        if raw == OTHER and question.setting("allow_other"):
            other = (form.get(f"{name}_autre") or "").strip()
            if not other:
                raise ValueError(_("Précisez votre réponse « Autre »."))
            return {"choice": raw, "other": other[:200]}
        return {"choice": raw}
    if kind == QuestionKind.multiple:
        values = [v.strip() for v in form.getlist(name) if v.strip()]
        if not values:
            return None
        allowed = option_labels(question)
        if any(v not in allowed for v in values):
            raise ValueError(_("Choisissez parmi les réponses proposées."))
        values = [v for v in allowed if v in values]
        maximum = question.setting("max_choices")
        if maximum and len(values) > maximum:
            raise ValueError(_("Choisissez %(maximum)s réponses au plus.", maximum=maximum) if maximum > 1 else _("Choisissez une seule réponse."))
        result = {"choices": values}
        if OTHER in values and question.setting("allow_other"):
            other = (form.get(f"{name}_autre") or "").strip()
            if not other:
                raise ValueError(_("Précisez votre réponse « Autre »."))
            result["other"] = other[:200]
        return result
    if kind == QuestionKind.scale:
        if not raw:
            return None
        if raw not in option_labels(question):
            raise ValueError(_("Choisissez une note de %(value)s à %(value2)s.", value=question.scale_values[0], value2=question.scale_values[-1]))
        return int(raw)
    if kind == QuestionKind.matrix:
        result, missing = {}, False
        for index, item in enumerate(question.items):
            value = (form.get(f"{name}_{index}") or "").strip()
            if not value:
                missing = True
                continue
            if value not in option_labels(question):
                raise ValueError(_("Choisissez une note de %(value)s à %(value2)s pour chaque ligne.", value=question.scale_values[0], value2=question.scale_values[-1]))
            result[item] = int(value)
        if result and missing and question.required:
            raise ValueError(_("Donnez une note à chaque ligne."))
        return result or None
    if kind == QuestionKind.ranking:
        ranks = {}
        count = len(question.options)
        for index, option in enumerate(question.options):
            value = (form.get(f"{name}_{index}") or "").strip()
            if value:
                if not value.isdigit() or not 1 <= int(value) <= count:
                    raise ValueError(_("Donnez à chaque réponse un rang de 1 à %(count)s.", count=count))
                ranks[option] = int(value)
        if not ranks:
            return None
        if len(ranks) != count:
            raise ValueError(_("Classez toutes les réponses, de 1 (la plus importante) à ") + str(count) + ".")
        if len(set(ranks.values())) != count:
            raise ValueError(_("Chaque rang ne peut être donné qu'une fois."))
        return ranks
    if kind in (QuestionKind.short_text, QuestionKind.long_text):
        if not raw:
            return None
        limit = TEXT_MAX[kind]
        if len(raw) > limit:
            raise ValueError(_("Votre réponse dépasse %(limit)s caractères : raccourcissez-la.", limit=limit))
        return raw
    if kind == QuestionKind.number:
        if not raw:
            return None
        value = _number(raw)
        if value is None:
            raise ValueError(_("Indiquez un nombre, par exemple 12 ou 2,5."))
        low, high = question.setting("min"), question.setting("max")
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                raise ValueError(_("Indiquez un nombre entre %(fmt)s et %(fmt2)s.", fmt=_fmt(low), fmt2=_fmt(high)))
            raise ValueError(_("Indiquez un nombre d'au moins %(fmt)s.", fmt=_fmt(low)) if low is not None else _("Indiquez un nombre d'au plus %(fmt)s.", fmt=_fmt(high)))
        return value
    if kind == QuestionKind.date:
        if not raw:
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_("Indiquez une date complète, par exemple 14/07/2026.")) from None
        low, high = question.setting("min_date"), question.setting("max_date")
        if (low and value < date.fromisoformat(low)) or (high and value > date.fromisoformat(high)):
            from participation.core.dates import format_day

            if low and high:
                raise ValueError(_("Indiquez une date entre le %(format_day)s et le %(format_day2)s.", format_day=format_day(date.fromisoformat(low)), format_day2=format_day(date.fromisoformat(high))))
            raise ValueError(_("Indiquez une date à partir du %(format_day)s.", format_day=format_day(date.fromisoformat(low))) if low
                             else _("Indiquez une date jusqu'au %(format_day)s.", format_day=format_day(date.fromisoformat(high))))
        return value.isoformat()
    # Profile questions: one label among the territory's communes, quartiers, bands.
    if not raw:
        return None
    if raw not in option_labels(question):
        raise ValueError(_("Choisissez une des réponses proposées."))
    return raw


def parse_page(visibility: Visibility, section: Section, form) -> tuple[dict, dict[int, str]]:
    """The page's values by question id, and the refusals."""
    values, errors = {}, {}
    shown = {q.id for q in visibility.questions(section)}
    for question in visibility.questions_by_section.get(section.id, []):
        if question.id not in shown:
            try:
                value = clean_value(question, form)
            except ValueError:
                value = True
            if value is not None:
                errors[question.id] = _("Cette question ne vous concerne pas d'après vos réponses précédentes : elle ne peut pas recevoir de réponse.")
            continue
        try:
            value = clean_value(question, form)
        except ValueError as refused:
            errors[question.id] = str(refused)
            continue
        if value is None and question.required:
            errors[question.id] = required_message(question)
            continue
        values[str(question.id)] = value
    return values, errors


def required_message(question: Question) -> str:
    if question.kind == QuestionKind.multiple:
        return _("Cochez au moins une réponse : cette question est obligatoire.")
    if question.kind == QuestionKind.matrix:
        return _("Donnez une note à chaque ligne : cette question est obligatoire.")
    if question.kind == QuestionKind.ranking:
        return _("Classez les réponses : cette question est obligatoire.")
    return _("Répondez à cette question : elle est obligatoire.")


def save_page(response: Response, section: Section, form, *, now: datetime | None = None) -> Visibility:
    """Keep the page's answers in the draft; refuses the whole page if one answer is wrong."""
    questionnaire = response.questionnaire
    check_can_answer(questionnaire, response, now)
    visibility = Visibility(questionnaire, response.draft or {})
    if section not in visibility.shown_sections:
        raise DomainError(_("Cette partie du questionnaire ne vous concerne pas d'après vos réponses précédentes."))
    values, errors = parse_page(visibility, section, form)
    if errors:
        raise AnswerErrors(errors)
    draft = dict(response.draft or {})
    for question in visibility.questions_by_section.get(section.id, []):
        draft.pop(str(question.id), None)
    draft.update({k: v for k, v in values.items() if v is not None})
    response.draft = draft
    return Visibility(questionnaire, draft)


# ---------------------------------------------------------------------------
# Summary and sending


def display(question: Question, value) -> str:
    """An answer as the respondent reads it back."""
    if value is None:
        return _("Pas de réponse")
    kind = question.kind
    if kind == QuestionKind.single:
        return value["choice"] + (f" : {value['other']}" if value.get("other") else "")
    if kind == QuestionKind.multiple:
        return ", ".join(c + (f" : {value['other']}" if c == OTHER and value.get("other") else "") for c in value["choices"])
    if kind == QuestionKind.matrix:
        return " ; ".join(f"{item} : {score}" for item, score in value.items())
    if kind == QuestionKind.ranking:
        return " ; ".join(f"{rank}. {option}" for option, rank in sorted(value.items(), key=lambda pair: pair[1]))
    if kind == QuestionKind.date:
        from participation.core.dates import format_day

        # « 1er juin », as French writes the first day of a month.
        return re.sub(r"(^|\s)1 (?=[a-zéû])", r"\g<1>1er ", format_day(date.fromisoformat(value)))
    if kind == QuestionKind.number:
        return _fmt(value)
    return str(value)


def summary(response: Response) -> list[tuple[Section, list[tuple[Question, str]]]]:
    visibility = Visibility(response.questionnaire, response.draft or {})
    return [(section, [(q, display(q, (response.draft or {}).get(str(q.id)))) for q in visibility.questions(section)])
            for section in visibility.shown_sections]


def missing(response: Response) -> dict[int, str]:
    """Required questions shown but not answered (a page skipped by editing the address)."""
    visibility = Visibility(response.questionnaire, response.draft or {})
    draft = response.draft or {}
    return {q.id: required_message(q) for s in visibility.shown_sections for q in visibility.questions(s)
            if q.required and draft.get(str(q.id)) is None}


def _rows(question: Question, value, response_id: int) -> list[Answer]:
    kind = question.kind
    base = {"response_id": response_id, "question_id": question.id}
    if kind == QuestionKind.single:
        return [Answer(**base, choice=value["choice"], text=value.get("other"))]
    if kind == QuestionKind.multiple:
        return [Answer(**base, choice=c, text=value.get("other") if c == OTHER else None) for c in value["choices"]]
    if kind == QuestionKind.scale:
        return [Answer(**base, choice=str(value), number=value)]
    if kind == QuestionKind.matrix:
        return [Answer(**base, item=item, choice=str(score), number=score) for item, score in value.items()]
    if kind == QuestionKind.ranking:
        return [Answer(**base, item=option, choice=str(rank), number=rank) for option, rank in value.items()]
    if kind in (QuestionKind.short_text, QuestionKind.long_text):
        return [Answer(**base, text=value)]
    if kind == QuestionKind.number:
        return [Answer(**base, number=value)]
    if kind == QuestionKind.date:
        day = date.fromisoformat(value)
        return [Answer(**base, date_value=day, choice=day.isoformat()[:7])]
    return [Answer(**base, choice=value)]


def submit(response: Response, *, now: datetime | None = None) -> Response:
    """Send the response: its shown answers become counted rows, hidden ones are dropped."""
    from participation.territory.models import Commune

    now = now or utcnow()
    questionnaire = response.questionnaire
    db.session.flush()
    lock_row(Response, response.id)
    db.session.refresh(response)
    check_can_answer(questionnaire, response, now)
    gaps = missing(response)
    if gaps:
        raise AnswerErrors(gaps)
    visibility = Visibility(questionnaire, response.draft or {})
    draft = response.draft or {}
    rows = []
    for section in visibility.shown_sections:
        for question in visibility.questions(section):
            value = draft.get(str(question.id))
            if value is None:
                continue
            rows.extend(_rows(question, value, response.id))
            if question.kind == QuestionKind.commune and value != NO_ANSWER:
                response.commune_id = db.session.scalar(sa.select(Commune.id).where(Commune.name == value).limit(1))
            elif question.kind == QuestionKind.qpv and value != NO_ANSWER:
                response.qpv = value
            elif question.kind == QuestionKind.age_band and value in AGE_BANDS:
                response.age_band = value
            elif question.kind == QuestionKind.gender and value in GENDERS:
                response.gender = value
    db.session.add_all(rows)
    response.submitted_at = now
    # The answers now live in their rows; the draft is not kept twice.
    response.draft = {}
    if response.invitation_id:
        invitation = db.session.get(Invitation, response.invitation_id)
        invitation.responded_at = now
        # The link served once: it opens nothing more.
        invitation.token_hash = None
    record("questionnaire.answered", questionnaire, None, {"response": response.code})
    return response


__all__ = ["AnswerErrors", "Visibility", "answer_refusal", "check_can_answer", "clean_value", "display", "find_response",
           "missing", "parse_page", "save_page", "submit", "summary", "NOT_IN_QPV"]
