"""Personal holes in shared HTML: a fragment rendered once for everyone, filled per request.

A logged-in page is mostly what everyone sees (a topic's contributions, a list
of topics) plus a few personal bits: the CSRF token of its forms, the signed
moment a form was shown, the reactions this person pressed, the controls of
their own contributions. The shared part is rendered once (``pagecache.fragment``)
with *markers* where those bits go, and ``fill()`` puts each person's values in
at every request, which costs a regular expression over the HTML and one query
or two, instead of rendering hundreds of contributions again.

Markers, written by the templates while a fragment renders (``holes_active()``):

- ``{{ hole("pressed", arg) }}``: a value (escaped unless it is ``Markup``);
- ``{% call(mine) per_person("mine", arg) %}…{% endcall %}`` (``_macros.html``):
  the body is rendered twice, with ``mine`` true then false, between
  ``if``/``else``/``end`` markers; ``fill()`` keeps the branch the person's
  value chooses;
- ``csrf_token()`` and ``started_value()`` of forms: markers named ``csrf`` and
  ``started`` inside a fragment, the real values elsewhere.

A marker carries an HMAC of its kind, name and argument keyed on
``SECRET_KEY``: text written by a resident (shown inside fragments) can never
forge one, a lookalike with a wrong MAC is left as the text it is. A marker
that ``fill()`` has no value for is an error, and so is a valid marker left in
a response (``init_app``'s check): a shared marker never reaches a browser.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections import OrderedDict
from functools import lru_cache

from flask import Flask, current_app, g, has_app_context, has_request_context
from markupsafe import Markup, escape

_MARKER = re.compile(r"@@h:(v|if|else|end):(\w+):([\w.-]*):([0-9a-f]{20})@@")
MARKER_PREFIX = b"@@h:"  # how every marker begins: a response without it holds none


class HoleError(RuntimeError):
    """A marker without a value, unbalanced branches, or a marker about to be sent."""


@lru_cache(maxsize=65536)
def _mac(secret: str, kind: str, name: str, arg: str) -> str:
    return hmac.new(secret.encode(), f"hole\x1f{kind}\x1f{name}\x1f{arg}".encode(), hashlib.sha256).hexdigest()[:20]


def _marker(kind: str, name: str, arg) -> Markup:
    arg = str(arg)
    if not re.fullmatch(r"[\w.-]*", arg):
        raise ValueError(f"argument de trou invalide : {arg!r}")
    return Markup(f"@@h:{kind}:{name}:{arg}:{_mac(current_app.config['SECRET_KEY'], kind, name, arg)}@@")


def holes_active() -> bool:
    """True while a shared fragment renders: personal values become markers."""
    return has_request_context() and bool(g.get("_holes_depth"))


class rendering:
    """``with holes.rendering():`` personal values rendered inside are markers (``fragment()`` does it)."""

    def __enter__(self):
        g._holes_depth = g.get("_holes_depth", 0) + 1
        return self

    def __exit__(self, *exc):
        g._holes_depth -= 1
        return False


def hole(name: str, arg="") -> Markup:
    """A value ``fill()`` puts in for each person."""
    return _marker("v", name, arg)


def personal_value(name: str, value) -> str:
    """``value`` itself, or a marker named ``name`` inside a shared fragment (or, for a value each request
    gives, inside a person's copy of a page: ``keeping_request_values``)."""
    return hole(name) if holes_active() or (name in _per_request and _keeping()) else value


def branch_markers(name: str, arg="") -> tuple[Markup, Markup, Markup]:
    """The ``if``, ``else`` and ``end`` markers of a per-person choice (see ``per_person`` in ``_macros.html``)."""
    return _marker("if", name, arg), _marker("else", name, arg), _marker("end", name, arg)


# Values every request can give (the signed moment a form is shown…): name -> function.
_per_request: dict = {}


def per_request(name: str, value) -> None:
    """Declare a hole whose value any request can give, ``value()``: a page shared by every signed-in person is filled with it."""
    _per_request[name] = value


def request_values() -> dict:
    """The declared per-request values, each computed only if the HTML holds its hole."""
    return {name: (lambda args, value=value: dict.fromkeys(args, value())) for name, value in _per_request.items()}


def fill_for_request(html: str, **values) -> Markup:
    """``fill()`` with what any request can give: this session's CSRF token and the declared per-request values
    (left as markers while a person's copy of a page is made: ``keeping_request_values``)."""
    from flask_wtf.csrf import generate_csrf

    if _keeping():
        return fill(html, **dict.fromkeys(("csrf", *_per_request), _KEEP), **values)
    return fill(html, csrf=lambda args: dict.fromkeys(args, generate_csrf()), **request_values(), **values)


# A value ``fill()`` leaves as its marker: one that only the request serving the HTML can give.
_KEEP = object()


def _keeping() -> bool:
    return has_app_context() and bool(g.get("_holes_keeping"))


class keeping_request_values:
    """``with holes.keeping_request_values():`` the person's HTML made inside keeps the markers of what each
    request gives (its CSRF token, the moment a form is shown): a copy kept for the person, filled at each request.

    ``expires_in()`` then tells how long what was made holds (a control shown until a moment: ``holds_until``)."""

    def __enter__(self):
        g._holes_keeping, g._holes_until = True, None
        return self

    def __exit__(self, *exc):
        g._holes_keeping = False
        return False

    def expires_in(self, seconds: float) -> float:
        """``seconds``, or less when what was made inside holds a shorter while."""
        from participation.core.models import utcnow

        until = g.pop("_holes_until", None)
        if until is None:
            return seconds
        return max(0.0, min(seconds, (until - utcnow()).total_seconds()))


def holds_until(moment) -> None:
    """What the person's part shows holds until ``moment`` (a control offered until then): a kept copy expires by it."""
    if _keeping():
        until = g.get("_holes_until")
        g._holes_until = moment if until is None else min(until, moment)


# A page's parts that belong to the person (a plan's follow button, an event's registration): name -> render(arg).
_parts: dict = {}


def person_part(name: str):
    """Register ``render(arg) -> Markup``, the part ``name`` of a page for the person asking (``current_user``)."""

    def register(render):
        _parts[name] = render
        return render

    return register


def part(name: str, arg, **now) -> Markup:
    """The person's part ``name`` about ``arg`` (an id): rendered now, or, in shared HTML, a hole ``fill()``
    renders for each person; ``fill()`` renders a part's holes itself, no view need give them.

    ``now``: what only this request has (a form sent back with its errors), given to the part rendered now;
    such a request (a ``POST``) is never shared."""
    if holes_active():
        if any(value is not None for value in now.values()):
            raise HoleError(f"la partie « {name} » de cette requête ne se partage pas")
        return hole("part", f"{name}.{arg}")
    return Markup(_parts[name](str(arg), **now))


def once(key, compute):
    """``compute()``, worked out once per request for ``key`` however many parts ask (the person's seat in a council…)."""
    from flask import request

    known = request.environ.setdefault("participation.holes.once", {})
    if key not in known:
        known[key] = compute()
    return known[key]


def part_subject(model, ident: str, *options):
    """The row a part is about, loaded once per request however many parts show it, its relationships
    loaded when used (a part shows a few columns; the shared page showed the rest), but for ``options``.

    On a page shared by signed-in people, the row is what the page shows: it is the same until the page's
    generation moves, so a copy loaded once for that generation is merged into the request's session
    without a query (``Session.merge(load=False)``, SQLAlchemy's way for rows kept in a cache)."""
    import sqlalchemy as sa

    from participation.core import pagecache
    from participation.extensions import db

    def load():
        page = pagecache.shared_page_key()
        if page is None:
            return db.session.get(model, int(ident), options=[*options, sa.orm.lazyload("*")])
        key = (page, model, ident)
        now = time.monotonic()
        with _subjects_lock:
            kept, until = _subjects.get(key, (None, 0))
        if kept is None or until < now:  # (kept no longer than the page: a row may change with time alone)
            # Its own session, closed at once: the copy stays loaded, detached, never expired by a commit.
            with sa.orm.Session(bind=db.session.get_bind()) as own:
                kept = own.get(model, int(ident), options=[*options, sa.orm.lazyload("*")])
            if kept is None:
                return None
            with _subjects_lock:
                _subjects[key] = (kept, now + current_app.config["PAGE_CACHE_SECONDS"])
                while len(_subjects) > 256:
                    _subjects.popitem(last=False)
        return db.session.merge(kept, load=False)

    return once((model, ident), load)


# Rows of parts of shared pages, under the page's key (its generation in it): (key, model, id) -> (a detached copy, until).
_subjects: OrderedDict = OrderedDict()
_subjects_lock = threading.Lock()


def forget_subjects() -> None:
    with _subjects_lock:
        _subjects.clear()


def _render_parts(args) -> dict:
    rendered = {}
    # A part is a fragment: the layout's context (territory, header) is not computed for it. A part may fill
    # parts of its own (a thread's): the flag is given back as it was, not cleared.
    outer, g.rendering_part = g.get("rendering_part", False), True
    try:
        for arg in args:
            name, _unused, about = arg.partition(".")
            if name not in _parts:
                raise HoleError(f"aucune partie personnelle « {name} »")
            rendered[arg] = Markup(_parts[name](about))
    finally:
        g.rendering_part = outer
    return rendered


def rendering_part() -> bool:
    """Whether a person's part of a shared page is being rendered (``_layout_context`` then adds nothing)."""
    return bool(g.get("rendering_part")) if has_app_context() else False


def csrf_token() -> str:
    """The CSRF token for templates: a marker inside a shared fragment or a person's kept copy, this session's token elsewhere."""
    if holes_active() or _keeping():
        return hole("csrf")
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


@lru_cache(maxsize=65536)
def _genuine(secret: str, marker: str) -> bool:
    # The same markers come back at every request: their check is remembered.
    kind, name, arg, mac = _MARKER.fullmatch(marker).groups()
    return hmac.compare_digest(mac, _mac(secret, kind, name, arg))


# The genuine markers of a shared piece of HTML, found once: the same cached string comes back at every request
# (its hash is kept by the string itself), so each request skips the scan and the MAC checks.
_found: OrderedDict = OrderedDict()
_found_lock = threading.Lock()


def _markers_of(html: str, secret: str) -> list[tuple]:
    key = (secret, html)
    with _found_lock:
        found = _found.get(key)
        if found is not None:
            _found.move_to_end(key)
            return found
    found = [(m.start(), m.end(), *m.groups()[:3]) for m in _MARKER.finditer(html) if _genuine(secret, m.group(0))]
    with _found_lock:
        _found[key] = found
        while len(_found) > 128:
            _found.popitem(last=False)
    return found


def fill(html: str, **values) -> Markup:
    """``html`` with every marker replaced by this request's values.

    ``values[name]`` is either a value for every argument (the CSRF token) or a
    function given the sorted arguments found in ``html`` and returning
    ``{arg: value}`` (one query for all the page's contributions). A branch's
    value is read as a boolean.
    """
    matches = _markers_of(html, current_app.config["SECRET_KEY"])
    html = str(html)  # slices of a plain string, not of Markup
    if not matches:
        return Markup(html)
    wanted: dict[str, set[str]] = {}
    for _start, _end, kind, name, arg in matches:
        if kind in ("v", "if"):
            wanted.setdefault(name, set()).add(arg)
    found: dict[str, dict] = {}
    values.setdefault("part", _render_parts)
    for name, args in wanted.items():
        if name not in values or values[name] is None:
            raise HoleError(f"aucune valeur pour le trou « {name} »")
        given = values[name]
        if given is _KEEP:
            found[name] = dict.fromkeys(args, _KEEP)
            continue
        found[name] = given(sorted(args)) if callable(given) else dict.fromkeys(args, given)
        missing = args - found[name].keys()
        if missing:
            raise HoleError(f"trou « {name} » sans valeur pour {sorted(missing)[:5]}")
    out: list[str] = []
    stack: list[list] = []  # [name, arg, chosen, in_else]
    hidden = 0  # open branches whose side is not the chosen one: the text is shown while there is none
    escaped: dict = {}  # a thread's hundreds of "true" and "false" escaped once
    position = 0
    for start, end, kind, name, arg in matches:
        if not hidden:
            out.append(html[position:start])
        position = end
        if kind == "v":
            if not hidden:
                value = found[name][arg]
                if value is _KEEP:
                    out.append(html[start:end])
                    continue
                key = (type(value), value)
                text = escaped.get(key)
                if text is None:
                    text = escaped[key] = str(escape(value))
                out.append(text)
            continue
        if kind == "if":
            if found[name][arg] is _KEEP:
                raise HoleError(f"le trou « {name} » de chaque requête ne choisit pas de branche")
            chosen = bool(found[name][arg])
            stack.append([name, arg, chosen, False])
            hidden += not chosen
        else:
            if not stack or stack[-1][0] != name or stack[-1][1] != arg:
                raise HoleError(f"branche « {name} » mal fermée")
            top = stack[-1]
            if kind == "else":
                if top[3]:
                    raise HoleError(f"branche « {name} » mal fermée")
                top[3] = True
                hidden += 1 if top[2] else -1  # the side shown changes
            else:
                stack.pop()
                hidden -= top[2] == top[3]
    if stack:
        raise HoleError("branche non fermée")
    out.append(html[position:])
    return Markup("".join(out))


def check(data: bytes) -> None:
    """Raise if ``data`` (a response about to leave) still holds a valid marker."""
    if MARKER_PREFIX not in data:
        return
    text, secret = data.decode("utf-8", "replace"), current_app.config["SECRET_KEY"]
    if any(_genuine(secret, m.group(0)) for m in _MARKER.finditer(text)):
        raise HoleError("marqueur personnel non rempli dans une réponse")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(hole=hole, hole_branch=branch_markers, holes_active=holes_active, part=part, personal_value=personal_value, csrf_token=csrf_token)
    # Flask-WTF's context processor gives templates its own ``csrf_token``; this one, run after it, wins.
    app.context_processor(lambda: {"csrf_token": csrf_token})

    @app.after_request
    def _no_marker_leaves(response):
        # Runs before the page cache stores the response (its hook is the last one).
        if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
            check(response.get_data())
        return response
