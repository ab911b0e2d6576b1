"""Who may do what with councils."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import g, has_app_context

from participation.core.permissions import Rule, active_account, anyone, define, is_staff


def council_of(obj):
    """The council an object belongs to (a council, a sitting, minutes, a group…)."""
    from participation.councils.models import Council, Minutes

    if obj is None or isinstance(obj, Council):
        return obj
    if isinstance(obj, Minutes):
        return obj.sitting.council
    return getattr(obj, "council", None)


def current_membership(user, council):
    """The user's seat in this council, if they sit in it now (cached for the request)."""
    from participation.councils.models import Membership, MembershipState
    from participation.extensions import db

    if council is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return None
    cache = g.setdefault("council_seats", {}) if has_app_context() else {}
    key = (user.id, council.id)
    if key not in cache:
        cache[key] = db.session.scalar(_seat_statement(Membership, MembershipState.active), {"council": council.id, "user": user.id})
    return cache[key]


@functools.cache
def _seat_statement(membership, active):
    # Built once: a council's and a referral's pages ask it for every signed-in reader. The permissions read the
    # seat's role, not its college (loaded if a page shows it).
    return (sa.select(membership).where(membership.council_id == sa.bindparam("council"), membership.user_id == sa.bindparam("user"),
                                        membership.state == active)
            .options(sa.orm.lazyload(membership.college)))


def _member(user, obj) -> bool:
    return current_membership(user, council_of(obj)) is not None


def _secretary(user, obj) -> bool:
    from participation.councils.models import MemberRole

    seat = current_membership(user, council_of(obj))
    return seat is not None and seat.role in (MemberRole.secretary, MemberRole.president, MemberRole.co_president)


is_member = Rule(_member, "is_member")
is_secretary = Rule(_secretary, "is_secretary")

define("councils.manage", is_staff)
define("councils.manage_sitting", is_staff)
define("councils.write_minutes", is_staff | (active_account & is_secretary))
define("councils.view_private", is_staff | (active_account & is_member))
define("councils.answer_convocation", active_account & is_member)
define("councils.register_training", active_account & is_member)
define("councils.apply", active_account)
define("councils.follow", active_account)
define("councils.view_public", anyone)
