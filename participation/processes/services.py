"""The register's operations: entering a process, refreshing the platform's, the prise en compte, the charter, referents."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, require
from participation.extensions import db
from participation.processes.models import (
    PROCESS_WORKFLOW,
    CharterCommitment,
    CharterVersion,
    CommuneReferent,
    LeaderKind,
    Method,
    Process,
    ProcessState,
    Uptake,
)
from participation.processes.policies import referent_communes
from participation.processes.sources import PlatformProcess, process_sources
from flask_babel import gettext as _

# The fields a person enters; a platform process keeps its title, dates and figures from the platform.
STAFF_FIELDS = ("audience", "results", "uptake", "uptake_explanation", "uptake_url", "summary")
HAND_FIELDS = ("title", "leader_kind", "leader_commune_id", "leader_name", "method", "starts_on", "ends_on", "participants", *STAFF_FIELDS)


def _load(model, ids):
    if not ids:
        return []
    return list(db.session.scalars(sa.select(model).where(model.id.in_(list(ids))).order_by(model.id)))


def _check_values(values: dict, *, actor, process: Process | None) -> None:
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise ValidationError(_("La fin de la démarche précède son début."), field="ends_on")
    if values.get("leader_kind") == LeaderKind.commune and not values.get("leader_commune_id"):
        raise ValidationError(_("Choisissez la commune qui mène la démarche."), field="leader_commune_id")
    if values.get("uptake") not in (None, Uptake.pending) and not (values.get("uptake_explanation") or "").strip():
        raise ValidationError(_("Expliquez ce qui a été fait des résultats : c'est ce que le public lira."), field="uptake_explanation")
    communes = referent_communes(actor)
    if communes and not getattr(actor, "role_names", set()) & {"staff", "admin"}:
        # A commune's referent enters their commune's processes only.
        if values.get("leader_kind") != LeaderKind.commune or values.get("leader_commune_id") not in communes:
            raise ValidationError(_("Vous saisissez les démarches de votre commune : choisissez-la comme porteuse."), field="leader_commune_id")


def save_process(process: Process | None, *, actor, communes=(), neighbourhoods=(), themes=(), commitments=(), **values) -> Process:
    """Create or update a process entered by hand (every field), or a platform one (the staff's fields only)."""
    from participation.territory.models import Commune, Neighbourhood, Theme

    if process is None:
        require(actor, "processes.create")
        process = Process(created_by_id=getattr(actor, "id", None), source_kind=None)
    else:
        require(actor, "processes.edit", process)
    allowed = STAFF_FIELDS if process.on_platform else HAND_FIELDS
    values = {key: value for key, value in values.items() if key in allowed}
    if not process.on_platform:
        _check_values(values, actor=actor, process=process)
    elif values.get("uptake") not in (None, Uptake.pending) and not (values.get("uptake_explanation") or "").strip():
        raise ValidationError(_("Expliquez ce qui a été fait des résultats : c'est ce que le public lira."), field="uptake_explanation")
    for key, value in values.items():
        setattr(process, key, value.strip() if isinstance(value, str) else value)
    if not process.on_platform:
        process.communes = _load(Commune, communes)
        process.themes = _load(Theme, themes)
    process.neighbourhoods = _load(Neighbourhood, neighbourhoods)
    process.commitments = _load(CharterCommitment, commitments)
    created = process.id is None
    db.session.add(process)
    db.session.flush()
    record("process.created" if created else "process.updated", process, actor, {"title": process.title})
    return process


def publish(process: Process, *, actor) -> None:
    PROCESS_WORKFLOW.apply(process, "publish", actor=actor)
    process.published_at = process.published_at or utcnow()


def unpublish(process: Process, *, actor) -> None:
    PROCESS_WORKFLOW.apply(process, "unpublish", actor=actor)


# --- Platform processes ------------------------------------------------------------


def _apply(process: Process, item: PlatformProcess) -> None:
    from participation.territory.models import Commune, Theme

    process.title = item.title[:200]
    process.method = Method(item.method)
    process.starts_on, process.ends_on = item.starts_on, item.ends_on
    process.participants = item.participants
    process.figures = [[label, int(value)] for label, value in item.figures]
    process.source_url = item.url
    process.leader_kind = LeaderKind(item.leader_kind)
    process.leader_name = item.leader_name
    if not process.summary:
        process.summary = item.summary
    if not process.results and item.results:
        process.results = item.results
    process.communes = _load(Commune, item.commune_ids)
    process.themes = _load(Theme, item.theme_ids)


def sync(kind: str | None = None, ids: list[int] | None = None, *, actor=SYSTEM) -> dict[str, int]:
    """Register the automatic sources' things and refresh every platform process's figures; returns counts.

    Idempotent: a second run changes nothing but the figures. A bounded number
    of queries per source, whatever the number of things.
    """
    counts = {"created": 0, "refreshed": 0}
    for source in process_sources().values():
        if kind and source.kind != kind:
            continue
        existing = {p.source_id: p for p in db.session.scalars(sa.select(Process).where(Process.source_kind == source.kind))}
        wanted = ids if ids is not None else (None if source.automatic else list(existing))
        if wanted == []:
            continue
        for item in source.func(wanted):
            process = existing.get(item.source_id)
            if process is None:
                if not source.automatic:
                    continue
                process = Process(source_kind=source.kind, source_id=item.source_id, state=ProcessState.published, published_at=utcnow())
                db.session.add(process)
                counts["created"] += 1
            else:
                counts["refreshed"] += 1
            _apply(process, item)
    db.session.flush()
    return counts


def register_platform(kind: str, source_id: int, *, actor) -> Process:
    """Register one thing of a source that staff pick (an event of the participation kind)."""
    require(actor, "processes.charter")
    source = process_sources().get(kind)
    if source is None:
        raise DomainError(_("Cette source de démarches n'existe pas."))
    if db.session.scalar(sa.select(Process.id).where(Process.source_kind == kind, Process.source_id == source_id)):
        raise DomainError(_("Cette démarche est déjà au registre."))
    found = source.func([source_id])
    if not found:
        raise ValidationError(_("Cet élément n'existe pas ou n'est pas publié."), field="source_id")
    process = Process(source_kind=kind, source_id=source_id, state=ProcessState.draft)
    _apply(process, found[0])
    db.session.add(process)
    db.session.flush()
    record("process.created", process, actor, {"title": process.title})
    return process


def candidates(kind: str) -> list[PlatformProcess]:
    """The things of a chosen source that are not registered yet."""
    source = process_sources()[kind]
    taken = set(db.session.scalars(sa.select(Process.source_id).where(Process.source_kind == kind)))
    return [item for item in source.func(None) if item.source_id not in taken]


# --- Public list -------------------------------------------------------------------


def public_processes(*, commune_id=None, theme_id=None, method=None, leader_kind=None, year=None, uptake=None):
    statement = sa.select(Process).where(Process.state == ProcessState.published)
    if commune_id:
        statement = statement.where(sa.or_(Process.communes.any(id=commune_id), Process.leader_commune_id == commune_id))
    if theme_id:
        statement = statement.where(Process.themes.any(id=theme_id))
    if method:
        statement = statement.where(Process.method == method)
    if leader_kind:
        statement = statement.where(Process.leader_kind == leader_kind)
    if uptake:
        statement = statement.where(Process.uptake == uptake)
    if year:
        statement = statement.where(Process.starts_on >= date(year, 1, 1), Process.starts_on <= date(year, 12, 31))
    return statement.order_by(Process.starts_on.desc().nulls_last(), Process.id.desc())


def staff_processes(actor, *, source: str | None = None):
    """The back office's register: every process for staff, a referent's commune's for a referent."""
    statement = sa.select(Process)
    if not actor.role_names & {"staff", "admin"}:
        statement = statement.where(Process.leader_commune_id.in_(referent_communes(actor)), Process.source_kind.is_(None))
    if source == "platform":
        statement = statement.where(Process.source_kind.is_not(None))
    elif source == "hand":
        statement = statement.where(Process.source_kind.is_(None))
    return statement.order_by(Process.updated_at.desc(), Process.id.desc())


# --- The charter ---------------------------------------------------------------------


def current_charter() -> CharterVersion | None:
    """The last voted version."""
    return db.session.scalar(
        sa.select(CharterVersion).where(CharterVersion.voted_on.is_not(None)).order_by(CharterVersion.number.desc()).limit(1)
    )


def save_charter_version(version: CharterVersion | None, *, title: str, preamble: str, voted_on: date | None, voted_by: str,
                         commitments: list[tuple[str, str]], actor) -> CharterVersion:
    """Create a version (numbered after the last) or update one; its commitments are given in order (title, description)."""
    require(actor, "processes.charter")
    if not commitments:
        raise ValidationError(_("Une charte énonce au moins un engagement."), field="commitments")
    if voted_on and voted_on > date.today():
        raise ValidationError(_("La date du vote ne peut pas être dans le futur."), field="voted_on")
    created = version is None
    if version is None:
        last = db.session.scalar(sa.select(sa.func.max(CharterVersion.number))) or 0
        version = CharterVersion(number=last + 1)
        db.session.add(version)
    version.title, version.preamble, version.voted_on, version.voted_by = title.strip(), preamble.strip(), voted_on, voted_by.strip()
    existing = list(version.commitments)
    for position, (ctitle, description) in enumerate(commitments, start=1):
        if position <= len(existing):
            existing[position - 1].title, existing[position - 1].description = ctitle.strip(), description.strip()
        else:
            version.commitments.append(CharterCommitment(position=position, title=ctitle.strip(), description=description.strip()))
    for extra in existing[len(commitments):]:
        version.commitments.remove(extra)
    db.session.flush()
    record("charter.created" if created else "charter.updated", version, actor, {"number": version.number})
    return version


# --- Referents -----------------------------------------------------------------------


def add_referent(*, email: str, commune, actor) -> CommuneReferent:
    from participation.accounts.models import AccountState, User

    require(actor, "processes.manage_referents")
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or user.state != AccountState.active:
        raise ValidationError(_("Aucun compte actif n'a cette adresse : la personne crée d'abord son compte."), field="email")
    if db.session.scalar(sa.select(CommuneReferent.id).where(CommuneReferent.user_id == user.id, CommuneReferent.commune_id == commune.id)):
        raise ValidationError(_("%(display_name)s est déjà référent de %(name)s.", display_name=user.display_name, name=commune.name), field="email")
    referent = CommuneReferent(user_id=user.id, commune_id=commune.id)
    db.session.add(referent)
    db.session.flush()
    record("process.referent_added", user, actor, {"name": commune.name})
    return referent


def remove_referent(referent: CommuneReferent, *, actor) -> None:
    require(actor, "processes.manage_referents")
    record("process.referent_removed", referent.user, actor, {"name": referent.commune.name})
    db.session.delete(referent)
    db.session.flush()
