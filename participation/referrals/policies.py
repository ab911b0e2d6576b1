"""Who may do what with referrals and opinions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_app_context

from participation.core.permissions import Rule, active_account, anyone, define, is_admin, is_staff
from participation.councils.policies import current_membership


def referral_of(obj):
    """The referral an object belongs to (a referral, an opinion, a recommendation)."""
    from participation.referrals.models import Opinion, Recommendation, Referral

    if obj is None or isinstance(obj, Referral):
        return obj
    if isinstance(obj, Opinion):
        return obj.referral
    if isinstance(obj, Recommendation):
        return obj.opinion.referral
    return None


def _council(obj):
    from participation.councils.models import Council

    if isinstance(obj, Council):
        return obj
    referral = referral_of(obj)
    return referral.council if referral is not None else None


def _seat(user, obj):
    return current_membership(user, _council(obj))


def _member(user, obj) -> bool:
    return _seat(user, obj) is not None


def _bureau(user, obj) -> bool:
    from participation.councils.models import MemberRole

    seat = _seat(user, obj)
    return seat is not None and seat.role in (MemberRole.president, MemberRole.co_president, MemberRole.bureau)


def _secretary(user, obj) -> bool:
    from participation.councils.models import MemberRole

    seat = _seat(user, obj)
    return seat is not None and seat.role in (MemberRole.president, MemberRole.co_president, MemberRole.secretary)


def _in_group(user, obj) -> bool:
    """The user sits in the working group the referral is entrusted to (cached for the request)."""
    from participation.councils.models import WorkingGroupMember
    from participation.extensions import db

    referral = referral_of(obj)
    seat = _seat(user, obj)
    if referral is None or seat is None or referral.working_group_id is None:
        return False
    cache = g.setdefault("referral_groups", {}) if has_app_context() else {}
    key = (seat.id, referral.working_group_id)
    if key not in cache:
        cache[key] = db.session.scalar(sa.select(WorkingGroupMember.id).where(
            WorkingGroupMember.group_id == referral.working_group_id, WorkingGroupMember.membership_id == seat.id)) is not None
    return cache[key]


def _answering_department(user, obj) -> bool:
    referral = referral_of(obj)
    department_id = getattr(user, "department_id", None)
    return referral is not None and department_id is not None and department_id in (referral.department_id, referral.answer_department_id)


def _public(user, obj) -> bool:
    referral = referral_of(obj)
    return referral is not None and referral.is_public


is_member = Rule(_member, "is_referral_council_member")
is_bureau = Rule(_bureau, "is_bureau")
is_secretary = Rule(_secretary, "is_referral_secretary")
in_group = Rule(_in_group, "in_working_group")
of_answering_department = Rule(_answering_department, "of_answering_department")

define("referrals.manage", is_staff)
define("referrals.propose", active_account & is_member)
define("referrals.decide", is_staff | (active_account & is_bureau))
define("referrals.draft", is_staff | (active_account & (in_group | is_bureau)))
define("referrals.view_draft", is_staff | (active_account & is_member))
define("referrals.comment", active_account & is_member)
define("referrals.vote", is_staff | (active_account & is_secretary))
define("referrals.answer", is_admin | (is_staff & of_answering_department))
define("referrals.view", Rule(_public, "public_referral") | is_staff | (active_account & is_member))
define("referrals.follow", active_account)
define("referrals.list", anyone)


def _published_report(user, obj) -> bool:
    return getattr(obj, "is_published", False)


# Yearly activity reports: staff prepare and publish them; a draft is seen by staff only.
define("referrals.report", is_staff)
define("referrals.view_report", Rule(_published_report, "published_report") | is_staff)
