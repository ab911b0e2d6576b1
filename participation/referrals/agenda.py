"""Referrals in the agenda citoyen: the date each opinion is due, as an all-day
deadline (see participation/agenda/sources.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from participation.core.french import de
from participation.agenda.sources import AgendaItem, AgendaQuery, linked_ids, matches_links, register_source
from participation.extensions import db
from participation.referrals.models import AWAITING_OPINION, Referral, referral_themes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND, LABEL = "referral_due", _l("Échéance d'une saisine")
PARIS = ZoneInfo("Europe/Paris")


def _moment(day) -> datetime:
    """Noon, Paris time, on that day: an all-day item's moment."""
    return datetime.combine(day, time(12), PARIS).astimezone(UTC)


@register_source(KIND, LABEL)
def referral_deadlines(query: AgendaQuery) -> list[AgendaItem]:
    """Public referrals whose opinion is due in the period: two queries."""
    first = query.start.astimezone(PARIS).date() - timedelta(days=1)
    last = query.end.astimezone(PARIS).date() + timedelta(days=1)
    statement = (
        sa.select(Referral)
        .options(sa.orm.lazyload(Referral.themes))
        .where(Referral.state.in_(AWAITING_OPINION), Referral.due_on >= first, Referral.due_on <= last)
        .order_by(Referral.due_on, Referral.id)
    )
    if query.theme_ids:
        statement = statement.where(matches_links(Referral.id, referral_themes, "referral_id", "theme_id", query.theme_ids))
    referrals = [r for r in db.session.scalars(statement).all() if query.start <= _moment(r.due_on) < query.end]
    if not referrals:
        return []
    themes = linked_ids(referral_themes, "referral_id", "theme_id", [r.id for r in referrals])
    return [
        AgendaItem(
            kind=KIND,
            kind_label=LABEL,
            title=_("Avis attendu %(de_name)s : « %(subject)s »", de_name=de(referral.council.name), subject=referral.subject),
            start=_moment(referral.due_on),
            end=_moment(referral.due_on),
            all_day=True,
            url=f"/saisines/{referral.id}",
            uid=f"referral-{referral.id}-due",
            summary=_("%(label)s : date de remise de l'avis.", label=referral.kind.label),
            theme_ids=themes.get(referral.id, frozenset()),
            published_at=referral.created_at,
        )
        for referral in referrals
    ]
