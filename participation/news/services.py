"""Articles: writing, scheduling, publishing, archiving; who hears of a new one."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.follows import toggle_follow
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, require
from participation.core.uploads import IMAGES, MB, store_upload
from participation.extensions import db
from participation.news.models import ARTICLE_WORKFLOW, Article, ArticleState, ThemeFollower

IMAGE_MAX_BYTES = 5 * MB
PUBLIC_STATES = (ArticleState.published, ArticleState.archived)


def save_article(article: Article | None, *, title: str, summary: str, body: str, themes=(), communes=(), image=None,
                 image_alt: str = "", consultation_id: int | None = None, event_id: int | None = None,
                 referral_id: int | None = None, plan_action_id: int | None = None, actor) -> Article:
    """Create or edit an article; an image (JPEG or PNG) needs its text alternative."""
    require(actor, "news.manage", article)
    title, summary, body, image_alt = (title or "").strip(), (summary or "").strip(), (body or "").strip(), (image_alt or "").strip()
    if not title:
        raise ValidationError(_("Donnez un titre à l'article."), field="title")
    if not body:
        raise ValidationError(_("L'article n'a pas de texte."), field="body")
    has_image = image is not None and getattr(image, "filename", "")
    if (has_image or (article is not None and article.image_id)) and not image_alt:
        raise ValidationError(_("Décrivez l'image pour qui ne la voit pas (texte de remplacement)."), field="image_alt")
    _check_links(consultation_id, event_id, referral_id, plan_action_id)
    created = article is None
    stored = store_upload(image, kinds=IMAGES, max_bytes=IMAGE_MAX_BYTES, actor=actor, field="image") if has_image else None
    if created:
        article = Article(author_id=getattr(actor, "id", None), state=ArticleState.draft)
        db.session.add(article)
    if stored is not None:
        article.image_id = stored.id
    article.title, article.summary, article.body = title[:200], summary[:500], body
    article.image_alt = image_alt[:300] or None
    article.consultation_id, article.event_id, article.referral_id = consultation_id, event_id, referral_id
    article.plan_action_id = plan_action_id
    article.themes = list(themes)
    article.communes = list(communes)
    db.session.flush()
    record("article.created" if created else "article.edited", article, actor)
    return article


def _check_links(consultation_id, event_id, referral_id, plan_action_id=None) -> None:
    from participation.events.models import Event
    from participation.forums.models import Consultation
    from participation.plans.models import Action, Plan
    from participation.referrals.models import Referral

    if plan_action_id is not None:
        action = db.session.get(Action, plan_action_id)
        if action is None:
            raise ValidationError(_("Cette action de plan n'existe pas."), field="plan_action_id")
        if not db.session.get(Plan, action.plan_id).is_public:
            raise ValidationError(_("Le plan de cette action n'est pas encore public : l'article n'y mènerait pas."), field="plan_action_id")

    for model, ident, field, label in ((Consultation, consultation_id, "consultation_id", _("Cette concertation")),
                                       (Event, event_id, "event_id", _("Cet événement")),
                                       (Referral, referral_id, "referral_id", _("Cette saisine"))):
        if ident is not None and db.session.get(model, ident) is None:
            raise ValidationError(_("%(label)s n'existe pas.", label=label), field=field)


def schedule(article: Article, *, publish_at: datetime, actor) -> None:
    if publish_at is None or publish_at <= utcnow():
        raise ValidationError(_("Choisissez une date de publication à venir."), field="publish_at")
    require(actor, "news.manage", article)
    article.publish_at = publish_at
    ARTICLE_WORKFLOW.apply(article, "schedule", actor=actor, data={"publish_at": publish_at.isoformat()})


def unschedule(article: Article, *, actor) -> None:
    ARTICLE_WORKFLOW.apply(article, "unschedule", actor=actor)
    article.publish_at = None


def publish(article: Article, *, actor, now: datetime | None = None) -> None:
    article.published_at = now or utcnow()
    ARTICLE_WORKFLOW.apply(article, "publish", actor=actor)


def archive(article: Article, *, actor) -> None:
    ARTICLE_WORKFLOW.apply(article, "archive", actor=actor)


def publish_due(now: datetime | None = None) -> int:
    """Publish the scheduled articles whose date has come (the worker); returns how many."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Article).where(Article.state == ArticleState.scheduled, Article.publish_at <= now)
        .order_by(Article.publish_at, Article.id).with_for_update(skip_locked=True, of=Article)
    ).all()
    for article in due:
        publish(article, actor=SYSTEM, now=article.publish_at)
    return len(due)


def public_articles(*, theme_id: int | None = None, commune_id: int | None = None):
    """A ``select`` of published articles, newest first, for pagination."""
    query = sa.select(Article).where(Article.state == ArticleState.published)
    if theme_id is not None:
        query = query.where(Article.themes.any(id=theme_id))
    if commune_id is not None:
        query = query.where(Article.communes.any(id=commune_id))
    return query.order_by(Article.published_at.desc(), Article.id.desc())


def latest_articles(limit: int = 3) -> list[Article]:
    """The latest published articles (for the home page's block)."""
    return list(db.session.scalars(public_articles().limit(limit)))


def audience(article: Article) -> list:
    """Who hears of a new article: people living in one of its communes, followers of one of its themes."""
    from participation.accounts.models import AccountState, User

    commune_ids = [c.id for c in article.communes]
    theme_ids = [t.id for t in article.themes]
    conditions = []
    if commune_ids:
        conditions.append(User.commune_id.in_(commune_ids))
    if theme_ids:
        conditions.append(User.id.in_(sa.select(ThemeFollower.user_id).where(ThemeFollower.theme_id.in_(theme_ids))))
    if not conditions:
        return []
    return list(db.session.scalars(sa.select(User).where(sa.or_(*conditions), User.state == AccountState.active).order_by(User.id)))


def toggle_theme_follow(theme, *, actor) -> bool:
    require(actor, "forums.participate")
    following = toggle_follow(ThemeFollower, actor, theme_id=theme.id)
    record("theme.followed" if following else "theme.unfollowed", theme, actor)
    return following


def json_ld(article: Article, *, url: str, image_url: str | None, publisher: str) -> str:
    """schema.org NewsArticle, escaped so that its text can never close the script element."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.updated_at or article.published_at).isoformat() if article.published_at else None,
        "url": url,
        "mainEntityOfPage": url,
        "author": {"@type": "GovernmentOrganization", "name": publisher},
        "publisher": {"@type": "GovernmentOrganization", "name": publisher},
        "inLanguage": "fr",
    }
    if image_url:
        data["image"] = [image_url]
    if article.themes:
        data["keywords"] = ", ".join(t.name for t in article.themes)
    data = {k: v for k, v in data.items() if v is not None}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
