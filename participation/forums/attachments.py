"""A consultation's documents and images: PDF documents and JPEG/PNG images shown with its presentation.

A removed attachment's file is erased once the change is committed (kept if
it is rolled back): the session listeners below are registered when this
module is imported, which the forums' views do at app start.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.permissions import require
from participation.core.uploads import IMAGES, JPEG, MB, PDF, PNG, store_upload
from participation.extensions import db
from participation.forums.models import AttachmentKind, Consultation, ConsultationAttachment
from flask_babel import gettext as _

ATTACHMENT_TYPES = (PDF, JPEG, PNG)


def add_attachment(consultation: Consultation, *, upload, title: str, alt_text: str = "", actor) -> ConsultationAttachment:
    """Attach a PDF document or a JPEG/PNG image to the consultation's presentation.

    The type is read from the file's first bytes, never from its name; an image needs its text alternative.
    """
    require(actor, "forums.manage", consultation)
    title = (title or "").strip()
    alt_text = (alt_text or "").strip()
    if not title:
        raise ValidationError(_("Indiquez le titre du document ou la légende de l'image."), field="title")
    stream = getattr(upload, "stream", None)
    if stream is not None and getattr(upload, "filename", ""):
        head = stream.read(16)
        stream.seek(0)
        if any(kind.matches(head) for kind in IMAGES) and not alt_text:
            raise ValidationError(_("Décrivez l'image en quelques mots : ce texte remplace l'image pour qui ne la voit pas."), field="alt_text")
    stored = store_upload(upload, kinds=ATTACHMENT_TYPES, max_bytes=current_app.config["FORUMS_ATTACHMENT_MAX_MB"] * MB, actor=actor, field="file")
    kind = AttachmentKind.image if stored.mimetype.startswith("image/") else AttachmentKind.document
    attachment = ConsultationAttachment(
        consultation_id=consultation.id, file_id=stored.id, kind=kind, title=title[:200],
        alt_text=alt_text[:300] if kind == AttachmentKind.image else "",
    )
    db.session.add(attachment)
    db.session.flush()
    record("consultation.attachment_added", consultation, actor,
           {"attachment_id": attachment.id, "title": attachment.title, "kind": kind, "file": stored.original_name})
    return attachment


def remove_attachment(attachment: ConsultationAttachment, *, actor) -> None:
    """Take a document or an image off the consultation; its file is erased once the change is committed."""
    consultation = db.session.get(Consultation, attachment.consultation_id)
    require(actor, "forums.manage", consultation)
    stored = attachment.file
    record("consultation.attachment_removed", consultation, actor,
           {"attachment_id": attachment.id, "title": attachment.title, "file": stored.original_name})
    db.session.delete(attachment)
    db.session.flush()
    db.session.delete(stored)
    db.session.flush()
    db.session.info.setdefault(_FILES_TO_ERASE, []).append(stored.absolute_path)


_FILES_TO_ERASE = "forums.files_to_erase"


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _erase_removed_files(session) -> None:
    for path in session.info.pop(_FILES_TO_ERASE, []):
        path.unlink(missing_ok=True)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _keep_files(session) -> None:
    session.info.pop(_FILES_TO_ERASE, None)


def attachments_of(consultation: Consultation) -> list[ConsultationAttachment]:
    """Images first, then documents, in the order they were added (one query)."""
    return list(db.session.scalars(
        sa.select(ConsultationAttachment)
        .where(ConsultationAttachment.consultation_id == consultation.id)
        .order_by(ConsultationAttachment.kind.desc(), ConsultationAttachment.id)
    ).unique())
