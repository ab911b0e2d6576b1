"""The councils' next public sittings on the home page (see participation/pages/homepage.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.councils.models import Council, CouncilState, Sitting, SittingState
from participation.extensions import db
from participation.pages.homepage import HomeLink, register_home_block


@register_home_block("sittings", _l("Prochaines séances des conseils"), order=30, more_endpoint="councils.index",
                     more_label=_l("Les conseils"), empty=_l("Aucune séance publique n'est annoncée pour l'instant."))
def next_sittings(limit: int) -> list[HomeLink]:
    """Published public sittings of published councils still to come: one query."""
    statement = (
        sa.select(Sitting, Council)
        .join(Council, Council.id == Sitting.council_id)
        .options(sa.orm.lazyload(Sitting.items), sa.orm.lazyload(Sitting.council))
        .where(Sitting.is_public.is_(True), Sitting.state == SittingState.published, Council.state == CouncilState.published,
               Sitting.starts_at > utcnow())
        .order_by(Sitting.starts_at, Sitting.id)
        .limit(limit)
    )
    return [
        HomeLink(s.title, url_for("councils.sitting", slug=council.slug, sitting_id=s.id), when=s.starts_at, detail=council.name)
        for s, council in db.session.execute(statement)
    ]
