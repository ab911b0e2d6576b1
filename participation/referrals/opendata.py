"""Adopted opinions in the SCDL ``deliberations`` schema.

One row per adopted opinion (the council's deliberation), with the columns
of the schema in its order; dates are ISO 8601, vote counts are integers.
"""

from __future__ import annotations

import csv
import io
import re

from flask import url_for

from participation.core.french import de
from participation.extensions import db
from participation.referrals import services

FIELDS = [
    "COLL_NOM",
    "COLL_SIRET",
    "DELIB_ID",
    "DELIB_DATE",
    "DELIB_MATIERE_CODE",
    "DELIB_MATIERE_NOM",
    "DELIB_OBJET",
    "BUDGET_ANNEE",
    "BUDGET_NOM",
    "PREF_ID",
    "PREF_DATE",
    "VOTE_EFFECTIF",
    "VOTE_REEL",
    "VOTE_POUR",
    "VOTE_CONTRE",
    "VOTE_ABSTENTION",
    "DELIB_URL",
]
# The schema's required columns.
REQUIRED = ("COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM", "DELIB_OBJET")
# Nomenclature ACTES, matière 9.1: « Autres domaines de compétences des communes » is too vague; 5.2 is « Fonctionnement des assemblées ».
MATIERE = ("5.2", "Fonctionnement des assemblees")


# Integer columns; the others are text.
INTEGERS = ("VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION")


def _siret(territory) -> str:
    return "".join(ch for ch in (getattr(territory, "siret", None) or "") if ch.isdigit())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def rows(territory, council_id: int | None = None) -> list[dict[str, str | int | None]]:
    """One row per adopted opinion; VOTE_* are integers, empty optional columns are None."""
    result = []
    for opinion in db.session.scalars(services.adopted_opinions(council_id)).all():
        referral, vote = opinion.referral, opinion.adopted_vote
        result.append({
            "COLL_NOM": _one_line(territory.name) if territory else "",
            "COLL_SIRET": _siret(territory),
            "DELIB_ID": f"AVIS-{referral.council_id}-{vote.voted_on.year}-{opinion.id:04d}",
            "DELIB_DATE": vote.voted_on.isoformat(),
            "DELIB_MATIERE_CODE": MATIERE[0],
            "DELIB_MATIERE_NOM": MATIERE[1],
            "DELIB_OBJET": _one_line(f"Avis {de(referral.council.name)} : {referral.subject}")[:1000],
            "BUDGET_ANNEE": None,
            "BUDGET_NOM": None,
            "PREF_ID": None,
            "PREF_DATE": None,
            "VOTE_EFFECTIF": vote.members,
            "VOTE_REEL": vote.voters,
            "VOTE_POUR": vote.votes_for,
            "VOTE_CONTRE": vote.votes_against,
            "VOTE_ABSTENTION": vote.abstentions,
            "DELIB_URL": url_for("referrals.opinion", referral_id=referral.id, _external=True),
        })
    return result


def problems(row: dict) -> list[str]:
    """What keeps a row from validating against the schema's field list (empty when it validates)."""
    found = []
    if list(row) != FIELDS:
        found.append("colonnes")
    for name in REQUIRED:
        if row.get(name) in (None, ""):
            found.append(f"{name} vide")
    if not re.fullmatch(r"\d{14}", str(row.get("COLL_SIRET") or "")):
        found.append("COLL_SIRET : 14 chiffres")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(row.get("DELIB_DATE") or "")):
        found.append("DELIB_DATE : AAAA-MM-JJ")
    for name in INTEGERS:
        if row.get(name) is not None and not isinstance(row[name], int):
            found.append(f"{name} : entier")
    return found


def to_csv(territory, council_id: int | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows(territory, council_id))
    return buffer.getvalue()
