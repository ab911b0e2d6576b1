"""Consultations in the public API: consultations, their topics and contributions (pseudonyms only), published syntheses.

What is public is what the consultation pages show a visitor: ``public_consultations()``
for the consultations, ``visible_condition(None)`` (a visitor's view) for the contributions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlalchemy.orm import joinedload

from participation.api.registry import ApiModel, Filter, register_resource
from participation.forums import reading
from participation.forums.models import DELETED_TEXT, Consultation, ConsultationState, Contribution, ContributionState, Topic
from participation.territory.api import CommuneRef, ThemeRef, commune_ref, theme_ref


class ConsultationOut(ApiModel):
    id: int
    title: str
    question: str
    presentation: str = Field(description="La présentation, en Markdown.")
    state: Literal["published", "open", "closed", "synthesis_published"] = Field(
        description="L'état affiché ; state_label le dit en français.")
    state_label: str
    opens_at: datetime
    closes_at: datetime
    contributions: int = Field(description="Le nombre de contributions publiées.")
    themes: list[ThemeRef]
    communes: list[CommuneRef]
    url: str


class TopicOut(ApiModel):
    id: int
    consultation_id: int
    title: str
    theme_id: int | None
    author: str | None = Field(description="Le pseudonyme de qui a ouvert le sujet.")
    created_at: datetime


class ContributionOut(ApiModel):
    id: int
    consultation_id: int
    topic_id: int
    parent_id: int | None = Field(description="La contribution à laquelle celle-ci répond.")
    author: str | None = Field(description="Le pseudonyme de l'auteur ; aucun pour une contribution supprimée par son auteur.")
    body: str
    deleted: bool = Field(description="Supprimée par son auteur, gardée pour les réponses qu'elle a reçues.")
    created_at: datetime
    agree: int
    disagree: int
    support: int


class SynthesisOut(ApiModel):
    id: int = Field(description="L'identifiant de la concertation.")
    title: str
    synthesis: str = Field(description="La synthèse, en Markdown.")
    published_at: datetime | None
    url: str


# What a consultation's topics and contributions show: the forums' tables, and their authors' pseudonyms.
FORUM_TAGS = ("forums", "users")


def _public_ids():
    """The ids of the consultations a visitor sees (the consultation list's own select)."""
    return reading.public_consultations().with_only_columns(Consultation.id).order_by(None)


def _consultations(theme_id=None, commune_id=None, status=None):
    # The consultations alone: their counts come for the whole page at once (``complete``).
    return reading.public_consultations(theme_id=theme_id, commune_id=commune_id, status=status).with_only_columns(Consultation)


def _consultation(row) -> dict:
    consultation, count = row
    shown = consultation.shown_state()
    return {
        "id": consultation.id, "title": consultation.title, "question": consultation.question, "presentation": consultation.presentation,
        "state": shown.value, "state_label": shown.label, "opens_at": consultation.opens_at, "closes_at": consultation.closes_at,
        "contributions": count, "themes": [theme_ref(t) for t in consultation.themes], "communes": [commune_ref(c) for c in consultation.communes],
        "url": url_for("forums.consultation", consultation_id=consultation.id, _external=True),
    }


def _topics(consultation_id=None):
    shown = sa.exists().where(Contribution.topic_id == Topic.id, reading.visible_condition(None))
    statement = sa.select(Topic).options(joinedload(Topic.author)).where(Topic.consultation_id.in_(_public_ids()), shown)
    if consultation_id is not None:
        statement = statement.where(Topic.consultation_id == consultation_id)
    return statement


def _contributions(consultation_id=None, topic_id=None):
    statement = (sa.select(Contribution).options(joinedload(Contribution.author))
                 .where(Contribution.consultation_id.in_(_public_ids()), reading.visible_condition(None)))
    if consultation_id is not None:
        statement = statement.where(Contribution.consultation_id == consultation_id)
    if topic_id is not None:
        statement = statement.where(Contribution.topic_id == topic_id)
    return statement


def _contribution(c: Contribution) -> dict:
    deleted = c.state == ContributionState.deleted
    return {
        "id": c.id, "consultation_id": c.consultation_id, "topic_id": c.topic_id, "parent_id": c.parent_id,
        "author": None if deleted or c.author is None else c.author.public_name,
        "body": DELETED_TEXT if deleted else c.body, "deleted": deleted, "created_at": c.created_at,
        "agree": c.agree_count, "disagree": c.disagree_count, "support": c.support_count,
    }


def _syntheses():
    return reading.public_consultations().with_only_columns(Consultation).where(
        Consultation.state == ConsultationState.synthesis_published)


consultation_filter = Filter("consultation", int, _l("Ceux de cette concertation (identifiant)."), keyword="consultation_id")

register_resource(
    "consultations", _l("Concertations"), ConsultationOut, tags=("forums",), order=30,
    description=_l("Les concertations publiées, de la clôture la plus lointaine à la plus ancienne."),
    query=_consultations, complete=reading.consultations_with_counts, to_dict=_consultation, id_column=Consultation.id,
    sort=Consultation.closes_at,
    filters=[Filter("theme", int, _l("Les concertations de ce thème (identifiant)."), keyword="theme_id"),
             Filter("commune", int, _l("Les concertations de cette commune (identifiant)."), keyword="commune_id"),
             Filter("status", str, _l("Ouvertes, à venir ou closes."), choices=("open", "upcoming", "closed"))],
)

register_resource(
    "topics", _l("Sujets des concertations"), TopicOut, tags=FORUM_TAGS, order=31,
    description=_l("Les sujets ouverts dans les concertations, du plus récent au plus ancien."),
    query=_topics, id_column=Topic.id, sort=Topic.created_at, filters=[consultation_filter],
    to_dict=lambda t: {"id": t.id, "consultation_id": t.consultation_id, "title": t.title, "theme_id": t.theme_id,
                       "author": t.author.public_name if t.author is not None else None, "created_at": t.created_at},
)

register_resource(
    "contributions", _l("Contributions"), ContributionOut, tags=FORUM_TAGS, order=32,
    description=_l("Les contributions publiées, de la plus ancienne à la plus récente, signées du pseudonyme de leur auteur."),
    query=_contributions, to_dict=_contribution, id_column=Contribution.id, sort=Contribution.created_at, ascending=True,
    filters=[consultation_filter, Filter("topic", int, _l("Celles de ce sujet (identifiant)."), keyword="topic_id")],
)

register_resource(
    "syntheses", _l("Synthèses des concertations"), SynthesisOut, tags=("forums",), order=33,
    description=_l("Les synthèses publiées des concertations closes."),
    query=_syntheses, id_column=Consultation.id, sort=Consultation.closes_at, modified="updated_at",
    to_dict=lambda c: {"id": c.id, "title": c.title, "synthesis": c.synthesis or "", "published_at": c.synthesis_published_at,
                       "url": url_for("forums.synthesis", consultation_id=c.id, _external=True)},
)
