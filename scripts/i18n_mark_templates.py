#!/usr/bin/env python3
"""Mark the interface text of the Jinja templates for translation.

French is the source language: every piece of French a template shows is
wrapped so that ``pybabel extract`` finds it and the English catalogue can
translate it.

* a text node without variables becomes ``{{ _("…") }}``;
* a text node with ``{{ variables }}`` inside becomes
  ``{% trans name=expr %}… {{ name }} …{% endtrans %}``;
* the translatable attributes (``title``, ``aria-label``, ``placeholder``,
  ``alt``, ``label``, ``aria-description``, ``data-confirm`` and the
  ``value`` of ``<input type="submit|button|reset">``) become
  ``{{ _("…") }}`` or ``{{ _("… %(name)s …", name=expr) }}``;
* a French string literal in an expression (``{{ "Oui" if x else "Non" }}``,
  ``{% set title = "Mes dossiers" %}``, a macro's argument) becomes
  ``_("…")``.

Left alone: what is already marked (``_()``, ``gettext``, ``ngettext``,
``{% trans %}``), text without letters (punctuation, numbers, variables
only), ``<script>``, ``<style>``, ``<pre>``, ``<code>``, ``<textarea>``,
comments, ``{% raw %}``, and any element carrying ``translate="no"`` or a
``lang`` attribute (text deliberately in one language, such as the
« English version » link).

The rewriting is idempotent: a second run changes nothing. With ``--check``
nothing is written; every place that would change is listed as
``file:line: text`` and the exit status is 1 when there is any.

Usage::

    python scripts/i18n_mark_templates.py            # rewrite templates/**/*.html
    python scripts/i18n_mark_templates.py --check    # list what is not marked
    python scripts/i18n_mark_templates.py some/file.html …
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

SKIP_ELEMENTS = {"script", "style", "pre", "code", "textarea", "svg", "math"}
TEXT_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description", "data-confirm", "label"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
GETTEXT_CALL = re.compile(r"(?<![\w.])(_|gettext|ngettext|pgettext|npgettext|lazy_gettext|_l)\s*\(")
NO_MASK_CALLS = re.compile(r"(?<![\w.])(url_for|strftime|format_date|format_datetime|static)\s*\(")
LETTER = re.compile(r"[^\W\d_]")
ENTITY = re.compile(r"&#?\w+;")
STRING_LITERAL = re.compile(r"""(?P<q>['"])(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""", re.S)
SHADOWING = re.compile(r"^(\{%[-+]?\s*(?:set|for)\s+(?:[\w\s,]*,\s*)?)_(\s*(?:=|in\b|,))")
# Statements whose string literals may be interface text.
LITERAL_STATEMENTS = re.compile(r"^\s*(set|call|macro|for)\b")


# --------------------------------------------------------------------------- tokens

@dataclass
class Token:
    kind: str  # text, expr, stmt, comment, tag
    src: str
    pos: int


def _scan_jinja(source: str, start: int, close: str) -> int:
    """Index just past the ``close`` that ends the Jinja tag at ``start``,
    skipping string literals inside it."""
    i = start + 2
    quote = None
    while i < len(source):
        c = source[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif source.startswith(close, i):
            return i + len(close)
        i += 1
    return len(source)


def _scan_tag(source: str, start: int) -> int:
    """Index just past the ``>`` closing the HTML tag at ``start``, skipping
    Jinja inside it and quoted attribute values."""
    i = start + 1
    quote = None
    while i < len(source):
        if source.startswith("{{", i):
            i = _scan_jinja(source, i, "}}")
            continue
        if source.startswith("{%", i):
            i = _scan_jinja(source, i, "%}")
            continue
        if source.startswith("{#", i):
            end = source.find("#}", i)
            i = len(source) if end < 0 else end + 2
            continue
        c = source[i]
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and source[i - 1] == "=":
            quote = c
        elif c == ">":
            return i + 1
        i += 1
    return len(source)


def tokenize(source: str, html: bool = True) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    text_start = 0

    def flush(upto: int) -> None:
        if upto > text_start:
            tokens.append(Token("text", source[text_start:upto], text_start))

    while i < len(source):
        if source.startswith("{#", i):
            flush(i)
            end = source.find("#}", i)
            end = len(source) if end < 0 else end + 2
            tokens.append(Token("comment", source[i:end], i))
        elif source.startswith("{{", i):
            flush(i)
            end = _scan_jinja(source, i, "}}")
            tokens.append(Token("expr", source[i:end], i))
        elif source.startswith("{%", i):
            flush(i)
            end = _scan_jinja(source, i, "%}")
            tokens.append(Token("stmt", source[i:end], i))
        elif html and source.startswith("<!--", i):
            flush(i)
            end = source.find("-->", i)
            end = len(source) if end < 0 else end + 3
            tokens.append(Token("comment", source[i:end], i))
        elif html and source[i] == "<" and i + 1 < len(source) and (
            source[i + 1].isalpha() or source[i + 1] in "/!" or source.startswith("{{", i + 1)
        ):
            flush(i)
            end = _scan_tag(source, i)
            tokens.append(Token("tag", source[i:end], i))
        else:
            i += 1
            continue
        i = end
        text_start = i
    flush(len(source))
    return tokens


def _stmt_name(src: str) -> str:
    inner = src[2:-2].strip("-+ \t\n")
    return inner.split(None, 1)[0] if inner else ""


def _expr_inner(src: str) -> str:
    return src[2:-2].strip("-+ \t\n").strip()


def _tag_name(src: str) -> tuple[str, bool]:
    m = re.match(r"<(/?)([a-zA-Z][\w:-]*)", src)
    if not m:
        return "", False
    return m.group(2).lower(), bool(m.group(1))


# --------------------------------------------------------------------------- helpers

def _has_letters(text: str) -> bool:
    return bool(LETTER.search(ENTITY.sub("", text)))


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _py_string(text: str) -> str:
    """A Jinja string literal for ``text`` (double quotes unless it has some)."""
    if '"' not in text:
        return '"' + text.replace("\\", "\\\\") + '"'
    if "'" not in text:
        return "'" + text.replace("\\", "\\\\") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _variable_name(expr: str, taken: dict[str, str]) -> str:
    """A placeholder name for ``expr`` (``referral.council.name`` → ``name``)."""
    for name, known in taken.items():
        if known == expr:
            return name
    base = re.split(r"[|(\[]", expr, 1)[0].strip()
    m = re.search(r"([A-Za-z_]\w*)\s*$", base)
    name = m.group(1) if m else "value"
    if keyword.iskeyword(name) or name in {"_", "gettext", "ngettext", "true", "false", "none", "loop", "trimmed", "notrimmed", "pluralize"}:
        name = "value"
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name}{n}"
        n += 1
    taken[candidate] = expr
    return candidate


def _is_separator_expr(src: str) -> bool:
    """An expression that cannot sit inside a sentence's message: already
    marked, or a call (a macro, ``csrf()``) that writes markup."""
    inner = _expr_inner(src)
    return bool(GETTEXT_CALL.search(inner)) or not _only_filter_calls(inner)


def _only_filter_calls(inner: str) -> bool:
    """True when every call in ``inner`` is a filter (``|f(…)``) or a method."""
    for m in re.finditer(r"([|.]?)\s*([A-Za-z_]\w*)\s*\(", inner):
        if not m.group(1):
            return False
    return True


def _masked_spans(code: str) -> list[tuple[int, int]]:
    """Spans of ``code`` holding calls whose string arguments are not text:
    already-marked calls and ``url_for``-like ones."""
    spans = []
    for pattern in (GETTEXT_CALL, NO_MASK_CALLS):
        for m in pattern.finditer(code):
            depth, i, quote = 0, m.end() - 1, None
            while i < len(code):
                c = code[i]
                if quote:
                    if c == "\\":
                        i += 2
                        continue
                    if c == quote:
                        quote = None
                elif c in "'\"":
                    quote = c
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            spans.append((m.start(), i + 1))
    return spans


def _looks_like_text(body: str) -> bool:
    """A string literal that reads as French interface text, not as an
    identifier, a CSS class, a path, a format or a value to compare."""
    if not _has_letters(body) or "%" in body or "{" in body or "<" in body or '="' in body:
        return False
    if re.fullmatch(r"[a-z0-9_\-./:#?=&]*", body):
        return False
    if re.fullmatch(r"[a-z0-9_\- ]+", body):  # CSS classes, keys
        return False
    if re.fullmatch(r"[A-Z0-9_]+", body):  # constants
        return False
    if re.fullmatch(r"[\w\-]+\.(html|txt|pdf|csv|ics|svg|png|css|js)", body):
        return False
    if body.startswith(("http://", "https://", "/", "#", "mailto:")):
        return False
    return bool(re.search(r"[A-ZÀ-ÖØ-Þ]|[à-öø-ÿœ]| ", body))


BRANCH_WORDS = re.compile(r"[a-zà-öø-ÿœ' ]*[a-zà-öø-ÿœ]{2}[a-zà-öø-ÿœ' ]*")


def mark_literals(code: str, branches: bool = False) -> tuple[str, list[str]]:
    """Wrap French string literals of a Jinja expression in ``_()``. With
    ``branches`` (an expression written out as text), a lowercase word used
    as a branch of a conditional (``'oui' if ok else 'non'``) is text too."""
    spans = _masked_spans(code)
    out, last, found = [], 0, []
    for m in STRING_LITERAL.finditer(code):
        start, end = m.span()
        if any(a <= start < b for a, b in spans):
            continue
        body = m.group("body")
        before = code[:start].rstrip()
        after = code[end:].lstrip()
        branch = branches and (re.search(r"\belse$", before) or re.match(r"if\b", after)) and BRANCH_WORDS.fullmatch(body)
        if not (_looks_like_text(body) or branch):
            continue
        if re.search(r"(==|!=|\bin|\bis|\[|<|>|<=|>=)$", before) or re.match(r"(==|!=|\bin\b|\]|:)", after):
            continue
        if re.search(r"\b(extends|include|import|from)$", before):
            continue
        out.append(code[last:start])
        out.append(f"_({m.group(0)})")
        found.append(body)
        last = end
    out.append(code[last:])
    return "".join(out), found


# --------------------------------------------------------------------------- attributes

ATTRIBUTE = re.compile(r"""(\s)([a-zA-Z][\w:-]*)(\s*=\s*)(["'])""")


def _attribute_value_end(tag: str, start: int, quote: str) -> int:
    i = start
    while i < len(tag):
        if tag.startswith("{{", i):
            i = _scan_jinja(tag, i, "}}")
            continue
        if tag.startswith("{%", i):
            i = _scan_jinja(tag, i, "%}")
            continue
        if tag[i] == quote:
            return i
        i += 1
    return len(tag)


def _translate_value(value: str) -> str | None:
    """``{{ _(…) }}`` replacing an attribute's value, or None to leave it."""
    if "{%" in value or "{#" in value or not value.strip():
        return None
    pieces = re.split(r"(\{\{.*?\}\})", value, flags=re.S)
    text = "".join(p for p in pieces if not p.startswith("{{"))
    if not _has_letters(text):
        return None
    if any(p.startswith("{{") and (GETTEXT_CALL.search(p) or p.startswith(("{{-",)) or p.endswith("-}}")) for p in pieces):
        return None
    taken: dict[str, str] = {}
    msgid = []
    for p in pieces:
        if p.startswith("{{"):
            name = _variable_name(_expr_inner(p), taken)
            msgid.append(f"%({name})s")
        else:
            msgid.append(_collapse(p).replace("%", "%%"))
    lead = re.match(r"\s*", "".join(msgid)).group(0)
    message = "".join(msgid).strip()
    args = "".join(f", {name}={expr}" for name, expr in taken.items())
    return f"{{{{ _({_py_string(message)}{args}) }}}}"


def mark_tag(tag: str) -> tuple[str, list[str]]:
    name, closing = _tag_name(tag)
    if closing or not name:
        return tag, []
    input_type = re.search(r"""\stype\s*=\s*["']?(\w+)""", tag)
    out, last, found = [], 0, []
    i = 0
    while True:
        m = ATTRIBUTE.search(tag, i)
        if not m:
            break
        # Attributes inside a Jinja tag of the HTML tag are left alone.
        prefix = tag[: m.start()]
        if prefix.count("{{") > prefix.count("}}") or prefix.count("{%") > prefix.count("%}"):
            i = m.end()
            continue
        value_start = m.end()
        value_end = _attribute_value_end(tag, value_start, m.group(4))
        attribute = m.group(2).lower()
        wanted = attribute in TEXT_ATTRIBUTES or (
            attribute == "value" and name == "input" and input_type and input_type.group(1).lower() in BUTTON_INPUT_TYPES
        )
        if wanted and not (attribute == "label" and name not in {"optgroup", "option", "track"}):
            value = tag[value_start:value_end]
            new = _translate_value(value)
            if new is not None and new != value:
                out.append(tag[last:value_start])
                out.append(new)
                found.append(value)
                last = value_end
        i = value_end + 1
    out.append(tag[last:])
    return "".join(out), found


# --------------------------------------------------------------------------- runs of text

def mark_run(run: list[Token]) -> tuple[str, str | None]:
    """Rewrite a run of text and ``{{ expr }}`` tokens; returns the new
    source and the message (None when nothing to mark)."""
    source = "".join(t.src for t in run)
    texts = "".join(t.src for t in run if t.kind == "text")
    if not _has_letters(texts):
        return source, None
    if re.search(r"""[\w-]+=["']""", texts):  # attributes written by a macro: marked by hand
        return source, None
    if any(t.kind == "expr" and (t.src.startswith("{{-") or t.src.endswith("-}}")) for t in run):
        return source, None
    lead = re.match(r"\s*", source).group(0)
    trail = re.search(r"\s*$", source).group(0)
    body_tokens = list(run)
    # The surrounding whitespace stays outside the marker.
    pieces = []
    for idx, t in enumerate(body_tokens):
        s = t.src
        if t.kind == "text":
            if idx == 0:
                s = s[len(lead):] if len(s) >= len(lead) else ""
            if idx == len(body_tokens) - 1:
                s = s[: len(s) - len(trail)] if trail and s.endswith(trail) else s
            pieces.append(("text", _collapse(s)))
        else:
            pieces.append(("expr", _expr_inner(t.src)))
    # Leading / trailing variables stay outside when they are separated by spaces?
    # No: they belong to the sentence; the whole run is one message.
    if all(kind == "text" for kind, _ in pieces):
        message = "".join(s for _, s in pieces)
        return f"{lead}{{{{ _({_py_string(message.replace('%', '%%'))}) }}}}{trail}", message
    taken: dict[str, str] = {}
    body = []
    for kind, s in pieces:
        if kind == "text":
            body.append(s)
        else:
            body.append(f"{{{{ {_variable_name(s, taken)} }}}}")
    assignments = ", ".join(f"{name}={expr}" for name, expr in taken.items())
    message = "".join(body)
    return f"{lead}{{% trans {assignments} %}}{message}{{% endtrans %}}{trail}", message


# --------------------------------------------------------------------------- file

@dataclass
class Change:
    line: int
    text: str


@dataclass
class Result:
    source: str
    changes: list[Change] = field(default_factory=list)


def _lines(tokens: list[Token]) -> list[Token]:
    """Plain text (a mail's ``.txt``): each line is a message of its own, the
    line breaks stay where they are."""
    out = []
    for token in tokens:
        if token.kind != "text" or "\n" not in token.src:
            out.append(token)
            continue
        pos = token.pos
        for piece in re.split(r"(\n\s*)", token.src):
            if piece:
                out.append(Token("newline" if piece.startswith("\n") else "text", piece, pos))
            pos += len(piece)
    return out


def mark_source(source: str, html: bool = True) -> Result:
    tokens = tokenize(source, html)
    if not html:
        tokens = _lines(tokens)
    out: list[str] = []
    changes: list[Change] = []
    skip_stack: list[tuple[str, int]] = []  # (element, depth)
    jinja_skip: str | None = None  # "endtrans", "endraw"
    run: list[Token] = []

    def line_of(pos: int) -> int:
        return source.count("\n", 0, pos) + 1

    def flush_run() -> None:
        if not run:
            return
        new, message = mark_run(run)
        if message is not None:
            changes.append(Change(line_of(run[0].pos + len(run[0].src) - len(run[0].src.lstrip())), message))
        out.append(new)
        run.clear()

    for token in tokens:
        if jinja_skip:
            out.append(token.src)
            if token.kind == "stmt" and _stmt_name(token.src) == jinja_skip:
                jinja_skip = None
            continue
        if skip_stack:
            out.append(token.src)
            if token.kind == "tag":
                name, closing = _tag_name(token.src)
                element, depth = skip_stack[-1]
                if name == element and not token.src.rstrip(">").endswith("/"):
                    skip_stack[-1] = (element, depth - 1 if closing else depth + 1)
                    if skip_stack[-1][1] == 0:
                        skip_stack.pop()
            continue
        if token.kind == "text":
            run.append(token)
            continue
        if token.kind == "expr":
            inner = _expr_inner(token.src)
            new_inner, found = mark_literals(inner, branches=True)
            if found:
                flush_run()
                for text in found:
                    changes.append(Change(line_of(token.pos), text))
                out.append(token.src.replace(inner, new_inner, 1))
                continue
            if not _is_separator_expr(token.src):
                run.append(token)
                continue
        flush_run()
        if token.kind == "stmt":
            name = _stmt_name(token.src)
            # ``{% set _ = list.append(x) %}`` would hide the ``_()`` of gettext
            # for the whole template or macro: the throwaway gets another name.
            renamed = SHADOWING.sub(r"\g<1>_unused\g<2>", token.src)
            if renamed != token.src:
                changes.append(Change(line_of(token.pos), "{% set _ %} hides _()"))
                token = Token(token.kind, renamed, token.pos)
            if name == "trans":
                jinja_skip = "endtrans"
            elif name == "raw":
                jinja_skip = "endraw"
            if LITERAL_STATEMENTS.match(token.src[2:-2].strip("-+")) or name == "trans":
                inner = token.src[2:-2]
                new_inner, found = mark_literals(inner, branches=name == "trans")
                for text in found:
                    changes.append(Change(line_of(token.pos), text))
                out.append("{%" + new_inner + "%}")
                continue
            out.append(token.src)
            continue
        if token.kind == "tag":
            name, closing = _tag_name(token.src)
            new_tag, found = mark_tag(token.src)
            for text in found:
                changes.append(Change(line_of(token.pos), text))
            out.append(new_tag)
            self_closing = token.src.rstrip(">").endswith("/")
            if not closing and not self_closing and name and (
                name in SKIP_ELEMENTS
                or re.search(r"""\stranslate\s*=\s*["']?no""", token.src)
                or re.search(r"""\slang\s*=""", token.src)
            ) and name not in {"html", "br", "img", "input", "meta", "link", "hr"}:
                skip_stack.append((name, 1))
            continue
        out.append(token.src)  # comment, or an already-marked expression
    flush_run()
    result, places = split_plurals("".join(out))
    for place in places:
        changes.append(Change(result.count("\n", 0, place) + 1, "pluriel en « s »"))
    return Result(result, changes)


# ``{% trans %}… {{ n }} thème{% endtrans %}{% if n > 1 %}{{ _("s") }}{% endif %}``
# and ``{% trans n=…, value='s' if n > 1 %}… thème{{ value }}{% endtrans %}``: the
# French plural made by appending an « s ». English plurals differ
# (« municipality », « municipalities »), so each form becomes a message of its
# own, chosen by the same condition: the French renders exactly as before.
TRANS_BLOCK = r"\{% trans(?: (?P<assigns>(?:(?!%\}).)*?))? %\}(?P<body>(?:(?!\{% endtrans %\}).)*)\{% endtrans %\}"
GETTEXT_TEXT = r"""\{\{ _\((?P<q>["'])(?P<text>(?:(?!(?P=q)).)*)(?P=q)\) \}\}"""
SUFFIX_AFTER = re.compile(
    r"(?P<marked>" + TRANS_BLOCK + "|" + GETTEXT_TEXT + r")\{% if (?P<cond>(?:(?!%\}).)+?) %\}\{\{ _\([\"']s[\"']\) \}\}\{% endif %\}",
    re.S,
)
SUFFIX_VARIABLE = re.compile(TRANS_BLOCK, re.S)
S_ASSIGNMENT = re.compile(r"""(?:^|,\s*)(?P<name>\w+)=(?P<q>['"])s(?P=q) if (?P<cond>.+?)(?: else (?P<q2>['"])(?P=q2))?\s*(?=,\s*\w+=|$)""")


def _with_suffix(marked: str, suffix: str) -> str:
    if marked.startswith("{%"):
        return marked[: -len("{% endtrans %}")] + suffix + "{% endtrans %}"
    return re.sub(r"""(["'])\) \}\}$""", suffix + r"\1) }}", marked)


def split_plurals(source: str) -> tuple[str, list[int]]:
    """Rewrite the « s » suffixes described above; returns the new source and
    the offsets (in the new source) of what was rewritten."""
    places = []

    def after(m: re.Match) -> str:
        places.append(m.start())
        marked = m.group("marked")
        return f"{{% if {m.group('cond')} %}}{_with_suffix(marked, 's')}{{% else %}}{marked}{{% endif %}}"

    source = SUFFIX_AFTER.sub(after, source)

    def variable(m: re.Match) -> str:
        assigns = m.group("assigns") or ""
        a = S_ASSIGNMENT.search(assigns)
        if not a:
            return m.group(0)
        places.append(m.start())
        rest = (assigns[: a.start()] + assigns[a.end():]).strip().strip(",").strip()
        rest = re.sub(r"^,\s*", "", rest)
        head = f"{{% trans {rest} %}}" if rest else "{% trans %}"
        body = m.group("body")
        plural = body.replace(f"{{{{ {a.group('name')} }}}}", "s")
        singular = body.replace(f"{{{{ {a.group('name')} }}}}", "")
        return f"{{% if {a.group('cond')} %}}{head}{plural}{{% endtrans %}}{{% else %}}{head}{singular}{{% endtrans %}}{{% endif %}}"

    while True:
        before = len(places)
        source = SUFFIX_VARIABLE.sub(variable, source)
        if len(places) == before:
            break
    return source, places


def template_files(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    return sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")])


def check(paths: list[Path]) -> list[str]:
    """``file:line: text`` for every string that is not marked."""
    problems = []
    for path in paths:
        result = mark_source(path.read_text(encoding="utf-8"), html=path.suffix != ".txt")
        for change in result.changes:
            try:
                shown = path.relative_to(ROOT)
            except ValueError:
                shown = path
            problems.append(f"{shown}:{change.line}: {change.text.strip()}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; list unmarked strings, exit 1 if any")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args(argv)
    files = template_files(args.paths)
    if args.check:
        problems = check(files)
        for line in problems:
            print(line)
        return 1 if problems else 0
    changed = 0
    for path in files:
        source = path.read_text(encoding="utf-8")
        result = mark_source(source, html=path.suffix != ".txt")
        if result.source != source:
            path.write_text(result.source, encoding="utf-8")
            changed += 1
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(result.changes)} string(s)")
    print(f"{changed} file(s) rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
