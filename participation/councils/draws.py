"""Volunteers and draws by lot: the pool of volunteers, its import, quotas, the draw, anyone's check
of it, and the drawn people invited (the next one in reserve when one declines). The algorithm is ``lottery.py``."""

from __future__ import annotations

import csv
import io
import secrets

import sqlalchemy as sa

from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.councils import lottery
from participation.councils.models import (
    DRAW_WORKFLOW,
    College,
    Council,
    Draw,
    DrawPick,
    DrawState,
    Gender,
    Membership,
    Volunteer,
    VolunteerSource,
)
from participation.councils.services import age_band, check_birth_year, checked_text, college_of, invite_member
from participation.extensions import db
from participation.territory.models import Commune, Neighbourhood
from flask_babel import gettext as _


# --- Volunteers and draws ---------------------------------------------------


def _next_public_id(council: Council) -> str:
    count = db.session.scalar(sa.select(sa.func.count(Volunteer.id)).where(Volunteer.council_id == council.id)) or 0
    return f"V-{count + 1:04d}"


def add_volunteer(council: Council, *, name: str, email: str | None = None, gender=None, birth_year: int | None = None,
                  commune: Commune | None = None, neighbourhood: Neighbourhood | None = None,
                  source: VolunteerSource = VolunteerSource.imported, source_label: str | None = None, user=None, actor) -> Volunteer:
    if user is None:
        require(actor, "councils.manage", council)
    else:
        require(actor, "councils.apply", council)
        if db.session.scalar(sa.select(Volunteer.id).where(Volunteer.council_id == council.id, Volunteer.user_id == user.id,
                                                           Volunteer.withdrawn.is_(False))):
            raise DomainError(_("Vous êtes déjà inscrit comme volontaire pour ce conseil."))
    volunteer = Volunteer(
        council_id=council.id, public_id=_next_public_id(council), source=VolunteerSource(source), source_label=source_label,
        user_id=getattr(user, "id", None), name=checked_text(name, limit=160, field_name="name", required=_("Indiquez le nom.")),
        email=(email or "").strip().lower() or None, gender=Gender(gender) if gender else None,
        birth_year=check_birth_year(birth_year, required=False), commune_id=getattr(commune, "id", None),
        neighbourhood_id=getattr(neighbourhood, "id", None),
    )
    db.session.add(volunteer)
    db.session.flush()
    record("volunteer.added", volunteer, actor, {"council": council.id, "source": volunteer.source})
    return volunteer


GENDER_WORDS = {"f": Gender.woman, "femme": Gender.woman, "h": Gender.man, "m": Gender.man, "homme": Gender.man,
                "autre": Gender.other, "": None}


def import_volunteers(council: Council, content: bytes, *, source_label: str, actor) -> int:
    """Import a list (``nom;courriel;genre;annee_naissance;commune``): every line is checked, all or nothing."""
    require(actor, "councils.manage", council)
    source_label = checked_text(source_label, limit=160, field_name="source_label", required=_("Indiquez d'où vient la liste."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Le fichier doit être un CSV en UTF-8."), field="file") from None
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    expected = {"nom", "courriel", "genre", "annee_naissance", "commune"}
    if not reader.fieldnames or not expected <= {f.strip() for f in reader.fieldnames}:
        raise ValidationError(_("Colonnes attendues : nom;courriel;genre;annee_naissance;commune."), field="file")
    communes = {c.insee_code: c for c in db.session.scalars(sa.select(Commune))}
    problems, rows = [], []
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        gender = GENDER_WORDS.get(row["genre"].lower(), "?")
        if gender == "?":
            problems.append(_("ligne %(number)s : genre « %(value)s » inconnu (F, H ou autre)", number=number, value=row['genre']))
        year = None
        if row["annee_naissance"]:
            try:
                year = int(row["annee_naissance"])
            except ValueError:
                problems.append(_("ligne %(number)s : année de naissance « %(value)s » incorrecte", number=number, value=row['annee_naissance']))
        commune = communes.get(row["commune"]) if row["commune"] else None
        if row["commune"] and commune is None:
            problems.append(_("ligne %(number)s : code INSEE « %(value)s » inconnu", number=number, value=row['commune']))
        if not row["nom"]:
            problems.append(_("ligne %(number)s : nom manquant", number=number))
        rows.append((row, gender, year, commune))
    if problems:
        raise ValidationError(_("Rien n'a été importé. ") + " ; ".join(problems[:20]) + ".", field="file")
    for row, gender, year, commune in rows:
        add_volunteer(council, name=row["nom"], email=row["courriel"] or None, gender=gender, birth_year=year, commune=commune,
                      source=VolunteerSource.imported, source_label=source_label, actor=actor)
    return len(rows)


def candidate_pool(council: Council) -> list[dict]:
    """The pool as it is published: anonymised ids and the characteristics quotas use, nothing else."""
    volunteers = db.session.scalars(
        sa.select(Volunteer).where(Volunteer.council_id == council.id, Volunteer.withdrawn.is_(False)).order_by(Volunteer.public_id)
    ).all()
    already = set(db.session.scalars(sa.select(DrawPick.volunteer_id).join(Draw).where(Draw.council_id == council.id)))
    bands = council.age_bands or []
    return [
        {
            "id": v.public_id,
            "gender": v.gender.value if v.gender else None,
            "age_band": age_band(bands, v.birth_year),
            "commune": v.commune.name if v.commune else None,
            "neighbourhood": v.neighbourhood.name if v.neighbourhood else None,
        }
        for v in volunteers
        if v.id not in already
    ]


def quota_labels(council: Council) -> dict:
    return {"gender": {g.value: g.label for g in Gender}}


def parse_quotas(text: str, seats: int) -> dict[str, dict[str, int]]:
    """Quotas from lines « genre: femme=6, homme=6 » or « tranche d'âge: 16-29 ans=4, … »."""
    names = {"genre": "gender", "tranche d'âge": "age_band", "age": "age_band", "commune": "commune", "quartier": "neighbourhood"}
    genders = {"femme": "woman", "femmes": "woman", "homme": "man", "hommes": "man", "autre": "other"}
    quotas: dict[str, dict[str, int]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if ":" not in line:
            raise ValidationError(_("Ligne %(number)s : écrivez « genre: femme=6, homme=6 ».", number=number), field="quotas")
        name, values = line.split(":", 1)
        dimension = names.get(name.strip().lower())
        if dimension is None:
            raise ValidationError(_("Ligne %(number)s : quota « %(strip)s » inconnu (genre, tranche d'âge, commune, quartier).", number=number, strip=name.strip()),
                                  field="quotas")
        counts = {}
        for part in values.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise ValidationError(_("Ligne %(number)s : « %(strip)s » devrait s'écrire valeur=nombre.", number=number, strip=part.strip()), field="quotas")
            value, count = part.rsplit("=", 1)
            value = value.strip()
            if dimension == "gender":
                value = genders.get(value.lower(), value)
            try:
                counts[value] = int(count)
            except ValueError:
                raise ValidationError(_("Ligne %(number)s : « %(strip)s » n'est pas un nombre.", number=number, strip=count.strip()), field="quotas") from None
        quotas[dimension] = counts
    return quotas


def prepare_draw(council: Council, *, college: College | None, title: str, seats: int | None, quotas: dict, actor) -> Draw:
    require(actor, "councils.manage", council)
    college = college_of(council, college)
    title = checked_text(title, limit=160, field_name="title", required=_("Donnez un titre au tirage."))
    if not seats or seats < 1:
        raise ValidationError(_("Indiquez le nombre de personnes à tirer au sort."), field="seats")
    for dimension, counts in quotas.items():
        if sum(counts.values()) != seats:
            raise ValidationError(_("Le quota par %(value)s totalise %(sum)s pour %(seats)s sièges.", value=lottery.DIMENSIONS[dimension], sum=sum(counts.values()), seats=seats),
                                  field="quotas")
    draw = Draw(council_id=council.id, college_id=college.id, title=title, seats=seats, quotas=quotas, state=DrawState.prepared)
    db.session.add(draw)
    db.session.flush()
    record("draw.prepared", draw, actor, {"seats": seats, "quotas": quotas})
    return draw


def perform_draw(draw: Draw, *, actor, seed: str | None = None) -> Draw:
    """Fix the pool and the seed, draw, publish, invite the drawn people. A quota that cannot be met stops everything."""
    require(actor, "councils.manage", draw.council)
    candidates = candidate_pool(draw.council)
    seed = seed or secrets.token_hex(16)
    result = lottery.run_draw(seed, candidates, draw.seats, draw.quotas, quota_labels(draw.council))
    if not result.complete:
        raise ValidationError(_("Le tirage ne peut pas respecter ses quotas. ") + " ".join(result.failures))
    DRAW_WORKFLOW.apply(draw, "perform", actor=actor, data={"seed": seed, "selected": result.selected})
    draw.seed, draw.candidates, draw.selected, draw.reserve = seed, candidates, result.selected, result.reserve
    draw.performed_at = utcnow()
    volunteers = {v.public_id: v for v in db.session.scalars(sa.select(Volunteer).where(Volunteer.council_id == draw.council_id))}
    for rank, public_id in enumerate(result.selected, start=1):
        _invite_pick(draw, volunteers[public_id], rank, actor=actor)
    return draw


def _invite_pick(draw: Draw, volunteer: Volunteer, rank: int, *, actor, replaces: DrawPick | None = None) -> Membership:
    pick = DrawPick(draw_id=draw.id, volunteer_id=volunteer.id, rank=rank, replaces_id=getattr(replaces, "id", None))
    db.session.add(pick)
    db.session.flush()
    from participation.core.permissions import SYSTEM

    return invite_member(draw.council, college=draw.college, name=volunteer.name, email=volunteer.email,
                         actor=actor if actor is not None else SYSTEM, draw_pick=pick)


def _invite_replacement(pick: DrawPick) -> Membership | None:
    from participation.core.permissions import SYSTEM

    draw = db.session.get(Draw, pick.draw_id)
    used_ids = set(db.session.scalars(sa.select(Volunteer.public_id).join(DrawPick).where(DrawPick.draw_id == draw.id)))
    like = next((c for c in draw.candidates if c["id"] == pick.volunteer.public_id), {})
    following = lottery.next_in_reserve(draw.reserve, draw.candidates, like, used_ids, draw.quotas)
    if following is None:
        record("draw.reserve_exhausted", draw, None, {})
        return None
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.council_id == draw.council_id, Volunteer.public_id == following))
    rank = (db.session.scalar(sa.select(sa.func.max(DrawPick.rank)).where(DrawPick.draw_id == draw.id)) or 0) + 1
    return _invite_pick(draw, volunteer, rank, actor=SYSTEM, replaces=pick)


def rerun_draw(draw: Draw, seed: str) -> lottery.DrawResult:
    """Anyone's check: the published algorithm on the published pool with a seed."""
    return lottery.run_draw(seed.strip(), draw.candidates, draw.seats, draw.quotas, quota_labels(draw.council))
