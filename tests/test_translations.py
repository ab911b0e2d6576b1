"""The English catalogue is whole: it compiles, every message id has an
English translation (none fuzzy, none empty), every string the templates mark
is in it, and no template holds interface text that is not marked."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from participation.core.i18n import missing_translations

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _marker():
    spec = importlib.util.spec_from_file_location("i18n_mark_templates", ROOT / "scripts" / "i18n_mark_templates.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _catalogue() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def test_catalogue_compiles_and_every_message_is_translated():
    catalogue = _catalogue()
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    compiled = read_mo(buffer)
    assert compiled.get("Se connecter").string == "Log in"
    missing = missing_translations(catalogue)
    assert not missing, f"{len(missing)} message(s) without an English translation: {missing[:20]}"


def test_every_string_marked_in_templates_is_in_the_catalogue():
    catalogue = _catalogue()
    method_map = [("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    absent = []
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        key = message if isinstance(message, str) else message[0]
        if not key:
            continue
        if catalogue.get(key) is None:
            absent.append(f"{filename}: {key}")
    assert not absent, "strings marked in templates but not in the catalogue (run pybabel extract/update):\n" + "\n".join(absent[:30])


def test_no_template_holds_unmarked_interface_text():
    marker = _marker()
    problems = marker.check(marker.template_files([]))
    assert not problems, "unmarked template strings (run scripts/i18n_mark_templates.py):\n" + "\n".join(problems[:40])


def test_completeness_check_fails_when_one_string_is_left_untranslated():
    catalogue = Catalog(locale="en")
    catalogue.add("Se connecter", "Log in")
    catalogue.add("Mes données", "")
    catalogue.add("Fermer mon compte", "Close my account", flags=["fuzzy"])
    catalogue.add(("%(num)d avis", "%(num)d avis"), ("%(num)d opinion", ""))
    assert missing_translations(catalogue) == ["Mes données", "Fermer mon compte", "%(num)d avis"]
    catalogue.get("Mes données").string = "My data"
    catalogue.get("Fermer mon compte").flags.discard("fuzzy")
    catalogue.get(("%(num)d avis", "%(num)d avis")).string = ("%(num)d opinion", "%(num)d opinions")
    assert missing_translations(catalogue) == []


def test_the_marking_script_finds_unmarked_text_and_is_idempotent():
    marker = _marker()
    source = (
        '{% block title %}Saisine : {{ referral.subject }}{% endblock %}\n'
        '<p title="Aide">Bonjour {{ user.name }} !</p>\n'
        '<input type="submit" value="Envoyer"> <code>print()</code>\n'
        '<a lang="en" href="?lang=en">English version</a> {{ "Oui" if ok else "Non" }} · 3\n'
        '<script>alert("Bonjour")</script>\n'
    )
    result = marker.mark_source(source)
    assert [c.text.strip() for c in result.changes] == [
        "Saisine : {{ subject }}", "Aide", "Bonjour {{ name }} !", "Envoyer", "Oui", "Non",
    ]
    assert "{% trans subject=referral.subject %}Saisine : {{ subject }}{% endtrans %}" in result.source
    assert 'title="{{ _("Aide") }}"' in result.source
    assert 'value="{{ _("Envoyer") }}"' in result.source
    assert '{{ _("Oui") if ok else _("Non") }}' in result.source
    assert "English version</a>" in result.source and 'alert("Bonjour")' in result.source
    again = marker.mark_source(result.source)
    assert again.source == result.source and again.changes == []


def test_marked_templates_render_the_same_french(app):
    """A marked sentence renders in French exactly as the text it replaced."""
    marker = _marker()
    source = '<p>Avis attendu le {{ day }} · 100 % des {{ n }} membres — « l\'avis » &amp; co</p>'
    marked = marker.mark_source(source).source
    with app.test_request_context("/"):
        before = app.jinja_env.from_string(source).render(day="3 mars", n=12)
        after = app.jinja_env.from_string(marked).render(day="3 mars", n=12)
    assert after == before
