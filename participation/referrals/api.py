"""Referrals in the public API: the referrals a visitor sees, their published opinion with its vote,
and, once the authority has answered, its answer recommendation by recommendation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlalchemy.orm import selectinload

from participation.api.registry import ApiModel, Filter, register_resource
from participation.referrals import services
from participation.referrals.models import PUBLIC_STATES, Opinion, OpinionState, Referral, ReferralState
from participation.territory.api import ThemeRef, theme_ref

PublicState = Literal[tuple(s.value for s in PUBLIC_STATES)]


class VoteOut(ApiModel):
    voted_on: date
    sitting_id: int
    members: int = Field(description="Les membres en exercice.")
    present: int
    votes_for: int
    votes_against: int
    abstentions: int
    adopted: bool


class RecommendationOut(ApiModel):
    number: int
    text: str
    status: str | None = Field(description="La suite donnée, une fois la réponse publiée.")
    status_label: str | None
    explanation: str | None = Field(description="L'explication de la collectivité, une fois la réponse publiée.")
    department: str | None = Field(description="La direction qui répond de cette recommandation, une fois la réponse publiée.")


class OpinionOut(ApiModel):
    body: str = Field(description="Le texte de l'avis, en Markdown.")
    published_at: datetime | None
    vote: VoteOut | None = Field(description="Le vote qui l'a adopté.")
    recommendations: list[RecommendationOut]
    url: str


class AnswerOut(ApiModel):
    answered_at: datetime | None
    general_answer: str | None = Field(description="La réponse générale de la collectivité, en Markdown.")


class ReferralOut(ApiModel):
    id: int
    council_id: int
    kind: Literal["mandatory", "optional", "self_referral"]
    kind_label: str
    state: PublicState
    state_label: str
    subject: str
    question: str
    act: str | None
    referred_by: str
    received_on: date
    due_on: date
    themes: list[ThemeRef]
    opinion: OpinionOut | None = Field(description="L'avis, une fois publié.")
    answer: AnswerOut | None = Field(description="La réponse de la collectivité, une fois reçue.")
    url: str


def _referrals(council_id=None, state=None):
    public = services.public_referrals(council_id=council_id, state=ReferralState(state) if state else None)
    # The domain's conditions, without its list's loading options (it skips the themes, which the API shows).
    return sa.select(Referral).where(public.whereclause).options(selectinload(Referral.themes), selectinload(Referral.opinion).selectinload(Opinion.recommendations))


def _referral(r: Referral) -> dict:
    opinion = r.opinion if r.opinion is not None and r.opinion.state == OpinionState.published else None
    answered = r.state in (ReferralState.answered, ReferralState.closed)
    data = {
        "id": r.id, "council_id": r.council_id, "kind": r.kind.value, "kind_label": r.kind.label, "state": r.state.value,
        "state_label": r.state.label, "subject": r.subject, "question": r.question, "act": r.act, "referred_by": r.referred_by,
        "received_on": r.received_on, "due_on": r.due_on, "themes": [theme_ref(t) for t in r.themes], "opinion": None,
        "answer": {"answered_at": r.answered_at, "general_answer": r.general_answer} if answered else None,
        "url": url_for("referrals.referral", referral_id=r.id, _external=True),
    }
    if opinion is not None:
        vote = opinion.adopted_vote
        data["opinion"] = {
            "body": opinion.body, "published_at": opinion.published_at,
            "vote": None if vote is None else {
                "voted_on": vote.voted_on, "sitting_id": vote.sitting_id, "members": vote.members, "present": vote.present,
                "votes_for": vote.votes_for, "votes_against": vote.votes_against, "abstentions": vote.abstentions, "adopted": vote.adopted},
            "recommendations": [{
                "number": rec.number, "text": rec.text,
                "status": rec.status.value if answered else None, "status_label": rec.status.label if answered else None,
                "explanation": rec.explanation if answered else None,
                "department": rec.department.name if answered and rec.department is not None else None,
            } for rec in opinion.recommendations],
            "url": url_for("referrals.opinion", referral_id=r.id, _external=True),
        }
    return data


register_resource(
    "referrals", _l("Saisines et avis"), ReferralOut, tags=("referrals", "councils"), order=20,
    description=_l("Les saisines des conseils, de la plus récente à la plus ancienne, avec l'avis publié, son vote, "
                   "et la réponse de la collectivité recommandation par recommandation."),
    query=_referrals, to_dict=_referral, id_column=Referral.id, sort=Referral.received_on,
    filters=[Filter("council", int, _l("Celles de ce conseil (identifiant)."), keyword="council_id"),
             Filter("state", str, _l("Celles dans cet état."), choices=tuple(s.value for s in PUBLIC_STATES))],
)
