"""A person's notices (/notifications/), their choices (/compte/notifications) and one-click unsubscription."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from participation.core.web import form_status, is_safe_url, paginate
from participation.extensions import csrf, db
from participation.notifications import services
from participation.notifications.forms import preferences_form
from participation.notifications.models import Delivery, Notification
from flask_babel import gettext as _

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
preferences_bp = Blueprint("notification_preferences", __name__)
EXTRA_BLUEPRINTS = ("preferences_bp",)


@bp.route("/")
@login_required
def index():
    page = paginate(services.notices_of(current_user))
    return render_template("notifications/index.html", page=page, form=FlaskForm())


@bp.route("/<int:notification_id>")
@login_required
def open(notification_id: int):
    notification = db.session.get(Notification, notification_id) if 0 < notification_id < 2**31 else None
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    services.mark_read(notification, actor=current_user)
    if notification.url and is_safe_url(notification.url):
        return redirect(notification.url)
    return render_template("notifications/show.html", notification=notification)


@bp.route("/tout-lire", methods=["POST"])
@login_required
def read_all():
    form = FlaskForm()
    if form.validate_on_submit():
        count = services.mark_all_read(actor=current_user)
        flash(ngettext("%(num)d notification marquée comme lue.", "%(num)d notifications marquées comme lues.", count)
              if count else _("Aucune notification non lue."), "success")
    return redirect(url_for("notifications.index"))


@preferences_bp.route("/compte/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    categories = services.categories_for(current_user)
    chosen = services.all_preferences(current_user)
    schedule = services.schedule_of(current_user)
    data = None
    if request.method == "GET":
        data = {f"category_{c.value}": chosen[c].value for c in categories} | {"hour": schedule.hour, "weekday": schedule.weekday}
    form = preferences_form(categories, data=data)
    if form.validate_on_submit():
        choices = {c: Delivery(form[f"category_{c.value}"].data) for c in categories}
        services.save_preferences(current_user, choices, hour=form.hour.data, weekday=form.weekday.data, actor=current_user)
        flash(_("Vos choix sont enregistrés."), "success")
        return redirect(url_for("notification_preferences.preferences"))
    fields = [(c, form[f"category_{c.value}"]) for c in categories]
    return render_template("notifications/preferences.html", form=form, fields=fields), form_status(form)


@preferences_bp.route("/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET shows what the link turns off and a button; POST (the button, or a mail client's
    RFC 8058 one-click request) turns it off. The signed token is the proof: no login, no CSRF token."""
    try:
        user, categories = services.read_unsubscribe_token(token[:1000])
    except services.BadUnsubscribeLink as error:
        return render_template("notifications/unsubscribe.html", error=str(error), categories=[], done=False), 400
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        for category in categories:
            services.unsubscribe(user, category, source="one-click" if one_click else "link")
        if one_click:
            return "", 204
        return render_template("notifications/unsubscribe.html", error=None, categories=categories, done=True)
    return render_template("notifications/unsubscribe.html", error=None, categories=categories, done=False, token=token)
