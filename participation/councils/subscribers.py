"""What council events cause: invitations, convocations, notices, and what a closed account leaves behind."""

from __future__ import annotations

import sqlalchemy as sa
from urllib.parse import urlsplit

from participation.core.french import a
from participation.accounts import personal_data
from participation.core.dates import format_moment
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.urls import external_url
from participation.core.permissions import SYSTEM
from participation.councils.documents import sitting_ics
from participation.councils.models import MEMBERSHIP_WORKFLOW, Attendance, Council, CouncilFollower, Membership, MembershipState, Sitting, Volunteer
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, mail_address, tell
from participation.pages.privacy import Processing, register_processing
from flask_babel import lazy_gettext as _l


def url_for(endpoint: str, **values) -> str:
    """A path on this site, built without a request (the worker sends convocations too)."""
    return urlsplit(external_url(endpoint, **values)).path


def _sitting_path(sitting: Sitting) -> str:
    return url_for("councils.sitting", slug=sitting.council.slug, sitting_id=sitting.id)


def _tell_members(event: DomainEvent, members, *, template: str, subject: str, key: str, title: str, url: str,
                  category: Category | None = OWN_CASE, attachments=None, **context) -> None:
    """Each member hears of it in the app and by mail: a convocation and its changes are their own case.

    ``attachments(member)`` gives the files sent with the member's mail."""
    for member in members:
        user = member.user
        if user is None:
            continue
        tell(user, category, title, url=url, event=event, dedup_key=f"{key}:{member.id}", mail_key=f"{key}:{member.id}",
             attachments=attachments(member) if attachments else None,
             mail_subject=subject, mail_template=f"councils/{template}", about=context.get("sitting").title if context.get("sitting") else None,
             member=member, **context)


@subscribe("membership.invited")
def send_invitation(event: DomainEvent) -> None:
    membership = event.subject
    if not membership.invited_email:
        return
    council = db.session.get(Council, membership.council_id)
    mail_address(reason="own_case", to=membership.invited_email, subject=_l("Invitation à siéger %(a_name)s", a_name=a(council.name)), template="councils/invitation",
               dedup_key=f"{event.name}:{event.id}", council=council, membership=membership,
               drawn=membership.draw_pick_id is not None,
               url=external_url("councils.invitation", token=event.context["token"]))


@subscribe("membership.accepted")
def tell_application_accepted(event: DomainEvent) -> None:
    membership = event.subject
    council = membership.council
    url = url_for("councils.space", slug=council.slug)
    if membership.user is not None:
        tell(membership.user, OWN_CASE, _l("Bienvenue %(a_name)s : votre candidature est acceptée.", a_name=a(council.name)), url=url, event=event,
             dedup_key=f"membership-accepted:{membership.id}", mail_key=f"{event.name}:{event.id}",
             mail_subject=_l("Votre candidature %(a_name)s est acceptée", a_name=a(council.name)), mail_template="councils/accepted",
             council=council, membership=membership)


@subscribe("membership.refused")
def tell_application_refused(event: DomainEvent) -> None:
    membership = event.subject
    tell(membership.user, OWN_CASE, _l("Votre candidature %(a_name)s n'a pas été retenue.", a_name=a(membership.council.name)),
         url=url_for("councils.council", slug=membership.council.slug), event=event, dedup_key=f"membership-refused:{membership.id}",
         mail_key=f"membership-refused:{membership.id}")


@subscribe("sitting.convened")
def send_convocations(event: DomainEvent) -> None:
    from participation.councils.sittings import convened_members

    sitting = event.subject
    calendar = sitting_ics(sitting)
    _tell_members(event, convened_members(sitting), template="convocation", subject=_l("Convocation : %(title)s", title=sitting.title),
                  key=f"sitting-convocation:{sitting.id}", title=_l("Vous êtes convoqué : %(title)s", title=sitting.title),
                  url=_sitting_path(sitting), sitting=sitting, attachments=lambda member: convocation_attachments(sitting, member, calendar))


def convocation_attachments(sitting: Sitting, member: Membership, calendar: str) -> list[dict]:
    """The convocation as PDF (made by the mail worker when it sends the mail) and the sitting's calendar file."""
    return [
        {"filename": f"convocation-{sitting.id}.pdf", "content_type": "application/pdf", "render": "councils.convocation",
         "args": {"sitting_id": sitting.id, "membership_id": member.id}},
        {**calendar_attachment(sitting), "content": calendar},
    ]


@subscribe("sitting.moved", "sitting.cancelled")
def tell_change(event: DomainEvent) -> None:
    from participation.councils.sittings import convened_members

    sitting = event.subject
    if sitting.convened_at is None:
        return  # nobody has been convened yet: the convocation will carry the new details
    cancelled = event.name == "sitting.cancelled"
    subject = f"{'Séance annulée' if cancelled else 'Séance déplacée'} : {sitting.title}"
    calendar = calendar_attachment(sitting)  # built once, attached to every member's mail
    _tell_members(event, convened_members(sitting), template="cancelled" if cancelled else "moved", subject=subject,
                  key=f"{event.name}:{event.id}", title=subject, url=_sitting_path(sitting), sitting=sitting,
                  before=event.data.get("before"), attachments=lambda member: [calendar])


def calendar_attachment(sitting: Sitting) -> dict:
    return {"filename": "seance.ics", "content_type": "text/calendar; charset=utf-8; method=PUBLISH", "content": sitting_ics(sitting)}


@subscribe("sitting.answered")
def tell_proxy_holder(event: DomainEvent) -> None:
    """The member given a proxy is told they hold it (and a member whose proxy is taken back, that they no longer do)."""
    given, previous = event.data.get("proxy"), event.data.get("previous_proxy")
    if given == previous:
        return
    sitting = event.subject
    giver = db.session.get(Membership, event.data["membership"])
    url = _sitting_path(sitting)
    when = format_moment(sitting.starts_at)
    for holder_id, withdrawn in ((given, False), (previous, True)):
        holder = db.session.get(Membership, holder_id) if holder_id else None
        if holder is None or holder.user is None:
            continue
        if withdrawn:
            subject = _l("Procuration retirée : %(title)s", title=sitting.title)
            title = _l("%(name)s ne vous confie plus sa procuration pour la séance « %(title)s ».", name=giver.name, title=sitting.title)
        else:
            subject = _l("Vous détenez une procuration : %(title)s", title=sitting.title)
            title = _l("%(name)s vous confie sa procuration pour la séance « %(title)s » (%(when)s).", name=giver.name, title=sitting.title, when=when)
        key = f"{event.name}:{event.id}:proxy:{holder.id}"
        # Holding a proxy is the member's own case: always mailed.
        tell(holder.user, OWN_CASE, title, url=url, event=event, dedup_key=key, mail_subject=subject,
             mail_template="councils/proxy", mail_key=key, member=holder, giver=giver, sitting=sitting, withdrawn=withdrawn)


@subscribe("minutes.submitted")
def tell_minutes_submitted(event: DomainEvent) -> None:
    from participation.councils.services import members_query

    minutes = event.subject
    sitting = minutes.sitting
    members = db.session.scalars(members_query(sitting.council).options(sa.orm.joinedload(Membership.user))).unique().all()
    _tell_members(event, members, template="minutes_submitted", subject=_l("Compte rendu à approuver : %(title)s", title=sitting.title),
                  key=f"minutes-submitted:{event.id}", title=_l("Compte rendu soumis à approbation : %(title)s", title=sitting.title),
                  url=url_for("councils.space", slug=sitting.council.slug), category=Category.councils_work, sitting=sitting)


@subscribe("draw.reserve_exhausted")
def tell_reserve_exhausted(event: DomainEvent) -> None:
    """A drawn person declined and nobody of the same kind is left: the staff member managing the council decides what next."""
    draw = event.subject
    manager = draw.council.manager
    if manager is None:
        return
    url = url_for("councils_staff.draws", council_id=draw.council_id)
    subject = _l("Tirage au sort : plus de remplaçant pour le %(name)s", name=draw.college.name)
    tell(manager, Category.staff_work, f"{subject} ({draw.council.name})", url=url, event=event, dedup_key=f"{event.name}:{event.id}",
         mail_key=f"{event.name}:{event.id}", mail_subject=subject, mail_template="councils/reserve_exhausted", about=draw.council.name,
         draw=draw)


@subscribe("user.closed")
def forget_member_data(event: DomainEvent) -> None:
    """Gender, birth year and motivation are erased; seats stay in the history under « Compte supprimé »."""
    from participation.accounts.models import CLOSED_ACCOUNT_NAME

    user_id = event.subject_id
    db.session.flush()
    ended = db.session.scalars(sa.select(Membership).where(Membership.user_id == user_id, Membership.state.in_(
        (MembershipState.active, MembershipState.applied)))).all()
    db.session.execute(
        sa.update(Membership).where(Membership.user_id == user_id)
        .values(name=CLOSED_ACCOUNT_NAME, gender=None, birth_year=None, motivation=None, invited_email=None, organisation=None)
    )
    # A closed account no longer sits: its current seat ends, its application is refused.
    for membership in ended:
        MEMBERSHIP_WORKFLOW.apply(membership, "end" if membership.state == MembershipState.active else "refuse", actor=SYSTEM,
                                  data={"reason": _l("compte fermé")})
    db.session.execute(sa.delete(Attendance).where(Attendance.membership_id.in_([m.id for m in ended]), Attendance.attended.is_(None)))
    db.session.execute(
        sa.update(Volunteer).where(Volunteer.user_id == user_id)
        .values(name=CLOSED_ACCOUNT_NAME, email=None, gender=None, birth_year=None, withdrawn=True)
    )
    db.session.execute(sa.delete(CouncilFollower).where(CouncilFollower.user_id == user_id))


@personal_data.section("conseils")
def councils_section(user) -> dict:
    memberships = db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)).all()
    volunteers = db.session.scalars(sa.select(Volunteer).where(Volunteer.user_id == user.id).order_by(Volunteer.id)).all()
    follows = db.session.scalars(sa.select(CouncilFollower).where(CouncilFollower.user_id == user.id).order_by(CouncilFollower.id)).all()
    return {
        "conseils_suivis": [{"conseil": db.session.get(Council, f.council_id).name, "depuis": f.created_at.isoformat()} for f in follows],
        "mandats": [
            {
                "conseil": m.council.name, "college": m.college.name, "role": m.role.label, "etat": m.state.label,
                "debut": m.start_date.isoformat() if m.start_date else None, "fin": m.end_date.isoformat() if m.end_date else None,
                "genre": m.gender.label if m.gender else None, "annee_naissance": m.birth_year,
                "conseiller_communautaire": m.elected_councillor, "motivation": m.motivation,
            }
            for m in memberships
        ],
        "volontariats_tirage_au_sort": [
            {"conseil": db.session.get(Council, v.council_id).name, "identifiant_public": v.public_id,
             "genre": v.gender.label if v.gender else None, "annee_naissance": v.birth_year, "retire": v.withdrawn}
            for v in volunteers
        ],
    }


register_processing(Processing(
    name=_l("Membres des conseils et volontaires des tirages au sort"),
    purpose=_l("Composer les conseils de développement et les conseils citoyens, vérifier la parité et la représentation des âges exigées par la loi, "
            "tirer au sort les habitants, convoquer les membres aux séances."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD) ; article L5211-10-1 du CGCT, loi 2014-173 (article 7)."),
    data=_l("Nom, adresse électronique, collège et rôle, dates de mandat ; genre et année de naissance (demandés aux seuls membres et volontaires, "
         "jamais publiés) ; réponses aux convocations et présence ; listes de volontaires importées (bailleurs sociaux, etc.)."),
    recipients=_l("Les agents chargés des conseils. Sont publics : le nom et le rôle des membres, et, pour un tirage au sort, des identifiants anonymes."),
    retention=lambda c: (
        _l("Pendant le mandat, puis l'historique des mandats (nom, collège, dates) reste avec les archives du conseil ; "
        "genre, année de naissance et motivation sont effacés quand la personne ferme son compte.")
    ),
))
