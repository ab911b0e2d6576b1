"""A council's official documents: the president's signature, the minutes, the
attendance sheet and the convocation of a sitting, as PDF; the sitting's calendar file."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.core.documents import Signature, issue
from participation.core.french import de
from participation.core.outbox import attachment_renderer
from participation.core.urls import external_url
from participation.councils.models import (Attendance, Council, CouncilDocument, MemberRole, Membership, MembershipState, Minutes,
                                           MinutesState, Sitting)
from participation.extensions import db


def president_signature(council: Council) -> Signature | None:
    """The signature block of the council's president (or co-president), when it has one."""
    roles = (MemberRole.president, MemberRole.co_president)
    president = db.session.scalars(
        sa.select(Membership).where(Membership.council_id == council.id, Membership.state == MembershipState.active,
                                    Membership.role.in_(roles))
        .order_by(sa.case((Membership.role == MemberRole.president, 0), else_=1), Membership.id).limit(1)).first()
    if president is None:
        return None
    return Signature(name=president.name, title=f"{president.role.label} {de(council.name)}")


def _sitting_url(sitting: Sitting) -> str:
    return external_url("councils.sitting", slug=sitting.council.slug, sitting_id=sitting.id)


def minutes_pdf_available(minutes: Minutes | None) -> bool:
    return minutes is not None and minutes.state in (MinutesState.approved, MinutesState.published)


def minutes_pdf(minutes: Minutes) -> bytes:
    from participation.core.pdf import render_pdf

    sitting = minutes.sitting
    document = issue("PV", minutes, title=_("Procès-verbal de la séance « %(title)s »", title=sitting.title),
                     url=_sitting_url(sitting), signature=president_signature(sitting.council))
    return render_pdf("councils/minutes_pdf.html", document=document, minutes=minutes, sitting=sitting,
                      rows=attendance_rows(sitting))


@dataclass
class SheetRow:
    member: Membership
    answer: str | None
    # The member whose proxy this member holds (a member may hold several).
    holds_for: list[Membership]
    # The member this member gave their proxy to.
    proxy_to: Membership | None
    attended: bool | None


def attendance_rows(sitting: Sitting) -> list[SheetRow]:
    """Every convened member, with the proxies given and held. Two queries, whatever the council's size."""
    from participation.councils.sittings import convened_members

    members = convened_members(sitting)
    by_id = {m.id: m for m in members}
    attendances = {a.membership_id: a for a in db.session.scalars(sa.select(Attendance).where(Attendance.sitting_id == sitting.id))}
    holds: dict[int, list[Membership]] = {}
    for attendance in attendances.values():
        if attendance.proxy_id is not None and attendance.membership_id in by_id:
            holds.setdefault(attendance.proxy_id, []).append(by_id[attendance.membership_id])
    rows = []
    for member in members:
        attendance = attendances.get(member.id)
        proxy_to = by_id.get(attendance.proxy_id) if attendance is not None and attendance.proxy_id else None
        rows.append(SheetRow(member=member, answer=attendance.answer.label if attendance is not None and attendance.answer else None,
                             holds_for=holds.get(member.id, []), proxy_to=proxy_to,
                             attended=attendance.attended if attendance is not None else None))
    return rows


def attendance_sheet_pdf(sitting: Sitting) -> bytes:
    from participation.core.pdf import render_pdf

    document = issue("EMARG", sitting, title=_("Feuille d'émargement — %(title)s", title=sitting.title), url=_sitting_url(sitting))
    return render_pdf("councils/attendance_pdf.html", document=document, sitting=sitting, rows=attendance_rows(sitting))


def sitting_documents(sitting: Sitting) -> list[CouncilDocument]:
    return db.session.scalars(sa.select(CouncilDocument).where(CouncilDocument.sitting_id == sitting.id)
                              .order_by(CouncilDocument.id)).all()


def convocation_pdf(sitting: Sitting, member: Membership | None = None) -> bytes:
    """The convocation: date, place, agenda and the documents' list; addressed to ``member`` when given."""
    from participation.core.pdf import render_pdf

    document = issue("CONV", sitting, title=_("Convocation — %(title)s", title=sitting.title), url=_sitting_url(sitting),
                     addressee=[member.name, member.organisation or ""] if member is not None else None,
                     signature=president_signature(sitting.council))
    return render_pdf("councils/convocation_pdf.html", document=document, sitting=sitting, member=member,
                      documents=sitting_documents(sitting))


def sitting_ics(sitting: Sitting) -> str:
    """The sitting as an iCalendar file (one event), for the convocation mail."""
    from participation.agenda.ical import build_calendar
    from participation.councils.agenda import sitting_item

    return build_calendar([sitting_item(sitting)], name=sitting.title, method="PUBLISH").decode()


# Attachments rendered by the mail worker when it sends the mail (see core.outbox).
@attachment_renderer("councils.convocation")
def render_convocation_attachment(sitting_id: int, membership_id: int | None = None) -> bytes:
    sitting = db.session.get(Sitting, sitting_id)
    member = db.session.get(Membership, membership_id) if membership_id else None
    return convocation_pdf(sitting, member)
