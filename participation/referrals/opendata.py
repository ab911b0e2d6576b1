"""Published opinions in the SCDL ``deliberations`` schema, for the open data catalogue.

One row per opinion adopted and published (the council's deliberation), with
the columns of the schema (2.1.5) in its order; dates are ISO 8601, vote
counts are integers. An opinion adopted but not yet published is not public
(its page answers 404): it is not exported. Served as
``/opendata/deliberations.csv`` and ``.json`` by the catalogue.
"""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.core.french import de
from participation.extensions import db
from participation.opendata.catalogue import Dataset, Schema, register_dataset
from participation.referrals.models import Opinion, OpinionState, Referral

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
# The nomenclature ACTES' level-1 matières, as the schema's check « nomenclature-actes » reads them before the « / ».
ACTES_LEVEL_1 = {
    "1": "commande publique",
    "2": "urbanisme",
    "3": "domaine et patrimoine",
    "4": "fonction publique",
    "5": "institutions et vie politique",
    "6": "libertés publiques et pouvoirs de police",
    "7": "finances locales",
    "8": "domaines de compétences par thèmes",
    "9": "autres domaines de compétences",
}
# A council's opinion: matière 5.2 « Fonctionnement des assemblées » (5 « Institutions et vie politique »);
# the name is the level-1 and level-2 labels, in accented lower case, joined by « / », as the schema asks.
MATIERE = ("5.2", "institutions et vie politique/fonctionnement des assemblées")


# Integer columns; the others are text.
INTEGERS = ("VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION")


def _siret(territory) -> str:
    return "".join(ch for ch in (getattr(territory, "siret", None) or "") if ch.isdigit())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def published_opinions(council_id: int | None = None):
    statement = sa.select(Opinion).join(Referral).where(Opinion.state == OpinionState.published).order_by(Opinion.id)
    if council_id:
        statement = statement.where(Referral.council_id == council_id)
    return statement


def rows(territory, council_id: int | None = None) -> list[dict[str, str | int | None]]:
    """One row per adopted opinion; VOTE_* are integers, empty optional columns are None."""
    result = []
    for opinion in db.session.scalars(published_opinions(council_id)).all():
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
    code, name = str(row.get("DELIB_MATIERE_CODE") or ""), str(row.get("DELIB_MATIERE_NOM") or "")
    if not re.fullmatch(r"\d\.\d{1,2}", code) or name.split("/")[0] != ACTES_LEVEL_1.get(code.split(".")[0]):
        found.append("DELIB_MATIERE : nomenclature ACTES")
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


def latest_change():
    return db.session.scalar(sa.select(sa.func.max(Opinion.updated_at)).where(Opinion.state == OpinionState.published))


def _catalogue_rows():
    from participation.territory.services import current_territory

    return rows(current_territory())


SCHEMA = Schema(
    name="SCDL délibérations",
    version="2.1.5",
    url="https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json",
    page="https://schema.data.gouv.fr/scdl/deliberations/2.1.5/",
)

register_dataset(Dataset(
    slug="deliberations",
    title=_l("Avis des conseils (délibérations)"),
    description=_l("Les avis adoptés et publiés par les conseils saisis (conseil de développement, conseils citoyens) : "
                   "une ligne par avis, au format SCDL « délibérations », avec le vote."),
    fields=tuple(FIELDS),
    rows=_catalogue_rows,
    modified=latest_change,
    keywords=("délibérations", "avis", "conseil de développement", "SCDL"),
    theme=_l("Démocratie locale"),
    schema=SCHEMA,
    order=20,
))
