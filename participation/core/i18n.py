"""Translations: French is the source language, English is offered.

The catalogues live as ``translations/<lang>/LC_MESSAGES/messages.po`` in the
repository; at start-up they are compiled into ``instance/translations`` when
the ``.po`` is newer than its ``.mo``, so no binary file is kept in git and
no build step is needed.

To update after changing strings::

    pybabel extract --no-wrap -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 -o translations/messages.pot .
    pybabel update --no-wrap --ignore-obsolete -i translations/messages.pot -d translations
"""

from __future__ import annotations

import logging
import os
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
        # A file of this process's own: gunicorn's workers may compile at the same moment.
        temporary = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
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
def register_lazy_string_adapters() -> None:
    """Let SQLite and psycopg bind a ``LazyString`` (``lazy_gettext``) as the text it reads,
    and let templates escape it like any other text."""
    import sqlite3

    from flask_babel.speaklater import LazyString
    from markupsafe import escape

    sqlite3.register_adapter(LazyString, str)
    # flask_babel marks a lazy string safe HTML as it is; it may carry a title
    # someone typed (``_l("… %(title)s", title=…)``): escape it like any text.
    LazyString.__html__ = lambda self: escape(str(self))
    try:
        import psycopg
        from psycopg.adapt import Dumper
    except ImportError:  # pragma: no cover - PostgreSQL driver not installed
        return

    class LazyStringDumper(Dumper):
        # psycopg's compiled str dumpers refuse an object that is not a real str:
        # read the lazy string, then dump it as text of unknown type (as a str is).
        oid = 0

        def dump(self, obj):
            return str(obj).encode()

    psycopg.adapters.register_dumper(LazyString, LazyStringDumper)


def json_dumps(value) -> str:
    """``json.dumps`` for JSON columns, reading a lazy label as its text."""
    import json

    from flask_babel.speaklater import LazyString

    def default(item):
        if isinstance(item, LazyString):
            return str(item)
        raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")

    return json.dumps(value, default=default)


def lazy_join(separator: str, items):
    """``separator.join(items)`` read when shown, so that lazy labels speak the reader's language."""
    from flask_babel.speaklater import LazyString

    items = list(items)
    return LazyString(lambda: separator.join(str(item) for item in items))


def stored_label(value):
    """A label the platform wrote in French and kept in a snapshot (a
    published bilan's figures, a process's platform figures), read in the
    reader's language when the catalogue knows it, as it is otherwise.
    Never for text people wrote: only for what code produced from marked strings."""
    if not isinstance(value, str) or not value.strip():
        return value
    from flask_babel import gettext

    return gettext(value)  # no variables: nothing is %-formatted
