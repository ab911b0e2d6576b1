"""The news' block on the home page (see participation/pages/homepage.py): the latest articles."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.news.services import public_articles
from participation.pages.homepage import HomeLink, register_home_block


@register_home_block("news", _l("Actualités"), order=55, more_endpoint="news.index", more_label=_l("Toutes les actualités"))
def latest_articles(limit: int) -> list[HomeLink]:
    """The latest published articles: one query."""
    statement = public_articles().options(sa.orm.lazyload("*")).limit(limit)
    return [
        HomeLink(a.title, url_for("news.show", article_id=a.id), when=a.published_at, when_prefix=_l("Publiée le"), all_day=True,
                 detail=a.summary)
        for a in db.session.scalars(statement)
    ]
