"""A question's result feeds a territorial plan's indicator.

Staff tie a question to an indicator of a plan (and, for a choice, the option
whose share is measured). When the questionnaire's results are published, the
result becomes the indicator's measurement for the period of the closing date,
with the questionnaire named in its comment. A measurement the indicator refuses
(out of its range, its period already measured) is not stored: the refusal is
in the journal, and the plan's page keeps what was measured before.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.core.dates import utc_to_local
from participation.core.errors import ValidationError
from participation.core.eventlog import DomainEvent, record, subscribe
from participation.core.permissions import SYSTEM, require
from participation.extensions import db
from participation.surveys.models import Question, QuestionKind, Questionnaire

log = logging.getLogger(__name__)

# Kinds whose result is a share of respondents choosing one option.
SHARE_KINDS = (QuestionKind.single, QuestionKind.multiple, QuestionKind.scale, QuestionKind.commune, QuestionKind.qpv,
               QuestionKind.age_band, QuestionKind.gender)
# Kinds whose result may be a mean.
MEAN_KINDS = (QuestionKind.scale, QuestionKind.number)


def indicator_choices() -> list[tuple[int, str]]:
    """The indicators of the plans not closed, for the question's form."""
    from participation.plans.models import Indicator, Plan, PlanState

    rows = db.session.execute(sa.select(Indicator.id, Indicator.code, Indicator.name, Plan.title).join(Plan, Plan.id == Indicator.plan_id)
                              .where(Plan.state != PlanState.closed, Indicator.archived.is_(False))
                              .order_by(Plan.title, Indicator.code).limit(1000)).all()
    return [(0, _("— Aucun —"))] + [(i, f"{title[:60]} — {code} {name[:80]}") for i, code, name, title in rows]


def link_indicator(question: Question, indicator, option: str | None, *, actor) -> None:
    """Tie ``question`` to ``indicator`` (``None`` unties it); ``option`` is the choice whose share is measured."""
    from participation.surveys.services import option_labels

    require(actor, "surveys.manage", question.questionnaire)
    require(actor, "surveys.link_indicator", question.questionnaire)
    option = (option or "").strip() or None
    if indicator is None:
        question.indicator_id, question.indicator_option = None, None
    else:
        if question.kind not in SHARE_KINDS + MEAN_KINDS:
            raise ValidationError(_("Seule une question à choix, une échelle ou un nombre alimente un indicateur."), field="indicator")
        if option is None and question.kind not in MEAN_KINDS:
            raise ValidationError(_("Choisissez l'option dont la part des réponses sera mesurée."), field="indicator_option")
        if option is not None and (question.kind not in SHARE_KINDS or option not in option_labels(question)):
            raise ValidationError(_("« %(option)s » n'est pas une option de cette question.", option=option), field="indicator_option")
        question.indicator_id, question.indicator_option = indicator.id, option
    db.session.flush()
    record("questionnaire.indicator_linked", question.questionnaire, actor,
           {"question_id": question.id, "indicator_id": question.indicator_id, "option": question.indicator_option})


def result_value(question: Question, result) -> float | None:
    """The figure measured: the share (in %) of respondents who chose the option, or the mean."""
    if result.respondents == 0:
        return None
    if question.indicator_option is None:
        return None if result.mean is None else round(result.mean, 2)
    bar = next((b for b in result.bars if b.label == question.indicator_option), None)
    return bar.percent if bar is not None else 0.0


@subscribe("questionnaire.published")
def measure_linked_indicators(event: DomainEvent) -> None:
    from participation.plans import indicators
    from participation.plans.models import Indicator
    from participation.surveys.results import question_results

    questionnaire: Questionnaire = event.subject
    linked = [q for q in questionnaire.questions if q.indicator_id]
    if not linked:
        return
    results = {r.question.id: r for r in question_results(questionnaire)}
    measured_on = utc_to_local(questionnaire.closed_at or event.occurred_at).date()
    for question in linked:
        indicator = db.session.get(Indicator, question.indicator_id)
        result = results.get(question.id)
        value = result_value(question, result) if result is not None else None
        if indicator is None or value is None:
            continue
        what = f"« {question.indicator_option} »" if question.indicator_option else _("moyenne")
        comment = _("Questionnaire « %(title)s », question « %(label)s » (%(what)s), %(num)d répondants.",
                    title=questionnaire.title, label=question.label[:120], what=what, num=result.respondents)
        try:
            with db.session.begin_nested():
                indicators.add_measurement(indicator, measured_on=measured_on, value=value, comment=comment[:500], actor=SYSTEM)
        except ValidationError as refused:
            log.warning("Mesure de l'indicateur %s refusée : %s", indicator.code, refused.message)
            record("questionnaire.indicator_measurement_refused", questionnaire, SYSTEM,
                   {"question_id": question.id, "indicator_id": indicator.id, "value": value, "reason": refused.message})
