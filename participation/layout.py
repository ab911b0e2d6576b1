"""What the frame of every page shows of the signed-in person: their card.

The header shows a signed-in person's name, their unread notices and, for
staff, the link to the desk. Those values are their *card*, kept under the
person's generation (``pagecache.person_card``): a page reads it with one
Redis GET instead of loading the account and counting notices, and a page
shared by every signed-in person (``pagecache``, ``signed_in``) is filled with
it. The card also holds what tells whether the session still holds (the
account's log-in key and state), so that a shared page is never served to a
session the account has ended.
"""

from __future__ import annotations

from functools import cached_property

from flask import g, session

from participation.core import holes, pagecache


def card_of(user) -> dict:
    """The card of ``user``, read from the database."""
    from participation.accounts.models import AccountState
    from participation.core.permissions import can
    from participation.notifications.services import unread_count

    return {
        "id": user.id,
        "key": user.login_key,
        "active": user.state == AccountState.active,
        "locale": user.locale,
        "name": user.display_name,
        "staff": bool(can(user, "staff.access")),
        # Pages shared by signed-in people are shared by those holding the same roles (``pagecache``).
        "roles": sorted(user.role_names),
        "unread": unread_count(user),
    }


def session_person() -> tuple[int, str] | None:
    """The account id and log-in key this session is signed in with, as it says (``signed_in_card`` checks them)."""
    from participation.core.forms import parse_int

    user_id, _unused, key = str(session.get("_user_id") or "").partition(":")
    person = parse_int(user_id, minimum=1)
    return None if person is None or not key else (person, key)


def signed_in_card() -> dict | None:
    """The card of the person this session is signed in as; None for no one, or for a session
    that no longer holds (a changed log-in key, a closed account): the usual path then ends it."""
    from participation.accounts.models import User
    from participation.extensions import db

    signed_in = session_person()
    if signed_in is None:
        return None
    person, key = signed_in

    def build():
        user = db.session.get(User, person)
        return None if user is None else card_of(user)

    card = pagecache.person_card(person, build)
    if card is None or card["key"] != key or not card["active"]:
        return None
    return card


def person_values(card: dict) -> dict:
    """The values of the header's holes in a page shared by every signed-in person."""
    return {"person_name": card["name"], "person_unread": card["unread"], "person_staff": card["staff"]}


def header_person(user) -> dict | None:
    """What the header shows of the person: real values, or markers in a page shared by every signed-in person."""
    if g.get("page_cache_shared"):
        return {"name": holes.hole("person_name"), "unread": holes.hole("person_unread"), "staff": None}
    if user is None or not user.is_authenticated:
        return None
    card = g.get("page_cache_person")
    if card is None or card["id"] != user.id:
        card = g.page_cache_person = pagecache.person_card(user.id, lambda: card_of(user))
    return {"name": card["name"], "unread": card["unread"], "staff": card["staff"]}


class CardPerson:
    """``current_user`` while a shared page is filled for a person: the person as their card says
    (id, roles, language, name), their account loaded from the database only if a part asks more.

    A part of a shared page mostly asks the person's id (their registration, their reactions) and
    roles (a permission): one account query fewer on each such page."""

    is_authenticated = True
    is_active = True  # only an active account's card is served (``signed_in_card``)
    is_anonymous = False

    def __init__(self, card: dict):
        from participation.accounts.models import AccountState

        self.id = card["id"]
        self.state = AccountState.active
        self.role_names = frozenset(card.get("roles", ()))
        self.locale = card["locale"]
        self.display_name = card["name"]

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    @cached_property
    def account(self):
        from sqlalchemy.orm import lazyload

        from participation.accounts.models import User
        from participation.extensions import db

        return db.session.get(User, self.id, options=[lazyload(User.roles), lazyload(User.department)])

    def get_id(self) -> str:
        return self.account.get_id()

    def __getattr__(self, name):
        return getattr(self.account, name)
