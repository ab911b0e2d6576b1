"""No input reaches a 500: the route-and-form fuzz test.

For each role (anonymous, resident, council member, association
representative, staff, moderator, admin), on the demo data of every domain
(``participation.demo.load``, which each domain extends):

1. crawl: from the home page and every rule of ``app.url_map`` without
   arguments, follow the site's links (a few URLs per endpoint), and collect
   the query-string names and the forms the pages carry;
2. routes: request EVERY rule of the URL map with its converters filled with
   hostile values (huge and negative integers, 2^63, 10,000 digits, invalid
   percent-encoding, NUL, 10,000 characters), POST rules with a valid CSRF
   token so that the view runs;
3. query strings: request crawled pages with hostile values in their own
   query names and in the usual ones (``page``, ``theme``…);
4. forms: submit EVERY form found (one of each kind), first as a plausible
   person would fill it, then with each field in turn given hostile values
   (its own kind first: numbers, dates…), the other fields kept plausible so
   that hostile values reach the services and the database.

It asserts no 5xx answer (the message names role, method, address, field,
value and the server's exception), and that nothing hostile was stored: no
control character in any text column, no string longer than its column, no
integer beyond its column. Routes and forms are discovered, not listed: a
domain merged later is fuzzed without editing this file. Values are sampled
(rotating through the lists) to keep the run within a few minutes.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from participation.extensions import db
from tests import factories
from tests.conftest import _empty_tables

ROLES = ["anonymous", "resident", "council_member", "association_representative", "staff", "moderator", "admin"]


class Raw(str):
    """A value sent as it is, not percent-encoded (invalid percent-encoding)."""


TEN_THOUSAND = "x" * 10_000
NUL_TEXT = "avant\x00après\x1b[31m\x7f"
HOSTILE_INTEGERS = ["99999999999999999999", str(2**63), str(2**31), "-9223372036854775809", "-1", "9" * 5000]
HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "99999999999999999999", str(2**63), "-99999999999"]
HOSTILE_DATES = ["2027-02-30", "9999-12-31", "0001-01-01T00:00", "2027-02-30T10:00", "9999-12-31T23:59"]
HOSTILE_TEXT = [NUL_TEXT, TEN_THOUSAND, Raw("%ZZ%C3%28"), "\x00", "NaN", "99999999999999999999", "2027-02-30"]
POOLS = {"number": [*HOSTILE_NUMBERS, NUL_TEXT, TEN_THOUSAND], "date": [*HOSTILE_DATES, NUL_TEXT], "text": HOSTILE_TEXT}
HOSTILE_PATH_INTS = [Raw("99999999999999999999"), Raw(str(2**63)), Raw(str(2**31)), Raw("9" * 5000), Raw("0")]
HOSTILE_PATH_TEXT = [Raw("%00"), Raw("%ZZ"), Raw("%C3%28"), Raw("x" * 10_000), Raw("..%2F..%2Fetc"), Raw("a%00b")]
HOSTILE_QUERY = [Raw("99999999999999999999"), Raw(str(2**63)), Raw("-1"), Raw("NaN"), Raw("%ZZ"), Raw("%00"), Raw("x" * 10_000),
                 Raw("2027-02-30"), Raw("1e309")]
COMMON_QUERY_NAMES = ["page", "theme", "commune", "type", "etat", "q", "mois", "conseil", "seance", "groupe", "de", "a", "next", "lang"]

# Sampling: the run stays within a few minutes per database.
URLS_PER_ENDPOINT = 1
PAGES_PER_ROLE = 400
QUERY_PAGES_PER_ROLE = 60
TEXT_VALUES_PER_FIELD = 1

CONVERTER = re.compile(r"<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Parsing pages ---------------------------------------------------------------


class Form:
    def __init__(self, page: str, action: str, method: str):
        self.page = page
        self.action = action or page
        self.method = method
        self.fields: list[dict] = []

    def key(self, endpoint: str) -> tuple:
        return endpoint, self.method, tuple(sorted({f["name"] for f in self.fields}))


class PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(self.page, a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("submit", "image") and any(f["name"] == a["name"] for f in self._form.fields):
                return
            self._form.fields.append({"name": a["name"], "kind": kind, "value": a.get("value", ""), "checked": "checked" in a,
                                      "min": a.get("min"), "inputmode": a.get("inputmode", "")})
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "kind": "textarea", "value": ""}
            self._form.fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "kind": "select", "value": None, "options": []}
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def field_type(field: dict) -> str:
    kind = field["kind"]
    if kind == "number" or field.get("inputmode") in ("numeric", "decimal"):
        return "number"
    if kind in ("date", "datetime-local", "time", "month"):
        return "date"
    return "text"


def plausible(field: dict) -> str | None:
    """What a person would send for this field, the page's own value first."""
    kind, value = field["kind"], field.get("value")
    if kind == "select":
        options = [o for o in field["options"] if o]
        return value if value is not None else (options[0] if options else "")
    if kind in ("checkbox", "radio"):
        return value or "y"
    if kind == "file":
        return None
    if kind == "password":
        return "pas-le-bon-mot-de-passe"  # nothing that closes or changes an account
    if value:
        return value
    return {
        "email": "fuzz@example.org", "number": field.get("min") or "1", "date": "2027-05-04", "datetime-local": "2027-05-04T10:00",
        "time": "10:00", "month": "2027-05", "url": "https://example.org", "tel": "0102030405", "textarea": "Texte d'essai.",
        "hidden": "", "submit": "",
    }.get(kind, "Texte d'essai")


def encode(pairs: list[tuple[str, str]]) -> str:
    parts = []
    for name, value in pairs:
        parts.append(f"{quote(name, safe='')}={value if isinstance(value, Raw) else quote(value, safe='')}")
    return "&".join(parts)


# The walker ------------------------------------------------------------------


class ServerErrors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            self.last = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"


class Walker:
    def __init__(self, app, client, role: str, login=None):
        self.app = app
        self.client = client
        self.role = role
        self.login = login
        self.adapter = app.url_map.bind("participation.test")
        self.failures: list[str] = []
        self.requests = 0
        self.pages: dict[str, list[str]] = {}
        self.forms: dict[tuple, Form] = {}
        self.query_names: set[str] = set(COMMON_QUERY_NAMES)
        self.errors = ServerErrors()
        self.counter = itertools.count()
        self.outcomes: dict[int, int] = {}

    # Requests

    def send(self, method: str, path: str, body: str | None = None, *, field: str = "-", value: str = "-", json=None, csrf: str = ""):
        self.requests += 1
        self.errors.last = ""
        kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"} if body is not None else {}
        if json is not None:
            kwargs = {"json": json, "headers": {"X-CSRFToken": csrf}}
        response = self.client.open(path, method=method, **kwargs)
        if response.status_code >= 500:
            shown = value if len(value) <= 40 else f"{value[:30]!r}… ({len(value)} caractères)"
            self.failures.append(f"[{self.role}] {method} {path[:120]} champ={field} valeur={shown!r} → {response.status_code} "
                                 f"({self.errors.last or 'pas d’exception journalisée'})")
        if method == "POST" and self.login is not None and not self._logged_in():
            self.login()
        return response

    def _logged_in(self) -> bool:
        with self.client.session_transaction() as session:
            return "_user_id" in session

    def csrf(self) -> str:
        from tests.conftest import CSRF_RE

        for path in ("/compte/connexion", "/compte/deconnexion", "/"):
            match = CSRF_RE.search(self.client.get(path).get_data(as_text=True))
            if match:
                return match.group(1)
        return ""

    def endpoint(self, path: str, method: str = "GET") -> str | None:
        parts = urlsplit(path)
        try:
            endpoint, _ = self.adapter.match(parts.path, method=method)
        except RequestRedirect:
            return None
        except MethodNotAllowed:
            return "?method"
        except HTTPException:
            return None
        return endpoint

    # 1. Crawl

    def crawl(self) -> None:
        seeds = ["/"] + [r.rule for r in self.app.url_map.iter_rules()
                         if not r.arguments and "GET" in r.methods and r.endpoint != "static"]
        queue, seen = list(dict.fromkeys(seeds)), set()
        while queue and len(seen) < PAGES_PER_ROLE:
            path = queue.pop(0)
            if path in seen:
                continue
            endpoint = self.endpoint(path)
            if endpoint in (None, "?method", "static") or len(self.pages.get(endpoint, [])) >= URLS_PER_ENDPOINT:
                continue
            seen.add(path)
            response = self.send("GET", path)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            self.pages.setdefault(endpoint, []).append(path)
            parser = PageParser(path)
            parser.feed(response.get_data(as_text=True))
            for link in parser.links:
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                self.query_names.update(name for name, _ in parse_qsl(parts.query))
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen:
                    queue.append(target)
            for form in parser.forms:
                action_path = urlsplit(form.action).path or urlsplit(path).path
                if form.method == "get":
                    self.query_names.update(f["name"] for f in form.fields)
                    continue
                key = form.key(self.endpoint(action_path, "POST") or action_path)
                self.forms.setdefault(key, form)

    # 2. Every rule with hostile converters

    def routes(self, csrf: str) -> None:
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == "static" and not rule.arguments:
                continue
            converters = CONVERTER.findall(rule.rule)
            if not converters:
                continue
            n = next(self.counter)
            path = rule.rule
            for i, (kind, _name) in enumerate(converters):
                values = HOSTILE_PATH_INTS if kind in ("int", "float") else HOSTILE_PATH_TEXT
                path = CONVERTER.sub(values[(n + i) % len(values)], path, count=1)
            for method in sorted(rule.methods & {"GET", "POST"}):
                body = encode([("csrf_token", csrf)]) if method == "POST" else None
                self.send(method, path, body, field=f"<{'/'.join(c[1] for c in converters)}>", value=path)

    # 3. Hostile query strings on real pages

    def query_strings(self) -> None:
        names = sorted(self.query_names)
        pages = [p for paths in self.pages.values() for p in paths][:QUERY_PAGES_PER_ROLE]
        for page in pages:
            n = next(self.counter)
            value = HOSTILE_QUERY[n % len(HOSTILE_QUERY)]
            base = urlsplit(page).path
            self.send("GET", f"{base}?{encode([(name, value) for name in names])}", field="?" + ",".join(names), value=value)

    # 4. Every form, each field hostile in turn

    def submit_forms(self, csrf: str) -> None:
        for key, form in self.forms.items():
            fields = [f for f in form.fields if f["name"] != "csrf_token" and f["kind"] not in ("file", "submit", "image")]
            base = [(f["name"], plausible(f)) for f in form.fields
                    if f["name"] != "csrf_token" and f["kind"] != "file" and plausible(f) is not None]
            path = form.action if form.action.startswith("/") else form.page

            def post(changes: dict, field: str, value: str, base=base, path=path):
                pairs = [(name, changes.get(name, v)) for name, v in base]
                pairs += [(name, v) for name, v in changes.items() if name not in dict(base)]
                return self.send("POST", path, encode([("csrf_token", csrf), *pairs]), field=field, value=value)

            response = post({}, "(plausible)", "")
            self.outcomes[response.status_code] = self.outcomes.get(response.status_code, 0) + 1
            # Every field hostile at once, with values of its kind.
            n = next(self.counter)
            changes = {f["name"]: POOLS[field_type(f)][(n + i) % len(POOLS[field_type(f)])] for i, f in enumerate(fields)}
            post(changes, "(tous)", f"{len(changes)} valeurs")
            # The same form posted as JSON (Flask-WTF reads it as form data), with nested values.
            document = {**{name: v for name, v in base}, **{name: str(v) for name, v in changes.items()}}
            document.update({name: {"x": [NUL_TEXT]} for name in list(document)[:1]})
            self.send("POST", path, json=document, csrf=csrf, field="(JSON)", value=f"{len(document)} valeurs")
            if key in FUZZED:
                continue  # another role gave each of its fields every value already
            FUZZED.add(key)
            # Then each field alone, the others plausible, so that its value reaches the service:
            # numbers and dates get every value of their kind, text a few.
            for field in fields:
                kind = field_type(field)
                pool = POOLS[kind]
                if kind == "text":
                    n = next(self.counter)
                    pool = [pool[(n + i) % len(pool)] for i in range(TEXT_VALUES_PER_FIELD)]
                for value in pool:
                    post({field["name"]: value}, field["name"], value)


# Forms already fuzzed field by field, by an earlier role of the run.
FUZZED: set[tuple] = set()


def stored_hostile_values() -> list[str]:
    """Text with control characters, strings longer than their column, integers beyond it."""
    from participation.core.column_bounds import check_value

    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (sa.String, sa.Text)) and not isinstance(column.type, sa.Enum):
                rows = db.session.execute(sa.select(column).where(column.is_not(None))).scalars()
                for value in rows:
                    if isinstance(value, str) and (CONTROL.search(value) or check_value(column, value)):
                        found.append(f"{table.name}.{column.name} = {value[:40]!r} ({len(value)} caractères)")
                        break
            elif isinstance(column.type, sa.Integer):
                bad = db.session.scalar(sa.select(column).where(sa.or_(column > 2**31 - 1, column < -(2**31))).limit(1)) \
                    if not isinstance(column.type, sa.BigInteger) else None
                if bad is not None:
                    found.append(f"{table.name}.{column.name} = {bad}")
    return found


# The world and the test ------------------------------------------------------


@pytest.fixture(scope="module")
def world(app):
    """The demo data of every domain, committed once for the module's roles; emptied afterwards."""
    import weasyprint

    from participation import demo

    original = weasyprint.HTML.write_pdf
    # The PDFs' HTML is rendered; WeasyPrint's layout (seconds per document) is not what is fuzzed here.
    weasyprint.HTML.write_pdf = lambda self, *args, **kwargs: b"%PDF-1.4\n%fuzz\n"
    with app.app_context():
        demo.load()
        resident = factories.user(email="fuzz.habitant@example.org")
        db.session.commit()
        people = {"resident": resident.email, "staff": "agent@demo.example", "moderator": "moderation@demo.example",
                  "admin": "admin@demo.example", "council_member": _council_member(), "association_representative": _representative()}
        db.session.remove()
    try:
        yield people
    finally:
        weasyprint.HTML.write_pdf = original
        with app.app_context():
            db.session.remove()
            _empty_tables()


def _council_member() -> str:
    from participation.accounts.models import User
    from participation.councils.models import Membership

    return db.session.scalar(sa.select(User.email).join(Membership, Membership.user_id == User.id)
                             .where(Membership.state == "active", User.email != "habitante@demo.example").order_by(Membership.id).limit(1))


def _representative() -> str:
    from participation.accounts.models import User
    from participation.grants.models import Representative

    return db.session.scalar(sa.select(User.email).join(Representative, Representative.user_id == User.id).order_by(Representative.id).limit(1))


@pytest.mark.heavy
@pytest.mark.parametrize("role", ROLES)
def test_no_input_reaches_a_server_error(app, world, role):
    client = app.test_client()
    login = None
    if role != "anonymous":
        email = world[role]
        password = factories.PASSWORD if role == "resident" else _demo_password()

        def login():
            client.login(email, password)

        login()
    walker = Walker(app, client, role, login)
    app.logger.addHandler(walker.errors)
    try:
        phases = []
        for phase in ("crawl", "routes", "query_strings", "submit_forms"):
            before, count = time.monotonic(), walker.requests
            if phase == "crawl":
                walker.crawl()
                csrf = walker.csrf()
            elif phase == "query_strings":
                walker.query_strings()
            else:
                getattr(walker, phase)(csrf)
            phases.append(f"{phase}: {walker.requests - count} requêtes en {time.monotonic() - before:.1f} s")
        logging.getLogger(__name__).info("fuzz %s: %s ; %s formulaires, réponses aux envois plausibles %s", role, phases,
                                         len(walker.forms), walker.outcomes)
    finally:
        app.logger.removeHandler(walker.errors)
    assert len(walker.pages) > 5, f"[{role}] le parcours n'a trouvé que {sorted(walker.pages)}"
    assert not walker.failures, f"{len(walker.failures)} réponses 5xx sur {walker.requests} requêtes :\n" + "\n".join(walker.failures[:25])
    stored = stored_hostile_values()
    assert not stored, f"[{role}] valeurs hostiles enregistrées :\n" + "\n".join(stored)


def _demo_password() -> str:
    from participation.demo import DEMO_PASSWORD

    return DEMO_PASSWORD
