"""French that reads right: every page of the browser table and every mail the demo sends, rendered,
then read as a person would. Fails on « (s) », on « de », « le », « la », « que »… before a vowel or a
mute h where French elides them, on nested guillemets, and on English words outside a list of allowed terms.

The pages are rendered with the test client on a copy of the demo (its own SQLite file), like the
browser tests' live server; the mail is every mail the demo would queue if its past were mailed too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation import create_app, demo
from participation.core.french import elides
from participation.extensions import db
from tests.browser.helpers import ACCOUNTS
from tests.browser.test_pages import PAGES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Words that elide before a vowel or a mute h, and the form they take: « de avis » → « d'avis ».
ELIDING = {"de", "le", "la", "que", "je", "ne", "se", "me", "te", "jusque", "lorsque", "puisque"}
# English words that have no place in a French page (checked as whole words, lower case).
ENGLISH = {
    "the", "and", "of", "to", "is", "are", "with", "your", "you", "this", "that", "please", "click", "here", "error", "submit",
    "yes", "save", "cancel", "delete", "edit", "login", "logout", "password", "home", "next", "previous", "search", "loading",
    "required", "invalid", "field", "from", "for", "by", "which", "when", "where", "what", "should", "must", "will", "can", "not",
    "candidates", "sorted", "digest", "seed", "ties", "broken", "taken", "seats", "reserve", "drawn", "person", "declines",
    "failing", "first", "order", "value", "values", "quota", "asked", "stays", "below", "draft", "published", "submitted",
    "pending", "approved", "hidden", "removed", "deleted", "cancelled", "closed", "open", "opened", "sent", "failed", "none",
    "true", "false", "null", "undefined", "created", "updated", "user", "users", "staff", "admin", "moderator", "sitting",
    "sittings", "grant", "grants", "referral", "referrals", "opinion", "event", "events", "registration", "waiting", "list",
}
# Terms a French page may use: units, formats, acronyms, and words French shares with English.
ALLOWED = {"pdf", "csv", "json", "atom", "icalendar", "ical", "markdown", "sha", "utf", "scdl", "siret", "siren", "rna", "qr", "insee",
           "qpv", "rgaa", "rgpd", "cerfa", "dpo", "dsi", "url", "e", "ok", "list", "open", "none", "reserve", "quota", "user", "admin",
           "staff", "version", "date", "public", "total", "budget", "type", "question", "message", "contact", "article", "page",
           "service", "action", "actions", "commission", "convention", "documents", "document", "options", "option", "sessions",
           "notifications", "notification", "invitation", "invitations", "note", "notes", "direction", "directions", "ions"}
ENGLISH -= ALLOWED
# The event journal and the account histories name events by their code (« sitting.published ») until
# their French labels land (another branch's work): their English is not checked here yet.
JOURNAL_PAGES = ("/gestion/journal", "/gestion/utilisateurs/")
NOT_FRENCH = re.compile(r"\w+\((s|es|e|x)\)")
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒæÆ]+(?:['’][A-Za-zÀ-ÖØ-öø-ÿœŒæÆ]+)*")
ELISION = re.compile(r"(?<![\w'’-])(" + "|".join(sorted(ELIDING)) + r")[ \u00a0]+([A-Za-zÀ-ÖØ-öø-ÿœŒæÆ][\w-]*)", re.I)


class _Text(HTMLParser):
    """The text a person reads: visible text and the labels of images and controls, not code nor another language."""

    SKIP = {"script", "style", "code", "pre", "textarea"}
    # Elements that end a line of text: words on either side are not one phrase.
    BLOCK = {"p", "div", "li", "ul", "ol", "td", "th", "tr", "table", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "section", "nav",
             "header", "footer", "main", "aside", "form", "fieldset", "legend", "label", "option", "select", "dt", "dd", "dl", "br",
             "summary", "details", "article", "button", "input", "textarea", "blockquote", "figure", "figcaption"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "param", "track"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "fr").lower()
        skip = tag in self.SKIP or not lang.startswith("fr")
        if not self._skipping() and not skip:
            for name in ("alt", "aria-label", "title", "placeholder"):
                if attrs.get(name):
                    self.parts.append(f"\n{attrs[name]}\n")
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag in self.BLOCK:
            self.parts.append("\n")
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))


def french_problems(text: str) -> list[str]:
    """What a careful French reader would correct in ``text`` (addresses and links aside)."""
    text = re.sub(r"(https?://|mailto:)\S+|[\w.+-]+@[\w.-]+|/[\w./?=&%-]+", " ", text)
    problems = [f"« {m.group(0)} » : un pluriel s'écrit avec ngettext" for m in NOT_FRENCH.finditer(text)]
    for match in ELISION.finditer(text):
        word, following = match.group(1), match.group(2)
        if following.isupper() and len(following) > 1:
            continue  # an acronym (« de RNA ») reads letter by letter
        if elides(following):
            problems.append(f"« {word} {following} » : « {word[:-1]}'{following} » attendu")
    depth = 0
    for char in text:
        if char == "«":
            depth += 1
            if depth > 1:
                problems.append("guillemets imbriqués « … « … » … »")
                break
        elif char == "»":
            depth = max(0, depth - 1)
    for word in WORD.findall(text):
        if word.lower() in ENGLISH:
            problems.append(f"mot anglais « {word} »")
    return problems


def test_the_checker_catches_what_it_should_and_passes_good_french():
    assert french_problems("3 place(s) disponible(s)")
    assert french_problems("le compte de Hélène") and french_problems("la convocation de Aïcha")
    assert french_problems("l'appel à projets « Appel « Vivre ensemble » »")
    assert french_problems("Click here to submit")
    assert not french_problems("3 places disponibles ; le compte d'Hélène, de Haute-Rive, de l'Agglomération, « Vivre ensemble ».")
    assert not french_problems("Le mardi 1er décembre 2026 à 18 h 30, la séance du Conseil de développement.")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """A copy of the demo whose past was mailed too, so that every mail template the demo touches is rendered."""
    instance = tmp_path_factory.mktemp("french-instance")
    application = create_app({
        "INSTANCE_PATH": str(instance), "SECRET_KEY": "french-test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'demo.sqlite'}",
        "UPLOAD_DIR": str(instance / "uploads"), "ARGON2_FAST": True, "RATELIMIT_ENABLED": False, "MAIL_DELIVERY": "demo",
        "DEMO_MODE": True, "SESSION_COOKIE_SECURE": False, "SCHEDULER_ENABLED": False, "WTF_CSRF_ENABLED": False,
    })
    with application.app_context():
        db.create_all()
        demo._load()  # not load(): the past's mail is queued as well
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction():
    """This module's application has its own database: no per-test transaction on the main one."""
    yield


def test_every_page_of_the_browser_table_reads_as_french(demo_app):
    clients = {}
    problems = []
    for spec in PAGES:
        client = clients.get(spec.who)
        if client is None:
            client = clients[spec.who] = demo_app.test_client()
            if spec.who:
                email, password = ACCOUNTS[spec.who]
                assert client.post("/compte/connexion", data={"email": email, "password": password}).status_code == 302
        response = client.get(spec.path, follow_redirects=True)
        if spec.pending and response.status_code == 404:
            continue
        for problem in french_problems(readable_text(response.get_data(as_text=True))):
            if problem.startswith("mot anglais") and spec.path.startswith(JOURNAL_PAGES):
                continue
            problems.append(f"{spec.id} : {problem}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_mail_the_demo_sends_reads_as_french(demo_app):
    from participation.core.outbox import OutboxMail

    with demo_app.app_context():
        mails = db.session.scalars(sa.select(OutboxMail)).all()
        templates = {m.template for m in mails}
        problems = []
        for mail in mails:
            for where, text in (("objet", mail.subject), ("texte", mail.body_text), ("HTML", readable_text(mail.body_html or ""))):
                problems += [f"{mail.template} ({where}) : {p}" for p in french_problems(text)]
        db.session.remove()
    assert len(templates) >= 10
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_template_s_own_words_read_as_french():
    """The text written in each page and mail template, placeholders aside: the mail no demo sends is read here."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = path.read_text()
        source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
        source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
        # A placeholder stands for a value: « de {{ name }} » cannot be judged here; the rendered tests do.
        source = re.sub(r"\{\{.*?\}\}", " 0 ", source, flags=re.S)
        text = readable_text(source) if path.suffix == ".html" else source
        for problem in french_problems(text):
            if problem.startswith("guillemets"):
                continue  # a placeholder may hold the closing guillemet
            problems.append(f"{path.relative_to(TEMPLATES)} : {problem}")
    assert not problems, "\n".join(sorted(set(problems)))
