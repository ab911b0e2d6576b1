"""Referrals as participatory processes of the register (see ``participation/processes/sources.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.agenda.sources import linked_ids
from participation.core.dates import utc_to_local
from participation.extensions import db
from participation.referrals.models import (
    PUBLIC_STATES,
    Opinion,
    Recommendation,
    RecommendationStatus,
    Referral,
    ReferralKind,
    referral_themes,
)
from participation.processes.sources import PlatformProcess, path, register_process_source
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_process_source("referral", _l("Saisine d'un conseil"), automatic=True)
def referrals(ids: list[int] | None) -> list[PlatformProcess]:
    """Every public referral, with its recommendations and their take-up: three queries."""
    statement = sa.select(Referral).where(Referral.state.in_(PUBLIC_STATES)).order_by(Referral.id).options(sa.orm.lazyload(Referral.themes))
    if ids is not None:
        statement = statement.where(Referral.id.in_(ids))
    items = db.session.scalars(statement).all()
    if not items:
        return []
    item_ids = [r.id for r in items]
    retained = sa.func.sum(sa.case((Recommendation.status.in_([RecommendationStatus.retained, RecommendationStatus.partly_retained]), 1),
                                   else_=0))
    counts = {
        rid: (total, int(kept or 0))
        for rid, total, kept in db.session.execute(
            sa.select(Opinion.referral_id, sa.func.count(Recommendation.id), retained)
            .join(Recommendation, Recommendation.opinion_id == Opinion.id)
            .where(Opinion.referral_id.in_(item_ids)).group_by(Opinion.referral_id)
        )
    }
    themes = linked_ids(referral_themes, "referral_id", "theme_id", item_ids)
    result = []
    for r in items:
        total, kept = counts.get(r.id, (0, 0))
        council = r.council
        communes = frozenset({council.neighbourhood.commune_id}) if getattr(council, "neighbourhood", None) is not None else frozenset()
        result.append(PlatformProcess(
            source_id=r.id, title=f"{'Auto-saisine' if r.kind == ReferralKind.self_referral else 'Saisine'} : {r.subject}",
            method="referral", url=path("referrals.referral", referral_id=r.id),
            starts_on=r.received_on, ends_on=utc_to_local(r.answered_at).date() if r.answered_at else None,
            figures=((_("Recommandations"), total), (_("Recommandations retenues en tout ou partie"), kept)),
            summary=r.question,
            leader_kind="council", leader_name=council.name, theme_ids=themes.get(r.id, frozenset()), commune_ids=communes,
        ))
    return result
