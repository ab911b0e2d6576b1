"""Grants in the public API: the calls for projects and the grants made (granted, convention signed)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, Filter, register_resource
from participation.core.models import utcnow
from participation.grants import services
from participation.grants.models import GrantApplication, GrantCall
from participation.grants.opendata import decimal_cents
from participation.territory.api import ThemeRef, theme_ref


class GrantCallOut(ApiModel):
    id: int
    title: str
    description: str = Field(description="La présentation, en Markdown.")
    eligibility: str = Field(description="Qui peut répondre, en Markdown.")
    envelope: str = Field(description="L'enveloppe en euros, avec un point décimal (« 100000.00 »).")
    opens_at: datetime
    closes_at: datetime
    status: Literal["upcoming", "open", "closed"]
    department: str | None = Field(description="La direction qui instruit.")
    themes: list[ThemeRef]
    url: str


class BeneficiaryOut(ApiModel):
    name: str
    rna: str = Field(description="Le numéro au répertoire national des associations.")
    siret: str | None


class GrantOut(ApiModel):
    id: int
    call_id: int
    object: str = Field(description="L'objet de la subvention.")
    beneficiary: BeneficiaryOut
    amount: str = Field(description="Le montant attribué en euros, avec un point décimal.")
    nature: Literal["cash", "in_kind"]
    decided_on: date | None
    decision_reference: str | None
    convention_signed_on: date


def _status(call: GrantCall) -> str:
    now = utcnow()
    return "upcoming" if now < call.opens_at else ("open" if now < call.closes_at else "closed")


def _call(c: GrantCall) -> dict:
    return {"id": c.id, "title": c.title, "description": c.description, "eligibility": c.eligibility,
            "envelope": decimal_cents(c.envelope_cents), "opens_at": c.opens_at, "closes_at": c.closes_at, "status": _status(c),
            "department": c.department.name if c.department else None, "themes": [theme_ref(t) for t in c.themes],
            "url": url_for("grants.call", call_id=c.id, _external=True)}


def _grants(call_id=None):
    statement = services.public_grants()
    return statement.where(GrantApplication.call_id == call_id) if call_id is not None else statement


def _grant(a: GrantApplication) -> dict:
    return {"id": a.id, "call_id": a.call_id, "object": a.project_title,
            "beneficiary": {"name": a.association.name, "rna": a.association.rna, "siret": a.association.siret},
            "amount": decimal_cents(a.amount_granted_cents or 0), "nature": a.aid_kind.value, "decided_on": a.decided_on,
            "decision_reference": a.decision_reference, "convention_signed_on": a.convention_signed_on}


register_resource(
    "grant-calls", _l("Appels à projets"), GrantCallOut, tags=("grants",), order=60,
    description=_l("Les appels à projets, de la clôture la plus lointaine à la plus ancienne."),
    query=lambda: services.public_calls(), to_dict=_call, id_column=GrantCall.id, sort=GrantCall.closes_at, modified="updated_at",
)

register_resource(
    "grants", _l("Subventions attribuées"), GrantOut, tags=("grants",), order=61,
    description=_l("Les subventions attribuées dont la convention est signée, de la plus récente à la plus ancienne."),
    query=_grants, to_dict=_grant, id_column=GrantApplication.id, sort=GrantApplication.convention_signed_on,
    filters=[Filter("call", int, _l("Celles de cet appel à projets (identifiant)."), keyword="call_id")],
)
