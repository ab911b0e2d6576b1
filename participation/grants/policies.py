"""Who may act on associations and grants.

An association's representatives act for it; staff instruct the applications
of the calls of their department (admins all of them); only the association's
representatives and staff may read its documents.
"""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.permissions import active_account, define, is_admin, is_staff, rule


def _association_id(obj):
    from participation.grants.models import Association

    if obj is None:
        return None
    if isinstance(obj, Association):
        return obj.id
    return getattr(obj, "association_id", None)


@rule
def represents(user, obj) -> bool:
    """The user is one of the representatives of the object's association."""
    from participation.extensions import db
    from participation.grants.models import Representative

    association_id = _association_id(obj)
    if association_id is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return False
    return db.session.scalar(
        sa.select(Representative.id).where(Representative.association_id == association_id, Representative.user_id == user.id)
    ) is not None


@rule
def instructs_call(user, obj) -> bool:
    """A staff member of the department that instructs the call (any staff when the call names none)."""
    call = getattr(obj, "call", obj)
    department_id = getattr(call, "department_id", None)
    return department_id is None or department_id == getattr(user, "department_id", None)


instructor = is_admin | (is_staff & instructs_call)

define("grants.declare_association", active_account)
define("grants.represent", (represents & active_account) | is_admin)
# Read an association's page and documents: its representatives and the instructing staff.
define("grants.read_association", (represents & active_account) | is_staff)
define("grants.apply", represents & active_account)
define("grants.read_application", (represents & active_account) | is_staff)
define("grants.manage_calls", is_staff)
define("grants.instruct", instructor)
define("grants.decide", instructor)
define("grants.drop", (represents & active_account) | instructor)
define("grants.reopen", is_admin)
define("grants.pay", instructor)
define("grants.instruct_report", instructor)
define("grants.staff_queue", is_staff)
