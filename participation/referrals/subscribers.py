"""What referral events cause: notices to the council's members and followers, mail to the departments."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.french import de
from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.urls import external_url
from participation.core.dates import format_day
from participation.councils.models import Membership, Sitting, WorkingGroupMember
from participation.councils import services as councils
from participation.councils.services import members_query
from participation.extensions import db
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, mail_address, tell, tell_staff
from participation.referrals import services
from participation.referrals.models import Opinion, Referral, ReferralFollower
from flask_babel import lazy_gettext as _l


def _path(referral: Referral) -> str:
    return f"/saisines/{referral.id}"


def _tell(users, title: str, url: str, event: DomainEvent, key: str, category: Category = Category.councils_work,
          about: str | None = None, seen: set | None = None) -> None:
    """Tell each person once (``seen`` carries who was told already under another category)."""
    seen = set() if seen is None else seen
    people = []
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        people.append(user)
    for user in people:
        tell(user, category, title, url=url, event=event, dedup_key=f"{key}:{user.id}", about=about)


@subscribe("referral.received", "referral.proposed")
def tell_bureau(event: DomainEvent) -> None:
    referral: Referral = event.subject
    what = _l("Nouvelle saisine") if event.name == "referral.received" else _l("Proposition d'auto-saisine")
    _tell([m.user for m in services.referral_members(referral, roles=services.BUREAU_ROLES)],
          f"{what} {de(referral.council.name)} : « {referral.subject} »", _path(referral), event, f"{event.name}:{referral.id}")


def _group_users(referral: Referral) -> list:
    members = db.session.scalars(sa.select(WorkingGroupMember).where(WorkingGroupMember.group_id == referral.working_group_id)).all()
    return [m.membership.user for m in members]


@subscribe("referral.started", "referral.group_changed")
def tell_group(event: DomainEvent) -> None:
    referral: Referral = event.subject
    _tell(_group_users(referral), _l("Votre groupe de travail est chargé de la saisine « %(subject)s »", subject=referral.subject),
          f"/saisines/{referral.id}/redaction", event, f"referral.group:{referral.id}:{referral.working_group_id}")


@subscribe("opinion.submitted")
def tell_vote_ready(event: DomainEvent) -> None:
    """The group reviews the draft it proposes; every member hears of it when the vote is scheduled."""
    opinion: Opinion = event.subject
    referral = opinion.referral
    _tell(_group_users(referral), _l("Le projet d'avis « %(subject)s » est prêt pour le vote", subject=referral.subject),
          f"/saisines/{referral.id}/redaction", event, f"opinion.submitted:{event.id}")


@subscribe("opinion.vote_scheduled")
def tell_vote_scheduled(event: DomainEvent) -> None:
    """Every member votes: each is told in the app and by mail, once per sitting the vote is put on."""
    opinion: Opinion = event.subject
    referral = opinion.referral
    sitting = db.session.get(Sitting, event.data["sitting_id"])
    key = f"opinion.vote_scheduled:{opinion.id}:{sitting.id}"
    members = services.referral_members(referral)
    url = external_url("referrals.drafting", referral_id=referral.id)
    for member in members:
        if member.user is not None:
            # A member's vote is their own case, like a convocation: always mailed.
            tell(member.user, OWN_CASE, _l("Vote programmé : l'avis « %(subject)s » sera voté le %(starts_at)s", subject=referral.subject, starts_at=format_day(sitting.starts_at)),
                 url=f"/saisines/{referral.id}/redaction", event=event, dedup_key=f"{key}:{member.user.id}", mail_key=f"{key}:{member.user.id}",
                 mail_subject=_l("Vote programmé : avis « %(subject)s »", subject=referral.subject), mail_template="referrals/vote_scheduled",
                 referral=referral, sitting=sitting, member=member, mail_url=url)


def _tell_audience(referral: Referral, title: str, url: str, event: DomainEvent, key: str) -> None:
    """Who hears of a published opinion or answer: its members (their council's work), then
    the referral's and the council's followers (what they follow)."""
    seen: set = set()
    _tell([m.user for m in services.referral_members(referral)], title, url, event, key, Category.councils_work, referral.subject, seen)
    _tell([f.user for f in services.followers_of(referral)] + councils.followers(referral.council), title, url, event, key,
          Category.followed_councils, referral.subject, seen)


@subscribe("opinion.published")
def tell_published(event: DomainEvent) -> None:
    opinion: Opinion = event.subject
    referral = opinion.referral
    _tell_audience(referral, _l("L'avis %(de_name)s sur « %(subject)s » est publié", de_name=de(referral.council.name), subject=referral.subject), f"/saisines/{referral.id}/avis",
                   event, f"opinion.published:{opinion.id}")


@subscribe("referral.transmitted")
def mail_department(event: DomainEvent) -> None:
    """The department's shared address gets the opinion; its agents hear of the answer to write."""
    referral: Referral = event.subject
    department = referral.department
    if department is None:
        return
    tell_staff(("staff", "admin"), _l("Avis transmis pour réponse : « %(subject)s »", subject=referral.subject), department_id=department.id,
               url=f"/gestion/saisines/{referral.id}", event=event, dedup_key=f"referral.transmitted:{referral.id}",
               about=referral.council.name)
    if not department.email:
        return
    mail_address(reason="shared_mailbox", to=department.email, subject=_l("Avis %(de_name)s : « %(subject)s »", de_name=de(referral.council.name), subject=referral.subject),
               template="referrals/transmitted", dedup_key=f"referral.transmitted:{referral.id}", referral=referral,
               opinion=referral.opinion, department=department,
               url=external_url("referrals.opinion", referral_id=referral.id),
               pdf_url=external_url("referrals.opinion_pdf", referral_id=referral.id))


@subscribe("referral.answered")
def tell_answered(event: DomainEvent) -> None:
    referral: Referral = event.subject
    _tell_audience(referral, _l("La collectivité a répondu à l'avis « %(subject)s »", subject=referral.subject), _path(referral), event, f"referral.answered:{referral.id}")


@subscribe("activity_report.published")
def tell_report_published(event: DomainEvent) -> None:
    report = event.subject
    council = report.council
    members = db.session.scalars(members_query(council).options(sa.orm.joinedload(Membership.user))).all()
    _tell([m.user for m in members], _l("Le rapport d'activité %(year)s %(de_name)s est publié", year=report.year, de_name=de(council.name)),
          f"/saisines/rapports/{council.slug}/{report.year}", event, f"activity_report.published:{report.id}")


@subscribe("user.closed")
def forget_follows(event: DomainEvent) -> None:
    db.session.execute(sa.delete(ReferralFollower).where(ReferralFollower.user_id == event.subject_id))


@personal_data.section("saisines")
def referrals_section(user) -> dict:
    follows = db.session.scalars(sa.select(ReferralFollower).where(ReferralFollower.user_id == user.id).order_by(ReferralFollower.id)).all()
    return {"saisines_suivies": [{"saisine": db.session.get(Referral, f.referral_id).subject, "depuis": f.created_at.isoformat()}
                                 for f in follows]}
