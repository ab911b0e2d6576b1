"""The register of participatory processes (/demarches/), the charter (/demarches/charte) and its back office."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from participation.core.errors import DomainError, PermissionDenied
from participation.core.permissions import can, require
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate
from participation.extensions import db
from participation.processes import services
from participation.processes.forms import (
    CharterForm,
    PlatformProcessForm,
    ProcessFilterForm,
    ProcessForm,
    ReferentForm,
    RegisterEventForm,
)
from participation.processes.models import CharterVersion, CommuneReferent, LeaderKind, Method, Process, Uptake
from participation.processes.bilan_views import bilans_bp, bilans_staff_bp  # noqa: F401  (registered through EXTRA_BLUEPRINTS)
from participation.processes.sources import process_sources
from flask_babel import gettext as _

bp = Blueprint("processes", __name__, url_prefix="/demarches")
staff_bp = Blueprint("processes_staff", __name__, url_prefix="/gestion/demarches")

EXTRA_BLUEPRINTS = ("staff_bp", "bilans_bp", "bilans_staff_bp")
staff_bp.register_error_handler(PermissionDenied, forbidden_page)


# --- Public ----------------------------------------------------------------------------


@bp.route("/")
def index():
    form = ProcessFilterForm()
    form.check()
    page = paginate(services.public_processes(
        commune_id=form.commune.data, theme_id=form.theme.data, method=Method(form.method.data) if form.method.data else None,
        leader_kind=LeaderKind(form.leader.data) if form.leader.data else None, year=form.year.data,
        uptake=Uptake(form.uptake.data) if form.uptake.data else None,
    ))
    return render_template("processes/index.html", page=page, form=form, filters=form.active(),
                           charter=services.current_charter()), form_status(form)


@bp.route("/<int:process_id>")
def show(process_id: int):
    process = get_or_404(Process, process_id)
    if not can(current_user, "processes.view", process):
        abort(404)
    from participation.processes.contacts import agreed

    return render_template("processes/show.html", process=process, agreed=agreed(process, current_user))


@bp.route("/<int:process_id>/recontact", methods=["POST"])
@login_required
def contact(process_id: int):
    from flask_wtf import FlaskForm

    from participation.processes.contacts import set_contact

    process = get_or_404(Process, process_id)
    if not can(current_user, "processes.view", process):
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    agree = request.form.get("accord") == "oui"
    set_contact(process, agree=agree, actor=current_user)
    flash(_("Vous serez recontacté au sujet de cette démarche : ses résultats et leur prise en compte.") if agree
          else _("Vous ne serez plus recontacté au sujet de cette démarche."), "success")
    return redirect(url_for("processes.show", process_id=process.id))


@bp.route("/charte")
def charter():
    versions = db.session.scalars(
        sa.select(CharterVersion).where(CharterVersion.voted_on.is_not(None)).order_by(CharterVersion.number.desc())
    ).all()
    chosen = request.args.get("version", "")
    current = versions[0] if versions else None
    if chosen.isdigit() and len(chosen) < 6:
        current = next((v for v in versions if v.number == int(chosen)), None)
        if current is None:
            abort(404)
    followers = {}
    if current is not None:
        from participation.processes.models import process_commitments

        followers = dict(db.session.execute(
            sa.select(process_commitments.c.commitment_id, sa.func.count(process_commitments.c.process_id))
            .join(Process, Process.id == process_commitments.c.process_id)
            .where(process_commitments.c.commitment_id.in_([c.id for c in current.commitments]), Process.state == "published")
            .group_by(process_commitments.c.commitment_id)
        ).all())
    return render_template("processes/charter.html", versions=versions, current=current, followers=followers)


# --- Back office ------------------------------------------------------------------------


@staff_bp.route("/")
@login_required
def staff_index():
    require(current_user, "processes.register")
    source = request.args.get("source") if request.args.get("source") in ("platform", "hand") else None
    page = paginate(services.staff_processes(current_user, source=source))
    choosable = [s for s in process_sources().values() if not s.automatic] if can(current_user, "processes.charter") else []
    return render_template("processes/staff/index.html", page=page, source=source, choosable=choosable)


@staff_bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "processes.create")
    form = ProcessForm()
    if form.validate_on_submit():
        try:
            process = services.save_process(None, actor=current_user, communes=form.communes.data, neighbourhoods=form.neighbourhoods.data,
                                            themes=form.themes.data, commitments=form.commitments.data, **form.values(platform=False))
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La démarche est enregistrée, en brouillon : publiez-la pour qu'elle paraisse au registre public."), "success")
            return redirect(url_for("processes_staff.edit", process_id=process.id))
    return render_template("processes/staff/form.html", form=form, process=None), form_status(form)


@staff_bp.route("/<int:process_id>", methods=["GET", "POST"])
@login_required
def edit(process_id: int):
    process = get_or_404(Process, process_id)
    require(current_user, "processes.edit", process)
    form_class = PlatformProcessForm if process.on_platform else ProcessForm
    form = form_class(obj=process) if request.method == "GET" else form_class()
    if request.method == "GET":
        form.uptake.data = process.uptake.value
        form.neighbourhoods.data = [n.id for n in process.neighbourhoods]
        form.commitments.data = [c.id for c in process.commitments]
        if not process.on_platform:
            form.leader_kind.data, form.method.data = process.leader_kind.value, process.method.value
            form.communes.data = [c.id for c in process.communes]
            form.themes.data = [t.id for t in process.themes]
    if form.validate_on_submit():
        try:
            services.save_process(process, actor=current_user, communes=getattr(form, "communes", None) and form.communes.data or (),
                                  neighbourhoods=form.neighbourhoods.data, themes=getattr(form, "themes", None) and form.themes.data or (),
                                  commitments=form.commitments.data, **form.values(platform=process.on_platform))
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La démarche est enregistrée."), "success")
            return redirect(url_for("processes_staff.edit", process_id=process.id))
    return render_template("processes/staff/form.html", form=form, process=process), form_status(form)


@staff_bp.route("/<int:process_id>/<any(publier, retirer):action>", methods=["POST"])
@login_required
def change_state(process_id: int, action: str):
    from flask_wtf import FlaskForm

    process = get_or_404(Process, process_id)
    require(current_user, "processes.edit", process)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        (services.publish if action == "publier" else services.unpublish)(process, actor=current_user)
    except PermissionDenied:
        raise
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("La démarche est publiée au registre.") if action == "publier" else _("La démarche est retirée du registre public."), "success")
    return redirect(url_for("processes_staff.edit", process_id=process.id))


@staff_bp.route("/plateforme/<kind>", methods=["GET", "POST"])
@login_required
def register_platform(kind: str):
    """Register things of a source that staff choose (events of the participation kind)."""
    require(current_user, "processes.charter")
    source = process_sources().get(kind)
    if source is None or source.automatic:
        abort(404)
    form = RegisterEventForm()
    items = services.candidates(kind)
    form.source_id.choices = [("", _("— Choisir —")), *[(i.source_id, f"{i.title} ({i.starts_on.strftime('%d/%m/%Y') if i.starts_on else 'sans date'})")
                                                    for i in items]]
    if form.validate_on_submit():
        try:
            process = services.register_platform(kind, form.source_id.data, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'événement entre au registre, en brouillon : ses chiffres viennent de la plateforme."), "success")
            return redirect(url_for("processes_staff.edit", process_id=process.id))
    return render_template("processes/staff/register_platform.html", form=form, source=source), form_status(form)


@staff_bp.route("/<int:process_id>/contacts.csv")
@login_required
def contacts(process_id: int):
    """The process's participants who agreed to be contacted again (a platform process's)."""
    process = get_or_404(Process, process_id)
    require(current_user, "processes.contacts", process)
    from participation.processes.contacts import contact_rows

    rows = contact_rows(process)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Nom"), _("Adresse électronique")])
    writer.writerows(rows)
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=\"demarche-{process.id}-contacts.csv\""
    response.headers["Cache-Control"] = "no-store"
    return response


@staff_bp.route("/charte", methods=["GET", "POST"])
@login_required
def charter_versions():
    require(current_user, "processes.charter")
    versions = db.session.scalars(sa.select(CharterVersion).order_by(CharterVersion.number.desc())).all()
    chosen = request.args.get("version", "")
    version = next((v for v in versions if chosen.isdigit() and v.number == int(chosen)), None) if chosen else None
    if chosen and version is None:
        abort(404)
    form = CharterForm(obj=version) if request.method == "GET" and version else CharterForm()
    if request.method == "GET" and version:
        form.commitments.data = "\n".join(f"{c.title} : {c.description}" if c.description else c.title for c in version.commitments)
    if form.validate_on_submit():
        try:
            saved = services.save_charter_version(version, title=form.title.data, preamble=form.preamble.data or "",
                                                  voted_on=form.voted_on.data, voted_by=form.voted_by.data or "",
                                                  commitments=form.commitment_list(), actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("La version %(number)s de la charte est enregistrée.", number=saved.number), "success")
            return redirect(url_for("processes_staff.charter_versions", version=saved.number))
    return render_template("processes/staff/charter.html", form=form, versions=versions, version=version), form_status(form)


@staff_bp.route("/referents", methods=["GET", "POST"])
@login_required
def referents():
    require(current_user, "processes.manage_referents")
    from participation.territory.models import Commune

    form = ReferentForm()
    if form.validate_on_submit():
        commune = db.session.get(Commune, form.commune.data)
        try:
            if commune is None:
                raise DomainError(_("Cette commune n'existe pas."))
            services.add_referent(email=form.email.data, commune=commune, actor=current_user)
        except PermissionDenied:
            raise
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le référent peut désormais saisir les démarches de sa commune."), "success")
            return redirect(url_for("processes_staff.referents"))
    page = paginate(sa.select(CommuneReferent).order_by(CommuneReferent.created_at.desc(), CommuneReferent.id.desc()))
    return render_template("processes/staff/referents.html", form=form, page=page), form_status(form)


@staff_bp.route("/referents/<int:referent_id>/retirer", methods=["POST"])
@login_required
def remove_referent(referent_id: int):
    from flask_wtf import FlaskForm

    referent = get_or_404(CommuneReferent, referent_id)
    require(current_user, "processes.manage_referents")
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.remove_referent(referent, actor=current_user)
    flash(_("Le référent est retiré."), "success")
    return redirect(url_for("processes_staff.referents"))
