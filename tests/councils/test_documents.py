"""A sitting's official documents: the convocation (PDF and .ics, by mail), the attendance sheet, the minutes;
reference numbers of documents."""

from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

import sqlalchemy as sa

from participation.core.documents import DocumentReference, reference_for
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.councils import extras, sittings
from participation.councils.models import Minutes
from participation.extensions import db
from tests import factories
from tests.pdfcheck import check_official_pdf


def _council_with(n, **kwargs):
    council = factories.council(**kwargs)
    return council, [factories.member(council) for _ in range(n)]


def _client(app, user):
    client = app.test_client()
    client.login(user.email, factories.PASSWORD)
    return client


def test_references_are_sequential_per_kind_and_year_and_stable(app):
    council, _members = _council_with(0)
    sittings = [factories.sitting(council, days=d) for d in (3, 4, 5)]
    now = utcnow()
    first = reference_for("EMARG", sittings[0], now=now)
    second = reference_for("EMARG", sittings[1], now=now)
    # Another kind has its own numbering; a new year starts again at 1.
    other_kind = reference_for("CONV", sittings[1], now=now)
    next_year = reference_for("EMARG", sittings[2], now=now.replace(year=now.year + 1))
    assert (first.sequence + 1, first.year) == (second.sequence, second.year)
    assert first.code == f"EMARG-{first.year}-{first.sequence:03d}"
    assert other_kind.code.startswith(f"CONV-{now.year}-")
    assert next_year.code == f"EMARG-{now.year + 1}-001"
    # Issued again, a document keeps its number, its year and its date.
    assert reference_for("EMARG", sittings[0], now=now + timedelta(days=400)) is first
    assert db.session.scalar(sa.select(sa.func.count(DocumentReference.id)).where(DocumentReference.kind == "EMARG")) == 3


def test_the_attendance_sheet_lists_every_member_with_proxies_for_staff_only(app):
    council, members = _council_with(4)
    sitting = factories.sitting(council, days=3, publish=True)
    giver, holder, absent = members[0], members[1], members[2]
    sittings.answer_convocation(sitting, answer="present", actor=holder.user)
    sittings.answer_convocation(sitting, answer="represented", proxy=holder, actor=giver.user)
    sittings.answer_convocation(sitting, answer="absent", actor=absent.user)
    db.session.commit()
    url = f"/gestion/conseils/seances/{sitting.id}/emargement.pdf"

    assert _client(app, members[3].user).get(url).status_code == 403
    assert app.test_client().get(url).status_code in (302, 401)

    staff = _client(app, factories.staff())
    response = staff.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reference, text = check_official_pdf(response.data, kind="EMARG", title=sitting.title)
    for member in members:
        assert member.name in text
    assert f"Procuration donnée à {holder.name}" in text
    assert f"Procuration de {giver.name}" in text
    assert "Signature" in text
    # Downloaded again: the same reference.
    assert check_official_pdf(staff.get(url).data, kind="EMARG")[0] == reference
    # The staff page of the sitting links to it.
    page = staff.get(f"/gestion/conseils/seances/{sitting.id}").get_data(as_text=True)
    assert f'href="{url}"' in page
    # And to the convocation, as the members receive it.
    convocation = f"/gestion/conseils/seances/{sitting.id}/convocation.pdf"
    assert f'href="{convocation}"' in page
    assert _client(app, members[3].user).get(convocation).status_code == 403
    check_official_pdf(staff.get(convocation).data, kind="CONV", title=sitting.title)


def test_the_minutes_pdf_exists_once_approved(app):
    council, members = _council_with(2)
    sitting = factories.sitting(council, days=2, publish=True)
    later = factories.sitting(council, days=30)
    minutes = sittings.save_minutes(sitting, body="Les membres ont adopté le programme de travail.", actor=SYSTEM)
    db.session.commit()
    url = f"/conseils/{council.slug}/seances/{sitting.id}/proces-verbal.pdf"
    staff = _client(app, factories.staff())
    assert staff.get(url).status_code == 404  # a draft has no PDF

    sittings.submit_minutes(minutes, actor=SYSTEM)
    sittings.approve_minutes(minutes, at_sitting=later, actor=SYSTEM)
    db.session.commit()
    # Approved, not yet published: for members and staff, not for the public.
    assert app.test_client().get(url).status_code in (302, 401, 403)
    member = _client(app, members[0].user)
    response = member.get(url)
    assert response.status_code == 200
    reference, text = check_official_pdf(response.data, kind="PV", title=sitting.title)
    assert "Les membres ont adopté le programme de travail." in text
    staff_page = staff.get(f"/gestion/conseils/seances/{sitting.id}").get_data(as_text=True)
    assert f'href="{url}"' in staff_page

    sittings.publish_minutes(db.session.get(Minutes, minutes.id), actor=SYSTEM)
    db.session.commit()
    public = app.test_client().get(url)
    assert public.status_code == 200
    assert check_official_pdf(public.data, kind="PV")[0] == reference


def test_the_convocation_mail_carries_the_pdf_and_a_calendar_file(app, mailbox):
    import icalendar
    import vobject

    council, members = _council_with(2, name="Conseil de développement")
    president = factories.member(council, role="president")
    sitting = factories.sitting(council, days=3, items=2, title="Plénière d'automne")
    extras.add_document(council, upload=FileStorage(io.BytesIO(factories.pdf_bytes()), filename="cadrage.pdf",
                                                    content_type="application/pdf"),
                        title="Note de cadrage", sitting=sitting, actor=SYSTEM)
    sittings.publish_sitting(sitting, actor=SYSTEM)
    assert sitting.convened_at is not None
    rows = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "councils/convocation")).all()
    assert len(rows) == 3
    # The PDF is made by the worker that sends the mail, not by the request that convened.
    assert all(a.get("render") == "councils.convocation" and "content" not in a for row in rows for a in row.attachments
               if a["content_type"] == "application/pdf")

    deliver_due()
    [received] = [m for m in mailbox if members[0].user.email in m.recipients and m.subject == f"Convocation : {sitting.title}"]
    attachments = {a.get_filename(): a for a in received.message.iter_attachments()}
    assert set(attachments) == {f"convocation-{sitting.id}.pdf", "seance.ics"}

    pdf = attachments[f"convocation-{sitting.id}.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    reference, text = check_official_pdf(pdf.get_content(), kind="CONV", title=sitting.title)
    assert members[0].name in text  # the addressee
    assert "Point 1" in text and "Point 2" in text  # the agenda
    assert "Note de cadrage" in text  # the documents' list
    assert president.name in text  # the signature

    ics = attachments["seance.ics"]
    assert ics.get_content_type() == "text/calendar"
    content = ics.get_content()
    [vevent] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert "Plénière d'automne" in str(vevent["SUMMARY"])
    assert vevent.decoded("DTSTART") == sitting.starts_at
    parsed = vobject.readOne(content)
    assert "Plénière d'automne" in parsed.vevent.summary.value
    assert parsed.vevent.dtstart.value == sitting.starts_at


def test_a_pdf_reference_is_not_shared_between_two_subjects(app):
    council, _members = _council_with(0)
    one, two = factories.sitting(council, days=3), factories.sitting(council, days=4)
    references = {reference_for("PV", one).code, reference_for("PV", two).code, reference_for("PV", one).code}
    assert len(references) == 2


def test_the_attendance_sheet_runs_the_same_queries_for_a_small_or_a_large_council(app, count_queries):
    from participation.councils.documents import attendance_rows

    counts = []
    for size in (3, 40):
        council, members = _council_with(size)
        sitting = factories.sitting(council, days=3, publish=True)
        sittings.answer_convocation(sitting, answer="present", actor=members[1].user)
        sittings.answer_convocation(sitting, answer="represented", proxy=members[1], actor=members[0].user)
        db.session.flush()
        db.session.expire_all()
        sitting = db.session.get(type(sitting), sitting.id)
        with count_queries() as counter:
            rows = attendance_rows(sitting)
            names = [(row.member.name, row.member.college.name, [g.name for g in row.holds_for]) for row in rows]
        assert len(names) == size
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[1] <= 4
