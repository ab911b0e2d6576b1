"""The plans' block on the home page (see participation/pages/homepage.py): the public plans most recently changed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.pages.homepage import HomeLink, register_home_block
from participation.plans.models import Plan
from participation.plans.services import public_plans


@register_home_block("plans", _l("Plans du territoire"), order=60, more_endpoint="plans.index", more_label=_l("Tous les plans"))
def recent_plans(limit: int) -> list[HomeLink]:
    """Public plans, the most recently changed first: one query."""
    statement = public_plans().options(sa.orm.lazyload("*")).order_by(None).order_by(Plan.updated_at.desc()).limit(limit)
    return [
        HomeLink(p.title, url_for("plans.plan", slug=p.slug), detail=f"{p.kind.label}, {p.start_year}–{p.end_year} · {p.state.label}")
        for p in db.session.scalars(statement)
    ]
