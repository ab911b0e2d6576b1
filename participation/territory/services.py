"""Territory settings and the lists every domain refers to."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context, request

from participation.core.forms import parse_int
from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.identifiers import compact, insee_code_error, postal_code_error, siren_error, siret_error
from participation.core.permissions import require
from participation.extensions import db
from participation.territory.models import ACCESSIBILITY_STATUSES, Commune, Department, Neighbourhood, Territory, Theme
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DEFAULT_TERRITORY_NAME = "Participation"
DEFAULT_BRAND_COLOUR = "#1f5f8b"


def current_territory() -> Territory:
    """The territory's settings, read once per request (an unsaved default before set-up).

    Every page shows them: a ``GET`` uses this process's copy (not attached to the session) while the
    generation of the territory's tag is unchanged (``core/pagecache``: any change records an event)."""
    if has_app_context() and "territory" in g:
        return g.territory
    from participation.core.pagecache import local_pages

    generation = _snapshot_generation()
    # Kept with the cached pages (forgotten with them), per database: (generation, column values).
    key = "territory\x1f" + current_app.config["SQLALCHEMY_DATABASE_URI"]
    snapshot = local_pages.get(key) if generation else None
    if snapshot is not None and snapshot[0] == generation:
        territory = Territory(**snapshot[1])
    else:
        territory = db.session.scalar(sa.select(Territory).order_by(Territory.id).limit(1))
        if territory is not None and generation:
            values = {column.key: getattr(territory, column.key) for column in sa.inspect(Territory).column_attrs}
            local_pages.set(key, (generation, values), current_app.config["PAGE_CACHE_SIZE"])
    if territory is None:
        territory = Territory(name=DEFAULT_TERRITORY_NAME, kind="collectivité", brand_colour=DEFAULT_BRAND_COLOUR, accessibility_status="non conforme")
    if has_app_context():
        g.territory = territory
    return territory


def _snapshot_generation() -> str | None:
    """The generation the copy is valid for; None where the copy is not used (writes, no page cache, no request)."""
    from participation.core import pagecache

    if not has_request_context() or request.method not in ("GET", "HEAD") or not current_app.config.get("PAGE_CACHE"):
        return None
    return pagecache.generation(pagecache.expand_tags(("territory",)))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120] or "theme"


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
EMAIL_MESSAGE = _l("Indiquez une adresse électronique valide, par exemple nom@exemple.fr.")
COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def _text(value) -> str | None:
    """A typed text: surrounding spaces dropped, empty means none."""
    return (str(value).strip() or None) if value is not None else None


def _too_long(value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        return _("%(limit)s caractères au plus (vous en avez saisi %(len_value)s).", limit=limit, len_value=len(value))
    return None


# ---------------------------------------------------------------------------
# The territory's settings


# Each editable setting: (kind of value, longest length for texts, required).
TERRITORY_FIELDS: dict[str, tuple[str, int | None, bool]] = {
    "name": ("text", 160, True),
    "kind": ("text", 80, True),
    "siren": ("siren", None, False),
    "siret": ("siret", None, False),
    "population": ("count", None, False),
    "address": ("text", 2000, False),
    "contact_email": ("email", 254, False),
    "brand_colour": ("colour", None, True),
    "mandate_start": ("date", None, False),
    "mandate_end": ("date", None, False),
    "council_renewal_date": ("date", None, False),
    "publication_director": ("text", 160, False),
    "host_name": ("text", 160, False),
    "host_address": ("text", 2000, False),
    "dpo_name": ("text", 160, False),
    "dpo_email": ("email", 254, False),
    "dpo_address": ("text", 2000, False),
    "accessibility_status": ("status", None, True),
    "accessibility_audit_date": ("date", None, False),
    "accessibility_contact": ("email", 254, False),
}

_REQUIRED_MESSAGES = {
    "name": _l("Indiquez le nom de la collectivité."),
    "kind": _l("Indiquez la nature de la collectivité, par exemple « communauté d'agglomération »."),
    "brand_colour": _l("Indiquez la couleur de la plateforme, par exemple #1f5f8b."),
    "accessibility_status": _l("Choisissez l'état de conformité au RGAA."),
}


def clean_territory_values(values: dict) -> tuple[dict, dict[str, str]]:
    """Normalise the settings given and check every rule.

    Returns the values to store and, for each field that breaks a rule, the
    message to show next to it. Rules between fields (SIRET and SIREN, the
    mandate's dates, status and audit) are checked on the values given,
    completed by the territory's current ones.
    """
    unknown = set(values) - set(TERRITORY_FIELDS)
    if unknown:
        raise ValueError(_("Réglages inconnus : %(join)s", join=', '.join(sorted(unknown))))
    cleaned: dict = {}
    problems: dict[str, str] = {}
    for name, value in values.items():
        kind, limit, required = TERRITORY_FIELDS[name]
        if kind in ("date", "count"):
            cleaned[name], problem = _clean_scalar(kind, value)
        else:
            cleaned[name] = text = _clean_text(kind, value)
            if not text:
                problem = _REQUIRED_MESSAGES.get(name) if required else None
            else:
                problem = (_too_long(text, limit) if limit else None) or _check_text(kind, text)
        if problem:
            problems[name] = problem

    current = current_territory()
    merged = {name: cleaned.get(name, getattr(current, name)) for name in TERRITORY_FIELDS}
    if merged["siret"] and {"siren", "siret"} & set(cleaned) and "siret" not in problems:
        problem = siret_error(merged["siret"], siren=None if "siren" in problems else merged["siren"])
        if problem:
            problems["siret"] = problem
    start, end = merged["mandate_start"], merged["mandate_end"]
    if start and end and start >= end and not {"mandate_start", "mandate_end"} & set(problems):
        problems["mandate_end"] = _("La fin de la mandature doit être postérieure à son début.")
    if (
        merged["accessibility_status"] in ACCESSIBILITY_STATUSES[1:]
        and not merged["accessibility_audit_date"]
        and "accessibility_audit_date" not in problems
    ):
        problems["accessibility_audit_date"] = (
            _("Une plateforme ne peut se déclarer « partiellement » ou « totalement conforme » qu'après un audit : indiquez sa date, "
            "ou choisissez « non conforme ».")
        )
    return cleaned, problems


def _clean_text(kind: str, value) -> str | None:
    text = _text(value)
    if not text:
        return None
    if kind in ("siren", "siret"):
        return compact(text) or None
    if kind == "colour":
        text = text.lower()
        return text if text.startswith("#") else f"#{text}"
    if kind == "email":
        return text.lower()
    return text


def _check_text(kind: str, text: str) -> str | None:
    if kind == "siren":
        return siren_error(text)
    if kind == "email" and not EMAIL.match(text):
        return EMAIL_MESSAGE
    if kind == "colour" and not COLOUR.match(text):
        return _("La couleur s'écrit # suivi de 6 chiffres hexadécimaux (0 à 9, a à f), par exemple #1f5f8b.")
    if kind == "status" and text not in ACCESSIBILITY_STATUSES:
        return _("Choisissez l'un des états prévus par le RGAA : ") + ", ".join(ACCESSIBILITY_STATUSES) + "."
    return None


def _clean_scalar(kind: str, value):
    if value in (None, ""):
        return None, None
    if kind == "date":
        if isinstance(value, date):
            return value, None
        try:
            return date.fromisoformat(str(value).strip()), None
        except ValueError:
            return None, _("Indiquez une date valide, par exemple 2026-03-22.")
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", "").replace("\u00a0", ""))
    except ValueError:
        return None, _("Indiquez un nombre entier.")
    if number < 0:
        return None, _("Indiquez un nombre positif.")
    return number, None


def save_territory(values: dict, *, actor) -> Territory:
    """Change the territory's settings: all the values given are checked before any is stored."""
    require(actor, "territory.manage")
    cleaned, problems = clean_territory_values(values)
    if problems:
        name = next(iter(problems))
        raise ValidationError(problems[name], field=name)
    territory = current_territory()
    created = territory.id is None
    changed = sorted(name for name, value in cleaned.items() if getattr(territory, name) != value)
    for name in changed:
        setattr(territory, name, cleaned[name])
    if created:
        db.session.add(territory)
    db.session.flush()
    if created or changed:
        record("territory.updated", territory, actor, {"fields": changed})
    return territory


LOGO_MAX_BYTES = 1024 * 1024


def set_logo(upload, *, actor) -> Territory:
    """Store the authority's logo (PNG or JPEG, 1 Mo at most), replacing the previous one."""
    from participation.core.uploads import IMAGES, store_upload

    require(actor, "territory.manage")
    territory = current_territory()
    if territory.id is None:
        raise ValidationError(_("Enregistrez d'abord les réglages du territoire."), field="logo")
    stored = store_upload(upload, kinds=IMAGES, max_bytes=LOGO_MAX_BYTES, actor=actor, field="logo")
    territory.logo_file_id = stored.id
    db.session.flush()
    record("territory.updated", territory, actor, {"fields": ["logo"]})
    return territory


def remove_logo(*, actor) -> Territory:
    require(actor, "territory.manage")
    territory = current_territory()
    if territory.logo_file_id is not None:
        territory.logo_file_id = None
        db.session.flush()
        record("territory.updated", territory, actor, {"fields": ["logo"]})
    return territory


# ---------------------------------------------------------------------------
# Communes


def communes_query(search: str | None = None) -> sa.Select:
    """Communes by name, optionally those whose name contains ``search`` or whose INSEE code starts with it."""
    query = sa.select(Commune).order_by(Commune.name, Commune.insee_code)
    search = (search or "").strip()
    if search:
        query = query.where(
            sa.or_(Commune.name.icontains(search, autoescape=True), Commune.insee_code.startswith(compact(search), autoescape=True))
        )
    return query


def save_commune(commune: Commune | None, *, insee_code: str, name: str, postal_code: str | None = None, population: int | None = None, actor) -> Commune:
    """Create a commune (``commune`` is ``None``) or change one."""
    require(actor, "territory.manage")
    code, name, postal = compact(insee_code), _text(name), compact(postal_code) or None
    problem = insee_code_error(code)
    if problem:
        raise ValidationError(problem, field="insee_code")
    if not name:
        raise ValidationError(_("Indiquez le nom de la commune."), field="name")
    problem = _too_long(name, 120)
    if problem:
        raise ValidationError(problem, field="name")
    if postal:
        problem = postal_code_error(postal)
        if problem:
            raise ValidationError(problem, field="postal_code")
    if population is not None and population < 0:
        raise ValidationError(_("Indiquez un nombre positif."), field="population")
    clash = db.session.scalar(sa.select(Commune).where(Commune.insee_code == code))
    if clash is not None and clash is not commune:
        raise ValidationError(_("La commune « %(name)s » porte déjà le code INSEE %(code)s.", name=clash.name, code=code), field="insee_code")
    created = commune is None
    if created:
        commune = Commune()
        db.session.add(commune)
    commune.insee_code, commune.name, commune.postal_code, commune.population = code, name, postal, population
    db.session.flush()
    record("commune.created" if created else "commune.updated", commune, actor, {"insee_code": code})
    return commune


# Accepted names for the CSV's columns, after _header(): the first is ours;
# the others are those of INSEE's and La Poste's files.
COLUMN_NAMES = {
    "code_insee": ("code_insee", "insee", "code_commune_insee", "code_commune", "com", "codgeo"),
    "nom": ("nom", "nom_commune", "nom_de_la_commune", "libelle", "commune"),
    "code_postal": ("code_postal", "cp"),
    "population": ("population", "population_municipale", "pmun"),
}
MAX_IMPORT_ERRORS = 20


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    # Lines that match a commune as it already is.
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def decode_text(data: str | bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), else Windows-1252, as spreadsheets save it."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if b"\x00" in data:
        raise ValidationError(_("Ce fichier n'est pas un fichier texte : enregistrez-le au format CSV depuis votre tableur."), field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValidationError(
            _("Le fichier n'a pas pu être lu : enregistrez-le au format CSV, encodé en UTF-8 ou en Windows-1252."), field="file"
        ) from None


def import_communes(data: str | bytes, *, actor) -> ImportReport:
    """Create or update communes from a CSV (``code_insee``, ``nom``, optional ``code_postal`` and ``population``).

    The separator (``;`` or ``,``) is detected. Every line is checked first:
    a file with one bad line changes nothing and says which lines are wrong.
    """
    require(actor, "territory.manage")
    text = decode_text(data)
    if not text.strip():
        raise ValidationError(_("Le fichier est vide."), field="file")
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        # Blank lines before the header are skipped, but counted in line numbers.
        columns = _columns(next(row for row in reader if any(cell.strip() for cell in row)))
        rows, errors = _read_communes(reader, columns)
    except csv.Error as error:
        raise ValidationError(_("Ligne %(line_num)s : le fichier CSV est mal formé (%(error)s).", line_num=reader.line_num, error=error), field="file") from None
    if errors:
        more = len(errors) - MAX_IMPORT_ERRORS
        raise ValidationError(
            _("Le fichier n'a pas été importé, aucune commune n'a été modifiée. ")
            + " ".join(errors[:MAX_IMPORT_ERRORS])
            + (_(" (et %(more)s autres erreurs)", more=more) if more > 0 else ""),
            field="file",
        )
    if not rows:
        raise ValidationError(_("Le fichier ne contient aucune commune."), field="file")

    existing: dict[str, Commune] = {}
    codes = [row[0] for row in rows]
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        existing.update((c.insee_code, c) for c in db.session.scalars(sa.select(Commune).where(Commune.insee_code.in_(chunk))))
    report = ImportReport()
    for code, name, postal, population in rows:
        commune = existing.get(code)
        if commune is None:
            db.session.add(Commune(insee_code=code, name=name, postal_code=postal, population=population))
            report.created += 1
            continue
        # An empty cell keeps what is known.
        new = (name, postal or commune.postal_code, population if population is not None else commune.population)
        if new == (commune.name, commune.postal_code, commune.population):
            report.unchanged += 1
        else:
            commune.name, commune.postal_code, commune.population = new
            report.updated += 1
    db.session.flush()
    territory = current_territory()
    record(
        "territory.communes_imported",
        territory if territory.id else None,
        actor,
        {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return report


def _columns(header: list[str]) -> dict[str, int]:
    """The position of each known column in the header line."""
    names = [_header(h) for h in header]
    columns = {}
    for column, aliases in COLUMN_NAMES.items():
        for alias in aliases:
            if alias in names:
                columns[column] = names.index(alias)
                break
    if not {"code_insee", "nom"} <= set(columns):
        raise ValidationError(
            _("La première ligne doit nommer les colonnes « code_insee » et « nom » (et, si vous les avez, « code_postal » et « population »), "
            "séparées par des points-virgules ou des virgules."),
            field="file",
        )
    return columns


def _read_communes(reader, columns: dict[str, int]) -> tuple[list[tuple], list[str]]:
    rows, errors, seen = [], [], {}

    def cell(values: list[str], column: str) -> str:
        position = columns.get(column)
        return values[position].strip() if position is not None and position < len(values) else ""

    for values in reader:
        number = reader.line_num
        if not any(v.strip() for v in values):
            continue
        code, name = compact(cell(values, "code_insee")), cell(values, "nom")
        problem = insee_code_error(code)
        if problem:
            errors.append(_("Ligne %(number)s : %(problem)s", number=number, problem=problem))
            continue
        if code in seen:
            errors.append(_("Ligne %(number)s : le code %(code)s figure déjà à la ligne %(value)s.", number=number, code=code, value=seen[code]))
            continue
        seen[code] = number
        if not name:
            errors.append(_("Ligne %(number)s : le nom de la commune manque.", number=number))
            continue
        if len(name) > 120:
            errors.append(_("Ligne %(number)s : le nom de la commune dépasse 120 caractères.", number=number))
            continue
        raw_population = cell(values, "population")
        population = re.sub(r"[\s\u00a0\u202f]", "", raw_population)
        if population and parse_int(population, minimum=0) is None:
            errors.append(_("Ligne %(number)s : la population « %(value)s » n'est pas un nombre entier.", number=number, value=raw_population[:40]))
            continue
        postal = compact(cell(values, "code_postal"))
        if postal and postal_code_error(postal):
            errors.append(_("Ligne %(number)s : %(postal_code_error)s", number=number, postal_code_error=postal_code_error(postal)))
            continue
        rows.append((code, name, postal or None, parse_int(population) if population else None))
    return rows, errors


def _header(name: str | None) -> str:
    return slugify(name or "").replace("-", "_")


# ---------------------------------------------------------------------------
# Themes


def themes_query() -> sa.Select:
    """Themes in use first, then archived ones; by name."""
    return sa.select(Theme).order_by(Theme.archived, Theme.name)


def save_theme(theme: Theme | None, *, name: str, description: str | None, archived: bool | None = None, actor) -> Theme:
    """Create a theme (``theme`` is ``None``) or change one; ``archived=None`` leaves it as it is."""
    require(actor, "territory.manage")
    name = _text(name)
    if not name:
        raise ValidationError(_("Indiquez le nom du thème."), field="name")
    problem = _too_long(name, 120)
    if problem:
        raise ValidationError(problem, field="name")
    clash = db.session.scalar(sa.select(Theme).where(sa.func.lower(Theme.name) == name.lower()))
    if clash is not None and clash is not theme:
        raise ValidationError(_("Un thème porte déjà ce nom."), field="name")
    created = theme is None
    if created:
        theme = Theme(slug=_unique_theme_slug(name), archived=False)
        db.session.add(theme)
    theme.name, theme.description = name, _text(description)
    if archived is not None:
        theme.archived = archived
    db.session.flush()
    record("theme.created" if created else "theme.updated", theme, actor, {"name": name})
    return theme


def set_theme_archived(theme: Theme, archived: bool, *, actor) -> bool:
    """Archive a theme (it stays on past items but is not offered for new ones), or bring it back.

    Returns whether anything changed: archiving an archived theme does nothing.
    """
    return _set_archived(theme, archived, "theme", {"name": theme.name}, actor=actor)


def _unique_theme_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(sa.select(Theme.id).where(Theme.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


# ---------------------------------------------------------------------------
# Departments


def departments_query() -> sa.Select:
    """Departments in service first, then archived ones; by name."""
    return sa.select(Department).order_by(Department.archived, Department.name)


def save_department(department: Department | None, *, name: str, code: str, email: str | None, archived: bool | None = None, actor) -> Department:
    """Create a department (``department`` is ``None``) or change one; ``archived=None`` leaves it as it is."""
    require(actor, "territory.manage")
    name, code, email = _text(name), (code or "").strip().upper(), _text(email)
    if not name:
        raise ValidationError(_("Indiquez le nom de la direction ou du service."), field="name")
    problem = _too_long(name, 160)
    if problem:
        raise ValidationError(problem, field="name")
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,19}", code):
        raise ValidationError(_("Le code s'écrit en majuscules, chiffres et tirets, 20 caractères au plus (par exemple DEV-ECO)."), field="code")
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise ValidationError(EMAIL_MESSAGE, field="email")
    for column, value, message, field_name in (
        (Department.name, name, _("Une direction porte déjà ce nom."), "name"),
        (Department.code, code, _("Une direction porte déjà ce code."), "code"),
    ):
        clash = db.session.scalar(sa.select(Department).where(column == value))
        if clash is not None and clash is not department:
            raise ValidationError(message, field=field_name)
    created = department is None
    if created:
        department = Department(archived=False)
        db.session.add(department)
    department.name, department.code, department.email = name, code, email.lower() if email else None
    if archived is not None:
        department.archived = archived
    db.session.flush()
    record("department.created" if created else "department.updated", department, actor, {"code": code})
    return department


def set_department_archived(department: Department, archived: bool, *, actor) -> bool:
    """Archive a department (no longer offered for new cases), or bring it back; returns whether anything changed."""
    return _set_archived(department, archived, "department", {"code": department.code}, actor=actor)


def _set_archived(item, archived: bool, thing: str, data: dict, *, actor) -> bool:
    require(actor, "territory.manage")
    if item.archived == archived:
        return False
    item.archived = archived
    record(f"{thing}.archived" if archived else f"{thing}.unarchived", item, actor, data)
    return True


def active_themes():
    return db.session.scalars(sa.select(Theme).where(Theme.archived.is_(False)).order_by(Theme.name)).all()


def active_departments():
    return db.session.scalars(sa.select(Department).where(Department.archived.is_(False)).order_by(Department.name)).all()


# --- Neighbourhoods (quartiers prioritaires) ---------------------------------

QPV_CODE = re.compile(r"^Q[NP][0-9A-Z]{6,8}$")


def neighbourhoods_query() -> sa.Select:
    return sa.select(Neighbourhood).options(sa.orm.joinedload(Neighbourhood.commune)).order_by(Neighbourhood.name, Neighbourhood.id)


def save_neighbourhood(neighbourhood: Neighbourhood | None, *, name: str, qpv_code: str, commune: Commune | None, actor) -> Neighbourhood:
    """Create or change a quartier prioritaire; its QPV code is unique."""
    require(actor, "territory.manage")
    name, code = _text(name), (_text(qpv_code) or "").upper().replace(" ", "")
    if not name:
        raise ValidationError(_("Indiquez le nom du quartier."), field="name")
    if not QPV_CODE.match(code):
        raise ValidationError(_("Le code QPV commence par QN ou QP suivi de 6 à 8 chiffres ou lettres, par exemple QN03701M."), field="qpv_code")
    if commune is None:
        raise ValidationError(_("Choisissez la commune du quartier."), field="commune")
    clash = db.session.scalar(sa.select(Neighbourhood).where(Neighbourhood.qpv_code == code))
    if clash is not None and clash is not neighbourhood:
        raise ValidationError(_("Le quartier « %(name)s » porte déjà ce code.", name=clash.name), field="qpv_code")
    created = neighbourhood is None
    if created:
        neighbourhood = Neighbourhood()
        db.session.add(neighbourhood)
    neighbourhood.name, neighbourhood.qpv_code, neighbourhood.commune_id = name, code, commune.id
    db.session.flush()
    record("neighbourhood.created" if created else "neighbourhood.updated", neighbourhood, actor, {"qpv_code": code})
    return neighbourhood
