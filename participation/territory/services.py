"""Territory settings and the lists every domain refers to."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, has_app_context

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.permissions import require
from participation.extensions import db
from participation.territory.models import Commune, Department, Territory, Theme

DEFAULT_TERRITORY_NAME = "Participation"


def current_territory() -> Territory:
    """The territory's settings, read once per request (an unsaved default before set-up)."""
    if has_app_context() and "territory" in g:
        return g.territory
    territory = db.session.scalar(sa.select(Territory).order_by(Territory.id).limit(1))
    if territory is None:
        territory = Territory(name=DEFAULT_TERRITORY_NAME, kind="collectivité", brand_colour="#1f5f8b", accessibility_status="non conforme")
    if has_app_context():
        g.territory = territory
    return territory


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120] or "theme"


INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_communes(data: str | bytes, *, actor=None, _system: bool = False) -> ImportReport:
    """Create or update communes from a CSV (``code_insee``, ``nom``, optional ``code_postal`` and ``population``).

    The separator (``;`` or ``,``) is detected. Every line is checked first:
    a file with one bad line changes nothing and says which lines are wrong.
    """
    if not _system:
        require(actor, "territory.manage")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp1252")
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise ValidationError("Le fichier est vide.", field="file")
    first_line = data.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(data), delimiter=delimiter)
    headers = {_header(h) for h in (reader.fieldnames or [])}
    if not {"code_insee", "nom"} <= headers:
        raise ValidationError(
            "La première ligne doit nommer les colonnes « code_insee » et « nom » (et, si vous les avez, « code_postal » et « population »).",
            field="file",
        )
    rows, errors, seen = [], [], set()
    for number, raw in enumerate(reader, start=2):
        row = {_header(k): (v or "").strip() for k, v in raw.items() if k}
        code, name = row.get("code_insee", "").upper(), row.get("nom", "")
        if not code and not name:
            continue
        if not INSEE_CODE.match(code):
            errors.append(f"Ligne {number} : « {code} » n'est pas un code INSEE (5 caractères, par exemple 69123 ou 2A004).")
            continue
        if code in seen:
            errors.append(f"Ligne {number} : le code {code} figure déjà plus haut dans le fichier.")
            continue
        if not name:
            errors.append(f"Ligne {number} : le nom de la commune manque.")
            continue
        population = row.get("population", "").replace(" ", "").replace("\u202f", "")
        if population and not population.isdigit():
            errors.append(f"Ligne {number} : la population « {row.get('population')} » n'est pas un nombre entier.")
            continue
        postal = row.get("code_postal", "")
        if postal and not re.fullmatch(r"\d{5}", postal):
            errors.append(f"Ligne {number} : le code postal « {postal} » doit compter 5 chiffres.")
            continue
        seen.add(code)
        rows.append((code, name[:120], postal or None, int(population) if population else None))
    if errors:
        raise ValidationError("Le fichier n'a pas été importé. " + " ".join(errors[:20]) + (f" (et {len(errors) - 20} autres erreurs)" if len(errors) > 20 else ""), field="file")
    if not rows:
        raise ValidationError("Le fichier ne contient aucune commune.", field="file")
    existing = {c.insee_code: c for c in db.session.scalars(sa.select(Commune).where(Commune.insee_code.in_(seen)))}
    report = ImportReport()
    for code, name, postal, population in rows:
        commune = existing.get(code)
        if commune is None:
            db.session.add(Commune(insee_code=code, name=name, postal_code=postal, population=population))
            report.created += 1
        else:
            commune.name, commune.postal_code, commune.population = name, postal or commune.postal_code, population if population is not None else commune.population
            report.updated += 1
    db.session.flush()
    record("territory.communes_imported", current_territory() if current_territory().id else None, actor, {"created": report.created, "updated": report.updated})
    return report


def _header(name: str | None) -> str:
    return slugify(name or "").replace("-", "_")


def save_territory(values: dict, *, actor) -> Territory:
    require(actor, "territory.manage")
    territory = current_territory()
    for key, value in values.items():
        setattr(territory, key, value)
    db.session.add(territory)
    db.session.flush()
    record("territory.updated", territory, actor, {"fields": sorted(values)})
    return territory


def save_theme(theme: Theme | None, *, name: str, description: str | None, archived: bool = False, actor) -> Theme:
    require(actor, "territory.manage")
    name = (name or "").strip()
    if not name:
        raise ValidationError("Indiquez le nom du thème.", field="name")
    clash = db.session.scalar(sa.select(Theme).where(sa.func.lower(Theme.name) == name.lower()))
    if clash is not None and clash is not theme:
        raise ValidationError("Un thème porte déjà ce nom.", field="name")
    created = theme is None
    if created:
        theme = Theme(slug=_unique_theme_slug(name))
        db.session.add(theme)
    theme.name, theme.description, theme.archived = name, description or None, archived
    db.session.flush()
    record("theme.created" if created else "theme.updated", theme, actor, {"name": name})
    return theme


def _unique_theme_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(sa.select(Theme.id).where(Theme.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_department(department: Department | None, *, name: str, code: str, email: str | None, archived: bool = False, actor) -> Department:
    require(actor, "territory.manage")
    name, code = (name or "").strip(), (code or "").strip().upper()
    if not name:
        raise ValidationError("Indiquez le nom de la direction ou du service.", field="name")
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,19}", code):
        raise ValidationError("Le code s'écrit en majuscules, chiffres et tirets, 20 caractères au plus (par exemple DEV-ECO).", field="code")
    for column, value, message, field_name in (
        (Department.name, name, "Une direction porte déjà ce nom.", "name"),
        (Department.code, code, "Une direction porte déjà ce code.", "code"),
    ):
        clash = db.session.scalar(sa.select(Department).where(column == value))
        if clash is not None and clash is not department:
            raise ValidationError(message, field=field_name)
    created = department is None
    if created:
        department = Department()
        db.session.add(department)
    department.name, department.code, department.email, department.archived = name, code, email or None, archived
    db.session.flush()
    record("department.created" if created else "department.updated", department, actor, {"code": code})
    return department


def active_themes():
    return db.session.scalars(sa.select(Theme).where(Theme.archived.is_(False)).order_by(Theme.name)).all()


def active_departments():
    return db.session.scalars(sa.select(Department).where(Department.archived.is_(False)).order_by(Department.name)).all()
