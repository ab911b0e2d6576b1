"""Back office pages under /gestion/: dashboard, mail outbox, event log, accounts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from participation.core.french import a, de
from participation.accounts import services as accounts
from participation.accounts.models import ACCOUNT_WORKFLOW, AccountState, Role, User
from participation.core.errors import DomainError, PermissionDenied
from participation.core.outbox import MailStatus, OutboxMail
from participation.core.permissions import can, require
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate, paginate_rows, rollback_only
from participation.extensions import db
from participation.staff import services
from participation.staff.forms import (
    AccountFilterForm,
    GrantRoleForm,
    JournalFilterForm,
    MailFilterForm,
    RevokeRoleForm,
    SuspendForm,
)
from participation.territory.models import Department

bp = Blueprint("staff", __name__, url_prefix="/gestion")

# The account transitions the back office offers as buttons.
ACCOUNT_BUTTONS = ("suspend", "reinstate")


bp.register_error_handler(PermissionDenied, forbidden_page)


# Dashboard ------------------------------------------------------------------


@bp.route("/")
@login_required
def dashboard():
    require(current_user, "staff.access")
    mail_counts = services.mail_by_status() if can(current_user, "staff.read_mail") else None
    return render_template(
        "staff/dashboard.html",
        account_counts=services.accounts_by_state(),
        mail_counts=mail_counts,
        failed_mails=mail_counts[MailStatus.failed] if mail_counts else 0,
    )


# Mail outbox ----------------------------------------------------------------


@bp.route("/courriels")
@login_required
def mails():
    require(current_user, "staff.read_mail")
    form = MailFilterForm()
    form.check()
    status = MailStatus(form.status.data) if form.status.data else None
    page = paginate(services.mails(status=status, recipient=form.recipient.data))
    return render_template("staff/mails.html", page=page, form=form, filters=form.active()), form_status(form)


@bp.route("/courriels/<int:mail_id>")
@login_required
def mail(mail_id: int):
    item = get_or_404(OutboxMail, mail_id)
    require(current_user, "staff.read_mail", item)
    return render_template("staff/mail.html", mail=item)


@bp.route("/courriels/<int:mail_id>/message.html")
@login_required
def mail_html(mail_id: int):
    """The HTML version, as a file to download: never shown inside our pages."""
    item = get_or_404(OutboxMail, mail_id)
    require(current_user, "staff.read_mail_body", item)
    if not item.body_html:
        abort(404)
    response = Response(item.body_html, mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="courriel-{item.id}.html"'
    # Should a browser show it anyway: no script, no request, an origin of its own.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/courriels/<int:mail_id>/reessayer", methods=["POST"])
@login_required
def retry_mail(mail_id: int):
    item = get_or_404(OutboxMail, mail_id)
    require(current_user, "staff.retry_mail", item)
    try:
        services.retry_mail(item, actor=current_user)
    except PermissionDenied:
        raise
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Le courriel à {item.recipient} est remis dans la file d'envoi : il partira au prochain passage de l'envoi.", "success")
    return redirect(url_for("staff.mail", mail_id=item.id))


# Event log ------------------------------------------------------------------


@bp.route("/journal")
@login_required
def journal():
    require(current_user, "staff.read_journal")
    form = JournalFilterForm()
    form.check()
    page = paginate_rows(
        services.journal(
            name_prefix=form.name.data,
            subject_type=form.subject_type.data,
            subject_id=int(form.subject_id.data) if form.subject_id.data else None,
        )
    )
    return render_template("staff/journal.html", page=page, form=form, filters=form.active()), form_status(form)


# Accounts -------------------------------------------------------------------


@bp.route("/utilisateurs")
@login_required
def users():
    require(current_user, "accounts.list")
    form = AccountFilterForm()
    form.check()
    state = AccountState(form.state.data) if form.state.data else None
    page = paginate(services.accounts(search=form.search.data, role=form.role.data, state=state))
    return render_template("staff/users.html", page=page, form=form, filters=form.active()), form_status(form)


def _account_page(user: User, *, status: int | None = None, refusal: str | None = None, **forms):
    """The account's page, with the form that failed (if any) showing its errors."""
    manage = can(current_user, "accounts.manage_roles", user) and user.state != AccountState.closed
    grant_form = None
    if manage:
        grant_form = forms.get("grant_form") if forms.get("grant_form") is not None else GrantRoleForm(formdata=None)
    revoke_form = forms.get("revoke_form") if forms.get("revoke_form") is not None else RevokeRoleForm(formdata=None)
    suspend_form = forms.get("suspend_form") if forms.get("suspend_form") is not None else SuspendForm(formdata=None)
    transitions = [t for t in ACCOUNT_WORKFLOW.allowed(user, current_user) if t.name in ACCOUNT_BUTTONS]
    if status is None:
        status = form_status(grant_form, revoke_form, suspend_form)
    return render_template(
        "staff/user.html",
        user=user,
        manage_roles=manage,
        grant_form=grant_form,
        revoke_form=revoke_form,
        suspend_form=suspend_form,
        transitions={t.name: t for t in transitions},
        refusal=refusal,
        events=services.account_events(user),
    ), status


def _refused(form, error: DomainError) -> dict:
    """Undo what the refused call may have begun; say why next to the field, or at the top of the page."""
    if isinstance(error, PermissionDenied):
        raise error
    db.session.rollback()
    rollback_only()
    if form is not None and error.field and getattr(form, error.field, None) is not None:
        form_error(form, error)
        return {"status": error.status_code}
    return {"status": error.status_code, "refusal": error.message}


@bp.route("/utilisateurs/<int:user_id>")
@login_required
def user(user_id: int):
    item = get_or_404(User, user_id)
    require(current_user, "staff.view_account", item)
    return _account_page(item)


@bp.route("/utilisateurs/<int:user_id>/roles", methods=["POST"])
@login_required
def grant_role(user_id: int):
    item = get_or_404(User, user_id)
    require(current_user, "accounts.manage_roles", item)
    form = GrantRoleForm()
    if not form.validate_on_submit():
        return _account_page(item, grant_form=form)
    role = Role(form.role.data)
    department = db.session.get(Department, int(form.department.data)) if form.department.data else None
    try:
        accounts.grant_role(item, role, department=department, actor=current_user)
    except DomainError as error:
        return _account_page(item, grant_form=form, **_refused(form, error))
    flash(f"Le rôle « {role.label} » est attribué {a(item.display_name)}.", "success")
    return redirect(url_for("staff.user", user_id=item.id))


@bp.route("/utilisateurs/<int:user_id>/roles/retirer", methods=["POST"])
@login_required
def revoke_role(user_id: int):
    item = get_or_404(User, user_id)
    require(current_user, "accounts.manage_roles", item)
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        return _account_page(item, revoke_form=form)
    role = Role(form.role.data)
    if role.value not in item.role_names:
        flash(f"{item.display_name} n'a pas le rôle « {role.label} » : rien n'a changé.", "info")
        return redirect(url_for("staff.user", user_id=item.id))
    try:
        accounts.revoke_role(item, role, actor=current_user)
    except DomainError as error:
        return _account_page(item, revoke_form=form, **_refused(form, error))
    flash(f"Le rôle « {role.label} » est retiré {a(item.display_name)}.", "success")
    return redirect(url_for("staff.user", user_id=item.id))


@bp.route("/utilisateurs/<int:user_id>/suspendre", methods=["POST"])
@login_required
def suspend(user_id: int):
    item = get_or_404(User, user_id)
    require(current_user, "accounts.suspend", item)
    form = SuspendForm()
    if not form.validate_on_submit():
        return _account_page(item, suspend_form=form)
    try:
        accounts.suspend(item, reason=form.reason.data, actor=current_user)
    except DomainError as error:
        return _account_page(item, suspend_form=form, **_refused(form, error))
    flash(f"Le compte {de(item.display_name)} est suspendu : la personne ne peut plus se connecter.", "success")
    return redirect(url_for("staff.user", user_id=item.id))


@bp.route("/utilisateurs/<int:user_id>/retablir", methods=["POST"])
@login_required
def reinstate(user_id: int):
    item = get_or_404(User, user_id)
    require(current_user, "accounts.suspend", item)
    try:
        accounts.reinstate(item, actor=current_user)
    except DomainError as error:
        return _account_page(item, **_refused(None, error))
    flash(f"Le compte {de(item.display_name)} est rétabli : la personne peut de nouveau se connecter.", "success")
    return redirect(url_for("staff.user", user_id=item.id))
