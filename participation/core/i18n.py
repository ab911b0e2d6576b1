"""Translations: French is the source language, English is offered.

The catalogues live as ``translations/<lang>/LC_MESSAGES/messages.po`` in the
repository; at start-up they are compiled into ``instance/translations`` when
the ``.po`` is newer than its ``.mo``, so no binary file is kept in git and
no build step is needed.

To update after changing strings::

    pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
    pybabel update -i translations/messages.pot -d translations
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def compile_catalogues(source: Path, target: Path) -> Path:
    """Compile every ``.po`` under ``source`` into ``target``; returns ``target``."""
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        relative = po_path.relative_to(source).with_suffix(".mo")
        mo_path = target / relative
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale=relative.parts[0])
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, catalogue)
        temporary.replace(mo_path)
        log.info("Catalogue de traduction compilé : %s", relative)
    return target


def missing_translations(catalogue) -> list[str]:
    """The message ids of a Babel ``catalogue`` without a usable translation:
    empty (any plural form) or marked fuzzy. The header entry is ignored."""
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
