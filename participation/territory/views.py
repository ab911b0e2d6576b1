"""The territory's back office under /gestion/: settings, communes, neighbourhoods, themes, departments. Admins only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

import sqlalchemy as sa

from participation.core.forms import parse_int
from participation.core.errors import DomainError, PermissionDenied
from participation.core.permissions import require
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate, safe_next
from participation.territory import services
from participation.territory.forms import (
    ActionForm,
    CommuneForm,
    DepartmentForm,
    ImportCommunesForm,
    NeighbourhoodForm,
    TerritoryForm,
    ThemeForm,
)
from participation.extensions import db
from participation.territory.models import Commune, Department, Neighbourhood, Theme
from flask_babel import gettext as _

bp = Blueprint("territory", __name__, url_prefix="/gestion")


bp.register_error_handler(PermissionDenied, forbidden_page)


@bp.before_request
def _admins_only():
    # Every page here is for admins; anonymous visitors are sent to the login page.
    require(current_user, "territory.manage")


# --- Settings ---------------------------------------------------------------


@bp.route("/territoire", methods=["GET", "POST"])
def settings():
    territory = services.current_territory()
    form = TerritoryForm(obj=None if request.method == "POST" else territory)
    if form.validate_on_submit():
        try:
            services.save_territory(form.values(), actor=current_user)
            if form.remove_logo.data:
                services.remove_logo(actor=current_user)
            elif form.logo.data:
                services.set_logo(form.logo.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Les réglages du territoire sont enregistrés."), "success")
            return redirect(url_for("territory.settings"))
    return render_template("territory/settings.html", form=form), form_status(form)


# --- Communes ---------------------------------------------------------------


def _communes_page(import_form: ImportCommunesForm, status: int = 200):
    search = request.args.get("q", "").strip()
    page = paginate(services.communes_query(search))
    return render_template("territory/communes.html", page=page, search=search, import_form=import_form), status


@bp.route("/communes")
def communes():
    return _communes_page(ImportCommunesForm())


@bp.route("/communes/import", methods=["POST"])
def import_communes():
    form = ImportCommunesForm()
    if form.validate_on_submit():
        try:
            report = services.import_communes(form.file.data.read(), actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(
                _("Import terminé : %(created)s commune%(value)s créée%(value)s, %(updated)s mise%(value2)s à jour, %(unchanged)s inchangée%(value3)s.", created=report.created, value='s' if report.created > 1 else '', updated=report.updated, value2='s' if report.updated > 1 else '', unchanged=report.unchanged, value3='s' if report.unchanged > 1 else ''),
                "success",
            )
            return redirect(url_for("territory.communes"))
    return _communes_page(form, form_status(form))


@bp.route("/communes/nouvelle", methods=["GET", "POST"])
def new_commune():
    form = CommuneForm()
    if form.validate_on_submit():
        try:
            commune = services.save_commune(
                None,
                insee_code=form.insee_code.data,
                name=form.name.data,
                postal_code=form.postal_code.data,
                population=form.population.data,
                actor=current_user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La commune « %(name)s » est ajoutée.", name=commune.name), "success")
            return redirect(url_for("territory.communes", q=commune.insee_code))
    return render_template("territory/commune_form.html", form=form, commune=None), form_status(form)


@bp.route("/communes/<int:commune_id>", methods=["GET", "POST"])
def edit_commune(commune_id: int):
    commune = get_or_404(Commune, commune_id)
    form = CommuneForm(obj=None if request.method == "POST" else commune)
    if form.validate_on_submit():
        try:
            services.save_commune(
                commune,
                insee_code=form.insee_code.data,
                name=form.name.data,
                postal_code=form.postal_code.data,
                population=form.population.data,
                actor=current_user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La commune « %(name)s » est enregistrée.", name=commune.name), "success")
            return redirect(url_for("territory.communes", q=commune.insee_code))
    return render_template("territory/commune_form.html", form=form, commune=commune), form_status(form)


# --- Themes -----------------------------------------------------------------


@bp.route("/themes")
def themes():
    return render_template("territory/themes.html", page=paginate(services.themes_query()), action_form=ActionForm())


@bp.route("/themes/nouveau", methods=["GET", "POST"])
def new_theme():
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = services.save_theme(None, name=form.name.data, description=form.description.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le thème « %(name)s » est créé.", name=theme.name), "success")
            return redirect(url_for("territory.themes"))
    return render_template("territory/theme_form.html", form=form, theme=None), form_status(form)


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
def edit_theme(theme_id: int):
    theme = get_or_404(Theme, theme_id)
    form = ThemeForm(obj=None if request.method == "POST" else theme)
    if form.validate_on_submit():
        try:
            services.save_theme(theme, name=form.name.data, description=form.description.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le thème « %(name)s » est enregistré.", name=theme.name), "success")
            return redirect(url_for("territory.themes"))
    return render_template("territory/theme_form.html", form=form, theme=theme), form_status(form)


@bp.route("/themes/<int:theme_id>/archiver", methods=["POST"], defaults={"archived": True})
@bp.route("/themes/<int:theme_id>/restaurer", methods=["POST"], defaults={"archived": False}, endpoint="unarchive_theme")
def archive_theme(theme_id: int, archived: bool):
    theme = get_or_404(Theme, theme_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.set_theme_archived(theme, archived, actor=current_user)
    if archived:
        flash(_("Le thème « %(name)s » est archivé : il reste sur les contenus passés mais n'est plus proposé.", name=theme.name), "success")
    else:
        flash(_("Le thème « %(name)s » est de nouveau proposé.", name=theme.name), "success")
    return redirect(safe_next("territory.themes"))


# --- Departments ------------------------------------------------------------


@bp.route("/directions")
def departments():
    return render_template("territory/departments.html", page=paginate(services.departments_query()), action_form=ActionForm())


@bp.route("/directions/nouvelle", methods=["GET", "POST"])
def new_department():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            department = services.save_department(
                None, name=form.name.data, code=form.code.data, email=form.email.data, actor=current_user
            )
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La direction « %(name)s » est créée.", name=department.name), "success")
            return redirect(url_for("territory.departments"))
    return render_template("territory/department_form.html", form=form, department=None), form_status(form)


@bp.route("/directions/<int:department_id>", methods=["GET", "POST"])
def edit_department(department_id: int):
    department = get_or_404(Department, department_id)
    form = DepartmentForm(obj=None if request.method == "POST" else department)
    if form.validate_on_submit():
        try:
            services.save_department(department, name=form.name.data, code=form.code.data, email=form.email.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La direction « %(name)s » est enregistrée.", name=department.name), "success")
            return redirect(url_for("territory.departments"))
    return render_template("territory/department_form.html", form=form, department=department), form_status(form)


@bp.route("/directions/<int:department_id>/archiver", methods=["POST"], defaults={"archived": True})
@bp.route("/directions/<int:department_id>/restaurer", methods=["POST"], defaults={"archived": False}, endpoint="unarchive_department")
def archive_department(department_id: int, archived: bool):
    department = get_or_404(Department, department_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.set_department_archived(department, archived, actor=current_user)
    if archived:
        flash(_("La direction « %(name)s » est archivée : elle n'est plus proposée pour les nouveaux dossiers.", name=department.name), "success")
    else:
        flash(_("La direction « %(name)s » est de nouveau proposée.", name=department.name), "success")
    return redirect(safe_next("territory.departments"))


# --- Neighbourhoods ---------------------------------------------------------


def _commune_choices() -> list[tuple[str, str]]:
    return [("", _("— Choisir —")), *[(str(c.id), c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))]]


@bp.route("/quartiers")
def neighbourhoods():
    return render_template("territory/neighbourhoods.html", page=paginate(services.neighbourhoods_query()))


@bp.route("/quartiers/nouveau", methods=["GET", "POST"], defaults={"neighbourhood_id": None})
@bp.route("/quartiers/<int:neighbourhood_id>", methods=["GET", "POST"])
def edit_neighbourhood(neighbourhood_id: int | None):
    neighbourhood = get_or_404(Neighbourhood, neighbourhood_id) if neighbourhood_id is not None else None
    form = NeighbourhoodForm(obj=None if request.method == "POST" else neighbourhood)
    form.commune.choices = _commune_choices()
    if request.method == "GET" and neighbourhood is not None:
        form.commune.data = str(neighbourhood.commune_id)
    if form.validate_on_submit():
        commune = db.session.get(Commune, commune_id) if (commune_id := parse_int(form.commune.data, minimum=1)) else None
        try:
            saved = services.save_neighbourhood(neighbourhood, name=form.name.data, qpv_code=form.qpv_code.data,
                                                commune=commune, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le quartier « %(name)s » est enregistré.", name=saved.name), "success")
            return redirect(url_for("territory.neighbourhoods"))
    return render_template("territory/neighbourhood_form.html", form=form, neighbourhood=neighbourhood), form_status(form)
