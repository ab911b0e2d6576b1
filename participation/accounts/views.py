"""Account pages under /compte/."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import lazyload

from participation.accounts import personal_data, services
from participation.accounts.forms import (
    ChangePasswordForm,
    CloseAccountForm,
    ConfirmForm,
    EmailForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    commune_choices,
)
from participation.core.forms import parse_int
from participation.core.errors import DomainError
from participation.core.web import form_error, form_status, safe_next
from participation.extensions import auth_limit, db, limiter
from participation.territory.models import Commune
from flask_babel import gettext as _
from flask_babel import refresh
from flask_babel import lazy_gettext as _l

bp = Blueprint("accounts", __name__, url_prefix="/compte")

CHECK_YOUR_MAIL = (
    _l("Si l'adresse indiquée peut recevoir un courriel de notre part, un message vient de lui être envoyé. "
    "Pensez à regarder dans les indésirables.")
)


def _post_only() -> bool:
    return request.method != "POST"


def _commune(value: str | None):
    return db.session.get(Commune, commune_id) if (commune_id := parse_int(value, minimum=1)) else None


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(auth_limit, exempt_when=_post_only)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignupForm()
    form.commune.choices = commune_choices()
    if form.validate_on_submit():
        try:
            services.register(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                commune=_commune(form.commune.data),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/signup.html", form=form), form_status(form)


@bp.route("/verifiez-vos-courriels")
def check_mail():
    return render_template("accounts/check_mail.html", message=CHECK_YOUR_MAIL, resend_form=EmailForm())


@bp.route("/confirmer/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.confirm_email(token)
        except DomainError as error:
            return render_template("accounts/confirm.html", form=None, refusal=error.message), 409
        flash(_("Votre adresse est confirmée. Vous pouvez maintenant vous connecter."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/confirm.html", form=form, refusal=None)


@bp.route("/confirmation/renvoyer", methods=["POST"])
@limiter.limit(auth_limit)
def resend_confirmation():
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
    flash(CHECK_YOUR_MAIL, "info")
    return redirect(url_for("accounts.check_mail"))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(auth_limit, exempt_when=_post_only)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Bonjour %(display_name)s, vous êtes connecté.", display_name=user.display_name), "success")
            return redirect(safe_next())
    return render_template("accounts/login.html", form=form, resend_form=EmailForm()), form_status(form)


@bp.route("/deconnexion", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        flash(_("Vous êtes déconnecté."), "info")
        return redirect(url_for("pages.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(auth_limit, exempt_when=_post_only)
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(CHECK_YOUR_MAIL, "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), form_status(form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(auth_limit, exempt_when=_post_only)
def reset_password(token: str):
    try:
        services.check_reset_token(token)
    except DomainError as error:
        return render_template("accounts/reset_password.html", form=None, refusal=error.message), 409
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Votre mot de passe est changé. Connectez-vous avec le nouveau."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, refusal=None), form_status(form)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=None if request.method == "POST" else current_user)
    form.commune.choices = commune_choices()
    if request.method == "GET":
        form.commune.data = str(current_user.commune_id or "")
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                display_name=form.display_name.data,
                commune=_commune(form.commune.data),
                locale=form.locale.data,
                actor=current_user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            if form.locale.data in current_app.config["LANGUAGES"]:
                # The chosen language wins over an earlier ``?lang=``, from this answer on.
                session["lang"] = form.locale.data
                refresh()
            flash(_("Votre profil est enregistré."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), form_status(form)


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current_password.data, new=form.password.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            # The session key changed with the password: sign this session in again.
            login_user(current_user._get_current_object())
            flash(_("Votre mot de passe est changé. Vos autres sessions sont déconnectées."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), form_status(form)


@bp.route("/mes-donnees")
@login_required
def my_data():
    return render_template("accounts/my_data.html", close_form=CloseAccountForm(), summaries=personal_data.summaries(current_user))


@bp.route("/mes-donnees.json")
@login_required
def my_data_download():
    document = personal_data.export(current_user)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=\"mes-donnees.json\"", "Cache-Control": "no-store"},
    )


@bp.route("/fermer", methods=["POST"])
@login_required
def close():
    form = CloseAccountForm()
    if form.validate_on_submit():
        try:
            services.close_account(current_user, password=form.password.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            logout_user()
            flash(_("Votre compte est fermé et vos données personnelles sont effacées. Vos contributions publiques restent, sous « Compte supprimé »."), "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/my_data.html", close_form=form), 422


@functools.cache
def _account_alone() -> tuple:
    # Built once: options built anew at each request would pay for their cache key each time.
    from participation.accounts.models import User

    return (lazyload(User.roles), lazyload(User.department))


def load_user(session_id: str):
    """Flask-Login: the session holds ``id:login_key``; a changed key ends the session."""
    from participation.accounts.models import AccountState, User

    user_id, _unused, key = (session_id or "").partition(":")
    if parse_int(user_id, minimum=1) is None or not key:
        return None
    # The account alone, its roles and department when a page asks (a permission): the header reads the
    # person's card (``participation.layout``), so most pages never do.
    user = db.session.get(User, parse_int(user_id), options=_account_alone())
    if user is None or user.login_key != key or user.state != AccountState.active:
        return None
    return user

