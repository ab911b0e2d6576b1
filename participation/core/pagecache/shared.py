"""Pages shared by every signed-in person: rendered once as a stand-in, filled for each with their card and parts."""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa
from flask import Response, current_app, g, has_request_context, request, session

from participation.core.pagecache.entries import _complete, _keep, _key, _lookup, _page_generation, _shows_csrf_token
from participation.core.pagecache.fragments import _as_anonymous
from participation.core.pagecache.generations import (
    _REDIS_GENERATION,
    _REDIS_JOURNAL,
    ALL,
    _prefix,
    _read_ahead,
    _redis,
    local_pages,
)
from participation.core.pagecache.people import _PERSON_SEEN, _person_keys

# Pages shared by every signed-in person --------------------------------------
#
# Most public pages show a signed-in person little of theirs: the header
# (their name, their unread notices, the desk's link, the CSRF token of the
# log-out form) and a few parts (an event's registration, a topic's
# contribution form and their reactions, a follow button). Such a page is
# rendered once, as no one, with holes where those go
# (``layout.header_person``, ``holes.part``), kept under the same key as the
# anonymous page plus the variant ``SIGNED_IN`` and the roles the person holds
# (most hold none; a desk's page asks them), and filled for each person:
# the header from their card (``layout.signed_in_card``: one Redis GET while
# nothing of theirs changes), each part by its renderer. A page with no part
# reads neither the account nor the page from the database.
#
# Whether a page shows nothing else of the person is found out, not declared:
# while it renders, ``current_user`` is a stand-in, someone signed in with
# those roles, that stops the rendering when asked anything more (their id,
# their department, a permission on an object of theirs), and the
# session notes any read. A page that used either (a topic whose only
# contribution waits for moderation, seen by its author) is rendered again for
# the person the usual way, and is not tried again for an entry's lifetime.

SIGNED_IN = "signed-in"
# Pages found to use the person (path, query and roles -> until when they are rendered for the person without trying).
_personal_pages: dict[str, float] = {}


class _SomeoneSignedIn:
    """``current_user`` while a shared page renders: someone signed in, nobody in particular, holding ``roles``.

    Asking whether someone is signed in gets yes (every reader of the page is), and so does asking their
    roles (the page is shared by those holding the same); anything else (their id, their department, a
    ``can()`` that reads either) is noted, and the page is then rendered for the person."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, roles=()):
        self.used = False
        self.role_names = frozenset(roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    def __getattr__(self, name):
        self.used = True
        raise _PersonNeeded(name)

    def get_id(self):
        self.used = True
        raise _PersonNeeded("get_id")


class _PersonNeeded(Exception):
    """The shared page asked who is there: it is rendered for the person instead."""


def _serve_signed_in(max_age, tags, vary=None):
    """A signed-in person's ``GET`` of a cached page: the shared page filled with their card, or None."""
    if "_user_id" not in session or "_flashes" in session or "lang" in request.args:
        return None
    from participation.core import holes
    from participation.layout import session_person, signed_in_card

    client = _redis()
    person = session_person()
    if client is not None and person is not None:
        # The person's generation, ALL and the journal: what the card and the page's key ask, in one round trip.
        prefix = _prefix()
        _read_ahead(client, [*_person_keys(person[0]), prefix + _REDIS_GENERATION + ALL, prefix + _REDIS_JOURNAL])
    card = signed_in_card()
    if card is None:
        return None
    g.page_cache_person = card
    if _personal_pages.get(_personal_key(), 0) > time.monotonic():
        return None
    key = _key(_page_generation(tags, vary), _roles_variant(card))
    g.page_cache = (key, max_age or current_app.config["PAGE_CACHE_SECONDS"], SIGNED_IN)
    entry = _lookup(key)
    if entry is None:
        return None  # the view renders it (``_render_shared``)
    g.page_cache = None
    status, headers, body, _, _unused = entry
    if _PART_MARK in body:
        from participation.layout import CardPerson

        g._login_user = CardPerson(card)  # the parts ask the person's id and roles: their card has them
        html = _person_copy(key, card, body.decode(), max_age or current_app.config["PAGE_CACHE_SECONDS"])
    elif holes.MARKER_PREFIX in body:
        html = _fill_person(body.decode())
    else:
        html = body  # nothing of anyone's in it (an iCalendar feed): served as kept, not decoded and scanned
    response = Response(html, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit-shared"
    return response


_REDIS_PERSON_PAGE = "pagecache:personal:"


def _person_copy(page_key: str, card: dict, body: str, max_age: int) -> str:
    """The shared page ``body`` filled for the person, kept under the page's key and the person's generation
    (with Redis), but for what each request gives (its CSRF token, the moment a form is shown).

    A part shows the page's subject (under the page's tags, in its key) as it stands for the person (rows
    naming them, under their generation), or what holds until a moment (``holes.holds_until``); nothing else."""
    from participation.core import holes

    seen = request.environ.get(_PERSON_SEEN)
    client = _redis()
    if seen is None or seen[0] != card["id"] or client is None:
        return _fill_parts(page_key, body)
    key = "q" + hashlib.sha256(f"{page_key}\x1f{seen[0]}\x1f{seen[1]}".encode()).hexdigest()
    now = time.monotonic()
    entry = local_pages.get(key)
    copy = entry[2] if entry is not None and entry[3] > now else None
    if copy is None:
        try:
            stored = client.get(_prefix() + _REDIS_PERSON_PAGE + key)
        except Exception:
            stored = None
        if stored is not None:
            until, _unused, copy = stored.decode().partition("\n")
            local_pages.set(key, (200, [], copy, now + float(until) - time.time()), current_app.config["PAGE_CACHE_SIZE"])
    if copy is None:
        with holes.keeping_request_values() as keeping:
            copy = _fill_parts(page_key, body)
        lifetime = keeping.expires_in(max_age)
        # A part that wrote this session's token in (a form's own field) is this session's: not kept.
        if lifetime >= 1 and not _shows_csrf_token(copy) and not g.get("rollback_only"):
            local_pages.set(key, (200, [], copy, now + lifetime), current_app.config["PAGE_CACHE_SIZE"])
            try:
                client.set(_prefix() + _REDIS_PERSON_PAGE + key, f"{time.time() + lifetime}\n{copy}".encode(), ex=max(1, int(lifetime)))
            except Exception:
                pass
    return str(holes.fill_for_request(copy))


_PART_MARK = b"@@h:v:part:"


def _fill_parts(page_key: str, body: str) -> str:
    """The shared page ``body`` filled for the person, its parts read outside a transaction when nothing else has
    used the database: the rows they are about may then be kept under the page's key (``holes.part_subject``),
    read in a session of their own, which takes no lock this request holds."""
    if _reads_only():
        request.environ[_SHARED_KEY] = page_key
    return _fill_person(body)


def _reads_only() -> bool:
    """The parts of a shared page only read: each query on its own, without BEGIN and COMMIT (two round trips
    of the few a part page costs). Nothing else has used the database yet in this request (but in tests, whose
    sessions live in one connection's transaction)."""
    from participation.extensions import db

    if isinstance(db.session.get_bind(), sa.engine.Engine) and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return True
    return False


_SHARED_KEY = "participation.pagecache.shared"  # in the request's environ: the key of the shared page being served


def shared_page_key() -> str | None:
    """The key of the shared page whose parts this request fills outside a transaction (its generation in it), or None."""
    return request.environ.get(_SHARED_KEY) if has_request_context() else None


def _roles_variant(card: dict) -> str:
    """The key's variant of a shared page: shared by the people holding the same roles (a page may ask them: the desk's)."""
    return f"{SIGNED_IN}:{','.join(card.get('roles', ()))}"


def _personal_key() -> str:
    return f"{request.full_path}\x1f{_roles_variant(g.page_cache_person)}"


def _fill_person(html: str) -> str:
    from participation.core import holes
    from participation.layout import person_values

    return str(holes.fill_for_request(html, **person_values(g.page_cache_person)))


def _render_shared(func, args, kwargs):
    """Render the view as no one for every signed-in person, keep it, and fill it for this one;
    or, when it used the person or the session, render it for them the usual way."""
    from flask import make_response
    from flask.globals import request_ctx

    from participation.core import holes

    key, max_age, _unused = g.page_cache
    g.page_cache = None
    watched = _SomeoneSignedIn(g.page_cache_person.get("roles", ()))
    request_ctx.flashes = []  # none waits (``_serve_signed_in``): the layout need not read the session for them
    # Flask's ``session`` proxy marks the session accessed at each use, even to read that flag: the object itself is watched.
    visitor_session = session._get_current_object()
    visitor_session.accessed = False
    g.page_cache_shared = True
    try:
        response = make_response(_as_anonymous(lambda: func(*args, **kwargs), watched))
    except _PersonNeeded:
        response = None
    finally:
        g.page_cache_shared = False
    personal = response is None or watched.used or visitor_session.accessed or visitor_session.modified
    filled = None
    if not personal and _fit_to_share(response):
        html = response.get_data(as_text=True)
        try:
            filled = _fill_person(html)
        except holes.HoleError:
            personal = True  # a hole only its view knows how to fill
    if personal or filled is None:
        if personal:
            if len(_personal_pages) > 10_000:
                _personal_pages.clear()
            # Its state may change (a waiting contribution approved): it is tried again after an entry's lifetime.
            _personal_pages[_personal_key()] = time.monotonic() + max_age
        return func(*args, **kwargs)
    _keep(key, response, html.encode(), max_age)
    response.set_data(filled)
    response.headers["X-Page-Cache"] = "miss-shared"
    return response


def _fit_to_share(response: Response) -> bool:
    return (
        _complete(response)
        and (response.mimetype.startswith("text/") or response.mimetype.endswith("+xml"))  # HTML, iCalendar, Atom
        and "Set-Cookie" not in response.headers
    )
