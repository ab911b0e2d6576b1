"""Documents and images of a consultation: checked by content, shown on its page, served to those who may see it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.permissions import SYSTEM
from participation.core.uploads import StoredFile
from participation.extensions import db
from participation.forums import attachments, services
from participation.forums.models import AttachmentKind, ConsultationAttachment
from tests import factories


def _login(client, person):
    client.login(person.email, factories.PASSWORD)


def _upload(client, consultation, content: bytes, filename: str, **fields):
    path = f"/gestion/concertations/{consultation.id}"
    data = {"file": (io.BytesIO(content), filename), "title": "Dossier de concertation", "alt_text": "", **fields}
    return client.submit(f"{path}/fichiers", data, form_path=path, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_staff_attach_a_document_shown_with_its_type_and_size(client):
    consultation = factories.consultation(title="Plan vélo")
    _login(client, factories.staff())
    response = _upload(client, consultation, factories.pdf_bytes(1_258_291), "dossier-v3.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith("#fichiers")

    page = client.get(f"/concertations/{consultation.id}").get_data(as_text=True)
    attached = db.session.scalar(sa.select(ConsultationAttachment))
    assert attached.kind == AttachmentKind.document and attached.file.original_name == "dossier-v3.pdf"
    link = f'<a href="/concertations/{consultation.id}/fichiers/{attached.id}" download>Dossier de concertation</a> (PDF, 1,2 Mo)'
    assert link in page

    download = client.get(f"/concertations/{consultation.id}/fichiers/{attached.id}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF-") and "attachment" in download.headers["Content-Disposition"]
    assert "dossier-v3.pdf" in download.headers["Content-Disposition"]


def test_a_fake_pdf_is_refused_whatever_its_name(client):
    consultation = factories.consultation()
    _login(client, factories.staff())
    response = _upload(client, consultation, b"<html><script>alert(1)</script></html>", "dossier.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "son contenu ne correspond pas, quel que soit son nom" in page and 'id="file-erreur"' in page
    assert _count(ConsultationAttachment) == 0 and _count(StoredFile) == 0


def test_a_file_over_the_size_limit_is_refused(client, app):
    consultation = factories.consultation()
    _login(client, factories.staff())
    app.config["FORUMS_ATTACHMENT_MAX_MB"] = 1
    try:
        response = _upload(client, consultation, factories.pdf_bytes(1024 * 1024 + 1), "gros.pdf")
    finally:
        app.config["FORUMS_ATTACHMENT_MAX_MB"] = 10
    assert response.status_code == 422 and "Le fichier dépasse la taille autorisée (1 Mo au plus)." in response.get_data(as_text=True)
    assert _count(ConsultationAttachment) == 0 and _count(StoredFile) == 0


def test_an_image_needs_its_text_alternative_and_is_shown_inline(client):
    consultation = factories.consultation()
    _login(client, factories.staff())
    response = _upload(client, consultation, factories.png_bytes(), "plan.png", title="Le futur carrefour")
    assert response.status_code == 422 and "Décrivez l&#39;image en quelques mots" in response.get_data(as_text=True)
    assert _count(StoredFile) == 0

    response = _upload(client, consultation, factories.png_bytes(), "plan.png", title="Le futur carrefour",
                       alt_text="Carrefour avec une piste cyclable protégée de chaque côté")
    assert response.status_code == 302
    attached = db.session.scalar(sa.select(ConsultationAttachment))
    page = client.get(f"/concertations/{consultation.id}").get_data(as_text=True)
    assert (f'<img src="/concertations/{consultation.id}/fichiers/{attached.id}" '
            'alt="Carrefour avec une piste cyclable protégée de chaque côté">') in page
    assert "<figcaption>Le futur carrefour</figcaption>" in page
    image = client.get(f"/concertations/{consultation.id}/fichiers/{attached.id}")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline") and "sandbox" in image.headers["Content-Security-Policy"]


def test_the_database_refuses_an_image_without_text_alternative():
    consultation = factories.consultation()
    attached = factories.attachment(consultation, image=True)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.update(ConsultationAttachment).where(ConsultationAttachment.id == attached.id).values(alt_text=" "))


def test_who_may_download_a_draft_s_file(app):
    draft = factories.consultation(state="draft")
    attached = factories.attachment(draft)
    path = f"/concertations/{draft.id}/fichiers/{attached.id}"

    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"]
    resident = app.test_client()
    _login(resident, factories.user())
    assert resident.get(path).status_code == 403
    staff = app.test_client()
    _login(staff, factories.staff())
    assert staff.get(path).status_code == 200

    # Published, the consultation and its files are public.
    services.publish_consultation(draft, actor=SYSTEM)
    assert app.test_client().get(path).status_code == 200
    # A file is served under its own consultation only.
    other = factories.consultation()
    assert app.test_client().get(f"/concertations/{other.id}/fichiers/{attached.id}").status_code == 404


def test_staff_remove_a_file_and_residents_cannot(client, app):
    consultation = factories.consultation()
    attached = factories.attachment(consultation, title="Ancien dossier")
    on_disk = Path(attached.file.absolute_path)
    assert on_disk.exists()
    staff_path = f"/gestion/concertations/{consultation.id}"
    attachment_id = attached.id
    remove = f"{staff_path}/fichiers/{attachment_id}/retirer"

    resident = app.test_client()
    _login(resident, factories.user())
    # A valid token (read from a form the resident has), so the refusal is about who they are.
    assert resident.post(remove, data={"csrf_token": resident.csrf_token("/compte/profil")}).status_code == 403
    assert _count(ConsultationAttachment) == 1

    _login(client, factories.staff())
    page = client.get(staff_path).get_data(as_text=True)
    assert "Ancien dossier" in page and "Retirer" in page
    response = client.submit(remove, {}, form_path=staff_path)
    assert response.status_code == 302
    assert _count(ConsultationAttachment) == 0 and _count(StoredFile) == 0
    assert not on_disk.exists()
    assert "« Ancien dossier » est retiré" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ancien dossier" not in client.get(f"/concertations/{consultation.id}").get_data(as_text=True)
    assert client.get(f"/concertations/{consultation.id}/fichiers/{attachment_id}").status_code == 404


def test_attaching_is_for_staff_only():
    consultation = factories.consultation()
    resident = factories.user()
    with pytest.raises(Exception, match="(?i)permission|autoris|réservé"):
        attachments.add_attachment(consultation, upload=factories.upload(factories.pdf_bytes(), "a.pdf"), title="X", actor=resident)
    with pytest.raises(ValidationError, match="titre"):
        attachments.add_attachment(consultation, upload=factories.upload(factories.pdf_bytes(), "a.pdf"), title=" ", actor=SYSTEM)


def test_the_consultation_page_reads_its_files_in_one_query(client, count_queries):
    consultation = factories.consultation()
    factories.attachment(consultation)
    path = f"/concertations/{consultation.id}"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    for n in range(6):
        factories.attachment(consultation, image=n % 2 == 0)
    with count_queries() as many:
        page = client.get(path).get_data(as_text=True)
    assert page.count("<figure") == 3
    assert many.count == few.count
