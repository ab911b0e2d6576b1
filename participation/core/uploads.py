"""Uploaded files: checked by content, stored outside ``static/``, served only to those allowed.

A domain keeps a foreign key to ``StoredFile`` and decides who may read it;
this module checks the upload (its first bytes, not its name), stores it
under ``UPLOAD_DIR`` with a random name, and sends it back as an attachment.

    stored = store_upload(form.document.data, kinds=DOCUMENTS, max_bytes=5 * MB, actor=current_user)
    ...
    return send_stored_file(stored)   # after the view has checked the permission
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, send_file
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from participation.core.errors import ValidationError
from participation.core.models import Base, IdMixin, UTCDateTime, utcnow
from flask_babel import gettext as _

MB = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    extension: str
    mimetype: str
    label: str
    # The first bytes every file of this kind starts with.
    signatures: tuple[bytes, ...]

    def matches(self, head: bytes) -> bool:
        return any(head.startswith(signature) for signature in self.signatures)


PDF = FileKind("pdf", "application/pdf", "PDF", (b"%PDF-",))
JPEG = FileKind("jpg", "image/jpeg", "JPEG", (b"\xff\xd8\xff",))
PNG = FileKind("png", "image/png", "PNG", (b"\x89PNG\r\n\x1a\n",))
DOCUMENTS = (PDF, JPEG, PNG)
IMAGES = (JPEG, PNG)


class StoredFile(IdMixin, Base):
    __tablename__ = "stored_files"
    __table_args__ = (sa.CheckConstraint("size_bytes >= 0", name="size_positive"),)

    # The name the person's file had, shown and used when it is downloaded again.
    original_name: Mapped[str] = mapped_column(sa.String(255))
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    # SHA-256 of the content: integrity, and spotting the same file sent twice.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    # Path relative to UPLOAD_DIR; a random name, never the person's.
    storage_path: Mapped[str] = mapped_column(sa.String(300), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def absolute_path(self) -> Path:
        return Path(current_app.config["UPLOAD_DIR"]) / self.storage_path


def check_upload(upload: FileStorage | None, *, kinds=DOCUMENTS, max_bytes: int = 10 * MB, field: str = "file") -> tuple[bytes, FileKind]:
    """Read the upload and return its content and kind, or refuse it with a French message."""
    allowed = ", ".join(kind.label for kind in kinds)
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationError(_("Choisissez un fichier."), field=field)
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(_("Le fichier dépasse la taille autorisée (%(value)s Mo au plus).", value=max_bytes // MB), field=field)
    if not content:
        raise ValidationError(_("Le fichier est vide."), field=field)
    kind = next((k for k in kinds if k.matches(content[:16])), None)
    if kind is None:
        raise ValidationError(_("Ce fichier n'est pas d'un type accepté (%(allowed)s) : son contenu ne correspond pas, quel que soit son nom.", allowed=allowed), field=field)
    return content, kind


def store_upload(upload: FileStorage | None, *, kinds=DOCUMENTS, max_bytes: int = 10 * MB, actor=None, field: str = "file") -> StoredFile:
    """Check and store an upload; the row is added to the session (the file is on disk at once)."""
    from participation.extensions import db

    content, kind = check_upload(upload, kinds=kinds, max_bytes=max_bytes, field=field)
    name = Path(upload.filename).name[:200] or f"fichier.{kind.extension}"
    relative = Path(utcnow().strftime("%Y/%m")) / f"{secrets.token_hex(16)}.{kind.extension}"
    target = Path(current_app.config["UPLOAD_DIR"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    stored = StoredFile(
        original_name=name,
        mimetype=kind.mimetype,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_path=str(relative),
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def send_stored_file(stored: StoredFile, *, inline: bool = False):
    """Send the file; the caller has already checked that the person may read it."""
    response = send_file(
        stored.absolute_path,
        mimetype=stored.mimetype,
        as_attachment=not inline,
        download_name=stored.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
