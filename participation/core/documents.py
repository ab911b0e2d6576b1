"""Official documents: reference numbers and the letter around every PDF.

Each document the platform issues (an opinion, a synthesis, the minutes of a
sitting…) gets a reference unique per kind and year, « AVIS-2026-004 »,
allocated when it is first issued and kept afterwards: downloading the
document again shows the same reference and the same date.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_date as babel_format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import Base, IdMixin, UTCDateTime, utcnow

# The kinds of documents, their reference prefix and what they are called.
KINDS: dict[str, object] = {
    "AVIS": _l("Avis"),
    "SYNTH": _l("Synthèse de concertation"),
    "RAPP": _l("Rapport d'activité"),
    "SUIVI": _l("Rapport d'avancement"),
    "TDB": _l("Tableau de bord"),
    "QUEST": _l("Résultats de questionnaire"),
    "BILAN": _l("Bilan de la participation"),
    "SUBV": _l("Demande de subvention"),
    "PV": _l("Procès-verbal"),
    "EMARG": _l("Feuille d'émargement"),
    "CONV": _l("Convocation"),
}


class DocumentReference(IdMixin, Base):
    """The reference of one issued document: kind, year and sequence, and what it is about."""

    __tablename__ = "document_references"
    __table_args__ = (
        sa.UniqueConstraint("kind", "year", "sequence", name="uq_document_references_number"),
        sa.UniqueConstraint("kind", "subject_type", "subject_id", name="uq_document_references_subject"),
        sa.CheckConstraint("sequence > 0", name="sequence_positive"),
    )

    kind: Mapped[str] = mapped_column(sa.String(10))
    year: Mapped[int]
    sequence: Mapped[int]
    # What the document is about: a table name and a row id (the opinion, the sitting…).
    subject_type: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def code(self) -> str:
        return f"{self.kind}-{self.year}-{self.sequence:03d}"

    @property
    def issued_on(self) -> date:
        from participation.core.dates import territory_zone

        return self.issued_at.astimezone(territory_zone()).date()


def _subject_key(subject) -> tuple[str, int]:
    return subject.__tablename__, int(subject.id)


def reference_for(kind: str, subject, *, now: datetime | None = None) -> DocumentReference:
    """The document's reference, allocated at its first issue (next number of its kind and year)."""
    from participation.core.dates import territory_zone
    from participation.extensions import db

    if kind not in KINDS:
        raise ValueError(f"Type de document inconnu : {kind}")
    subject_type, subject_id = _subject_key(subject)
    where = (DocumentReference.kind == kind, DocumentReference.subject_type == subject_type,
             DocumentReference.subject_id == subject_id)
    for _attempt in range(5):
        existing = db.session.scalar(sa.select(DocumentReference).where(*where))
        if existing is not None:
            return existing
        moment = now or utcnow()
        year = moment.astimezone(territory_zone()).year
        last = db.session.scalar(sa.select(sa.func.max(DocumentReference.sequence))
                                 .where(DocumentReference.kind == kind, DocumentReference.year == year))
        reference = DocumentReference(kind=kind, year=year, sequence=(last or 0) + 1, subject_type=subject_type,
                                      subject_id=subject_id, issued_at=moment)
        # Two downloads at once may both take the next number: the unique constraints
        # decide, and the loser reads again (the same subject's reference, or the next number).
        try:
            with db.session.begin_nested():
                db.session.add(reference)
        except sa.exc.IntegrityError:
            continue
        return reference
    raise RuntimeError("Impossible d'attribuer une référence de document.")


def long_date(value: date) -> str:
    """« 1er décembre 2026 », « 3 mars 2026 »: the date of a letter (without the weekday)."""
    from participation.core.dates import _is_french

    if value.day == 1 and _is_french():
        return babel_format_date(value, "'1er' MMMM y")
    return babel_format_date(value, "d MMMM y")


@dataclass
class Signature:
    name: str
    title: str


@dataclass
class Document:
    """What the shared layout of a PDF shows around its content."""

    reference: str
    kind_label: str
    title: str
    issued_on: date
    url: str | None = None
    addressee: list[str] = field(default_factory=list)
    signature: Signature | None = None

    @property
    def date_text(self) -> str:
        return long_date(self.issued_on)


def issue(kind: str, subject, *, title: str, url: str | None = None, addressee: list[str] | None = None,
          signature: Signature | None = None) -> Document:
    """The document ``kind`` about ``subject``, with its stable reference and date of issue."""
    reference = reference_for(kind, subject)
    return Document(reference=reference.code, kind_label=str(KINDS[kind]), title=title, issued_on=reference.issued_on,
                    url=url, addressee=[line for line in (addressee or []) if line], signature=signature)


def letterhead() -> dict:
    """The authority's name, address and logo (as a data URI: a PDF reads no uploaded file by address)."""
    from participation.core.uploads import StoredFile
    from participation.extensions import db
    from participation.territory.services import current_territory

    territory = current_territory()
    logo = None
    if territory is not None and territory.logo_file_id:
        stored = db.session.get(StoredFile, territory.logo_file_id)
        try:
            data = stored.absolute_path.read_bytes() if stored is not None else None
        except OSError:
            data = None
        if data:
            logo = f"data:{stored.mimetype};base64,{base64.b64encode(data).decode('ascii')}"
    return {
        "name": territory.name if territory is not None else "",
        "kind": territory.kind if territory is not None else "",
        "address": (territory.address or "") if territory is not None else "",
        "logo": logo,
    }
