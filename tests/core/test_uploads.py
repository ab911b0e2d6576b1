from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from participation.core.errors import ValidationError
from participation.core.uploads import IMAGES, MB, StoredFile, send_stored_file, store_upload
from participation.extensions import db

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def test_a_real_pdf_is_stored_outside_static_under_a_random_name(app):
    stored = store_upload(upload(PDF_BYTES, "../../statuts de l'asso.pdf"))
    assert stored.mimetype == "application/pdf" and stored.size_bytes == len(PDF_BYTES)
    assert stored.original_name == "statuts de l'asso.pdf"
    assert stored.absolute_path.read_bytes() == PDF_BYTES
    assert str(stored.absolute_path).startswith(app.config["UPLOAD_DIR"])
    assert "statuts" not in stored.storage_path and "static" not in str(stored.absolute_path)
    assert db.session.get(StoredFile, stored.id) is stored


def test_a_file_renamed_pdf_is_refused_by_its_content(app):
    with pytest.raises(ValidationError, match="son contenu ne correspond pas"):
        store_upload(upload(b"MZ\x90\x00 not a pdf", "facture.pdf"))


def test_kinds_and_size_are_enforced(app):
    with pytest.raises(ValidationError, match=r"\(JPEG, PNG\)"):
        store_upload(upload(PDF_BYTES, "photo.png"), kinds=IMAGES)
    assert store_upload(upload(PNG_BYTES, "photo.png"), kinds=IMAGES).mimetype == "image/png"
    with pytest.raises(ValidationError, match="1 Mo au plus"):
        store_upload(upload(b"%PDF-" + b"0" * MB, "gros.pdf"), max_bytes=MB)
    with pytest.raises(ValidationError, match="Choisissez un fichier"):
        store_upload(None)
    with pytest.raises(ValidationError, match="vide"):
        store_upload(upload(b"", "vide.pdf"))


def test_a_stored_file_is_sent_as_a_sandboxed_attachment(app):
    stored = store_upload(upload(PDF_BYTES, "avis.pdf"))
    with app.test_request_context("/"):
        response = send_stored_file(stored)
        response.direct_passthrough = False
        assert response.get_data() == PDF_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "avis.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.headers["Cache-Control"] == "private, no-store"
