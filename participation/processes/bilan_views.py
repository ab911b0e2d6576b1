"""The bilan annuel: public list and pages (/bilans/), back office (/gestion/bilans)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange

from participation.core.errors import DomainError, PermissionDenied
from participation.core.pdf import render_pdf
from participation.core.permissions import require
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate
from participation.extensions import db
from participation.processes import bilan as service
from participation.processes.forms import BilanForm
from participation.processes.models import Bilan, BilanState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

bilans_bp = Blueprint("bilans", __name__, url_prefix="/bilans")
bilans_staff_bp = Blueprint("bilans_staff", __name__, url_prefix="/gestion/bilans")
bilans_staff_bp.register_error_handler(PermissionDenied, forbidden_page)


class NewBilanForm(FlaskForm):
    year = IntegerField(_l("Année"), validators=[DataRequired(_l("Indiquez l'année.")), NumberRange(min=2000, max=2100, message=_l("Une année entre 2000 et 2100."))])


def _published(year: int) -> Bilan:
    if not 2000 <= year <= 2100:
        abort(404)
    bilan = db.session.scalar(sa.select(Bilan).where(Bilan.year == year, Bilan.state == BilanState.published))
    if bilan is None:
        abort(404)
    return bilan


@bilans_bp.route("/")
def index():
    page = paginate(service.published_bilans())
    return render_template("processes/bilans.html", page=page)


@bilans_bp.route("/<int:year>")
def show(year: int):
    bilan = _published(year)
    content = service.content_of(bilan)
    return render_template("processes/bilan.html", bilan=bilan, content=content, sections=service.figures_of(content))


@bilans_bp.route("/<int:year>.pdf")
def pdf(year: int):
    bilan = _published(year)
    content = service.content_of(bilan)
    from flask_babel import gettext as _

    from participation.core.documents import issue
    from participation.core.urls import external_url

    document = issue("BILAN", bilan, title=_("Bilan de la participation %(year)s", year=bilan.year), url=external_url("bilans.show", year=year))
    data = render_pdf("processes/bilan_pdf.html", document=document, bilan=bilan, content=content, sections=service.figures_of(content))
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"bilan-participation-{bilan.year}.pdf\""})


@bilans_staff_bp.route("", methods=["GET", "POST"])
@login_required
def index_staff():
    require(current_user, "processes.bilan")
    form = NewBilanForm()
    if form.validate_on_submit():
        try:
            bilan = service.create_bilan(form.year.data, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect(url_for("bilans_staff.edit", bilan_id=bilan.id))
    page = paginate(sa.select(Bilan).order_by(Bilan.year.desc()))
    return render_template("processes/staff/bilans.html", page=page, form=form), form_status(form)


@bilans_staff_bp.route("/<int:bilan_id>", methods=["GET", "POST"])
@login_required
def edit(bilan_id: int):
    bilan = get_or_404(Bilan, bilan_id)
    require(current_user, "processes.bilan")
    form = BilanForm(obj=bilan) if request.method == "GET" else BilanForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.edit_bilan(bilan, introduction=form.introduction.data or "", highlights=form.highlights.data or "",
                               outlook=form.outlook.data or "", actor=current_user)
            if request.form.get("publier"):
                service.publish_bilan(bilan, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le bilan est publié : ses chiffres sont figés.") if bilan.is_published else _("Le bilan est enregistré."), "success")
            return redirect(url_for("bilans_staff.edit", bilan_id=bilan.id))
    content = service.content_of(bilan)
    return render_template("processes/staff/bilan.html", bilan=bilan, form=form, content=content,
                           sections=service.figures_of(content)), form_status(form)
