"""Contact lists: the participants of a process who agreed to be contacted about it.

A resident agrees on the process's public page (« Être recontacté ») and may
withdraw at any time; nothing else feeds the list, and it serves only to tell
them about this process's results and follow-up.
"""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.models import AccountState, User
from participation.core.errors import DomainError
from participation.core.eventlog import record
from participation.core.permissions import require
from participation.extensions import db
from participation.processes.models import Process, ProcessContact
from flask_babel import gettext as _


def agreed(process: Process, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(sa.select(ProcessContact.id).where(ProcessContact.process_id == process.id,
                                                                ProcessContact.user_id == user.id)) is not None


def set_contact(process: Process, *, agree: bool, actor) -> bool:
    """Agree to be contacted about ``process`` (or withdraw); returns whether anything changed."""
    require(actor, "processes.agree_contact", process)
    existing = db.session.scalar(sa.select(ProcessContact).where(ProcessContact.process_id == process.id,
                                                                 ProcessContact.user_id == actor.id))
    if agree and existing is None:
        if not process.is_public:
            raise DomainError(_("Cette démarche n'est pas publiée."))
        db.session.add(ProcessContact(process_id=process.id, user_id=actor.id))
        db.session.flush()
        record("process.contact_agreed", process, actor)
        return True
    if not agree and existing is not None:
        db.session.delete(existing)
        db.session.flush()
        record("process.contact_withdrawn", process, actor)
        return True
    return False


def contact_rows(process: Process) -> list[tuple[str, str]]:
    """(name, address) of each active account that agreed, by name: one query."""
    return [tuple(row) for row in db.session.execute(
        sa.select(User.display_name, User.email).join(ProcessContact, ProcessContact.user_id == User.id)
        .where(ProcessContact.process_id == process.id, User.state == AccountState.active)
        .order_by(User.display_name, User.id)
    )]
