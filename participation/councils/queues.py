"""The councils' work for the back office's « what waits for me » (see ``participation/staff/queues.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from participation.councils.models import Minutes, MinutesState
from participation.staff.queues import QueueItem, register_queue
from flask_babel import lazy_gettext as _l


@register_queue("minutes_to_approve", _l("Comptes rendus à approuver"), permission="councils.manage_sitting",
                url_endpoint="councils_staff.councils", order=40,
                help=_l("Comptes rendus de séance soumis à approbation par le secrétariat du conseil."))
def minutes_to_approve(user):
    statement = sa.select(Minutes).where(Minutes.state == MinutesState.submitted)

    def item(minutes: Minutes) -> QueueItem:
        sitting = minutes.sitting
        return QueueItem(title=f"{sitting.council.name} : {sitting.title}",
                         url=url_for("councils_staff.sitting_admin", sitting_id=sitting.id), since=minutes.updated_at)

    return statement, Minutes.updated_at, item
