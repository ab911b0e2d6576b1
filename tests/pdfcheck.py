"""What every official PDF must carry: read back with pypdf, as a screen reader or a filing system would."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def check_official_pdf(data: bytes, *, kind: str, title: str | None = None) -> tuple[str, str]:
    """Assert the PDF opens, is tagged (PDF/UA) with a title and the French language, and carries the
    authority's letterhead and a reference of ``kind`` (« AVIS-2026-004 »); returns the reference and the text."""
    from participation.territory.services import current_territory

    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Outlines"]["/Count"] != 0  # the headings, as bookmarks
    assert str(root["/Lang"]).lower().startswith("fr")
    metadata_title = reader.metadata.title if reader.metadata else None
    assert metadata_title, "the PDF has no title"
    if title is not None:
        assert title in metadata_title
    text = text_of(data)
    flat = " ".join(text.split())
    assert " ".join(current_territory().name.split()) in flat
    found = re.search(rf"\b{kind}-(\d{{4}})-(\d{{3,}})\b", flat)
    assert found, f"no {kind} reference in the text"
    return found.group(0), flat
