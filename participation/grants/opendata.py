"""The grants' essential data in the SCDL ``subventions`` schema (décret 2017-779), for the open data catalogue.

One row per granted grant with a signed convention. The 16 columns are those
of the schema's version 2.1.1, in its order; dates are ISO 8601, amounts use a dot, ``nature``
and ``conditionsVersement`` take the schema's values, ``notificationUE`` is « oui » or « non ».
Served as ``/opendata/subventions.csv`` and ``.json`` by the catalogue.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.grants.models import AidKind, GrantApplication, GrantCall
from participation.opendata.catalogue import Dataset, Schema, latest, register_dataset
from participation.grants.services import public_grant_condition

FIELDS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]

NATURES = {AidKind.cash: "aide en numéraire", AidKind.in_kind: "aide en nature"}
# The values the schema allows.
NATURE_VALUES = ("aide en numéraire", "aide en nature", "aide en numéraire;aide en nature", "aide en nature;aide en numéraire")
PAYMENT_CONDITIONS = ("unique", "échelonné", "autre")


def decimal_cents(cents: int) -> str:
    """``2400000`` → ``"24000.00"``: a dot, two decimals, never a float."""
    whole, rest = divmod(int(cents), 100)
    return f"{whole}.{rest:02d}"


def _published():
    return public_grant_condition()


def published_grants():
    return db.session.scalars(
        sa.select(GrantApplication)
        .where(_published())
        .order_by(GrantApplication.convention_signed_on, GrantApplication.id)
    ).all()


def rows(territory) -> list[dict[str, str]]:
    result = []
    for application in published_grants():
        association = application.association
        period = application.payment_from.isoformat() if application.payment_from else application.convention_signed_on.isoformat()
        if application.payment_until and application.payment_until != application.payment_from:
            period = f"{period}/{application.payment_until.isoformat()}"
        result.append({
            "nomAttribuant": territory.name if territory else "",
            "idAttribuant": (territory.siret or "") if territory else "",
            "dateConvention": application.convention_signed_on.isoformat(),
            "referenceDecision": application.decision_reference or "",
            "nomBeneficiaire": association.name,
            "idBeneficiaire": association.siret or "",
            "rnaBeneficiaire": association.rna,
            "objet": application.project_title[:256],
            "montant": decimal_cents(application.amount_granted_cents),
            "nature": NATURES[application.aid_kind],
            "conditionsVersement": application.payment_terms.value if application.payment_terms else "unique",
            "datesPeriodeVersement": period,
            "idRAE": application.call.rae_id or "",
            "notificationUE": "oui" if application.eu_notified else "non",
            "pourcentageSubvention": "1.00",
            "dispositifAide": application.call.aid_scheme or "",
        })
    return result


def to_csv(territory) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(territory))
    return buffer.getvalue()


def latest_change():
    """The latest change of a published grant or of its call (its RAE number, its aid scheme)."""
    row = db.session.execute(
        sa.select(sa.func.max(GrantApplication.updated_at), sa.func.max(GrantCall.updated_at))
        .join(GrantCall, GrantCall.id == GrantApplication.call_id)
        .where(_published())
    ).one()
    return latest(*row)


def _catalogue_rows():
    from participation.territory.services import current_territory

    return rows(current_territory())


SCHEMA = Schema(
    name="SCDL subventions",
    version="2.1.1",
    url="https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json",
    page="https://schema.data.gouv.fr/scdl/subventions/2.1.1/",
)

register_dataset(Dataset(
    slug="subventions",
    title=_l("Subventions attribuées"),
    description=_l("Les données essentielles des conventions de subvention signées (décret n° 2017-779 du 5 mai 2017) : "
                   "une ligne par subvention attribuée, au format SCDL « subventions » 2.1.1, ses 16 colonnes dans l'ordre du schéma."),
    fields=tuple(FIELDS),
    rows=_catalogue_rows,
    modified=latest_change,
    keywords=("subvention", "associations", "SCDL", "données essentielles"),
    theme=_l("Subventions"),
    schema=SCHEMA,
    order=10,
))
