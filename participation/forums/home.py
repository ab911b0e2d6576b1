"""The consultations' blocks on the home page (see participation/pages/homepage.py):
the open consultations with their closing date, and the latest syntheses."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.extensions import db
from participation.forums.models import Consultation, ConsultationState
from participation.pages.homepage import HomeLink, register_home_block


@register_home_block("consultations", _l("Concertations ouvertes"), order=10, more_endpoint="forums.index",
                     more_label=_l("Toutes les concertations"), empty=_l("Aucune concertation n'est ouverte en ce moment."),
                     tags=("consultations",))
def open_consultations(limit: int) -> list[HomeLink]:
    """Open consultations, the soonest to close first: one query."""
    now = utcnow()
    statement = (
        sa.select(Consultation)
        .options(sa.orm.lazyload(Consultation.themes), sa.orm.lazyload(Consultation.communes))
        .where(Consultation.state.in_([ConsultationState.published, ConsultationState.open]),
               Consultation.opens_at <= now, Consultation.closes_at > now)
        .order_by(Consultation.closes_at, Consultation.id)
        .limit(limit)
    )
    return [
        HomeLink(c.title, url_for("forums.consultation", consultation_id=c.id), when=c.closes_at, when_prefix=_l("Clôture le"))
        for c in db.session.scalars(statement)
    ]


@register_home_block("syntheses", _l("Synthèses publiées"), order=40, tags=("consultations",))
def latest_syntheses(limit: int) -> list[HomeLink]:
    """The latest published syntheses: one query."""
    statement = (
        sa.select(Consultation)
        .options(sa.orm.lazyload(Consultation.themes), sa.orm.lazyload(Consultation.communes))
        .where(Consultation.state == ConsultationState.synthesis_published, Consultation.synthesis_published_at.is_not(None))
        .order_by(Consultation.synthesis_published_at.desc(), Consultation.id.desc())
        .limit(limit)
    )
    return [
        HomeLink(_l("Synthèse : %(title)s", title=c.title), url_for("forums.synthesis", consultation_id=c.id),
                 when=c.synthesis_published_at, when_prefix=_l("Publiée le"), all_day=True)
        for c in db.session.scalars(statement)
    ]
