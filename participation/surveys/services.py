"""Building questionnaires, their states, waves and invitations: the only code that changes them.

Answering is in ``answering.py``, reading results in ``results.py``.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import calendar
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import can, require
from participation.core.tokens import make_token, token_digest
from participation.extensions import db
from participation.surveys.models import (
    PROFILE_KINDS,
    SURVEY_WORKFLOW,
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Section,
    SurveyState,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

TITLE_MAX = 200
LABEL_MAX = 300
OPTION_MAX = 200
MAX_OPTIONS = 30
MAX_INVITATIONS_PER_IMPORT = 5000
EMAIL_RE = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")

PROFILE_HELP = (_l("Facultatif. Cette réponse sert seulement à comparer les besoins entre habitants ; "
                "aucun résultat n'est montré pour un groupe de moins de 5 personnes."))
QUESTIONNAIRE_FIELDS = ("title", "introduction", "purpose", "legal_basis", "recipients", "retention_months", "access",
                        "opens_at", "closes_at", "wave_label", "consultation_id", "referral_id", "event_id",
                        "council_id")
EDITABLE_WHILE_ANSWERED = ("label", "help_text", "public")


# ---------------------------------------------------------------------------
# Questionnaires


def _check_questionnaire(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ValidationError(_("Indiquez le titre du questionnaire."), field="title")
    if not (values.get("purpose") or "").strip():
        raise ValidationError(_("Indiquez à quoi serviront les réponses : c'est affiché avant la première question."), field="purpose")
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise ValidationError(_("La clôture doit suivre l'ouverture."), field="closes_at")
    months = values.get("retention_months")
    if months is None or not 1 <= int(months) <= 120:
        raise ValidationError(_("La durée de conservation va de 1 à 120 mois."), field="retention_months")


def save_questionnaire(questionnaire: Questionnaire | None, values: dict, *, themes=(), actor) -> Questionnaire:
    """Create (``questionnaire=None``) or update a questionnaire's description.

    A council's bureau creates questionnaires for its council only: the council
    chosen (``council_id``) must be one the actor may manage questionnaires for
    (without a council, only staff may).
    """
    if questionnaire is not None:
        require(actor, "surveys.manage", questionnaire)
    values = {k: v for k, v in values.items() if k in QUESTIONNAIRE_FIELDS}
    if questionnaire is None or ("council_id" in values and values["council_id"] != questionnaire.council_id):
        from participation.councils.models import Council

        council_id = values.get("council_id")
        council = db.session.get(Council, council_id) if council_id else None
        if council_id and council is None:
            raise ValidationError("Ce conseil n'existe pas.", field="council_id")
        require(actor, "surveys.manage", council)
    if not can(actor, "surveys.manage"):
        # A bureau links its questionnaire to its council's referrals only, never to the collectivity's consultations or events.
        values.pop("consultation_id", None)
        values.pop("event_id", None)
        referral_id = values.get("referral_id")
        if referral_id and referral_id != getattr(questionnaire, "referral_id", None):
            from participation.referrals.models import Referral

            referral = db.session.get(Referral, referral_id)
            council_id = values.get("council_id", getattr(questionnaire, "council_id", None))
            if referral is None or referral.council_id != council_id:
                raise ValidationError("Choisissez une saisine de votre conseil.", field="referral_id")
    values.setdefault("retention_months", questionnaire.retention_months if questionnaire else 12)
    if questionnaire is not None:
        merged = {f: getattr(questionnaire, f) for f in QUESTIONNAIRE_FIELDS} | values
    else:
        merged = values
    _check_questionnaire(merged)
    values["title"] = values.get("title", merged["title"]).strip()[:TITLE_MAX]
    created = questionnaire is None
    if created:
        questionnaire = Questionnaire(created_by_id=getattr(actor, "id", None), state=SurveyState.draft)
        db.session.add(questionnaire)
    for name, value in values.items():
        setattr(questionnaire, name, value)
    questionnaire.themes = list(themes)
    db.session.flush()
    if created:
        add_section(questionnaire, title=_("Questions"), actor=actor)
    record("questionnaire.created" if created else "questionnaire.updated", questionnaire, actor, {"title": questionnaire.title})
    return questionnaire


def response_count(questionnaire: Questionnaire) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id, Response.submitted_at.is_not(None))
    ) or 0


def has_answers(questionnaire: Questionnaire) -> bool:
    """Any response, even a draft: its answers refer to the questions as they are."""
    return db.session.scalar(sa.select(Response.id).where(Response.questionnaire_id == questionnaire.id).limit(1)) is not None


LOCKED_MESSAGE = (_l("Des personnes ont déjà répondu à ce questionnaire : ses questions ne peuvent plus être supprimées "
                  "ni leurs options modifiées, sinon les réponses reçues ne voudraient plus rien dire. "
                  "Pour changer les questions, ouvrez une nouvelle vague."))


def structure_refusal(questionnaire: Questionnaire) -> str | None:
    """Why the questions' structure may not change now, or ``None``."""
    if questionnaire.state in (SurveyState.closed, SurveyState.published):
        return _("Ce questionnaire est clos : ses questions ne changent plus. Pour le reposer, ouvrez une nouvelle vague.")
    if has_answers(questionnaire):
        return LOCKED_MESSAGE
    return None


# ---------------------------------------------------------------------------
# Sections


def add_section(questionnaire: Questionnaire, *, title: str, description: str = "", condition=None, actor) -> Section:
    require(actor, "surveys.manage", questionnaire)
    refusal = structure_refusal(questionnaire) if questionnaire.id and questionnaire.sections else None
    if refusal:
        raise DomainError(refusal)
    if not (title or "").strip():
        raise ValidationError(_("Indiquez le titre de la section."), field="title")
    section = Section(questionnaire=questionnaire, position=1 + max((s.position for s in questionnaire.sections), default=0),
                      title=title.strip()[:200], description=(description or "").strip())
    db.session.add(section)
    db.session.flush()
    _set_condition(section, condition)
    return section


def update_section(section: Section, *, title: str, description: str = "", condition=None, actor) -> Section:
    questionnaire = section.questionnaire
    require(actor, "surveys.manage", questionnaire)
    if not (title or "").strip():
        raise ValidationError(_("Indiquez le titre de la section."), field="title")
    if (section.condition_question_id, section.condition_value) != _condition_pair(condition):
        refusal = structure_refusal(questionnaire)
        if refusal:
            raise DomainError(refusal)
    section.title = title.strip()[:200]
    section.description = (description or "").strip()
    _set_condition(section, condition)
    record("questionnaire.section_updated", questionnaire, actor, {"section": section.title})
    return section


def remove_section(section: Section, *, actor) -> None:
    questionnaire = section.questionnaire
    require(actor, "surveys.manage", questionnaire)
    refusal = structure_refusal(questionnaire)
    if refusal:
        raise DomainError(refusal)
    if len(questionnaire.sections) == 1:
        raise DomainError(_("Un questionnaire garde au moins une section."))
    for question in [q for q in questionnaire.questions if q.section_id == section.id]:
        questionnaire.questions.remove(question)
    questionnaire.sections.remove(section)
    db.session.flush()
    record("questionnaire.section_removed", questionnaire, actor, {"section": section.title})


def _condition_pair(condition) -> tuple:
    if not condition:
        return (None, None)
    question, value = condition
    return (question.id, value)


def _set_condition(target, condition) -> None:
    """Show ``target`` (a section or a question) only when an earlier section's question has a value."""
    if not condition:
        target.condition_question_id, target.condition_value = None, None
        return
    question, value = condition
    questionnaire = question.questionnaire
    positions = {s.id: s.position for s in questionnaire.sections}
    target_section = target.id if isinstance(target, Section) else target.section_id
    if question.kind not in (QuestionKind.single, QuestionKind.multiple, *PROFILE_KINDS):
        raise ValidationError(_("Une condition porte sur une question à choix."), field="condition_question")
    if positions.get(question.section_id, 0) >= positions.get(target_section, 0):
        raise ValidationError(_("La condition doit porter sur une question d'une section précédente : "
                              "elle est vérifiée quand la personne change de page, sans JavaScript."), field="condition_question")
    if value not in option_labels(question):
        raise ValidationError(_("Choisissez une des réponses possibles à cette question."), field="condition_value")
    target.condition_question_id, target.condition_value = question.id, value


# ---------------------------------------------------------------------------
# Questions


def option_labels(question: Question) -> list[str]:
    """What a person may choose, as it is stored and counted."""
    from participation.surveys.models import AGE_BANDS, GENDERS, NO_ANSWER, NOT_IN_QPV, OTHER

    if question.kind in (QuestionKind.single, QuestionKind.multiple):
        return [*question.options, *([OTHER] if question.setting("allow_other") else [])]
    if question.kind == QuestionKind.ranking:
        return list(question.options)
    if question.kind in (QuestionKind.scale, QuestionKind.matrix):
        return [str(v) for v in question.scale_values]
    if question.kind == QuestionKind.age_band:
        return [*AGE_BANDS, NO_ANSWER]
    if question.kind == QuestionKind.gender:
        return [*GENDERS, NO_ANSWER]
    if question.kind == QuestionKind.commune:
        from participation.territory.models import Commune

        return [*db.session.scalars(sa.select(Commune.name).order_by(Commune.name)), NO_ANSWER]
    if question.kind == QuestionKind.qpv:
        from participation.territory.models import Neighbourhood

        return [*db.session.scalars(sa.select(Neighbourhood.name).order_by(Neighbourhood.name)), NOT_IN_QPV, NO_ANSWER]
    return []


def _lines(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = (value or "").splitlines()
    seen, result = set(), []
    for line in items:
        line = str(line).strip()[:OPTION_MAX]
        if line and line not in seen:
            seen.add(line)
            result.append(line)
    return result


def _int_or(value, default=None):
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _clean_question(kind: QuestionKind, values: dict) -> dict:
    """The question's stored shape, or a refusal next to the field at fault."""
    label = (values.get("label") or "").strip()
    if not label:
        raise ValidationError(_("Indiquez la question."), field="label")
    options = _lines(values.get("options"))
    items = _lines(values.get("items"))
    settings: dict = {}
    if kind in (QuestionKind.single, QuestionKind.multiple, QuestionKind.ranking):
        if len(options) < 2:
            raise ValidationError(_("Indiquez au moins deux réponses possibles, une par ligne."), field="options")
        if len(options) > MAX_OPTIONS:
            raise ValidationError(_("%(MAX_OPTIONS)s réponses possibles au plus.", MAX_OPTIONS=MAX_OPTIONS), field="options")
    else:
        options = []
    if kind == QuestionKind.single:
        settings["display"] = "list" if values.get("display") == "list" else "radio"
    if kind in (QuestionKind.single, QuestionKind.multiple):
        settings["allow_other"] = bool(values.get("allow_other"))
    if kind == QuestionKind.multiple:
        maximum = _int_or(values.get("max_choices"))
        if maximum is not None:
            if not 1 <= maximum <= len(options) + settings["allow_other"]:
                raise ValidationError(_("Le nombre maximum de choix va de 1 au nombre de réponses possibles."), field="max_choices")
            settings["max_choices"] = maximum
    if kind in (QuestionKind.scale, QuestionKind.matrix):
        low, high = _int_or(values.get("minimum"), 1), _int_or(values.get("maximum"), 5)
        if low not in (0, 1) or high not in (4, 5, 7, 10) or high <= low:
            raise ValidationError(_("Une échelle va de 0 ou 1 à 4, 5, 7 ou 10."), field="maximum")
        settings.update(min=low, max=high, low_label=(values.get("low_label") or "").strip()[:80],
                        high_label=(values.get("high_label") or "").strip()[:80])
    if kind == QuestionKind.matrix:
        if len(items) < 2:
            raise ValidationError(_("Indiquez au moins deux éléments à noter, un par ligne."), field="items")
        if len(items) > MAX_OPTIONS:
            raise ValidationError(_("%(MAX_OPTIONS)s éléments au plus.", MAX_OPTIONS=MAX_OPTIONS), field="items")
    else:
        items = []
    if kind == QuestionKind.number:
        low, high = values.get("minimum"), values.get("maximum")
        low = _int_or(low) if low not in (None, "") else None
        high = _int_or(high) if high not in (None, "") else None
        if low is not None and high is not None and high <= low:
            raise ValidationError(_("Le maximum doit dépasser le minimum."), field="maximum")
        settings.update(min=low, max=high)
    if kind == QuestionKind.date:
        low, high = values.get("min_date"), values.get("max_date")
        if low and high and high < low:
            raise ValidationError(_("La date la plus tardive doit suivre la plus ancienne."), field="max_date")
        settings.update(min_date=low.isoformat() if low else None, max_date=high.isoformat() if high else None)
    required = bool(values.get("required"))
    if kind in PROFILE_KINDS and required:
        raise ValidationError(_("Les questions sur la commune, le quartier, l'âge ou le genre restent facultatives."), field="required")
    help_text = (values.get("help_text") or "").strip()[:2000]
    if kind in PROFILE_KINDS and not help_text:
        help_text = str(PROFILE_HELP)  # the text itself (a lazy string is no database value: PostgreSQL refuses it)
    return {"label": label[:LABEL_MAX], "help_text": help_text, "options": options,
            "items": items, "settings": settings, "required": required, "public": bool(values.get("public", True))}


def add_question(section: Section, kind: QuestionKind, values: dict, *, condition=None, actor) -> Question:
    questionnaire = section.questionnaire
    require(actor, "surveys.manage", questionnaire)
    refusal = structure_refusal(questionnaire)
    if refusal:
        raise DomainError(refusal)
    if kind in PROFILE_KINDS and any(q.kind == kind for q in questionnaire.questions):
        raise ValidationError(_("Cette question sur le profil est déjà posée dans ce questionnaire."), field="kind")
    cleaned = _clean_question(kind, values)
    position = 1 + max((q.position for q in questionnaire.questions if q.section_id == section.id), default=0)
    question = Question(questionnaire_id=questionnaire.id, section_id=section.id, position=position, kind=kind,
                        key=uuid.uuid4().hex, **cleaned)
    questionnaire.questions.append(question)
    db.session.flush()
    _set_condition(question, condition)
    record("questionnaire.question_added", questionnaire, actor, {"question": question.label})
    return question


def update_question(question: Question, values: dict, *, condition=None, actor) -> Question:
    """Change a question; once answered, only its wording, help and publication may change."""
    questionnaire = question.questionnaire
    require(actor, "surveys.manage", questionnaire)
    cleaned = _clean_question(question.kind, values)
    structural = {k: v for k, v in cleaned.items() if k not in EDITABLE_WHILE_ANSWERED}
    changed = any(getattr(question, k) != v for k, v in structural.items()) or (
        (question.condition_question_id, question.condition_value) != _condition_pair(condition))
    if changed:
        refusal = structure_refusal(questionnaire)
        if refusal:
            raise ValidationError(refusal, field="options")
    for name, value in cleaned.items():
        setattr(question, name, value)
    _set_condition(question, condition)
    record("questionnaire.question_updated", questionnaire, actor, {"question": question.label})
    return question


def remove_question(question: Question, *, actor) -> None:
    questionnaire = question.questionnaire
    require(actor, "surveys.manage", questionnaire)
    refusal = structure_refusal(questionnaire)
    if refusal:
        raise DomainError(refusal)
    dependants = [q for q in questionnaire.questions if q.condition_question_id == question.id]
    dependants += [s for s in questionnaire.sections if s.condition_question_id == question.id]
    if dependants:
        raise DomainError(_("D'autres questions ou sections ne s'affichent que selon la réponse à celle-ci : retirez d'abord leur condition."))
    questionnaire.questions.remove(question)
    db.session.flush()
    record("questionnaire.question_removed", questionnaire, actor, {"question": question.label})


def move_question(question: Question, direction: int, *, actor) -> None:
    questionnaire = question.questionnaire
    require(actor, "surveys.manage", questionnaire)
    refusal = structure_refusal(questionnaire)
    if refusal:
        raise DomainError(refusal)
    siblings = [q for q in questionnaire.ordered_questions() if q.section_id == question.section_id]
    index = siblings.index(question)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(siblings):
        neighbour = siblings[other]
        question.position, neighbour.position = neighbour.position, question.position


# ---------------------------------------------------------------------------
# Copies: duplicate, new wave


def _copy(source: Questionnaire, *, actor, title: str, wave_label: str, previous_wave: Questionnaire | None, same_keys: bool) -> Questionnaire:
    copy = Questionnaire(
        title=title[:TITLE_MAX], introduction=source.introduction, purpose=source.purpose, legal_basis=source.legal_basis,
        recipients=source.recipients, retention_months=source.retention_months, access=source.access, state=SurveyState.draft,
        wave_label=wave_label[:40], previous_wave_id=getattr(previous_wave, "id", None), consultation_id=source.consultation_id,
        referral_id=source.referral_id, council_id=source.council_id, created_by_id=getattr(actor, "id", None),
    )
    copy.themes = list(source.themes)
    db.session.add(copy)
    db.session.flush()
    sections, questions = {}, {}
    for section in source.sections:
        new = Section(questionnaire=copy, position=section.position, title=section.title, description=section.description)
        db.session.add(new)
        sections[section.id] = new
    db.session.flush()
    for question in source.ordered_questions():
        new = Question(questionnaire_id=copy.id, section_id=sections[question.section_id].id, position=question.position,
                       kind=question.kind, label=question.label, help_text=question.help_text, required=question.required,
                       options=list(question.options), items=list(question.items), settings=dict(question.settings),
                       public=question.public, key=question.key if same_keys else uuid.uuid4().hex)
        copy.questions.append(new)
        questions[question.id] = new
    db.session.flush()
    for question in source.questions:
        if question.condition_question_id in questions:
            questions[question.id].condition_question_id = questions[question.condition_question_id].id
            questions[question.id].condition_value = question.condition_value
    for section in source.sections:
        if section.condition_question_id in questions:
            sections[section.id].condition_question_id = questions[section.condition_question_id].id
            sections[section.id].condition_value = section.condition_value
    return copy


def duplicate(questionnaire: Questionnaire, *, actor) -> Questionnaire:
    """A new draft with the same questions, unrelated to the original's results."""
    require(actor, "surveys.manage", questionnaire)
    copy = _copy(questionnaire, actor=actor, title=_("Copie de %(title)s", title=questionnaire.title), wave_label="", previous_wave=None, same_keys=False)
    record("questionnaire.duplicated", copy, actor, {"source_id": questionnaire.id})
    return copy


def new_wave(questionnaire: Questionnaire, *, wave_label: str, actor) -> Questionnaire:
    """The same questions for a new period; results compare with this wave question by question."""
    require(actor, "surveys.manage", questionnaire)
    wave_label = (wave_label or "").strip()
    if not wave_label:
        raise ValidationError(_("Donnez un nom à la nouvelle vague, par exemple l'année : « 2027 »."), field="wave_label")
    if wave_label == questionnaire.wave_label:
        raise ValidationError(_("La nouvelle vague doit porter un autre nom que la précédente."), field="wave_label")
    copy = _copy(questionnaire, actor=actor, title=questionnaire.title, wave_label=wave_label, previous_wave=questionnaire, same_keys=True)
    record("questionnaire.wave_created", copy, actor, {"previous_id": questionnaire.id, "wave": wave_label})
    return copy


# ---------------------------------------------------------------------------
# States


def open_questionnaire(questionnaire: Questionnaire, *, actor, now: datetime | None = None) -> None:
    if not questionnaire.questions:
        raise DomainError(_("Ajoutez au moins une question avant d'ouvrir le questionnaire."))
    questionnaire.opened_at = now or utcnow()
    SURVEY_WORKFLOW.apply(questionnaire, "open", actor=actor)
    send_invitations(questionnaire, actor=actor, now=now)


def close_questionnaire(questionnaire: Questionnaire, *, actor, now: datetime | None = None) -> None:
    questionnaire.closed_at = now or utcnow()
    SURVEY_WORKFLOW.apply(questionnaire, "close", actor=actor)


def published_results():
    """A ``select`` of the questionnaires whose results are published (what ``surveys.view_results`` lets a visitor read)."""
    return sa.select(Questionnaire).where(Questionnaire.state == SurveyState.published)


def publish_results(questionnaire: Questionnaire, *, analysis: str, public_question_ids, actor, now: datetime | None = None) -> None:
    """Publish the chosen questions' results with staff's analysis."""
    if not (analysis or "").strip():
        raise ValidationError(_("Rédigez une courte analyse : elle accompagne les résultats publiés."), field="analysis")
    chosen = {int(i) for i in public_question_ids}
    if not chosen:
        raise ValidationError(_("Choisissez au moins une question dont les résultats seront publiés."), field="questions")
    set_publication(questionnaire, analysis=analysis, public_question_ids=chosen, actor=actor)
    questionnaire.results_published_at = now or utcnow()
    SURVEY_WORKFLOW.apply(questionnaire, "publish", actor=actor)


def set_publication(questionnaire: Questionnaire, *, analysis: str, public_question_ids, actor) -> None:
    require(actor, "surveys.manage", questionnaire)
    chosen = {int(i) for i in public_question_ids}
    questionnaire.analysis = (analysis or "").strip()
    for question in questionnaire.questions:
        question.public = question.id in chosen and question.kind not in (QuestionKind.short_text, QuestionKind.long_text)
    if questionnaire.state == SurveyState.published:
        # What the public results page shows has changed: the event says so (and renews its cached copy).
        record("questionnaire.publication_updated", questionnaire, actor, {"questions": len([q for q in questionnaire.questions if q.public])})


def close_due(now: datetime | None = None) -> int:
    """Open questionnaires past their announced closing are closed."""
    from participation.core.permissions import SYSTEM

    now = now or utcnow()
    due = db.session.scalars(sa.select(Questionnaire).where(Questionnaire.state == SurveyState.open,
                                                            Questionnaire.closes_at.is_not(None), Questionnaire.closes_at <= now)).all()
    for questionnaire in due:
        close_questionnaire(questionnaire, actor=SYSTEM, now=now)
    return len(due)


# ---------------------------------------------------------------------------
# Invitations


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """The addresses of a CSV export or a pasted list (any separator), and the cells that are not addresses."""
    addresses, rejected = [], []
    seen = set()
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            cell = cell.strip().strip('"').strip().lower()
            if not cell or "@" not in cell:
                continue
            if EMAIL_RE.match(cell) and len(cell) <= 254:
                if cell not in seen:
                    seen.add(cell)
                    addresses.append(cell)
            else:
                rejected.append(cell[:100])
    return addresses, rejected


def import_invitations(questionnaire: Questionnaire, text: str, *, actor, source: str = "csv") -> tuple[int, int, list[str]]:
    """Add invitations from a list of addresses; returns (added, already invited, rejected cells).

    Invitations to an open questionnaire are mailed at once; the others when it opens.
    """
    require(actor, "surveys.manage", questionnaire)
    if questionnaire.state not in (SurveyState.draft, SurveyState.open):
        raise ValidationError(_("Ce questionnaire est clos : on n'y invite plus personne."), field="addresses")
    addresses, rejected = parse_addresses(text or "")
    if not addresses:
        raise ValidationError(_("Aucune adresse électronique reconnue : une adresse par ligne, ou un fichier CSV qui en contient."),
                              field="addresses")
    if len(addresses) > MAX_INVITATIONS_PER_IMPORT:
        raise ValidationError(_("%(MAX_INVITATIONS_PER_IMPORT)s adresses au plus par import.", MAX_INVITATIONS_PER_IMPORT=MAX_INVITATIONS_PER_IMPORT), field="addresses")
    existing = set(db.session.scalars(sa.select(Invitation.email).where(Invitation.questionnaire_id == questionnaire.id,
                                                                         Invitation.email.in_(addresses))))
    new = [a for a in addresses if a not in existing]
    db.session.add_all([Invitation(questionnaire_id=questionnaire.id, email=a, source=source) for a in new])
    db.session.flush()
    record("questionnaire.invitations_imported", questionnaire, actor, {"added": len(new), "source": source})
    if questionnaire.state == SurveyState.open:
        send_invitations(questionnaire, actor=actor)
    return len(new), len(addresses) - len(new), rejected


def send_invitations(questionnaire: Questionnaire, *, actor, now: datetime | None = None) -> int:
    """Mail a personal link to each invitation not sent yet (claimed one by one: two workers never both send one)."""
    from participation.surveys.notices import invitation_mail

    if questionnaire.state != SurveyState.open:
        return 0
    now = now or utcnow()
    pending = db.session.scalars(sa.select(Invitation.id).where(Invitation.questionnaire_id == questionnaire.id,
                                                               Invitation.sent_at.is_(None)).order_by(Invitation.id)).all()
    sent = 0
    for invitation_id in pending:
        token = make_token()
        claimed = db.session.execute(
            sa.update(Invitation).where(Invitation.id == invitation_id, Invitation.sent_at.is_(None))
            .values(sent_at=now, token_hash=token_digest(token))
        ).rowcount
        if claimed:
            invitation = db.session.get(Invitation, invitation_id)
            db.session.refresh(invitation)
            invitation_mail(questionnaire, invitation, token, reminder=False)
            sent += 1
    return sent


def remind_invitations(questionnaire: Questionnaire, *, now: datetime | None = None) -> int:
    """One reminder, once, to those invited who have not answered: each invitation is claimed by
    a conditional update, so a second worker running at the same time claims none of them."""
    from participation.surveys.notices import invitation_mail

    now = now or utcnow()
    if questionnaire.state != SurveyState.open:
        return 0
    delay = current_app.config.get("SURVEYS_REMINDER_DAYS", 7)

    due = db.session.scalars(sa.select(Invitation.id).where(
        Invitation.questionnaire_id == questionnaire.id, Invitation.responded_at.is_(None), Invitation.reminded_at.is_(None),
        Invitation.sent_at.is_not(None), Invitation.sent_at <= now - timedelta(days=delay))).all()
    sent = 0
    for invitation_id in due:
        token = make_token()
        claimed = db.session.execute(
            sa.update(Invitation).where(Invitation.id == invitation_id, Invitation.reminded_at.is_(None), Invitation.responded_at.is_(None))
            .values(reminded_at=now, token_hash=token_digest(token))
        ).rowcount
        if claimed:
            invitation = db.session.get(Invitation, invitation_id)
            db.session.refresh(invitation)
            invitation_mail(questionnaire, invitation, token, reminder=True)
            sent += 1
    return sent


def invite_attendees(questionnaire: Questionnaire, *, now: datetime | None = None) -> int:
    """After its event has ended, each person present (or not marked absent) is invited, once."""
    from participation.core.permissions import SYSTEM
    from participation.events.models import Attendance, Registration, RegistrationState

    now = now or utcnow()
    event = questionnaire.event
    if event is None or questionnaire.state != SurveyState.open or event.ends_at > now or questionnaire.attendees_invited_at:
        return 0
    claimed = db.session.execute(
        sa.update(Questionnaire).where(Questionnaire.id == questionnaire.id, Questionnaire.attendees_invited_at.is_(None))
        .values(attendees_invited_at=now)
    ).rowcount
    if not claimed:
        return 0
    emails = db.session.scalars(sa.select(Registration.email).where(
        Registration.event_id == event.id, Registration.state == RegistrationState.confirmed,
        Registration.attendance != Attendance.absent)).all()
    if not emails:
        return 0
    added, _unused, _unused = import_invitations(questionnaire, "\n".join(emails), actor=SYSTEM, source="event")
    return added


def invitation_counts(questionnaire: Questionnaire) -> dict:
    """Invited, sent, reminded and answered, in one query."""
    row = db.session.execute(sa.select(
        sa.func.count(Invitation.id), sa.func.count(Invitation.sent_at), sa.func.count(Invitation.reminded_at),
        sa.func.count(Invitation.responded_at),
    ).where(Invitation.questionnaire_id == questionnaire.id)).one()
    invited, sent, reminded, answered = row
    return {"invited": invited, "sent": sent, "reminded": reminded, "answered": answered,
            "rate": round(100 * answered / invited, 1) if invited else None}


def invitation_by_token(raw: str) -> Invitation:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == token_digest(raw)))
    if invitation is None:
        raise DomainError(_("Ce lien d'invitation n'est pas valable, ou il a été remplacé par celui d'un courriel plus récent."))
    return invitation


# ---------------------------------------------------------------------------
# Retention and accounts


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def purge_expired(now: datetime | None = None) -> int:
    """Free text, invitations and unsent drafts of questionnaires closed longer than their retention period;
    the counted answers (aggregates) stay, detached from any account."""
    now = now or utcnow()
    candidates = db.session.scalars(sa.select(Questionnaire).where(
        Questionnaire.closed_at.is_not(None), Questionnaire.purged_at.is_(None),
        Questionnaire.state.in_([SurveyState.closed, SurveyState.published]))).all()
    purged = 0
    for questionnaire in candidates:
        if add_months(questionnaire.closed_at, questionnaire.retention_months) > now:
            continue
        question_ids = sa.select(Question.id).where(Question.questionnaire_id == questionnaire.id)
        db.session.execute(sa.update(Answer).where(Answer.question_id.in_(question_ids), Answer.text.is_not(None)).values(text=None))
        db.session.execute(sa.delete(Response).where(Response.questionnaire_id == questionnaire.id, Response.submitted_at.is_(None)))
        db.session.execute(sa.update(Response).where(Response.questionnaire_id == questionnaire.id)
                           .values(user_id=None, browser_key=None, invitation_id=None, draft={}))
        db.session.execute(sa.delete(Invitation).where(Invitation.questionnaire_id == questionnaire.id))
        questionnaire.purged_at = now
        record("questionnaire.purged", questionnaire, None, {"retention_months": questionnaire.retention_months})
        purged += 1
    return purged
