"""The register of participatory processes as open data: every published démarche, on the platform or outside it.

Drafts and unpublished processes are never exported; neither are the contacts
of the people who asked to be kept informed.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.opendata.catalogue import Dataset, register_dataset
from participation.processes.models import Process, ProcessState
from participation.processes.services import public_processes

FIELDS = (
    "identifiant", "titre", "methode", "porteur", "commune_porteuse", "public_concerne", "debut", "fin",
    "communes", "codes_insee", "quartiers", "thematiques", "participants", "prise_en_compte", "explication_prise_en_compte",
    "lien_suite", "sur_la_plateforme", "url", "publie_le", "mise_a_jour",
)


def _absolute(path: str | None) -> str | None:
    if not path:
        return None
    return path if "://" in path else current_app.config["BASE_URL"].rstrip("/") + path


def rows() -> list[dict]:
    result = []
    for process in db.session.scalars(public_processes()).all():
        result.append({
            "identifiant": process.id,
            "titre": process.title,
            "methode": process.method.label,
            "porteur": process.leader_name or process.leader_kind.label,
            "commune_porteuse": process.leader_commune.name if process.leader_commune else None,
            "public_concerne": process.audience or None,
            "debut": process.starts_on.isoformat() if process.starts_on else None,
            "fin": process.ends_on.isoformat() if process.ends_on else None,
            "communes": ";".join(c.name for c in process.communes) or None,
            "codes_insee": ";".join(c.insee_code for c in process.communes) or None,
            "quartiers": ";".join(n.name for n in process.neighbourhoods) or None,
            "thematiques": ";".join(t.name for t in process.themes) or None,
            "participants": process.participants,
            "prise_en_compte": process.uptake.label,
            "explication_prise_en_compte": process.uptake_explanation or None,
            "lien_suite": _absolute(process.uptake_url),
            "sur_la_plateforme": process.on_platform,
            "url": url_for("processes.show", process_id=process.id, _external=True),
            "publie_le": process.published_at.isoformat(timespec="seconds") if process.published_at else None,
            "mise_a_jour": process.updated_at.isoformat(timespec="seconds"),
        })
    return result


def latest_change():
    return db.session.scalar(sa.select(sa.func.max(Process.updated_at)).where(Process.state == ProcessState.published))


register_dataset(Dataset(
    slug="demarches-participatives",
    title=_l("Registre des démarches participatives"),
    description=_l("Les démarches participatives publiées du territoire, menées sur la plateforme ou en dehors : méthode, porteur, "
                   "public, dates, communes et thématiques, nombre de participants et prise en compte des résultats. "
                   "Les valeurs multiples (communes, thématiques) sont séparées par des points-virgules."),
    fields=FIELDS,
    rows=rows,
    modified=latest_change,
    keywords=("participation citoyenne", "concertation", "démarches participatives"),
    theme=_l("Démocratie locale"),
    order=40,
))
