"""Grants' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.grants.models import ApplicationState, GrantApplication, GrantCall, call_themes
from participation.staff.indicators import Figure, IndicatorQuery, percent, register_indicator
from flask_babel import gettext as _

from participation.core.numbers import whole_euros


def _euros(cents: int) -> int:
    return round((cents or 0) / 100)


@register_indicator("grants", _l("Subventions aux associations"), order=60)
def grants_figures(query: IndicatorQuery) -> list[Figure]:
    """Three queries: the year's grants by call (and its envelope), by theme, by the commune of the association's seat."""
    granted = [GrantApplication.state == ApplicationState.granted, GrantApplication.decided_on >= query.first_day,
               GrantApplication.decided_on <= query.last_day]
    by_call = db.session.execute(
        sa.select(GrantCall.title, GrantCall.envelope_cents, sa.func.count(GrantApplication.id), sa.func.sum(GrantApplication.amount_granted_cents))
        .join(GrantApplication, GrantApplication.call_id == GrantCall.id).where(*granted)
        .group_by(GrantCall.id, GrantCall.title, GrantCall.envelope_cents).order_by(GrantCall.title)
    ).all()
    from participation.territory.models import Theme

    by_theme = db.session.execute(
        sa.select(Theme.name, sa.func.count(GrantApplication.id), sa.func.sum(GrantApplication.amount_granted_cents))
        .select_from(GrantApplication).join(call_themes, call_themes.c.call_id == GrantApplication.call_id)
        .join(Theme, Theme.id == call_themes.c.theme_id)
        .where(*granted).group_by(Theme.id, Theme.name).order_by(Theme.name)
    ).all()
    from participation.grants.models import Association
    from participation.territory.models import Commune

    by_commune = db.session.execute(
        sa.select(Commune.name, sa.func.count(GrantApplication.id), sa.func.sum(GrantApplication.amount_granted_cents))
        .select_from(GrantApplication).join(Association, Association.id == GrantApplication.association_id)
        .outerjoin(Commune, Commune.id == Association.commune_id)
        .where(*granted, *([Association.commune_id == query.commune_id] if query.commune_id else []))
        .group_by(Commune.id, Commune.name).order_by(Commune.name.is_(None), Commune.name)
    ).all()
    outside = str(_l("Siège hors du territoire ou non précisé"))
    return [
        Figure("grants_by_commune", str(_l("Subventions accordées, par commune du siège de l'association")),
               (str(_l("Commune")), str(_l("Montant accordé (€)")), str(_l("Subventions"))),
               [(name or outside, _euros(total), n) for name, n, total in by_commune],
               note=str(_l("Subventions décidées dans l'année, rattachées à la commune où l'association a son siège (déclarée par elle)."))),
        Figure("grants_by_call", _("Subventions accordées par appel, et part de l'enveloppe"), (_("Appel"), _("Montant accordé (€)"), _("Subventions"), _("Part de l'enveloppe")),
               [(title, _euros(total), n, percent(total or 0, envelope)) for title, envelope, n, total in by_call],
               summary=[(_("Montant accordé"), whole_euros(sum(_euros(r[3]) for r in by_call)))],
               note=_("Subventions décidées dans l'année. Toute la collectivité : une association ne se rattache pas à une seule commune.")),
        Figure("grants_by_theme", _("Subventions accordées par thème de l'appel"), (_("Thème"), _("Montant accordé (€)"), _("Subventions")),
               [(name, _euros(total), n) for name, n, total in by_theme],
               note=_("Une subvention d'un appel à plusieurs thèmes compte dans chacun.")),
    ]
