"""The open calls for projects on the home page (see participation/pages/homepage.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.extensions import db
from participation.grants.models import GrantCall
from participation.pages.homepage import HomeLink, register_home_block


@register_home_block("grant_calls", _l("Appels à projets ouverts"), order=50, more_endpoint="grants.index",
                     more_label=_l("Tous les appels à projets"))
def open_calls(limit: int) -> list[HomeLink]:
    """Calls open now, the soonest to close first: one query."""
    now = utcnow()
    statement = (
        sa.select(GrantCall)
        .options(sa.orm.lazyload(GrantCall.themes), sa.orm.lazyload(GrantCall.department))
        .where(GrantCall.opens_at <= now, GrantCall.closes_at > now)
        .order_by(GrantCall.closes_at, GrantCall.id)
        .limit(limit)
    )
    return [
        HomeLink(c.title, url_for("grants.call", call_id=c.id), when=c.closes_at, when_prefix=_l("Dépôt avant le"))
        for c in db.session.scalars(statement)
    ]
