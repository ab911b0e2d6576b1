"""Who may see what: public pages, the members' space, closed sittings, the back office."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.councils import extras
from tests import factories


@pytest.fixture
def two_councils():
    a, b = factories.council("Conseil A"), factories.council("Conseil B")
    return a, b, factories.member(a), factories.member(b)


def test_a_resident_cannot_see_a_private_space(client, two_councils):
    a, b, member_a, member_b = two_councils
    resident = factories.user()
    client.login(resident.email, factories.PASSWORD)
    assert client.get(f"/conseils/{a.slug}").status_code == 200
    assert client.get(f"/conseils/{a.slug}/espace").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, two_councils):
    a, *_ = two_councils
    response = client.get(f"/conseils/{a.slug}/espace")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
    response = client.get("/gestion/conseils/")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_a_member_of_one_council_cannot_see_anothers_space_closed_sittings_or_documents(client, two_councils):
    a, b, member_a, member_b = two_councils
    closed_b = factories.sitting(b, days=4, publish=True, is_public=False, title="Réunion à huis clos")
    document = extras.add_document(b, upload=_pdf(), title="Note interne", actor=SYSTEM)
    client.login(member_a.user.email, factories.PASSWORD)
    assert client.get(f"/conseils/{a.slug}/espace").status_code == 200
    assert client.get(f"/conseils/{b.slug}/espace").status_code == 403
    assert client.get(f"/conseils/{b.slug}/seances/{closed_b.id}").status_code == 403
    assert client.get(f"/conseils/{b.slug}/documents/{document.id}").status_code == 403
    # Nor answer B's convocation.
    refused = client.submit(f"/conseils/{b.slug}/seances/{closed_b.id}", {"answer": "present"}, form_path=f"/conseils/{a.slug}")
    assert refused.status_code == 302
    from participation.councils.models import Attendance
    from participation.extensions import db

    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    other = client.application.test_client()
    other.login(member_b.user.email, factories.PASSWORD)
    assert other.get(f"/conseils/{b.slug}/seances/{closed_b.id}").status_code == 200
    assert other.get(f"/conseils/{b.slug}/documents/{document.id}").status_code == 200
    assert "Réunion à huis clos" not in client.get(f"/conseils/{b.slug}/seances").get_data(as_text=True)


def test_the_back_office_is_for_staff_only(client, two_councils):
    a, *_ = two_councils
    resident = factories.user()
    client.login(resident.email, factories.PASSWORD)
    for path in ("/gestion/conseils/", f"/gestion/conseils/{a.id}", f"/gestion/conseils/{a.id}/tirages",
                 f"/gestion/conseils/{a.id}/seances", f"/gestion/conseils/{a.id}/travaux"):
        assert client.get(path).status_code == 403, path
    staff = client.application.test_client()
    staff.login(factories.staff().email, factories.PASSWORD)
    for path in ("/gestion/conseils/", f"/gestion/conseils/{a.id}", f"/gestion/conseils/{a.id}/tirages",
                 f"/gestion/conseils/{a.id}/seances", f"/gestion/conseils/{a.id}/travaux", f"/gestion/conseils/{a.id}/historique",
                 f"/gestion/conseils/{a.id}/modifier", "/gestion/conseils/nouveau"):
        assert staff.get(path).status_code == 200, path


def test_a_draft_council_is_not_public(client):
    draft = factories.council(published=False)
    assert client.get(f"/conseils/{draft.slug}").status_code == 404
    assert draft.name not in client.get("/conseils/").get_data(as_text=True)


def test_bad_input_is_told_next_to_the_field_and_changes_nothing(client):
    council = factories.council()
    staff = factories.staff()
    client.login(staff.email, factories.PASSWORD)
    response = client.submit(f"/gestion/conseils/{council.id}/seances", {"title": "Plénière", "kind": "plenary", "starts_at": "2020-01-01T18:00",
                                                                        "place": "Salle"})
    assert response.status_code == 422
    assert "Une séance se prévoit dans le futur." in response.get_data(as_text=True)
    response = client.submit(f"/gestion/conseils/{council.id}/tirages", {"title": "T", "college": str(council.colleges[0].id), "seats": "4",
                                                                        "quotas": "genre: femme=3, homme=3"})
    assert response.status_code == 422 and "totalise 6 pour 4 sièges" in response.get_data(as_text=True)


def _pdf():
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), filename="note.pdf",
                       content_type="application/pdf")
