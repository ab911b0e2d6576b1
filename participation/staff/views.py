"""Back office pages under /gestion/: dashboard, mail outbox, event log, accounts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for, request
from flask_login import current_user, login_required

from participation.core.french import a, de
from participation.accounts import services as accounts
from participation.accounts.models import ACCOUNT_WORKFLOW, AccountState, Role, User
from participation.core.errors import DomainError, PermissionDenied
from participation.core.eventlog import deferred_failures
from participation.core.outbox import MailStatus, OutboxMail, delivery_outage
from participation.core.pagecache import cached_page, journal_generation
from participation.core.permissions import can, require
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate, rollback_only
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
from flask_babel import gettext as _

bp = Blueprint("staff", __name__, url_prefix="/gestion")

# The account transitions the back office offers as buttons.
ACCOUNT_BUTTONS = ("suspend", "reinstate")


bp.register_error_handler(PermissionDenied, forbidden_page)


# Dashboard ------------------------------------------------------------------


@bp.route("/")
@login_required
def dashboard():
    """What waits for me: every queue the person may handle, then the platform's counts."""
    require(current_user, "staff.access")
    from participation.staff.queues import collect

    results = collect(current_user)
    mail_counts = services.mail_by_status() if can(current_user, "staff.read_mail") else None
    return render_template(
        "staff/dashboard.html",
        waiting=[r for r in results if r.count],
        empty=[r for r in results if not r.count],
        total_waiting=sum(r.count for r in results),
        account_counts=services.accounts_by_state() if can(current_user, "accounts.list") else None,
        mail_counts=mail_counts,
        outage=delivery_outage() if can(current_user, "staff.retry_mail") else None,
        deferred_failures=deferred_failures() if can(current_user, "staff.retry_mail") else None,
    )


@bp.app_template_filter("waited")
def waited(item) -> str:
    """« depuis 12 jours », « depuis aujourd'hui », « dans 3 jours » (a date ahead)."""
    from flask_babel import ngettext

    days = item.age_days
    if days is None:
        return ""
    if days == 0:
        return _("aujourd'hui")
    if days < 0:
        return ngettext("dans %(num)d jour", "dans %(num)d jours", -days)
    return ngettext("depuis %(num)d jour", "depuis %(num)d jours", days)


# Mail outbox ----------------------------------------------------------------


@bp.route("/courriels")
@login_required
def mails():
    require(current_user, "staff.read_mail")
    form = MailFilterForm()
    form.check()
    status = MailStatus(form.status.data) if form.status.data else None
    page = paginate(services.mails(status=status, recipient=form.recipient.data))
    return render_template("staff/mails.html", page=page, form=form, filters=form.active(),
                           not_sent=current_app.config["MAIL_DELIVERY"] == "demo"), form_status(form)


@bp.route("/courriels/<int:mail_id>")
@login_required
def mail(mail_id: int):
    item = get_or_404(OutboxMail, mail_id)
    require(current_user, "staff.read_mail", item)
    return render_template("staff/mail.html", mail=item, **_mail_body(item))


def _mail_body(item: OutboxMail) -> dict:
    """The mail's text and HTML as the person may read them: one-time links masked but for admins."""
    if not can(current_user, "staff.read_mail_body", item):
        return {"body_text": None, "body_html": None, "masked": False}
    if can(current_user, "staff.read_one_time_links", item):
        return {"body_text": item.body_text, "body_html": item.body_html, "masked": False}
    text, html = services.mask_one_time_links(item.body_text), services.mask_one_time_links(item.body_html)
    return {"body_text": text, "body_html": html, "masked": text != item.body_text or html != item.body_html}


@bp.route("/courriels/<int:mail_id>/message.html")
@login_required
def mail_html(mail_id: int):
    """The HTML version, as a file to download: never shown inside our pages."""
    item = get_or_404(OutboxMail, mail_id)
    require(current_user, "staff.read_mail_body", item)
    if not item.body_html:
        abort(404)
    response = Response(_mail_body(item)["body_html"], mimetype="text/html")
    response.headers["Content-Disposition"] = f"attachment; filename=\"courriel-{item.id}.html\""
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
        flash(_("Le courriel à %(recipient)s est remis dans la file d'envoi : il partira au prochain passage de l'envoi.", recipient=item.recipient), "success")
    return redirect(url_for("staff.mail", mail_id=item.id))


# Event log ------------------------------------------------------------------


@bp.route("/journal")
@login_required
def journal():
    require(current_user, "staff.read_journal")
    from participation.staff import journal_view

    form = JournalFilterForm()
    form.check()
    query = journal_view.journal_query(form.filters(), viewer=current_user)
    page = journal_view.keyset_page(query, before=_bounded_id("avant"), after=_bounded_id("apres"))
    rows = [journal_view.describe(event, actor_name) for event, actor_name in page.items]
    scoped = not current_user.has_role("admin")
    return render_template("staff/journal.html", page=page, rows=rows, form=form, filters=form.active(), scoped=scoped), form_status(form)


@bp.route("/journal.csv")
@login_required
def journal_csv():
    """The filtered journal, the same rows as the page shows (every page of them), as a spreadsheet."""
    require(current_user, "staff.read_journal")
    from participation.staff import journal_view

    form = JournalFilterForm()
    if not form.check():
        abort(400, _("Les filtres du journal sont incorrects : corrigez-les sur la page du journal avant d'exporter."))
    query = journal_view.journal_query(form.filters(), viewer=current_user)
    response = Response(journal_view.csv_text(query), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=\"journal.csv\""
    response.headers["Cache-Control"] = "no-store"
    return response


def _bounded_id(name: str) -> int | None:
    """A keyset page's starting id from the address: digits only, bounded; anything else is ignored."""
    from flask import request

    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) <= 12 else None


# Indicators -------------------------------------------------------------------


@bp.route("/indicateurs")
# The page asks only the person's roles: shared by the staff holding the same (``pagecache``), kept until any event,
# a log-in too, which bumps no tag (the year's active residents count it).
@cached_page(vary=journal_generation)
@login_required
def indicators():
    """The figures of participation for a year and a commune, as declared by each domain: charts, tables, CSV."""
    require(current_user, "staff.indicators")
    from participation.staff.forms import IndicatorFilterForm

    form = IndicatorFilterForm()
    form.check()
    query = form.query()
    commune = dict(form.commune.choices).get(str(query.commune_id)) if query.commune_id else None
    params = {"annee": query.year, **({"commune": query.commune_id} if query.commune_id else {})}
    from participation.core.pagecache import fragment

    # The year and commune fields (72 communes) are the same for everyone asking the same address: built once.
    filters_html = fragment("staff-indicator-filters",
                            lambda: render_template("staff/_filters.html", form=form, filter_label=_("Choisir l'année et la commune")),
                            tags=("territory",), vary=tuple(sorted(request.args.items(multi=True))))
    return render_template("staff/indicators.html", form=form, query=query, sections=_indicator_sections(query, params), commune=commune,
                           params=params, filters_html=filters_html), form_status(form)


def _indicator_sections(query, params):
    """Each section's figures as a shared fragment of the page cache, kept until an event of the tables it reads.

    The figures depend on the year and the commune, never on who looks: one staff member computes
    them for all. A section is computed again alone when its own tables change.
    """
    from markupsafe import Markup

    from participation.core.pagecache import fragment
    from participation.staff.indicators import indicators, latest_event

    journal = latest_event(query)
    html = []
    for indicator in indicators():
        def render(indicator=indicator):
            return render_template("staff/_indicator_section.html", indicator=indicator, figures=indicator.func(query), params=params)

        vary = (query.year, query.commune_id, journal if indicator.journal else None)
        html.append(fragment(f"staff-indicators-{indicator.key}", render, tags=indicator.tags, vary=vary))
    return Markup("\n").join(html)


@bp.route("/indicateurs/<key>.csv")
@login_required
def indicator_csv(key: str):
    require(current_user, "staff.indicators")
    import csv
    import io

    from participation.staff.forms import IndicatorFilterForm
    from participation.staff.indicators import find_figure

    form = IndicatorFilterForm()
    if not form.check():
        abort(400, _("L'année ou la commune demandée est incorrecte."))
    figure = find_figure(form.query(), key)
    if figure is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(figure.columns)
    writer.writerows(figure.rows)
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{key}-{form.query().year}.csv\""
    return response


# Exports ----------------------------------------------------------------------


@bp.route("/exports")
@login_required
def exports():
    """The exports each domain declares, for those who may use them."""
    require(current_user, "staff.access")
    from participation.staff.exports import exports as declared
    from participation.staff.forms import ExportForm

    forms = [(export, ExportForm(export, prefix=export.key)) for export in declared() if can(current_user, export.permission)]
    return render_template("staff/exports.html", forms=forms)


@bp.route("/exports/<key>.csv")
@login_required
def export_csv(key: str):
    import csv
    import io

    from participation.staff.exports import get_export
    from participation.staff.forms import ExportForm

    export = get_export(key)
    if export is None:
        abort(404)
    require(current_user, export.permission)
    form = ExportForm(export, prefix=export.key)
    if not form.validate() or not form.choice.data.isdigit() or len(form.choice.data) > 12:
        abort(400, _("Choisissez dans la liste et une période correcte, puis relancez l'export."))
    start = form.start.data if export.uses_period else None
    end = form.end.data if export.uses_period else None
    result = export.rows(int(form.choice.data), start, end)
    if result is None:
        abort(404)
    header, rows = result
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{key}-{form.choice.data}.csv\""
    response.headers["Cache-Control"] = "no-store"
    return response


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
        events=_history(user) if can(current_user, "staff.read_account_history", user) else None,
    ), status


def _history(user: User) -> list[dict]:
    from participation.staff import journal_view

    return [journal_view.describe(event, actor_name) for event, actor_name in services.account_events(user)]


# A person's own history, outside the back office ---------------------------------

history_bp = Blueprint("history", __name__, url_prefix="/compte")
EXTRA_BLUEPRINTS = ("history_bp",)


@history_bp.route("/historique")
@login_required
def own_history():
    """What was done on my account and what I did, as the journal says it."""
    require(current_user, "staff.read_account_history", current_user)
    return render_template("staff/own_history.html", events=_history(current_user._get_current_object()))


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
    flash(_("Le rôle « %(label)s » est attribué %(a_display_name)s.", label=role.label, a_display_name=a(item.display_name)), "success")
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
        flash(_("%(display_name)s n'a pas le rôle « %(label)s » : rien n'a changé.", display_name=item.display_name, label=role.label), "info")
        return redirect(url_for("staff.user", user_id=item.id))
    try:
        accounts.revoke_role(item, role, actor=current_user)
    except DomainError as error:
        return _account_page(item, revoke_form=form, **_refused(form, error))
    flash(_("Le rôle « %(label)s » est retiré %(a_display_name)s.", label=role.label, a_display_name=a(item.display_name)), "success")
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
    flash(_("Le compte %(de_display_name)s est suspendu : la personne ne peut plus se connecter.", de_display_name=de(item.display_name)), "success")
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
    flash(_("Le compte %(de_display_name)s est rétabli : la personne peut de nouveau se connecter.", de_display_name=de(item.display_name)), "success")
    return redirect(url_for("staff.user", user_id=item.id))
