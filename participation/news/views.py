"""News (/actualites/), its Atom feed and back office (/gestion/actualites/); the newsletter (/lettre/, /gestion/lettre/)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from participation.core.pagecache import cached_page
from participation.core.dates import local_to_utc, utc_to_local
from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.core.permissions import can, require
from participation.core.uploads import send_stored_file
from participation.core.urls import external_url
from participation.core.web import form_error, form_status, paginate
from participation.core.web import get_or_404 as _get_or_404
from participation.extensions import csrf, db
from participation.news import newsletter, services
from participation.news.forms import ArticleForm, IssueForm, ScheduleForm, SubscribeForm
from participation.news.models import ARTICLE_WORKFLOW, Article, Issue, IssueState, ThemeFollower
from participation.notifications.services import BadUnsubscribeLink
from flask_babel import gettext as _

bp = Blueprint("news", __name__, url_prefix="/actualites")
staff_bp = Blueprint("news_staff", __name__, url_prefix="/gestion/actualites")
newsletter_bp = Blueprint("newsletter", __name__, url_prefix="/lettre")
newsletter_staff_bp = Blueprint("newsletter_staff", __name__, url_prefix="/gestion/lettre")
EXTRA_BLUEPRINTS = ("staff_bp", "newsletter_bp", "newsletter_staff_bp")


def _territory_lists():
    from participation.territory.models import Commune, Theme

    themes = [(i, n) for i, n in db.session.execute(sa.select(Theme.id, Theme.name).where(Theme.archived.is_(False)).order_by(Theme.name))]
    communes = [(i, n) for i, n in db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name))]
    return themes, communes


def get_or_404(model, ident: int):
    """The row, or 404; an id past PostgreSQL's integer range is not found rather than an error."""
    if not 0 < ident < 2**31:
        abort(404)
    return _get_or_404(model, ident)


def _chosen(model, ids):
    return db.session.scalars(sa.select(model).where(model.id.in_(ids or []))).all() if ids else []


def _bounded(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value < 2**31 else None


# Public pages --------------------------------------------------------------------


@bp.route("/")
@cached_page
def index():
    from participation.territory.models import Commune, Theme

    theme = db.session.get(Theme, _bounded("theme")) if _bounded("theme") else None
    commune = db.session.get(Commune, _bounded("commune")) if _bounded("commune") else None
    page = paginate(services.public_articles(theme_id=theme.id if theme else None, commune_id=commune.id if commune else None))
    following = theme is not None and current_user.is_authenticated and db.session.scalar(
        sa.select(ThemeFollower.id).where(ThemeFollower.user_id == current_user.id, ThemeFollower.theme_id == theme.id)) is not None
    themes, communes = _territory_lists()
    return render_template("news/index.html", page=page, theme=theme, commune=commune, themes=themes, communes=communes,
                           following=following, form=FlaskForm(),
                           filters={k: v.id for k, v in (("theme", theme), ("commune", commune)) if v is not None})


@bp.route("/theme/<int:theme_id>/suivre", methods=["POST"])
@login_required
def follow_theme(theme_id: int):
    from participation.territory.models import Theme

    theme = get_or_404(Theme, theme_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    following = services.toggle_theme_follow(theme, actor=current_user)
    flash(_("Vous suivez les actualités du thème « %(name)s ».", name=theme.name) if following else _("Vous ne suivez plus le thème « %(name)s ».", name=theme.name), "success")
    return redirect(url_for("news.index", theme=theme.id))


def _public_article(article_id: int) -> Article:
    article = get_or_404(Article, article_id)
    if not can(current_user, "news.view", article):
        abort(404)  # an unpublished article does not exist for the public
    return article


@bp.route("/<int:article_id>")
@cached_page
def show(article_id: int):
    article = _public_article(article_id)
    from participation.territory.services import current_territory

    image_url = external_url("news.image", article_id=article.id) if article.image_id else None
    json_ld = services.json_ld(article, url=external_url("news.show", article_id=article.id), image_url=image_url,
                               publisher=current_territory().name) if article.is_public else None
    return render_template("news/show.html", article=article, json_ld=json_ld, action_plan=_action_plan(article))


def _action_plan(article: Article):
    """The plan of the action the article links to, when that plan is public (else no link is shown)."""
    from participation.plans.models import Plan

    if article.plan_action is None:
        return None
    plan = db.session.get(Plan, article.plan_action.plan_id)
    return plan if plan is not None and plan.is_public else None


@bp.route("/<int:article_id>/image")
def image(article_id: int):
    article = _public_article(article_id)
    if article.image is None:
        abort(404)
    return send_stored_file(article.image, inline=True)


@bp.route("/flux.atom")
@cached_page
def feed():
    items = db.session.scalars(services.public_articles().limit(20)).all()
    body = render_template("news/feed.atom", items=items, updated=items[0].published_at if items else utcnow(),
                           self_url=url_for("news.feed", _external=True), page_url=url_for("news.index", _external=True))
    return Response(body, mimetype="application/atom+xml")


# Back office ---------------------------------------------------------------------


def _article_form(article: Article | None = None) -> ArticleForm:
    form = ArticleForm(obj=None if request.method == "POST" or article is None else article)
    if request.method == "GET" and article is not None:
        form.themes.data = [t.id for t in article.themes]
        form.communes.data = [c.id for c in article.communes]
    themes, communes = _territory_lists()
    form.themes.choices, form.communes.choices = themes, communes
    return form


def _save(form: ArticleForm, article: Article | None):
    from participation.territory.models import Commune, Theme

    return services.save_article(
        article, title=form.title.data, summary=form.summary.data, body=form.body.data,
        themes=_chosen(Theme, form.themes.data), communes=_chosen(Commune, form.communes.data),
        image=form.image.data if getattr(form.image.data, "filename", "") else None, image_alt=form.image_alt.data,
        consultation_id=form.consultation_id.data, event_id=form.event_id.data, referral_id=form.referral_id.data,
        plan_action_id=form.plan_action_id.data, actor=current_user)


@staff_bp.route("/")
@login_required
def staff_index():
    require(current_user, "news.manage")
    page = paginate(sa.select(Article).order_by(Article.updated_at.desc(), Article.id.desc()))
    return render_template("news/staff/index.html", page=page)


@staff_bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "news.manage")
    form = _article_form()
    if form.validate_on_submit():
        try:
            article = _save(form, None)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'article est enregistré en brouillon."), "success")
            return redirect(url_for("news_staff.detail", article_id=article.id))
    return render_template("news/staff/form.html", form=form, article=None), form_status(form)


@staff_bp.route("/<int:article_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(article_id: int):
    article = get_or_404(Article, article_id)
    require(current_user, "news.manage", article)
    form = _article_form(article)
    if form.validate_on_submit():
        try:
            _save(form, article)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'article est enregistré."), "success")
            return redirect(url_for("news_staff.detail", article_id=article.id))
    return render_template("news/staff/form.html", form=form, article=article), form_status(form)


@staff_bp.route("/<int:article_id>", methods=["GET", "POST"])
@login_required
def detail(article_id: int):
    article = get_or_404(Article, article_id)
    require(current_user, "news.manage", article)
    form = ScheduleForm(prefix="schedule")
    action = request.form.get("action") if request.method == "POST" else None
    if action is not None:
        if action == "schedule":
            valid = form.validate_on_submit()
        else:
            valid = FlaskForm().validate_on_submit()
        if valid:
            try:
                if action == "schedule":
                    services.schedule(article, publish_at=local_to_utc(form.moment.data), actor=current_user)
                    flash(_("L'article sera publié à la date choisie."), "success")
                elif action == "unschedule":
                    services.unschedule(article, actor=current_user)
                    flash(_("L'article est repassé en brouillon."), "success")
                elif action == "publish":
                    services.publish(article, actor=current_user)
                    flash(_("L'article est publié."), "success")
                elif action == "archive":
                    services.archive(article, actor=current_user)
                    flash(_("L'article est archivé."), "success")
                else:
                    abort(400)
            except DomainError as error:
                form_error(form, error)
            else:
                return redirect(url_for("news_staff.detail", article_id=article.id))
    return render_template("news/staff/detail.html", article=article, form=form, button=FlaskForm(),
                           allowed={t.name for t in ARTICLE_WORKFLOW.allowed(article, current_user)}), form_status(form)


# The newsletter: public side -----------------------------------------------------


@newsletter_bp.route("/")
@cached_page
def archive():
    page = paginate(sa.select(Issue).where(Issue.state == IssueState.sent).order_by(Issue.sent_at.desc(), Issue.id.desc()))
    return render_template("news/newsletter/archive.html", page=page)


@newsletter_bp.route("/<int:issue_id>")
@cached_page
def issue(issue_id: int):
    item = get_or_404(Issue, issue_id)
    if item.state != IssueState.sent and not can(current_user, "news.manage"):
        abort(404)
    return render_template("news/newsletter/issue.html", issue=item, items=newsletter.resolve_items(item.items))


@newsletter_bp.route("/abonnement", methods=["GET", "POST"])
def subscribe():
    form = SubscribeForm()
    themes, communes = _territory_lists()
    form.themes.choices, form.communes.choices = themes, communes
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = current_user.email
    if form.validate_on_submit():
        from participation.territory.models import Commune, Theme

        try:
            subscriber = newsletter.subscribe(form.email.data, communes=_chosen(Commune, form.communes.data), themes=_chosen(Theme, form.themes.data),
                                              consent=form.consent.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            if subscriber is not None and subscriber.confirmed_at is not None:
                flash(_("Vous êtes abonné à la lettre d'information."), "success")
            else:
                flash(_("Vérifiez vos courriels : un lien de confirmation vient de vous être envoyé (il est valable 7 jours)."), "success")
            return redirect(url_for("newsletter.archive"))
    return render_template("news/newsletter/subscribe.html", form=form), form_status(form)


@newsletter_bp.route("/confirmer/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        subscriber = newsletter.confirm(token[:200])
        if subscriber is None:
            return render_template("news/newsletter/confirm.html", form=form, error=True), 400
        flash(_("Votre abonnement est confirmé. Merci !"), "success")
        return redirect(url_for("newsletter.archive"))
    return render_template("news/newsletter/confirm.html", form=form, error=False)


@newsletter_bp.route("/desinscription/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """Like the notifications' link: GET asks, POST (or a mail client's one-click POST) unsubscribes; no login."""
    try:
        subscriber = newsletter.read_unsubscribe_token(token[:1000])
    except BadUnsubscribeLink as error:
        return render_template("news/newsletter/unsubscribe.html", error=str(error), done=False), 400
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        newsletter.unsubscribe_subscriber(subscriber, source="one-click" if one_click else "link")
        if one_click:
            return "", 204
        return render_template("news/newsletter/unsubscribe.html", error=None, done=True)
    return render_template("news/newsletter/unsubscribe.html", error=None, done=False, token=token)


# The newsletter: back office ----------------------------------------------------


# The form's field for each kind of item an issue may hold.
ITEM_FIELDS = (("articles", "article"), ("consultations", "consultation"), ("events", "event"), ("opinions", "opinion"),
               ("questionnaires", "questionnaire"))


def _issue_form(issue_: Issue | None = None) -> IssueForm:
    form = IssueForm(obj=None if request.method == "POST" or issue_ is None else issue_)
    choices = newsletter.item_choices()
    form.articles.choices, form.consultations.choices = choices["article"], choices["consultation"]
    form.events.choices, form.opinions.choices = choices["event"], choices["opinion"]
    form.questionnaires.choices = choices["questionnaire"]
    themes, communes = _territory_lists()
    form.themes.choices, form.communes.choices = themes, communes
    if request.method == "GET" and issue_ is not None:
        for field, kind in ITEM_FIELDS:
            getattr(form, field).data = [i["id"] for i in issue_.items if i["kind"] == kind]
        form.audience.data = "all" if issue_.audience_all else "some"
        form.themes.data = [t.id for t in issue_.themes]
        form.communes.data = [c.id for c in issue_.communes]
    return form


def _save_issue(form: IssueForm, issue_: Issue | None) -> Issue:
    from participation.territory.models import Commune, Theme

    items = [{"kind": kind, "id": i} for field, kind in ITEM_FIELDS for i in (getattr(form, field).data or [])]
    return newsletter.save_issue(issue_, subject=form.subject.data, intro=form.intro.data, items=items, audience_all=form.audience.data != "some",
                                 communes=_chosen(Commune, form.communes.data), themes=_chosen(Theme, form.themes.data), actor=current_user)


# The functions are named apart from the articles' back office above; their endpoints keep the short names.
@newsletter_staff_bp.route("/", endpoint="staff_index")
@login_required
def issues_index():
    require(current_user, "news.manage")
    page = paginate(sa.select(Issue).order_by(Issue.id.desc()))
    counts = newsletter.issue_counts([i.id for i in page.items])
    from participation.news.models import Subscriber

    subscribers = db.session.scalar(sa.select(sa.func.count(Subscriber.id)).where(Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None)))
    return render_template("news/newsletter/staff_index.html", page=page, counts=counts, subscribers=subscribers)


@newsletter_staff_bp.route("/nouvelle", methods=["GET", "POST"], endpoint="create")
@login_required
def create_issue():
    require(current_user, "news.manage")
    form = _issue_form()
    if form.validate_on_submit():
        try:
            item = _save_issue(form, None)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La lettre est enregistrée en brouillon : relisez l'aperçu, envoyez-vous un essai, puis programmez-la."), "success")
            return redirect(url_for("newsletter_staff.detail", issue_id=item.id))
    return render_template("news/newsletter/form.html", form=form, issue=None), form_status(form)


@newsletter_staff_bp.route("/<int:issue_id>/modifier", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit_issue(issue_id: int):
    item = get_or_404(Issue, issue_id)
    require(current_user, "news.manage", item)
    form = _issue_form(item)
    if form.validate_on_submit():
        try:
            _save_issue(form, item)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La lettre est enregistrée."), "success")
            return redirect(url_for("newsletter_staff.detail", issue_id=item.id))
    return render_template("news/newsletter/form.html", form=form, issue=item), form_status(form)


@newsletter_staff_bp.route("/<int:issue_id>", methods=["GET", "POST"], endpoint="detail")
@login_required
def issue_detail(issue_id: int):
    item = get_or_404(Issue, issue_id)
    require(current_user, "news.manage", item)
    form = ScheduleForm(prefix="schedule")
    action = request.form.get("action") if request.method == "POST" else None
    if action is not None:
        valid = form.validate_on_submit() if action == "schedule" else FlaskForm().validate_on_submit()
        if valid:
            try:
                if action == "schedule":
                    newsletter.schedule_issue(item, send_at=local_to_utc(form.moment.data), actor=current_user)
                    flash(_("La lettre partira à la date choisie. Vous pouvez annuler l'envoi jusqu'à cette heure."), "success")
                elif action == "cancel":
                    newsletter.cancel_issue(item, actor=current_user)
                    flash(_("L'envoi est annulé : la lettre est de nouveau en brouillon."), "success")
                elif action == "test":
                    newsletter.send_test(item, actor=current_user)
                    flash(_("Un essai part à votre adresse (%(email)s).", email=current_user.email), "success")
                else:
                    abort(400)
            except DomainError as error:
                form_error(form, error)
            else:
                return redirect(url_for("newsletter_staff.detail", issue_id=item.id))
    text, _html = newsletter.render_issue(item, unsubscribe=None)
    return render_template("news/newsletter/detail.html", issue=item, form=form, button=FlaskForm(), preview=text,
                           audience=newsletter.audience_size(item), counts=newsletter.issue_counts([item.id])[item.id],
                           send_at_local=utc_to_local(item.send_at) if item.send_at else None), form_status(form)
