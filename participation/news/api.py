"""News in the public API: the published articles, as the news page lists them."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from participation.api.registry import ApiModel, Filter, register_resource
from participation.news import services
from participation.news.models import Article
from participation.territory.api import CommuneRef, ThemeRef, commune_ref, theme_ref


class ArticleOut(ApiModel):
    id: int
    title: str
    summary: str = Field(description="Le chapô.")
    body: str = Field(description="Le texte, en Markdown.")
    published_at: datetime
    themes: list[ThemeRef]
    communes: list[CommuneRef]
    url: str = Field(description="La page de l'article sur la plateforme.")


def _article(article: Article) -> dict:
    return {
        "id": article.id, "title": article.title, "summary": article.summary, "body": article.body,
        "published_at": article.published_at, "themes": [theme_ref(t) for t in article.themes],
        "communes": [commune_ref(c) for c in article.communes],
        "url": url_for("news.show", article_id=article.id, _external=True),
    }


register_resource(
    "articles", _l("Actualités"), ArticleOut, tags=("news",), order=90,
    description=_l("Les articles publiés, du plus récent au plus ancien."),
    query=lambda theme_id=None, commune_id=None: services.public_articles(theme_id=theme_id, commune_id=commune_id),
    to_dict=_article, id_column=Article.id, sort=Article.published_at, modified="updated_at",
    filters=[Filter("theme", int, _l("Les articles de ce thème (identifiant)."), keyword="theme_id"),
             Filter("commune", int, _l("Les articles de cette commune (identifiant)."), keyword="commune_id")],
)
