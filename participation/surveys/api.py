"""Questionnaires in the public API: the published results, question by question, as the public results page shows them
(public questions only, no free text, nothing for a question fewer than ``SMALL_GROUP`` people answered)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, register_resource
from participation.surveys import results, services
from participation.surveys.models import Questionnaire


class SurveyOut(ApiModel):
    id: int
    title: str
    wave_label: str = Field(description="La vague, pour un questionnaire reconduit (« 2026 »).")
    introduction: str
    analysis: str = Field(description="L'analyse publiée avec les résultats, en Markdown.")
    results_published_at: datetime | None
    url: str


class BarOut(ApiModel):
    label: str
    count: int
    percent: float


class RowOut(ApiModel):
    item: str
    mean: float | None
    count: int | None = None
    first: int | None = None
    first_percent: float | None = None
    bars: list[BarOut] = []


class QuestionResultOut(ApiModel):
    label: str
    kind: str
    respondents: int
    masked: bool = Field(description="Trop peu de personnes ont répondu : les résultats ne sont pas montrés.")
    bars: list[BarOut]
    rows: list[RowOut]
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None


class SurveyResultsOut(SurveyOut):
    respondents: int = Field(description="Le nombre de réponses envoyées.")
    questions: list[QuestionResultOut]


def _survey(q: Questionnaire) -> dict:
    return {"id": q.id, "title": q.title, "wave_label": q.wave_label, "introduction": q.introduction, "analysis": q.analysis,
            "results_published_at": q.results_published_at,
            "url": url_for("surveys.public_results", questionnaire_id=q.id, _external=True)}


def _bars(bars) -> list[dict]:
    return [{"label": b.label, "count": b.count, "percent": b.percent} for b in bars]


def _question(r) -> dict:
    masked = r.respondents < results.SMALL_GROUP
    return {
        "label": r.question.label, "kind": r.question.kind.value, "respondents": r.respondents, "masked": masked,
        "bars": [] if masked else _bars(r.bars),
        "rows": [] if masked else [{**row, "bars": _bars(row.get("bars", []))} for row in r.rows],
        "mean": None if masked else r.mean, "median": None if masked else r.median,
        "minimum": None if masked else r.minimum, "maximum": None if masked else r.maximum,
    }


def _results(q: Questionnaire) -> dict:
    return {**_survey(q), "respondents": results.submitted_count(q),
            "questions": [_question(r) for r in results.question_results(q, public_only=True)]}


register_resource(
    "survey-results", _l("Résultats des questionnaires"), SurveyOut, tags=("surveys",), order=80,
    description=_l("Les questionnaires dont les résultats sont publiés, du plus récent au plus ancien ; "
                   "les résultats, question par question, sur la page de chacun."),
    query=lambda: services.published_results(), to_dict=_survey, id_column=Questionnaire.id,
    detail_schema=SurveyResultsOut, to_detail=_results,
)
