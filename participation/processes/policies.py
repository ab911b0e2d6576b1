"""Who may do what with the register, the charter and the bilan."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_app_context

from participation.core.permissions import Rule, active_account, anyone, define, is_admin, is_staff


def referent_communes(user) -> frozenset[int]:
    """The communes whose processes ``user`` enters as a referent (cached for the request)."""
    from participation.extensions import db
    from participation.processes.models import CommuneReferent

    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return frozenset()
    cache = g.setdefault("referent_communes", {}) if has_app_context() else {}
    if user.id not in cache:
        cache[user.id] = frozenset(db.session.scalars(sa.select(CommuneReferent.commune_id).where(CommuneReferent.user_id == user.id)))
    return cache[user.id]


def _referent(user, obj) -> bool:
    return bool(referent_communes(user))


def _referent_of(user, process) -> bool:
    """The process is led by (or, being new, will be led by) one of the user's communes, and is not the platform's."""
    communes = referent_communes(user)
    if not communes or process is None:
        return bool(communes) and process is None
    return process.source_kind is None and process.leader_commune_id in communes


def _published(user, process) -> bool:
    return process is not None and process.is_public


is_referent = Rule(_referent, "is_commune_referent")
referent_of = Rule(_referent_of, "referent_of_process")

# The back office's register: staff see every process; a commune's referent their commune's.
define("processes.register", is_staff | (active_account & is_referent))
define("processes.create", is_staff | (active_account & is_referent))
define("processes.edit", is_staff | (active_account & referent_of))
define("processes.view", Rule(_published, "published_process") | is_staff | (active_account & referent_of))
define("processes.manage_referents", is_admin)
define("processes.charter", is_staff)
define("processes.bilan", is_staff)
define("processes.contacts", is_staff)
define("processes.list", anyone)
define("processes.agree_contact", active_account)
