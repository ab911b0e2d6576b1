"""Council operations: the only code that changes councils, their members,
draws, sittings, minutes, working groups, trainings and budget."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from participation.core.concurrency import claim_revision
from participation.core.errors import DomainError, TransitionRefused, ValidationError
from participation.core.eventlog import record
from participation.core import meetings
from participation.core.follows import is_following, toggle_follow
from participation.core.models import utcnow
from participation.core.permissions import require
from participation.core.tokens import make_token, token_digest
from participation.councils import lottery
from participation.councils.models import (
    COUNCIL_WORKFLOW,
    DRAW_WORKFLOW,
    MEMBERSHIP_WORKFLOW,
    MINUTES_WORKFLOW,
    SITTING_WORKFLOW,
    AgendaItem,
    Answer,
    Attendance,
    BudgetYear,
    College,
    CollegeKind,
    Council,
    CouncilDocument,
    CouncilFollower,
    CouncilKind,
    CouncilState,
    Draw,
    DrawPick,
    DrawState,
    Gender,
    MemberRole,
    Membership,
    MembershipState,
    Minutes,
    MinutesState,
    Sitting,
    SittingKind,
    SittingState,
    SpendingLine,
    Training,
    TrainingRegistration,
    Volunteer,
    VolunteerSource,
    WorkingGroup,
    WorkingGroupMember,
)
from participation.councils.policies import current_membership
from participation.extensions import db
from participation.territory.models import Commune, Neighbourhood
from participation.territory.services import slugify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Why gender and birth year are asked, shown next to the questions.
PERSONAL_DATA_REASON = (
    _l("Ces deux informations servent uniquement à vérifier que la composition du conseil respecte la loi "
    "(parité entre femmes et hommes, représentation des âges de la population). Elles ne sont jamais publiées ; "
    "seuls les agents chargés du conseil les voient, sous forme de totaux.")
)
CURRENT_STATES = (MembershipState.invited, MembershipState.applied, MembershipState.active)


def _text(value, *, limit: int | None = None, field_name: str | None = None, required: str | None = None) -> str | None:
    text = (str(value).strip() or None) if value is not None else None
    if not text and required:
        raise ValidationError(required, field=field_name)
    if text and limit and len(text) > limit:
        raise ValidationError(_("%(limit)s caractères au plus (vous en avez saisi %(len_text)s).", limit=limit, len_text=len(text)), field=field_name)
    return text


def _check_birth_year(birth_year: int | None, *, required: bool = True) -> int | None:
    if birth_year is None:
        if required:
            raise ValidationError(_("Indiquez votre année de naissance."), field="birth_year")
        return None
    this_year = date.today().year
    if not (this_year - 110 <= birth_year <= this_year - 11):
        raise ValidationError(_("Indiquez une année de naissance entre %(value)s et %(value2)s.", value=this_year - 110, value2=this_year - 11), field="birth_year")
    return birth_year


# --- Councils and colleges --------------------------------------------------


# What a visitor sees ---------------------------------------------------------------


def public_councils():
    """A ``select`` of the councils a visitor sees: every one but those in preparation."""
    return sa.select(Council).where(Council.state != CouncilState.draft)


def public_sittings(*, council_id: int | None = None, private: bool = False):
    """A ``select`` of the sittings of public councils a visitor sees: announced (published or cancelled)
    and public; ``private`` adds the closed sittings (for those who may see them)."""
    statement = sa.select(Sitting).where(Sitting.state != SittingState.draft, Sitting.council_id.in_(public_councils().with_only_columns(Council.id)))
    if council_id is not None:
        statement = statement.where(Sitting.council_id == council_id)
    if not private:
        statement = statement.where(Sitting.is_public.is_(True))
    return statement


def save_council(council: Council | None, *, actor, **values) -> Council:
    """Create a council (``council`` is ``None``) or change its settings."""
    require(actor, "councils.manage", council)
    name = _text(values.get("name"), limit=160, field_name="name", required=_("Indiquez le nom du conseil."))
    kind = CouncilKind(values.get("kind") or (council.kind if council else CouncilKind.development))
    neighbourhood = values.get("neighbourhood")
    if kind == CouncilKind.citizen and neighbourhood is None:
        raise ValidationError(_("Un conseil citoyen se rattache à un quartier prioritaire : choisissez-le."), field="neighbourhood")
    start, end = values.get("mandate_start"), values.get("mandate_end")
    if start and end and start >= end:
        raise ValidationError(_("La fin du mandat doit être postérieure à son début."), field="mandate_end")
    convocation_days = values.get("convocation_days", 7)
    if convocation_days is None or not 0 <= convocation_days <= 60:
        raise ValidationError(_("Le délai de convocation se compte entre 0 et 60 jours."), field="convocation_days")
    quorum_percent = values.get("quorum_percent", 50)
    if quorum_percent is None or not 1 <= quorum_percent <= 100:
        raise ValidationError(_("Le quorum se donne en pourcentage des membres, entre 1 et 100."), field="quorum_percent")
    max_proxies = values.get("max_proxies", 1)
    if max_proxies is None or max_proxies < 0:
        raise ValidationError(_("Le nombre de procurations par membre ne peut pas être négatif."), field="max_proxies")
    created = council is None
    if created:
        base = slugify(name)[:100] or "conseil"
        slug, n = base, 1
        while db.session.scalar(sa.select(Council.id).where(Council.slug == slug)) is not None:
            n += 1
            slug = f"{base}-{n}"
        council = Council(slug=slug, kind=kind, state=CouncilState.draft)
        db.session.add(council)
    council.name = name
    council.kind = kind
    council.neighbourhood_id = getattr(neighbourhood, "id", None)
    council.purpose = values.get("purpose") or ""
    council.rules = values.get("rules") or ""
    council.mandate_start, council.mandate_end = start, end
    council.convocation_days = convocation_days
    council.quorum_percent = quorum_percent
    council.max_proxies = max_proxies
    council.manager_id = getattr(values.get("manager"), "id", None) if "manager" in values else council.manager_id
    if values.get("age_bands") is not None:
        council.age_bands = values["age_bands"]
    db.session.flush()
    record("council.created" if created else "council.updated", council, actor, {"name": council.name})
    return council


def parse_age_bands(text: str) -> list[dict]:
    """Age bands from lines « 16-29 ans ; 16 ; 29 ; 22 » (label; from; to, empty for no limit; % of the population)."""
    bands = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 4:
            raise ValidationError(_("Ligne %(number)s : quatre éléments attendus (libellé ; de ; à ; part en %%).", number=number), field="age_bands")
        try:
            low = int(parts[1])
            high = int(parts[2]) if parts[2] else None
            share = float(parts[3].replace(",", "."))
        except ValueError:
            raise ValidationError(_("Ligne %(number)s : les âges et la part doivent être des nombres.", number=number), field="age_bands") from None
        if high is not None and high < low:
            raise ValidationError(_("Ligne %(number)s : l'âge de fin est avant l'âge de début.", number=number), field="age_bands")
        bands.append({"label": parts[0], "min": low, "max": high, "share": share})
    if bands and abs(sum(b["share"] for b in bands) - 100) > 0.5:
        raise ValidationError(_("Les parts des tranches d'âge doivent totaliser 100 %."), field="age_bands")
    return bands


def change_council_state(council: Council, transition: str, *, actor) -> None:
    COUNCIL_WORKFLOW.apply(council, transition, actor=actor)


def add_college(council: Council, *, name: str, seats: int | None, kind: CollegeKind = CollegeKind.other, actor) -> College:
    require(actor, "councils.manage", council)
    name = _text(name, limit=160, field_name="name", required=_("Indiquez le nom du collège."))
    if not seats or seats < 1:
        raise ValidationError(_("Un collège compte au moins un siège."), field="seats")
    if db.session.scalar(sa.select(College.id).where(College.council_id == council.id, College.name == name)):
        raise ValidationError(_("Ce conseil a déjà un collège de ce nom."), field="name")
    position = db.session.scalar(sa.select(sa.func.count(College.id)).where(College.council_id == council.id)) or 0
    college = College(council_id=council.id, name=name, seats=seats, kind=CollegeKind(kind), position=position)
    db.session.add(college)
    db.session.flush()
    db.session.expire(council, ["colleges"])
    record("college.created", college, actor, {"council": council.id, "seats": seats})
    return college


# --- Memberships ------------------------------------------------------------


def _college_of(council: Council, college: College | None) -> College:
    if college is None or college.council_id != council.id:
        raise ValidationError(_("Choisissez un collège de ce conseil."), field="college")
    return college


def invite_member(council: Council, *, college: College | None, name: str, email: str | None, role=MemberRole.member,
                  organisation: str | None = None, start_date: date | None = None, end_date: date | None = None,
                  elected_councillor: bool = False, actor, draw_pick: DrawPick | None = None) -> Membership:
    """Offer a seat; the invitation mail carries a single-use link."""
    require(actor, "councils.manage", council)
    college = _college_of(council, college)
    name = _text(name, limit=160, field_name="name", required=_("Indiquez le nom de la personne invitée."))
    email = (_text(email, limit=254, field_name="email") or "").lower() or None
    if email is None and draw_pick is None:
        raise ValidationError(_("Indiquez l'adresse électronique à laquelle envoyer l'invitation."), field="email")
    if email and "@" not in email:
        raise ValidationError(_("Indiquez une adresse électronique valide, par exemple nom@exemple.fr."), field="email")
    if email:
        clash = db.session.scalar(
            sa.select(Membership.id).where(Membership.council_id == council.id, Membership.invited_email == email,
                                           Membership.state.in_(CURRENT_STATES))
        )
        if clash is not None:
            raise ValidationError(_("Une invitation en cours a déjà été envoyée à cette adresse."), field="email")
    start, end = start_date or council.mandate_start, end_date or council.mandate_end
    if start and end and start > end:
        raise ValidationError(_("La fin du mandat doit être postérieure à son début."), field="end_date")
    token = make_token(24)
    membership = Membership(
        council_id=council.id, college_id=college.id, name=name, invited_email=email, organisation=_text(organisation, limit=160),
        role=MemberRole(role), state=MembershipState.invited, start_date=start, end_date=end,
        elected_councillor=bool(elected_councillor), invitation_hash=token_digest(token),
        draw_pick_id=getattr(draw_pick, "id", None),
    )
    db.session.add(membership)
    db.session.flush()
    record("membership.invited", membership, actor, {"council": council.id, "college": college.id}, context={"token": token})
    return membership


def invitation(token: str) -> Membership | None:
    return db.session.scalar(sa.select(Membership).where(Membership.invitation_hash == token_digest(token)))


def accept_invitation(membership: Membership, *, gender, birth_year: int | None, elected_councillor: bool = False, actor) -> Membership:
    """The invited person accepts, from their account, and gives what the composition checks need."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        raise DomainError(_("Connectez-vous pour accepter l'invitation."))
    if membership.state == MembershipState.invited:
        seated = db.session.scalar(sa.select(Membership.id).where(
            Membership.council_id == membership.council_id, Membership.user_id == actor.id, Membership.state.in_(CURRENT_STATES)))
        if seated is not None:
            raise DomainError(_("Vous avez déjà un siège ou une candidature en cours dans ce conseil."))
    if elected_councillor and membership.council.kind == CouncilKind.development:
        raise ValidationError(_("Un conseiller communautaire ne peut pas être membre d'un conseil de développement (article L5211-10-1 du CGCT)."),
                              field="elected_councillor")
    if not gender:
        raise ValidationError(_("Choisissez une réponse (« Autre ou ne se prononce pas » est possible)."), field="gender")
    birth_year = _check_birth_year(birth_year)
    refusal = MEMBERSHIP_WORKFLOW.refusal(membership, "accept_invitation", actor)
    if refusal:
        raise TransitionRefused(refusal)
    membership.user_id = actor.id
    membership.gender = Gender(gender)
    membership.birth_year = birth_year
    membership.elected_councillor = bool(elected_councillor)
    membership.invitation_hash = None
    membership.invited_email = None
    membership.start_date = membership.start_date or date.today()
    MEMBERSHIP_WORKFLOW.apply(membership, "accept_invitation", actor=actor)
    return membership


def decline_invitation(membership: Membership, *, actor=None) -> Membership | None:
    """The invited person declines; for a drawn resident, the next one in the drawn order is invited. Returns that one."""
    MEMBERSHIP_WORKFLOW.apply(membership, "decline", actor=actor)
    membership.invitation_hash = None
    if membership.draw_pick_id is not None:
        return _invite_replacement(db.session.get(DrawPick, membership.draw_pick_id))
    return None


def withdraw_invitation(membership: Membership, *, actor) -> None:
    MEMBERSHIP_WORKFLOW.apply(membership, "withdraw", actor=actor)
    membership.invitation_hash = None


def apply_to_council(council: Council, *, college: College | None, motivation: str | None, gender, birth_year: int | None,
                     elected_councillor: bool = False, organisation: str | None = None, actor) -> Membership:
    """A resident asks for a seat; staff accept or refuse."""
    require(actor, "councils.apply", council)
    if council.state != CouncilState.published:
        raise DomainError(_("Ce conseil ne reçoit pas de candidatures."))
    college = _college_of(council, college)
    if college.kind == CollegeKind.drawn_residents:
        raise ValidationError(_("Les sièges de ce collège sont tirés au sort : inscrivez-vous plutôt comme volontaire."), field="college")
    seated = db.session.scalar(sa.select(Membership.id).where(
        Membership.council_id == council.id, Membership.user_id == actor.id, Membership.state.in_(CURRENT_STATES)))
    if seated is not None:
        raise DomainError(_("Vous avez déjà un siège ou une candidature en cours dans ce conseil."))
    motivation = _text(motivation, limit=4000, field_name="motivation", required=_("Dites en quelques lignes pourquoi vous souhaitez siéger."))
    if not gender:
        raise ValidationError(_("Choisissez une réponse (« Autre ou ne se prononce pas » est possible)."), field="gender")
    birth_year = _check_birth_year(birth_year)
    membership = Membership(
        council_id=council.id, college_id=college.id, user_id=actor.id, name=actor.display_name, role=MemberRole.member,
        state=MembershipState.applied, gender=Gender(gender), birth_year=birth_year, elected_councillor=bool(elected_councillor),
        motivation=motivation, organisation=_text(organisation, limit=160, field_name="organisation"),
    )
    db.session.add(membership)
    db.session.flush()
    record("membership.applied", membership, actor, {"council": council.id})
    return membership


def decide_application(membership: Membership, decision: str, *, actor) -> None:
    if decision not in ("accept", "refuse"):
        raise DomainError(_("Décision inconnue."))
    MEMBERSHIP_WORKFLOW.apply(membership, decision, actor=actor)
    if decision == "accept":
        membership.start_date = date.today()
        membership.end_date = membership.end_date or membership.council.mandate_end


def end_membership(membership: Membership, *, end_date: date | None = None, actor) -> None:
    """End a mandate; the row stays in the council's history."""
    MEMBERSHIP_WORKFLOW.apply(membership, "end", actor=actor)
    membership.end_date = end_date or date.today()


def set_role(membership: Membership, role, *, actor) -> None:
    require(actor, "councils.manage", membership.council)
    previous = membership.role
    membership.role = MemberRole(role)
    record("membership.role_changed", membership, actor, {"from": previous, "to": membership.role})


def members_query(council: Council, *, states=(MembershipState.active,)):
    return (
        sa.select(Membership)
        .where(Membership.council_id == council.id, Membership.state.in_(states))
        .order_by(Membership.college_id, Membership.name, Membership.id)
    )


# --- Composition report -----------------------------------------------------


@dataclass
class Check:
    label: str
    ok: bool
    detail: str


@dataclass
class CompositionReport:
    members: int
    seats: int
    by_college: list[tuple[College, int]]
    by_gender: dict[str, int]
    by_band: list[tuple[dict, int, float]]  # band, members, expected share
    checks: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def age_band(bands: list[dict], birth_year: int | None, *, on: date | None = None) -> str | None:
    if birth_year is None:
        return None
    age = (on or date.today()).year - birth_year
    for band in bands:
        if age >= band["min"] and (band["max"] is None or age <= band["max"]):
            return band["label"]
    return None


def composition_report(council: Council) -> CompositionReport:
    """The checks of the law and of the reference framework, on the current members, in three queries."""
    rows = db.session.execute(
        sa.select(Membership.college_id, Membership.gender, Membership.birth_year, Membership.elected_councillor, Membership.name,
                  Membership.state)
        .where(Membership.council_id == council.id, Membership.state.in_((MembershipState.active, MembershipState.invited,
                                                                          MembershipState.applied)))
    ).all()
    active = [r for r in rows if r.state == MembershipState.active]
    colleges = council.colleges
    by_college = [(c, sum(1 for r in active if r.college_id == c.id)) for c in colleges]
    by_gender = {g.value: sum(1 for r in active if r.gender == g) for g in Gender}
    bands = council.age_bands or []
    band_counts = {b["label"]: 0 for b in bands}
    for r in active:
        label = age_band(bands, r.birth_year)
        if label:
            band_counts[label] += 1
    total = len(active)
    report = CompositionReport(
        members=total, seats=sum(c.seats for c in colleges), by_college=by_college, by_gender=by_gender,
        by_band=[(b, band_counts[b["label"]], b["share"]) for b in bands],
    )
    women, men = by_gender["woman"], by_gender["man"]
    if council.kind == CouncilKind.citizen:
        drawn = {c.id for c in colleges if c.kind == CollegeKind.drawn_residents}
        w = sum(1 for r in active if r.college_id in drawn and r.gender == Gender.woman)
        m = sum(1 for r in active if r.college_id in drawn and r.gender == Gender.man)
        report.checks.append(Check(_("Parité du collège des habitants tirés au sort"), w == m,
                                   _("%(w)s femme%(value)s et %(m)s homme%(value2)s : écart de %(abs)s.", w=w, value='s' if w > 1 else '', m=m, value2='s' if m > 1 else '', abs=abs(w - m))))
        residents = sum(1 for r in active if r.college_id in drawn)
        share = residents * 100 / total if total else 0
        report.checks.append(Check(_("Habitants : au moins 50 % des membres"), total > 0 and share >= 50,
                                   _("%(residents)s habitant%(value)s sur %(total)s membres (%(share).0f %%).", residents=residents, value='s' if residents > 1 else '', total=total, share=share)))
    else:
        report.checks.append(Check(_("Écart entre femmes et hommes : 1 au plus"), abs(women - men) <= 1,
                                   _("%(women)s femme%(value)s et %(men)s homme%(value2)s : écart de %(abs)s.", women=women, value='s' if women > 1 else '', men=men, value2='s' if men > 1 else '', abs=abs(women - men))))
    elected = [r for r in rows if r.elected_councillor]
    report.checks.append(Check(
        _("Aucun conseiller communautaire parmi les membres"), not elected,
        "Aucun." if not elected else _("À retirer : ") + ", ".join(f"{r.name} ({r.state.label.lower()})" for r in elected) + ".",
    ))
    known = sum(band_counts.values())
    gaps = []
    for band in bands:
        actual = band_counts[band["label"]] * 100 / known if known else 0
        if abs(actual - band["share"]) > 10:
            gaps.append(_("%(value)s : %(actual).0f %% des membres pour %(value2).0f %% de la population", value=band['label'], actual=actual, value2=band['share']))
    report.checks.append(Check(_("Tranches d'âge proches de celles de la population (écart de 10 points au plus)"), bool(known) and not gaps,
                               "; ".join(gaps) + "." if gaps else ("Conformes." if known else _("Aucun âge connu."))))
    over = [_("%(name)s : %(n)s membres pour %(seats)s sièges", name=c.name, n=n, seats=c.seats) for c, n in by_college if n > c.seats]
    report.checks.append(Check(_("Sièges des collèges respectés"), not over, "; ".join(over) + "." if over else "Oui."))
    return report


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
        user_id=getattr(user, "id", None), name=_text(name, limit=160, field_name="name", required=_("Indiquez le nom.")),
        email=(email or "").strip().lower() or None, gender=Gender(gender) if gender else None,
        birth_year=_check_birth_year(birth_year, required=False), commune_id=getattr(commune, "id", None),
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
    source_label = _text(source_label, limit=160, field_name="source_label", required=_("Indiquez d'où vient la liste."))
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
    college = _college_of(council, college)
    title = _text(title, limit=160, field_name="title", required=_("Donnez un titre au tirage."))
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


# --- Sittings ---------------------------------------------------------------


def _sitting_values(values: dict) -> dict:
    title = _text(values.get("title"), limit=200, field_name="title", required=_("Donnez un titre à la séance."))
    starts_at = values.get("starts_at")
    if starts_at is None:
        raise ValidationError(_("Indiquez la date et l'heure de la séance."), field="starts_at")
    ends_at = values.get("ends_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("La fin doit être après le début."), field="ends_at")
    place = _text(values.get("place"), limit=300, field_name="place")
    video_url = _text(values.get("video_url"), limit=500, field_name="video_url")
    if video_url and not video_url.startswith("https://"):
        raise ValidationError("Le lien de visioconférence doit commencer par https://.", field="video_url")
    if not place and not video_url:
        raise ValidationError(_("Indiquez le lieu, ou le lien de la visioconférence."), field="place")
    return {"title": title, "starts_at": starts_at, "ends_at": ends_at, "place": place, "video_url": video_url}


def create_sitting(council: Council, *, kind=SittingKind.plenary, working_group: WorkingGroup | None = None, is_public: bool = True,
                   theme=None, actor, **values) -> Sitting:
    require(actor, "councils.manage_sitting", council)
    kind = SittingKind(kind)
    if kind == SittingKind.working_group and (working_group is None or working_group.council_id != council.id):
        raise ValidationError(_("Choisissez le groupe de travail qui se réunit."), field="working_group")
    cleaned = _sitting_values(values)
    if cleaned["starts_at"] <= utcnow():
        raise ValidationError(_("Une séance se prévoit dans le futur."), field="starts_at")
    sitting = Sitting(council_id=council.id, kind=kind, working_group_id=getattr(working_group, "id", None) if kind == SittingKind.working_group else None,
                      is_public=bool(is_public) and kind == SittingKind.plenary, theme_id=getattr(theme, "id", None),
                      state=SittingState.draft, **cleaned)
    db.session.add(sitting)
    db.session.flush()
    record("sitting.created", sitting, actor, {"council": council.id})
    return sitting


def add_agenda_item(sitting: Sitting, *, title: str, description: str | None = None, actor) -> AgendaItem:
    require(actor, "councils.manage_sitting", sitting)
    if sitting.state == SittingState.cancelled:
        raise DomainError(_("Cette séance est annulée."))
    title = _text(title, limit=300, field_name="title", required=_("Indiquez l'intitulé du point."))
    position = (max((i.position for i in sitting.items), default=0)) + 1
    item = AgendaItem(sitting_id=sitting.id, position=position, title=title, description=_text(description, limit=4000))
    sitting.items.append(item)
    db.session.flush()
    record("sitting.agenda_changed", sitting, actor, {"added": title})
    return item


def publish_sitting(sitting: Sitting, *, actor, now: datetime | None = None) -> None:
    """Publish: the convocation goes out now if the sitting is close enough, otherwise the worker sends it on time."""
    SITTING_WORKFLOW.apply(sitting, "publish", actor=actor)
    convene_if_due(sitting, now=now)


def convocation_due_at(sitting: Sitting) -> datetime:
    return meetings.convocation_due_at(sitting.starts_at, sitting.council.convocation_days)


def convene_if_due(sitting: Sitting, *, now: datetime | None = None) -> bool:
    """Record the convocation once, when it is due; the subscribers queue one mail per member."""
    return meetings.convene_once(sitting, days=sitting.council.convocation_days,
                                 may_convene=sitting.state == SittingState.published, now=now)


def convened_members(sitting: Sitting) -> list[Membership]:
    """Who is convened: the council's members; the bureau for a bureau meeting; the group's for a group meeting."""
    query = sa.select(Membership).where(Membership.council_id == sitting.council_id, Membership.state == MembershipState.active)
    if sitting.kind == SittingKind.bureau:
        query = query.where(Membership.role != MemberRole.member)
    elif sitting.kind == SittingKind.working_group:
        query = query.join(WorkingGroupMember, WorkingGroupMember.membership_id == Membership.id).where(
            WorkingGroupMember.group_id == sitting.working_group_id)
    return list(db.session.scalars(query.options(sa.orm.joinedload(Membership.user)).order_by(Membership.name, Membership.id)).unique())


def move_sitting(sitting: Sitting, *, actor, **values) -> None:
    """Change the date, time or place; everyone already convened is told."""
    require(actor, "councils.manage_sitting", sitting)
    if sitting.state == SittingState.cancelled:
        raise DomainError(_("Cette séance est annulée : elle ne se déplace plus."))
    cleaned = _sitting_values({"title": sitting.title, **values})
    before = {"starts_at": sitting.starts_at, "place": sitting.place, "video_url": sitting.video_url}
    if cleaned["starts_at"] <= utcnow():
        raise ValidationError(_("Une séance se déplace dans le futur."), field="starts_at")
    if (cleaned["starts_at"], cleaned["place"], cleaned["video_url"]) == (before["starts_at"], before["place"], before["video_url"]) \
            and cleaned["ends_at"] == sitting.ends_at:
        raise ValidationError(_("Rien n'a changé."), field="starts_at")
    for key in ("starts_at", "ends_at", "place", "video_url"):
        setattr(sitting, key, cleaned[key])
    record("sitting.moved", sitting, actor, {"before": before, "starts_at": sitting.starts_at, "place": sitting.place})


def cancel_sitting(sitting: Sitting, *, actor) -> None:
    SITTING_WORKFLOW.apply(sitting, "cancel", actor=actor)


def answer_convocation(sitting: Sitting, *, answer, proxy: Membership | None = None, actor) -> Attendance:
    """A member answers present, absent, or represented by another member who holds their proxy."""
    require(actor, "councils.answer_convocation", sitting)
    if sitting.state != SittingState.published:
        raise DomainError(_("Cette séance n'est pas ouverte aux réponses."))
    if sitting.starts_at <= utcnow():
        raise DomainError(_("La séance a commencé : la présence est maintenant relevée sur place."))
    seat = current_membership(actor, sitting.council)
    convened = {m.id for m in convened_members(sitting)}
    if seat.id not in convened:
        raise DomainError(_("Vous n'êtes pas convoqué à cette réunion."))
    answer = Answer(answer) if answer else None
    if answer is None:
        raise ValidationError(_("Choisissez votre réponse."), field="answer")
    if answer == Answer.represented:
        if proxy is None or proxy.id not in convened or proxy.id == seat.id:
            raise ValidationError(_("Choisissez le membre convoqué qui vous représentera."), field="proxy")
        proxy_answer = db.session.scalar(sa.select(Attendance.answer).where(Attendance.sitting_id == sitting.id,
                                                                              Attendance.membership_id == proxy.id))
        if proxy_answer in (Answer.represented, Answer.absent):
            raise ValidationError(_("%(name)s a indiqué être %(lower)s : choisissez un membre présent.", name=proxy.name, lower=proxy_answer.label.lower()), field="proxy")
        held = db.session.scalar(sa.select(sa.func.count(Attendance.id)).where(
            Attendance.sitting_id == sitting.id, Attendance.proxy_id == proxy.id, Attendance.membership_id != seat.id))
        if held >= sitting.council.max_proxies:
            raise ValidationError(_("%(name)s détient déjà %(held)s procuration%(value)s, le maximum pour ce conseil.", name=proxy.name, held=held, value='s' if held > 1 else ''),
                                  field="proxy")
    else:
        proxy = None
    if answer != Answer.present:
        holding = db.session.scalar(sa.select(sa.func.count(Attendance.id)).where(Attendance.sitting_id == sitting.id,
                                                                                  Attendance.proxy_id == seat.id))
        if holding:
            raise ValidationError(_("Vous détenez une procuration : vous ne pouvez pas vous déclarer absent sans que la personne change la sienne."),
                                  field="answer")
    attendance = db.session.scalar(sa.select(Attendance).where(Attendance.sitting_id == sitting.id, Attendance.membership_id == seat.id))
    if attendance is None:
        attendance = Attendance(sitting_id=sitting.id, membership_id=seat.id)
        db.session.add(attendance)
    previous_proxy = attendance.proxy_id
    attendance.answer, attendance.proxy_id, attendance.answered_at = answer, getattr(proxy, "id", None), utcnow()
    db.session.flush()
    record("sitting.answered", sitting, actor, {"membership": seat.id, "answer": answer, "proxy": getattr(proxy, "id", None),
                                               "previous_proxy": previous_proxy})
    return attendance


def proxies_held(sitting: Sitting, seat: Membership | None) -> list[Membership]:
    """The members whose proxy ``seat`` holds for this sitting. One query."""
    if seat is None:
        return []
    return db.session.scalars(sa.select(Membership).join(Attendance, Attendance.membership_id == Membership.id)
                              .where(Attendance.sitting_id == sitting.id, Attendance.proxy_id == seat.id)
                              .order_by(Membership.id)).all()


def mark_attendance(sitting: Sitting, present_ids: set[int], *, actor) -> None:
    """Staff mark on the day who came; the others convened are marked absent."""
    require(actor, "councils.manage_sitting", sitting)
    if sitting.state != SittingState.published:
        raise DomainError(_("La présence ne se relève que pour une séance publiée."))
    if sitting.starts_at - timedelta(hours=12) > utcnow():
        raise DomainError(_("La présence se relève le jour de la séance."))
    existing = {a.membership_id: a for a in db.session.scalars(sa.select(Attendance).where(Attendance.sitting_id == sitting.id))}
    for member in convened_members(sitting):
        attendance = existing.get(member.id)
        if attendance is None:
            attendance = Attendance(sitting_id=sitting.id, membership_id=member.id)
            db.session.add(attendance)
        attendance.attended = member.id in present_ids
    db.session.flush()
    record("sitting.attendance_marked", sitting, actor, {"present": sorted(present_ids)})


@dataclass
class QuorumStatus:
    members: int  # convened members
    required: int
    present: int
    represented: int
    # From the members' answers (before the sitting) or the attendance marked on the day.
    basis: str
    proxies_count: bool

    @property
    def counted(self) -> int:
        return self.present + (self.represented if self.proxies_count else 0)

    @property
    def reached(self) -> bool:
        return self.counted >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.counted, 0)


def quorum_required(members: int, percent: int) -> int:
    """More than ``percent`` % of the members: with 50, half of the members plus one (10 → 6, 11 → 6)."""
    return members * percent // 100 + 1


def quorum_status(sitting: Sitting) -> QuorumStatus:
    """Whether the quorum is met, counting a proxy only when its holder is (or says they will be) there. Two queries."""
    members = convened_members(sitting)
    ids = {m.id for m in members}
    rows = [a for a in db.session.scalars(sa.select(Attendance).where(Attendance.sitting_id == sitting.id)) if a.membership_id in ids]
    marked = any(a.attended is not None for a in rows)
    if marked:
        here = {a.membership_id for a in rows if a.attended}
        basis = "attendance"
    else:
        here = {a.membership_id for a in rows if a.answer == Answer.present}
        basis = "answers"
    represented = sum(1 for a in rows if a.membership_id not in here and a.answer == Answer.represented and a.proxy_id in here)
    council = sitting.council
    return QuorumStatus(members=len(members), required=quorum_required(len(members), council.quorum_percent), present=len(here),
                        represented=represented, basis=basis, proxies_count=council.proxies_count_for_quorum)


# --- Minutes ----------------------------------------------------------------


def save_minutes(sitting: Sitting, *, body: str, actor, based_on=None) -> Minutes:
    """Save the draft's text. ``based_on`` is the revision the edit started
    from (0 before the first save): ``EditConflict`` when someone saved since.
    ``None`` (scripts, the demo) saves on top of the current text."""
    require(actor, "councils.write_minutes", sitting)
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if minutes is None:
        try:
            with db.session.begin_nested():
                minutes = Minutes(sitting_id=sitting.id, state=MinutesState.draft, revision=0)
                db.session.add(minutes)
        except sa.exc.IntegrityError:  # written at the same moment by someone else: theirs is the current text
            minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if minutes.state != MinutesState.draft:
        raise DomainError(_("Le compte rendu n'est plus un brouillon : repassez-le en brouillon pour le modifier."))
    claim_revision(minutes, minutes.revision if based_on is None else based_on, text_attr="body")
    minutes.body = _text(body, limit=100_000, field_name="body") or ""
    db.session.flush()
    record("minutes.saved", minutes, actor, {"sitting": sitting.id})
    return minutes


def submit_minutes(minutes: Minutes, *, actor) -> None:
    MINUTES_WORKFLOW.apply(minutes, "submit", actor=actor)


def return_minutes(minutes: Minutes, *, actor) -> None:
    MINUTES_WORKFLOW.apply(minutes, "return", actor=actor)


def approve_minutes(minutes: Minutes, *, at_sitting: Sitting | None, actor) -> None:
    """Minutes are approved at a later sitting of the same council."""
    sitting = minutes.sitting
    if at_sitting is None or at_sitting.council_id != sitting.council_id or at_sitting.starts_at <= sitting.starts_at \
            or at_sitting.state == SittingState.cancelled:
        raise ValidationError(_("Choisissez la séance suivante, au cours de laquelle le compte rendu a été approuvé."), field="at_sitting")
    refusal = MINUTES_WORKFLOW.refusal(minutes, "approve", actor)
    if refusal:
        raise TransitionRefused(refusal)
    minutes.approved_at_id = at_sitting.id
    MINUTES_WORKFLOW.apply(minutes, "approve", actor=actor, data={"at_sitting": at_sitting.id})


def publish_minutes(minutes: Minutes, *, actor) -> None:
    MINUTES_WORKFLOW.apply(minutes, "publish", actor=actor)
    minutes.published_at = utcnow()


# --- Working groups ---------------------------------------------------------


def create_group(council: Council, *, name: str, purpose: str | None, lead: Membership | None, actor) -> WorkingGroup:
    require(actor, "councils.manage", council)
    name = _text(name, limit=160, field_name="name", required=_("Indiquez le nom du groupe."))
    if db.session.scalar(sa.select(WorkingGroup.id).where(WorkingGroup.council_id == council.id, WorkingGroup.name == name)):
        raise ValidationError(_("Ce conseil a déjà un groupe de ce nom."), field="name")
    if lead is not None and (lead.council_id != council.id or lead.state != MembershipState.active):
        raise ValidationError(_("L'animateur ou l'animatrice doit être membre du conseil."), field="lead")
    group = WorkingGroup(council_id=council.id, name=name, purpose=purpose or "", lead_id=getattr(lead, "id", None))
    db.session.add(group)
    db.session.flush()
    if lead is not None:
        db.session.add(WorkingGroupMember(group_id=group.id, membership_id=lead.id))
    record("working_group.created", group, actor, {"council": council.id})
    return group


def add_group_member(group: WorkingGroup, membership: Membership, *, actor) -> None:
    require(actor, "councils.manage", group.council)
    if membership.council_id != group.council_id or membership.state != MembershipState.active:
        raise ValidationError(_("Seul un membre du conseil peut rejoindre l'un de ses groupes."), field="membership")
    if db.session.scalar(sa.select(WorkingGroupMember.id).where(WorkingGroupMember.group_id == group.id,
                                                                WorkingGroupMember.membership_id == membership.id)):
        raise ValidationError(_("%(name)s fait déjà partie du groupe.", name=membership.name), field="membership")
    db.session.add(WorkingGroupMember(group_id=group.id, membership_id=membership.id))
    db.session.flush()
    record("working_group.member_added", group, actor, {"membership": membership.id})


# --- Documents --------------------------------------------------------------


def add_document(council: Council, *, upload, title: str, is_public: bool = False, sitting: Sitting | None = None,
                 group: WorkingGroup | None = None, actor) -> CouncilDocument:
    from participation.core.uploads import store_upload

    require(actor, "councils.manage", council)
    title = _text(title, limit=200, field_name="title", required=_("Donnez un titre au document."))
    stored = store_upload(upload, actor=actor)
    document = CouncilDocument(council_id=council.id, sitting_id=getattr(sitting, "id", None), working_group_id=getattr(group, "id", None),
                               file_id=stored.id, title=title, is_public=bool(is_public))
    db.session.add(document)
    db.session.flush()
    record("council.document_added", council, actor, {"document": document.id, "title": title})
    return document


def document_readable(document: CouncilDocument, user) -> bool:
    from participation.core.permissions import can

    if document.is_public:
        return True
    return can(user, "councils.view_private", db.session.get(Council, document.council_id))


# --- Trainings --------------------------------------------------------------


def create_training(council: Council, *, title: str, description: str | None, starts_at: datetime | None, ends_at: datetime | None,
                    place: str | None, capacity: int | None, actor) -> Training:
    require(actor, "councils.manage", council)
    title = _text(title, limit=200, field_name="title", required=_("Donnez un titre à la formation."))
    if starts_at is None:
        raise ValidationError(_("Indiquez la date et l'heure de la formation."), field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("La fin doit être après le début."), field="ends_at")
    if not capacity or capacity < 1:
        raise ValidationError(_("Indiquez le nombre de places."), field="capacity")
    training = Training(council_id=council.id, title=title, description=description or "", starts_at=starts_at, ends_at=ends_at,
                        place=_text(place, limit=300), capacity=capacity)
    db.session.add(training)
    db.session.flush()
    record("training.created", training, actor, {"council": council.id})
    return training


def places_taken(training: Training) -> int:
    return db.session.scalar(sa.select(sa.func.count(TrainingRegistration.id)).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.cancelled_at.is_(None))) or 0


def register_for_training(training: Training, *, actor) -> TrainingRegistration:
    council = db.session.get(Council, training.council_id)
    require(actor, "councils.register_training", council)
    if training.cancelled or training.starts_at <= utcnow():
        raise DomainError(_("Les inscriptions à cette formation sont closes."))
    # Lock the training row: two last-minute registrations cannot both take the last place.
    db.session.execute(sa.select(Training.id).where(Training.id == training.id).with_for_update())
    seat = current_membership(actor, council)
    registration = db.session.scalar(sa.select(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.membership_id == seat.id))
    if registration is not None and registration.cancelled_at is None:
        raise DomainError(_("Vous êtes déjà inscrit à cette formation."))
    if places_taken(training) >= training.capacity:
        raise DomainError(_("Cette formation est complète."))
    if registration is None:
        registration = TrainingRegistration(training_id=training.id, membership_id=seat.id)
        db.session.add(registration)
    registration.cancelled_at = None
    db.session.flush()
    record("training.registered", training, actor, {"membership": seat.id})
    return registration


def cancel_training_registration(training: Training, *, actor) -> None:
    council = db.session.get(Council, training.council_id)
    require(actor, "councils.register_training", council)
    seat = current_membership(actor, council)
    registration = db.session.scalar(sa.select(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.membership_id == seat.id,
        TrainingRegistration.cancelled_at.is_(None)))
    if registration is None:
        raise DomainError(_("Vous n'êtes pas inscrit à cette formation."))
    registration.cancelled_at = utcnow()
    record("training.registration_cancelled", training, actor, {"membership": seat.id})


# --- Budget -----------------------------------------------------------------


def set_budget(council: Council, *, year: int | None, allocation_cents: int | None, actor) -> BudgetYear:
    require(actor, "councils.manage", council)
    if not year or not 2000 <= year <= 2100:
        raise ValidationError(_("Indiquez l'année du budget."), field="year")
    if allocation_cents is None or allocation_cents < 0:
        raise ValidationError(_("Indiquez la dotation de l'année (0 ou plus)."), field="allocation")
    budget = db.session.scalar(sa.select(BudgetYear).where(BudgetYear.council_id == council.id, BudgetYear.year == year))
    if budget is None:
        budget = BudgetYear(council_id=council.id, year=year, allocation_cents=allocation_cents)
        db.session.add(budget)
    budget.allocation_cents = allocation_cents
    db.session.flush()
    record("council.budget_set", council, actor, {"year": year, "allocation_cents": allocation_cents})
    return budget


def add_spending(budget: BudgetYear, *, spent_on: date | None, label: str, amount_cents: int | None, actor) -> SpendingLine:
    council = db.session.get(Council, budget.council_id)
    require(actor, "councils.manage", council)
    label = _text(label, limit=200, field_name="label", required=_("Indiquez l'objet de la dépense."))
    if spent_on is None or spent_on.year != budget.year:
        raise ValidationError(_("Indiquez une date de l'année %(year)s.", year=budget.year), field="spent_on")
    if not amount_cents or amount_cents <= 0:
        raise ValidationError(_("Indiquez un montant positif."), field="amount")
    line = SpendingLine(budget_id=budget.id, spent_on=spent_on, label=label, amount_cents=amount_cents)
    budget.lines.append(line)
    db.session.flush()
    record("council.spending_added", council, actor, {"year": budget.year, "amount_cents": amount_cents, "label": label})
    return line


# --- Following a council -----------------------------------------------------


def follow(council: Council, *, actor) -> bool:
    """Follow the council or stop following it; returns whether the person now follows."""
    require(actor, "councils.follow", council)
    return toggle_follow(CouncilFollower, actor, council_id=council.id)


def follows(council: Council, user) -> bool:
    return is_following(CouncilFollower, user, council_id=council.id)


def followers(council: Council) -> list:
    """The people following the council, as users (one query)."""
    return [f.user for f in db.session.scalars(sa.select(CouncilFollower).where(CouncilFollower.council_id == council.id)
                                                .order_by(CouncilFollower.id))]
