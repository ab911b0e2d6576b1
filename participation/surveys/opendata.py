"""Published questionnaire results as open data: the figures the public results pages show.

Only questionnaires whose results are published, only the questions staff chose
to publish (never a free-text answer), and never a question fewer than
``SMALL_GROUP`` people answered (statistical confidentiality, as on the page).
One row per figure: an answer's count and share, a matrix item's answer, a
ranking option's mean rank, a number question's mean, median and range.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.opendata.catalogue import Dataset, register_dataset
from participation.surveys import results
from participation.surveys.models import Questionnaire, SurveyState
from participation.surveys.services import published_results

FIELDS = (
    "questionnaire", "questionnaire_titre", "vague", "resultats_publies_le", "repondants_questionnaire",
    "question_rang", "question", "type_question", "repondants_question", "element", "reponse", "nombre", "pourcentage",
    "moyenne", "mediane", "minimum", "maximum", "url",
)


def _published():
    return published_results().order_by(Questionnaire.id)


def rows() -> list[dict]:
    result = []
    for questionnaire in db.session.scalars(_published()).all():
        total = results.submitted_count(questionnaire)
        base = {
            "questionnaire": questionnaire.id,
            "questionnaire_titre": questionnaire.title,
            "vague": questionnaire.wave_label or None,
            "resultats_publies_le": questionnaire.results_published_at.isoformat(timespec="seconds")
            if questionnaire.results_published_at else None,
            "repondants_questionnaire": total,
            "url": url_for("surveys.public_results", questionnaire_id=questionnaire.id, _external=True),
        }
        for rank, figures in enumerate(results.question_results(questionnaire, public_only=True), start=1):
            if figures.respondents < results.SMALL_GROUP:
                continue
            question = {**base, "question_rang": rank, "question": figures.question.label,
                        "type_question": figures.question.kind.label, "repondants_question": figures.respondents}
            for bar in figures.bars:
                result.append({**question, "reponse": bar.label, "nombre": bar.count, "pourcentage": bar.percent,
                               "moyenne": figures.mean})
            for row in figures.rows:
                if "bars" in row:  # a matrix item
                    for bar in row["bars"]:
                        result.append({**question, "element": row["item"], "reponse": bar.label, "nombre": bar.count,
                                       "pourcentage": bar.percent, "moyenne": row["mean"]})
                else:  # a ranking option: its mean rank, and how many put it first
                    result.append({**question, "element": row["item"], "reponse": "classé en premier", "nombre": row["first"],
                                   "pourcentage": row["first_percent"], "moyenne": row["mean"]})
            if figures.chart_kind == "number":
                result.append({**question, "nombre": figures.respondents, "moyenne": figures.mean, "mediane": figures.median,
                               "minimum": figures.minimum, "maximum": figures.maximum})
    return result


def latest_change():
    return db.session.scalar(sa.select(sa.func.max(Questionnaire.results_published_at))
                             .where(Questionnaire.state == SurveyState.published))


register_dataset(Dataset(
    slug="resultats-questionnaires",
    title=_l("Résultats publiés des questionnaires"),
    description=_l("Les résultats des questionnaires dont la collectivité a publié les résultats : pour chaque question publiée, "
                   "le nombre et la part de chaque réponse, ou la moyenne et la médiane. Jamais une réponse libre ; une question "
                   "à laquelle moins de cinq personnes ont répondu n'est pas diffusée."),
    fields=FIELDS,
    rows=rows,
    modified=latest_change,
    keywords=("questionnaire", "enquête", "résultats", "participation citoyenne"),
    theme=_l("Démocratie locale"),
    order=60,
))
