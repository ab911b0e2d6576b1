"""Reading results: counts and rates, per-question figures, cross-tabulations, waves, exports.

Everything is aggregated in SQL: a results page runs a fixed number of
queries (plus one per number question, for its median), whatever the
number of responses.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.models import (
    CHOICE_KINDS,
    NO_ANSWER,
    OTHER,
    TEXT_KINDS,
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
)
from participation.surveys.services import option_labels
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Groups of fewer respondents are never shown (statistical confidentiality).
SMALL_GROUP = 5
DIMENSIONS = {
    "commune": _l("Commune"),
    "qpv": _l("Quartier prioritaire"),
    "age": _l("Tranche d'âge"),
    "gender": _l("Genre"),
}
NOT_GIVEN = _l("Non renseigné")


@dataclass
class Bar:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    # A matrix: per item, its mean and its bars; a ranking: per option, its mean rank and share ranked first.
    rows: list[dict] = field(default_factory=list)

    @property
    def chart_kind(self) -> str:
        kind = self.question.kind
        if kind in TEXT_KINDS:
            return "text"
        if kind == QuestionKind.number:
            return "number"
        if kind == QuestionKind.matrix:
            return "matrix"
        if kind == QuestionKind.ranking:
            return "ranking"
        return "bars"


def _pct(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


def submitted_count(questionnaire: Questionnaire) -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id)).where(
        Response.questionnaire_id == questionnaire.id, Response.submitted_at.is_not(None))) or 0


def started_count(questionnaire: Questionnaire) -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id)).where(
        Response.questionnaire_id == questionnaire.id, Response.submitted_at.is_(None))) or 0


def question_results(questionnaire: Questionnaire, *, public_only: bool = False) -> list[QuestionResult]:
    """One result per question, in the questionnaire's order: four queries, plus one per number question."""
    questions = [q for q in questionnaire.ordered_questions() if not public_only or (q.public and q.kind not in TEXT_KINDS)]
    if not questions:
        return []
    ids = [q.id for q in questions]
    respondents = dict(db.session.execute(
        sa.select(Answer.question_id, sa.func.count(sa.distinct(Answer.response_id)))
        .where(Answer.question_id.in_(ids)).group_by(Answer.question_id)).all())
    counts: dict[int, dict[tuple, int]] = defaultdict(dict)
    for question_id, item, choice, count in db.session.execute(
        sa.select(Answer.question_id, Answer.item, Answer.choice, sa.func.count(Answer.id))
        .where(Answer.question_id.in_(ids), Answer.choice.is_not(None))
        .group_by(Answer.question_id, Answer.item, Answer.choice)):
        counts[question_id][(item, choice)] = count
    stats: dict[int, dict] = defaultdict(dict)
    for question_id, item, n, mean, low, high in db.session.execute(
        sa.select(Answer.question_id, Answer.item, sa.func.count(Answer.number), sa.func.avg(Answer.number),
                  sa.func.min(Answer.number), sa.func.max(Answer.number))
        .where(Answer.question_id.in_(ids), Answer.number.is_not(None)).group_by(Answer.question_id, Answer.item)):
        stats[question_id][item] = {"n": n, "mean": float(mean) if mean is not None else None, "min": low, "max": high}
    results = []
    for question in questions:
        result = QuestionResult(question, respondents.get(question.id, 0))
        mine = counts.get(question.id, {})
        kind = question.kind
        if kind == QuestionKind.matrix:
            for item in question.items:
                item_stats = stats[question.id].get(item, {})
                n = item_stats.get("n", 0)
                result.rows.append({"item": item, "mean": item_stats.get("mean"), "count": n,
                                    "bars": [Bar(v, mine.get((item, v), 0), _pct(mine.get((item, v), 0), n)) for v in option_labels(question)]})
        elif kind == QuestionKind.ranking:
            for option in question.options:
                item_stats = stats[question.id].get(option, {})
                first = mine.get((option, "1"), 0)
                result.rows.append({"item": option, "mean": item_stats.get("mean"), "first": first,
                                    "first_percent": _pct(first, result.respondents)})
        elif kind == QuestionKind.date:
            result.bars = [Bar(choice, n, _pct(n, result.respondents)) for (_unused, choice), n in sorted(mine.items())]
        elif kind in CHOICE_KINDS:
            labels = option_labels(question)
            extra = sorted(choice for (_unused, choice) in mine if choice not in labels)
            result.bars = [Bar(label, mine.get((None, label), 0), _pct(mine.get((None, label), 0), result.respondents))
                           for label in [*labels, *extra]]
            if kind == QuestionKind.scale:
                result.mean = stats[question.id].get(None, {}).get("mean")
        elif kind == QuestionKind.number:
            item_stats = stats[question.id].get(None, {})
            result.mean, result.minimum, result.maximum = item_stats.get("mean"), item_stats.get("min"), item_stats.get("max")
            if item_stats.get("n"):
                result.median = _median(question.id, item_stats["n"])
        results.append(result)
    return results


def _median(question_id: int, n: int) -> float:
    middle = db.session.scalars(
        sa.select(Answer.number).where(Answer.question_id == question_id, Answer.number.is_not(None))
        .order_by(Answer.number).offset((n - 1) // 2).limit(2 - n % 2)).all()
    return sum(middle) / len(middle)


def text_answers(question: Question, query: str = ""):
    """A ``select`` of the free texts given to ``question`` (answers and « autre » precisions), newest first."""
    statement = (sa.select(Answer.text, Response.code, Response.submitted_at)
                 .join(Response, Response.id == Answer.response_id)
                 .where(Answer.question_id == question.id, Answer.text.is_not(None))
                 .order_by(Response.submitted_at.desc(), Answer.id.desc()))
    query = (query or "").strip()[:100]
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Answer.text.ilike(f"%{escaped}%", escape="\\"))
    return statement


# ---------------------------------------------------------------------------
# Cross-tabulation


def _dimension_column(dimension: str):
    return {"commune": Response.commune_id, "qpv": Response.qpv, "age": Response.age_band, "gender": Response.gender}[dimension]


def crosstab(questionnaire: Questionnaire, question: Question, dimension: str) -> dict:
    """Shares of each option by group of respondents (commune, QPV, age band, gender).

    Groups of fewer than five respondents to the question are masked. Three
    queries (four by commune, for the names), whatever the number of responses.
    """
    column = _dimension_column(dimension)
    labels = option_labels(question) if question.kind != QuestionKind.matrix else question.items
    group_sizes = dict(db.session.execute(
        sa.select(column, sa.func.count(sa.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question.id).group_by(column)).all())
    cells: dict = defaultdict(dict)
    if question.kind == QuestionKind.matrix:
        statement = (sa.select(column, Answer.item, sa.func.avg(Answer.number)).join(Response, Response.id == Answer.response_id)
                     .where(Answer.question_id == question.id).group_by(column, Answer.item))
    else:
        statement = (sa.select(column, Answer.choice, sa.func.count(Answer.id)).join(Response, Response.id == Answer.response_id)
                     .where(Answer.question_id == question.id).group_by(column, Answer.choice))
    for group, key, value in db.session.execute(statement):
        cells[group][key] = value
    names = {}
    if dimension == "commune":
        from participation.territory.models import Commune

        ids = [g for g in group_sizes if g is not None]
        names = dict(db.session.execute(sa.select(Commune.id, Commune.name).where(Commune.id.in_(ids))).all()) if ids else {}
    rows = []
    for group, size in group_sizes.items():
        label = names.get(group, group) if group is not None else NOT_GIVEN
        masked = size < SMALL_GROUP
        if question.kind == QuestionKind.matrix:
            values = [None if masked else (round(float(cells[group].get(item)), 2) if cells[group].get(item) is not None else None)
                      for item in labels]
        else:
            values = [None if masked else _pct(cells[group].get(option, 0), size) for option in labels]
        rows.append({"label": str(label), "size": size, "masked": masked, "values": values})
    rows.sort(key=lambda r: (r["label"] == NOT_GIVEN, r["label"]))
    return {"question": question, "dimension": dimension, "dimension_label": DIMENSIONS[dimension], "columns": labels,
            "rows": rows, "mean": question.kind == QuestionKind.matrix}


# ---------------------------------------------------------------------------
# Waves


def comparison(questionnaire: Questionnaire) -> list[dict]:
    """Each question of this wave against the same question (same key) of the previous wave.

    Choices compare option by option where the option exists in both waves,
    as the difference in percentage points; means compare for scales and numbers.
    """
    previous = questionnaire.previous_wave
    if previous is None:
        return []
    current_results = question_results(questionnaire)
    previous_results = {r.question.key: r for r in question_results(previous)}
    compared = []
    for result in current_results:
        before = previous_results.get(result.question.key)
        if before is None or before.question.kind != result.question.kind or result.question.kind in TEXT_KINDS:
            continue
        entry = {"question": result.question, "before": before, "after": result, "rows": [], "not_compared": []}
        if result.bars:
            earlier = {b.label: b for b in before.bars}
            later = {b.label for b in result.bars}
            for bar in result.bars:
                if bar.label in earlier:
                    entry["rows"].append({"label": bar.label, "before": earlier[bar.label].percent, "after": bar.percent,
                                          "difference": round(bar.percent - earlier[bar.label].percent, 1)})
                else:
                    entry["not_compared"].append(bar.label)
            entry["not_compared"] += [label for label in earlier if label not in later]
        elif result.rows:
            earlier = {r["item"]: r for r in before.rows}
            for row in result.rows:
                if row["item"] in earlier and row["mean"] is not None and earlier[row["item"]]["mean"] is not None:
                    entry["rows"].append({"label": row["item"], "before": round(earlier[row["item"]]["mean"], 2),
                                          "after": round(row["mean"], 2), "difference": round(row["mean"] - earlier[row["item"]]["mean"], 2),
                                          "mean": True})
                else:
                    entry["not_compared"].append(row["item"])
        if result.mean is not None and before.mean is not None:
            entry["mean"] = {"before": round(before.mean, 2), "after": round(result.mean, 2), "difference": round(result.mean - before.mean, 2)}
        compared.append(entry)
    return compared


# ---------------------------------------------------------------------------
# Exports


def _columns(questions: list[Question]) -> list[tuple[str, Question, str, str | None]]:
    """(heading, question, what, key): one column per question, per option of a multiple choice, per item of a matrix or ranking."""
    columns = []
    for number, question in enumerate(questions, start=1):
        head = _("Q%(number)s %(label)s", number=number, label=question.label)
        if question.kind == QuestionKind.multiple:
            columns += [(f"{head} [{option}]", question, "has", option) for option in option_labels(question)]
        elif question.kind in (QuestionKind.matrix, QuestionKind.ranking):
            for item in (question.items if question.kind == QuestionKind.matrix else question.options):
                columns.append((f"{head} [{item}]", question, "item", item))
        else:
            columns.append((head, question, "value", None))
        if question.setting("allow_other"):
            columns.append((_("%(head)s [précision « %(OTHER)s »]", head=head, OTHER=OTHER), question, "other", None))
    return columns


def _cell(by_question: dict, question_id: int, text_kind: bool, what: str, key: str | None) -> str:
    """One cell, from the response's answer rows (question_id, item, choice, number, text, date_value) by question."""
    mine = by_question.get(question_id, ())
    if what == "has":
        return "1" if any(a.choice == key for a in mine) else ("0" if mine else "")
    if what == "item":
        found = next((a for a in mine if a.item == key), None)
        return "" if found is None or found.number is None else str(int(found.number))
    if what == "other":
        return next((a.text for a in mine if a.choice == OTHER and a.text), "")
    if not mine:
        return ""
    answer = mine[0]
    if answer.date_value is not None:
        return answer.date_value.isoformat()
    if text_kind:
        return answer.text or ""
    if answer.choice is not None:
        return answer.choice
    if answer.number is not None:
        return str(answer.number).replace(".", ",").removesuffix(",0")
    return ""


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def export_responses(questionnaire: Questionnaire) -> Iterator[str]:
    """One row per sent response (pseudonymous code), one column per question or option; UTF-8 with BOM, « ; ».
    Two queries, streamed."""
    questions = questionnaire.ordered_questions()
    columns = _columns(questions)
    yield "\ufeff" + _csv_line([_("Réponse"), _("Envoyée le"), *[c[0] for c in columns]])
    responses = db.session.execute(
        sa.select(Response.id, Response.code, Response.submitted_at)
        .where(Response.questionnaire_id == questionnaire.id, Response.submitted_at.is_not(None)).order_by(Response.id)).all()
    answers = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.item, Answer.choice, Answer.number, Answer.text, Answer.date_value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.questionnaire_id == questionnaire.id, Response.submitted_at.is_not(None))
        .order_by(Answer.response_id, Answer.id).execution_options(yield_per=5000))
    plan = [(q.id, q.kind in TEXT_KINDS, what, key) for _unused, q, what, key in columns]
    pending = next(answers, None)
    for response_id, code, submitted_at in responses:
        by_question: dict[int, list] = {}
        while pending is not None and pending.response_id <= response_id:
            if pending.response_id == response_id:
                by_question.setdefault(pending.question_id, []).append(pending)
            pending = next(answers, None)
        yield _csv_line([code, submitted_at.strftime("%Y-%m-%d %H:%M"), *[_cell(by_question, *step) for step in plan]])


def export_aggregates(questionnaire: Questionnaire) -> Iterator[str]:
    yield "\ufeff" + _csv_line([_("Question"), _("Élément"), _("Réponse"), _("Nombre"), _("Pourcentage des répondants"), _("Moyenne")])
    for result in question_results(questionnaire):
        label = result.question.label
        for bar in result.bars:
            yield _csv_line([label, "", bar.label, bar.count, str(bar.percent).replace(".", ","), ""])
        for row in result.rows:
            mean = "" if row.get("mean") is None else f"{row['mean']:.2f}".replace(".", ",")
            if "bars" in row:
                for bar in row["bars"]:
                    yield _csv_line([label, row["item"], bar.label, bar.count, str(bar.percent).replace(".", ","), mean])
            else:
                yield _csv_line([label, row["item"], _("classé en premier"), row["first"], str(row["first_percent"]).replace(".", ","), mean])
        if result.question.kind == QuestionKind.number and result.mean is not None:
            yield _csv_line([label, "", "", result.respondents, "", f"{result.mean:.2f}".replace(".", ",")])
        if result.question.kind in TEXT_KINDS:
            yield _csv_line([label, "", _("réponses libres"), result.respondents, "", ""])


__all__ = ["DIMENSIONS", "NO_ANSWER", "SMALL_GROUP", "comparison", "crosstab", "export_aggregates", "export_responses",
           "question_results", "text_answers"]
