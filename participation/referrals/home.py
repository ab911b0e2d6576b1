"""The latest published opinions on the home page (see participation/pages/homepage.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.councils.models import Council
from participation.extensions import db
from participation.pages.homepage import HomeLink, register_home_block
from participation.referrals.models import PUBLIC_STATES, Opinion, OpinionState, Referral


@register_home_block("opinions", _l("Derniers avis publiés"), order=35, more_endpoint="referrals.index",
                     more_label=_l("Toutes les saisines et leurs avis"))
def latest_opinions(limit: int) -> list[HomeLink]:
    """Published opinions, the latest first, with their council's name: one query."""
    statement = (
        sa.select(Opinion.published_at, Referral.id, Referral.subject, Council.name)
        .join(Referral, Referral.id == Opinion.referral_id)
        .join(Council, Council.id == Referral.council_id)
        .where(Opinion.state == OpinionState.published, Opinion.published_at.is_not(None), Referral.state.in_(PUBLIC_STATES))
        .order_by(Opinion.published_at.desc(), Opinion.id.desc())
        .limit(limit)
    )
    return [
        HomeLink(subject, url_for("referrals.opinion", referral_id=referral_id), when=published_at, when_prefix=_l("Publié le"),
                 all_day=True, detail=council)
        for published_at, referral_id, subject, council in db.session.execute(statement)
    ]
