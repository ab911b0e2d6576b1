"""Accounts' figures for the indicators and the bilan (see ``participation/staff/indicators.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.models import AccountState, User
from participation.core.eventlog import DomainEvent
from participation.extensions import db
from participation.staff.indicators import Figure, IndicatorQuery, month_rows, percent, register_indicator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

OUTSIDE = _l("Commune non indiquée")


@register_indicator("accounts", _l("Habitants inscrits et actifs"), order=10, journal=True)
def accounts_figures(query: IndicatorQuery) -> list[Figure]:
    """Four queries: the communes' population, accounts by commune, the residents active by month and by commune, new accounts by month."""
    from participation.territory.models import Commune

    resident = ~User.roles.any()
    in_commune = [User.commune_id == query.commune_id] if query.commune_id else []
    communes = {cid: (name, population) for cid, name, population in db.session.execute(
        sa.select(Commune.id, Commune.name, Commune.population).order_by(Commune.name))}

    accounts = dict(db.session.execute(
        sa.select(User.commune_id, sa.func.count(User.id))
        .where(resident, User.created_at < query.end, User.state.in_([AccountState.active, AccountState.suspended]), *in_commune)
        .group_by(User.commune_id)
    ).all())
    # The residents active in each month and their commune, once (one pass over the year's journal):
    # counted by month, then by commune without counting twice someone active in several months.
    month = query.month_of(DomainEvent.occurred_at)
    active = (sa.select(DomainEvent.actor_id.label("actor_id"), month.label("month"), User.commune_id.label("commune_id"))
              .join(User, User.id == DomainEvent.actor_id)
              .where(DomainEvent.occurred_at >= query.start, DomainEvent.occurred_at < query.end, resident, *in_commune)
              .distinct().cte("active"))
    active_by_month, active_by_commune = {}, {}
    for kind, key, n in db.session.execute(sa.union_all(
            sa.select(sa.literal("month"), active.c.month, sa.func.count()).group_by(active.c.month),
            sa.select(sa.literal("commune"), active.c.commune_id, sa.func.count(sa.distinct(active.c.actor_id))).group_by(active.c.commune_id))):
        (active_by_month if kind == "month" else active_by_commune)[key] = n
    new_month = query.month_of(User.created_at)
    new_by_month = dict(db.session.execute(
        sa.select(new_month, sa.func.count(User.id))
        .where(resident, User.created_at >= query.start, User.created_at < query.end, *in_commune).group_by(new_month)
    ).all())

    def commune_rows(counts):
        rows = []
        for cid, (name, population) in communes.items():
            if query.commune_id and cid != query.commune_id:
                continue
            n = counts.get(cid, 0)
            rows.append((name, n, population or 0, percent(n, population)))
        if not query.commune_id and counts.get(None):
            rows.append((OUTSIDE, counts[None], 0, "—"))
        return rows

    months = {m: (int(new_by_month.get(m, 0)), int(active_by_month.get(m, 0))) for m in range(1, 13)}
    total_accounts = sum(accounts.values())
    return [
        Figure("accounts_by_commune", _("Habitants ayant un compte, par commune"), (_("Commune"), _("Comptes"), _("Population"), _("Part de la population")),
               commune_rows(accounts), summary=[(_("Comptes d'habitants"), str(total_accounts))],
               note=_("Comptes ouverts à la fin de l'année, hors agents, modérateurs et administrateurs.")),
        Figure("accounts_by_month", _("Nouveaux comptes et habitants actifs, par mois"), (_("Mois"), _("Nouveaux comptes"), _("Habitants actifs")),
               month_rows(months, 2), chart_column=2,
               note=_("Un habitant actif a fait au moins une opération dans le mois : contribution, inscription, vote, connexion…")),
        Figure("participants_by_commune", _("Habitants actifs dans l'année, par commune, rapportés à la population"),
               (_("Commune"), _("Habitants actifs"), _("Population"), _("Part de la population")), commune_rows(active_by_commune),
               summary=[(_("Habitants actifs dans l'année"), str(sum(active_by_commune.values())))]),
    ]
