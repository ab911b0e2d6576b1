"""Council operations: councils and their colleges, memberships, the composition report, following a council.

The other operations have their own modules: volunteers and draws (``draws.py``), sittings and
their minutes (``sittings.py``), working groups, documents, trainings and budget (``extras.py``).
Together they are the only code that changes the councils' state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from participation.core.errors import DomainError, TransitionRefused, ValidationError
from participation.core.eventlog import record
from participation.core.follows import is_following, toggle_follow
from participation.core.permissions import require
from participation.core.tokens import make_token, token_digest
from participation.councils.models import (
    COUNCIL_WORKFLOW,
    MEMBERSHIP_WORKFLOW,
    College,
    CollegeKind,
    Council,
    CouncilFollower,
    CouncilKind,
    CouncilState,
    DrawPick,
    Gender,
    MemberRole,
    Membership,
    MembershipState,
    Sitting,
    SittingState,
)
from participation.extensions import db
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


def checked_text(value, *, limit: int | None = None, field_name: str | None = None, required: str | None = None) -> str | None:
    """A form's text stripped (``None`` if empty), refused with ``required`` when missing or past ``limit`` characters."""
    text = (str(value).strip() or None) if value is not None else None
    if not text and required:
        raise ValidationError(required, field=field_name)
    if text and limit and len(text) > limit:
        raise ValidationError(_("%(limit)s caractères au plus (vous en avez saisi %(len_text)s).", limit=limit, len_text=len(text)), field=field_name)
    return text


def check_birth_year(birth_year: int | None, *, required: bool = True) -> int | None:
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
    name = checked_text(values.get("name"), limit=160, field_name="name", required=_("Indiquez le nom du conseil."))
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
    name = checked_text(name, limit=160, field_name="name", required=_("Indiquez le nom du collège."))
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


def college_of(council: Council, college: College | None) -> College:
    if college is None or college.council_id != council.id:
        raise ValidationError(_("Choisissez un collège de ce conseil."), field="college")
    return college


def invite_member(council: Council, *, college: College | None, name: str, email: str | None, role=MemberRole.member,
                  organisation: str | None = None, start_date: date | None = None, end_date: date | None = None,
                  elected_councillor: bool = False, actor, draw_pick: DrawPick | None = None) -> Membership:
    """Offer a seat; the invitation mail carries a single-use link."""
    require(actor, "councils.manage", council)
    college = college_of(council, college)
    name = checked_text(name, limit=160, field_name="name", required=_("Indiquez le nom de la personne invitée."))
    email = (checked_text(email, limit=254, field_name="email") or "").lower() or None
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
        council_id=council.id, college_id=college.id, name=name, invited_email=email, organisation=checked_text(organisation, limit=160),
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
    birth_year = check_birth_year(birth_year)
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
        from participation.councils.draws import _invite_replacement  # draws.py invites through invite_member, above

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
    college = college_of(council, college)
    if college.kind == CollegeKind.drawn_residents:
        raise ValidationError(_("Les sièges de ce collège sont tirés au sort : inscrivez-vous plutôt comme volontaire."), field="college")
    seated = db.session.scalar(sa.select(Membership.id).where(
        Membership.council_id == council.id, Membership.user_id == actor.id, Membership.state.in_(CURRENT_STATES)))
    if seated is not None:
        raise DomainError(_("Vous avez déjà un siège ou une candidature en cours dans ce conseil."))
    motivation = checked_text(motivation, limit=4000, field_name="motivation", required=_("Dites en quelques lignes pourquoi vous souhaitez siéger."))
    if not gender:
        raise ValidationError(_("Choisissez une réponse (« Autre ou ne se prononce pas » est possible)."), field="gender")
    birth_year = check_birth_year(birth_year)
    membership = Membership(
        council_id=council.id, college_id=college.id, user_id=actor.id, name=actor.display_name, role=MemberRole.member,
        state=MembershipState.applied, gender=Gender(gender), birth_year=birth_year, elected_councillor=bool(elected_councillor),
        motivation=motivation, organisation=checked_text(organisation, limit=160, field_name="organisation"),
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
