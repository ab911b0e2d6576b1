"""A person's notices: /notifications/."""

from __future__ import annotations

from flask_babel import ngettext
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from participation.core.web import is_safe_url, paginate
from participation.extensions import db
from participation.notifications import services
from participation.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index():
    page = paginate(services.notices_of(current_user))
    return render_template("notifications/index.html", page=page, form=FlaskForm())


@bp.route("/<int:notification_id>")
@login_required
def open(notification_id: int):
    notification = db.session.get(Notification, notification_id)
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
              if count else "Aucune notification non lue.", "success")
    return redirect(url_for("notifications.index"))
