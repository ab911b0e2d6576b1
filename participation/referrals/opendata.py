"""Adopted opinions in the SCDL ``deliberations`` schema.

One row per adopted opinion (the council's deliberation), with the columns
of the schema in its order; dates are ISO 8601, vote counts are integers.
"""

from __future__ import annotations

import csv
import io

from flask import url_for

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


def rows(territory, council_id: int | None = None) -> list[dict[str, str]]:
    result = []
    for opinion in db.session.scalars(services.adopted_opinions(council_id)).all():
        referral, vote = opinion.referral, opinion.adopted_vote
        result.append({
            "COLL_NOM": territory.name if territory else "",
            "COLL_SIRET": (territory.siret or "") if territory else "",
            "DELIB_ID": f"AVIS-{referral.council_id}-{vote.voted_on.year}-{opinion.id:04d}",
            "DELIB_DATE": vote.voted_on.isoformat(),
            "DELIB_MATIERE_CODE": MATIERE[0],
            "DELIB_MATIERE_NOM": MATIERE[1],
            "DELIB_OBJET": f"Avis du {referral.council.name} : {referral.subject}"[:1000],
            "BUDGET_ANNEE": "",
            "BUDGET_NOM": "",
            "PREF_ID": "",
            "PREF_DATE": "",
            "VOTE_EFFECTIF": str(vote.members),
            "VOTE_REEL": str(vote.voters),
            "VOTE_POUR": str(vote.votes_for),
            "VOTE_CONTRE": str(vote.votes_against),
            "VOTE_ABSTENTION": str(vote.abstentions),
            "DELIB_URL": url_for("referrals.opinion", referral_id=referral.id, _external=True),
        })
    return result


def to_csv(territory, council_id: int | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(territory, council_id))
    return buffer.getvalue()
