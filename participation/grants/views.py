"""Grant pages: calls and applications (/subventions/), associations (/associations/),
the back office (/gestion/subventions/); the open data is declared in grants/opendata.py."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.dates import local_to_utc, utc_to_local
from participation.core.errors import DomainError, PermissionDenied
from participation.core.eventlog import events_about
from participation.core.permissions import can, require
from participation.core.uploads import StoredFile, send_stored_file
from participation.core.web import forbidden_page, form_error, form_status, get_or_404, paginate
from participation.extensions import db
from participation.grants import services
from participation.grants.forms import (
    ActionForm,
    ApplicationForm,
    AssociationForm,
    CallForm,
    CompletionForm,
    ConventionForm,
    DeclareAssociationForm,
    DocumentForm,
    DropForm,
    GrantForm,
    InviteForm,
    NoteForm,
    PaymentForm,
    ProposalForm,
    RefuseForm,
    ReopenForm,
    ReportForm,
    StartApplicationForm,
)
from participation.grants.models import (
    ACCOUNT_LABELS,
    APPLICATION_WORKFLOW,
    CHARGE_ACCOUNTS,
    PRODUCT_ACCOUNTS,
    REPUBLICAN_COMMITMENTS,
    AidKind,
    Association,
    AssociationDocument,
    DocumentKind,
    Duration,
    GrantApplication,
    GrantCall,
    InstructionNote,
    Opinion,
    PaymentTerms,
    PurposeKind,
    Representative,
    RequestKind,
)
from participation.territory.models import Department, Theme

bp = Blueprint("grants", __name__, url_prefix="/subventions")
associations_bp = Blueprint("associations", __name__, url_prefix="/associations")
staff_bp = Blueprint("grants_staff", __name__, url_prefix="/gestion/subventions")
EXTRA_BLUEPRINTS = ("associations_bp", "staff_bp")

ACCOUNTS = {"charges": CHARGE_ACCOUNTS, "products": PRODUCT_ACCOUNTS}


@bp.app_template_filter("euros")
def _euros(cents):
    return services.euros(cents)


@bp.app_context_processor
def _grants_context():
    return {"ACCOUNT_LABELS": ACCOUNT_LABELS, "ACCOUNTS": ACCOUNTS}


staff_bp.register_error_handler(PermissionDenied, forbidden_page)


# Calls and applications (/subventions/) -----------------------------------------


@bp.route("/")
def index():
    page = paginate(services.public_calls())
    return render_template("grants/index.html", page=page)


@bp.route("/appels/<int:call_id>")
def call(call_id: int):
    item = get_or_404(GrantCall, call_id)
    form = None
    if current_user.is_authenticated:
        form = StartApplicationForm()
        form.association.choices = [(str(a.id), a.name) for a in db.session.scalars(services.associations_of(current_user))]
    return render_template("grants/call.html", call=item, form=form)


@bp.route("/appels/<int:call_id>/demande", methods=["POST"])
@login_required
def start(call_id: int):
    item = get_or_404(GrantCall, call_id)
    form = StartApplicationForm()
    form.association.choices = [(str(a.id), a.name) for a in db.session.scalars(services.associations_of(current_user))]
    if not form.validate_on_submit():
        flash(_("Choisissez l'association qui demande la subvention."), "error")
        return redirect(url_for("grants.call", call_id=item.id))
    association = get_or_404(Association, int(form.association.data))
    application = services.start_application(item, association, actor=current_user)
    flash(_("Le brouillon de la demande est créé : remplissez-le, puis déposez-le avant la clôture."), "success")
    return redirect(url_for("grants.edit", application_id=application.id))


@bp.route("/mes-demandes")
@login_required
def my_applications():
    page = paginate(services.applications_of(current_user))
    return render_template("grants/my_applications.html", page=page)


def _load_application(application_id: int, action: str) -> GrantApplication:
    application = get_or_404(GrantApplication, application_id)
    require(current_user, action, application)
    return application


@bp.route("/demandes/<int:application_id>")
@login_required
def application(application_id: int):
    item = _load_application(application_id, "grants.read_application")
    return render_template(
        "grants/application.html",
        application=item,
        documents=services.current_documents(item.association_id),
        missing=services.missing_documents(item),
        refusal=services.submission_refusal(item),
        gap=services.budget_gap_cents(item),
        events=events_about(item),
        actions=[t.name for t in APPLICATION_WORKFLOW.allowed(item, current_user)],
        action_form=ActionForm(),
        drop_form=DropForm(),
        commitments=REPUBLICAN_COMMITMENTS,
    )


def _fill_application_form(form: ApplicationForm, item: GrantApplication) -> None:
    for name in ("project_title", "goals", "audience", "place", "start_date", "end_date", "expected_results", "evaluation", "signatory"):
        getattr(form, name).data = getattr(item, name)
    for name in ("aid_kind", "request_kind", "purpose_kind", "duration"):
        getattr(form, name).data = getattr(item, name).value
    form.amount_requested.set_cents(item.amount_requested_cents or None)
    for line in item.budget_lines:
        getattr(form, f"account_{line.account}").set_cents(line.amount_cents)
    form.sign_cer.data = item.cer_signed_at is not None


@bp.route("/demandes/<int:application_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    item = _load_application(application_id, "grants.apply")
    form = ApplicationForm()
    if request.method == "GET":
        _fill_application_form(form, item)
    elif form.validate_on_submit():
        budget = {code: getattr(form, f"account_{code}").cents or 0 for code, _unused in CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS}
        try:
            services.save_application(
                item,
                actor=current_user,
                budget=budget,
                sign_cer=form.sign_cer.data,
                aid_kind=AidKind(form.aid_kind.data),
                request_kind=RequestKind(form.request_kind.data),
                purpose_kind=PurposeKind(form.purpose_kind.data),
                duration=Duration(form.duration.data),
                project_title=form.project_title.data.strip(),
                goals=form.goals.data or "",
                audience=form.audience.data or "",
                place=form.place.data or "",
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                expected_results=form.expected_results.data or "",
                evaluation=form.evaluation.data or "",
                amount_requested_cents=form.amount_requested.cents or 0,
                signatory=(form.signatory.data or "").strip() or None,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            gap = services.budget_gap_cents(item)
            if gap:
                flash(_("Brouillon enregistré. Attention : le budget n'est pas équilibré (écart de %(euros)s).", euros=services.euros(abs(gap))), "warning")
            else:
                flash(_("Brouillon enregistré."), "success")
            return redirect(url_for("grants.application", application_id=item.id))
    gap = sum((getattr(form, f"account_{c}").cents or 0) for c, _unused in CHARGE_ACCOUNTS) - sum(
        (getattr(form, f"account_{c}").cents or 0) for c, _unused in PRODUCT_ACCOUNTS)
    return render_template("grants/edit.html", application=item, form=form, commitments=REPUBLICAN_COMMITMENTS, gap=gap), form_status(form)


def _transition_view(application_id: int, service, message: str, action: str = "grants.read_application"):
    item = _load_application(application_id, action)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    service(item, actor=current_user)
    flash(message, "success")
    return redirect(url_for("grants.application", application_id=item.id))


@bp.route("/demandes/<int:application_id>/deposer", methods=["POST"])
@login_required
def submit(application_id: int):
    return _transition_view(application_id, services.submit_application,
                            _("Votre demande est déposée. Un accusé de réception vous est envoyé par courriel."))


@bp.route("/demandes/<int:application_id>/renvoyer", methods=["POST"])
@login_required
def resubmit(application_id: int):
    return _transition_view(application_id, services.resubmit_application, _("Votre demande complétée est renvoyée au service instructeur."))


@bp.route("/demandes/<int:application_id>/retirer", methods=["POST"])
@login_required
def withdraw(application_id: int):
    item = _load_application(application_id, "grants.read_application")
    form = DropForm()
    if not form.validate_on_submit():
        abort(400)
    services.drop(item, reason=form.reason.data, actor=current_user)
    flash(_("La demande est retirée."), "success")
    return redirect(url_for("grants.application", application_id=item.id))


@bp.route("/demandes/<int:application_id>/demande.pdf")
@login_required
def application_pdf(application_id: int):
    item = _load_application(application_id, "grants.read_application")
    data = services.application_pdf(item)
    db.session.commit()  # the document's reference, allocated at its first issue, is kept
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="demande-subvention-{item.id}.pdf"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/demandes/<int:application_id>/compte-rendu", methods=["GET", "POST"])
@login_required
def report(application_id: int):
    item = _load_application(application_id, "grants.read_application")
    if item.report is not None or not can(current_user, "grants.apply", item):
        return render_template("grants/report_show.html", application=item, report=item.report)
    form = ReportForm()
    if request.method == "GET":
        for line in item.budget_lines:
            getattr(form, f"planned_{line.account}").set_cents(line.amount_cents)
    elif form.validate_on_submit():
        lines = {code: (getattr(form, f"planned_{code}").cents or 0, getattr(form, f"actual_{code}").cents or 0)
                 for code, _unused in CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS}
        try:
            services.submit_report(item, narrative=form.narrative.data, lines=lines, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le compte rendu financier est transmis. Merci."), "success")
            return redirect(url_for("grants.application", application_id=item.id))
    return render_template("grants/report_form.html", application=item, form=form), form_status(form)


# Associations (/associations/) ------------------------------------------------


@associations_bp.route("/", endpoint="index")
@login_required
def associations_index():
    page = paginate(services.associations_of(current_user))
    return render_template("grants/associations.html", page=page)


def _association_values(form: AssociationForm) -> dict:
    return {
        "name": form.name.data, "rna": form.rna.data, "siret": form.siret.data, "address": form.address.data,
        "purpose": form.purpose.data, "email": (form.email.data or "").strip().lower(), "phone": (form.phone.data or "").strip() or None,
        "annual_budget_cents": form.annual_budget.cents, "financial_year_end_month": int(form.financial_year_end_month.data or 12),
        "commune_id": int(form.commune.data) if (form.commune.data or "").isdigit() else None,
    }


def _commune_choices(form: AssociationForm) -> AssociationForm:
    from participation.territory.models import Commune

    communes = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
    form.commune.choices = [("", _("— Hors du territoire ou non précisée —")), *[(str(cid), name) for cid, name in communes]]
    return form


@associations_bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    form = _commune_choices(DeclareAssociationForm())
    if form.validate_on_submit():
        try:
            association = services.declare_association(actor=current_user, office=form.office.data, **_association_values(form))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'association est déclarée. Ajoutez maintenant ses documents."), "success")
            return redirect(url_for("associations.show", association_id=association.id))
    return render_template("grants/association_form.html", form=form, association=None), form_status(form)


def _load_association(association_id: int, action: str) -> Association:
    association = get_or_404(Association, association_id)
    require(current_user, action, association)
    return association


def _association_page(association: Association, *, document_form=None, invite_form=None):
    documents = db.session.scalars(
        sa.select(AssociationDocument).where(AssociationDocument.association_id == association.id)
        .order_by(AssociationDocument.kind, AssociationDocument.document_date.desc(), AssociationDocument.id.desc())
    ).all()
    current = services.current_documents(association.id)
    applications = db.session.scalars(
        sa.select(GrantApplication).where(GrantApplication.association_id == association.id).order_by(GrantApplication.id.desc()).limit(50)
    ).all()
    representatives = db.session.scalars(
        sa.select(Representative).where(Representative.association_id == association.id).order_by(Representative.id)
    ).all()
    return render_template(
        "grants/association.html", association=association, documents=documents, current=current, applications=applications,
        representatives=representatives, outdated={d.id for d in current.values() if services.is_outdated(d)},
        document_form=document_form or DocumentForm(), invite_form=invite_form or InviteForm(),
        may_edit=can(current_user, "grants.represent", association),
    ), form_status(document_form, invite_form)


@associations_bp.route("/<int:association_id>")
@login_required
def show(association_id: int):
    return _association_page(_load_association(association_id, "grants.read_association"))


@associations_bp.route("/<int:association_id>/modifier", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit_association(association_id: int):
    association = _load_association(association_id, "grants.represent")
    form = _commune_choices(AssociationForm(obj=association if request.method == "GET" else None))
    if request.method == "GET":
        form.commune.data = str(association.commune_id or "")
        form.annual_budget.set_cents(association.annual_budget_cents)
        form.financial_year_end_month.data = str(association.financial_year_end_month)
    elif form.validate_on_submit():
        try:
            services.update_association(association, actor=current_user, **_association_values(form))
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Les informations de l'association sont enregistrées."), "success")
            return redirect(url_for("associations.show", association_id=association.id))
    return render_template("grants/association_form.html", form=form, association=association), form_status(form)


@associations_bp.route("/<int:association_id>/documents", methods=["POST"])
@login_required
def add_document(association_id: int):
    association = _load_association(association_id, "grants.represent")
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            services.add_document(association, kind=DocumentKind(form.kind.data), upload=form.file.data,
                                  document_date=form.document_date.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Le document est enregistré ; il servira à toutes les demandes de l'association."), "success")
            return redirect(url_for("associations.show", association_id=association.id))
    return _association_page(association, document_form=form)


@associations_bp.route("/<int:association_id>/documents/<int:document_id>")
@login_required
def document(association_id: int, document_id: int):
    association = _load_association(association_id, "grants.read_association")
    item = get_or_404(AssociationDocument, document_id)
    if item.association_id != association.id:
        abort(404)
    return send_stored_file(item.file)


@associations_bp.route("/<int:association_id>/representants", methods=["POST"])
@login_required
def invite(association_id: int):
    association = _load_association(association_id, "grants.represent")
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_representative(association, email=form.email.data, actor=current_user)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("Une invitation est envoyée à %(data)s.", data=form.email.data), "success")
            return redirect(url_for("associations.show", association_id=association.id))
    return _association_page(association, invite_form=form)


@associations_bp.route("/invitation/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token: str):
    try:
        invitation = services.find_invitation(token)
    except DomainError as error:
        return render_template("grants/invitation.html", invitation=None, refusal=error.message, form=None), 409
    form = ActionForm()
    if form.validate_on_submit():
        association = services.accept_invitation(token, actor=current_user)
        flash(_("Vous représentez désormais %(name)s.", name=association.name), "success")
        return redirect(url_for("associations.show", association_id=association.id))
    return render_template("grants/invitation.html", invitation=invitation, refusal=None, form=form)


# Back office (/gestion/subventions) ------------------------------------------------


@staff_bp.route("", endpoint="index")
@login_required
def staff_index():
    require(current_user, "grants.staff_queue")
    page = paginate(sa.select(GrantCall).order_by(GrantCall.closes_at.desc(), GrantCall.id.desc()))
    late = db.session.scalar(sa.select(sa.func.count()).select_from(services.late_reports().subquery()))
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(services.instruction_queue().subquery()))
    return render_template("grants/staff/index.html", page=page, late=late, waiting=waiting)


@staff_bp.route("/demandes")
@login_required
def queue():
    require(current_user, "grants.staff_queue")
    page = paginate(services.instruction_queue())
    return render_template("grants/staff/queue.html", page=page)


@staff_bp.route("/comptes-rendus")
@login_required
def reports():
    require(current_user, "grants.staff_queue")
    page = paginate(services.late_reports())
    received = db.session.scalars(services.received_reports().limit(20)).all()
    return render_template("grants/staff/reports.html", page=page, received=received, today=date.today())


def _call_form(call: GrantCall | None) -> CallForm:
    form = CallForm(obj=call if request.method == "GET" and call else None)
    form.department.choices = [("", _("— Aucun —"))] + [
        (str(d.id), d.name) for d in db.session.scalars(sa.select(Department).where(Department.archived.is_(False)).order_by(Department.name))
    ]
    form.themes.choices = [(str(t.id), t.name) for t in db.session.scalars(sa.select(Theme).where(Theme.archived.is_(False)).order_by(Theme.name))]
    if request.method == "GET" and call:
        form.envelope.set_cents(call.envelope_cents)
        form.opens_at.data, form.closes_at.data = utc_to_local(call.opens_at), utc_to_local(call.closes_at)
        form.department.data = str(call.department_id or "")
        form.themes.data = [str(t.id) for t in call.themes]
        form.required_documents.data = list(call.required_documents or [])
    return form


@staff_bp.route("/appels/nouveau", methods=["GET", "POST"], defaults={"call_id": None})
@staff_bp.route("/appels/<int:call_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int | None):
    item = get_or_404(GrantCall, call_id) if call_id else None
    require(current_user, "grants.manage_calls", item)
    form = _call_form(item)
    if form.validate_on_submit():
        themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_([int(t) for t in form.themes.data or []]))).all()
        try:
            item = services.save_call(
                item, actor=current_user, themes=themes, title=form.title.data.strip(), description=form.description.data,
                eligibility=form.eligibility.data, envelope_cents=form.envelope.cents, opens_at=local_to_utc(form.opens_at.data),
                closes_at=local_to_utc(form.closes_at.data), department_id=int(form.department.data) if form.department.data else None,
                required_documents=form.required_documents.data or [], rae_id=form.rae_id.data, aid_scheme=form.aid_scheme.data,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            flash(_("L'appel est enregistré."), "success")
            return redirect(url_for("grants_staff.call", call_id=item.id))
    return render_template("grants/staff/call_form.html", form=form, call=item), form_status(form)


@staff_bp.route("/appels/<int:call_id>", endpoint="call")
@login_required
def committee(call_id: int):
    item = get_or_404(GrantCall, call_id)
    require(current_user, "grants.staff_queue", item)
    page = paginate(services.committee_rows(item), per_page=100)
    return render_template("grants/staff/call.html", call=item, page=page, totals=services.committee_totals(item))


def _instruction_page(item: GrantApplication, **forms):
    defaults = {
        "completion_form": CompletionForm(), "note_form": NoteForm(), "proposal_form": ProposalForm(), "grant_form": GrantForm(),
        "refuse_form": RefuseForm(), "drop_form": DropForm(), "reopen_form": ReopenForm(), "convention_form": ConventionForm(),
        "payment_form": PaymentForm(), "action_form": ActionForm(),
    }
    defaults.update(forms)
    if "proposal_form" not in forms:
        defaults["proposal_form"].amount_proposed.set_cents(item.amount_proposed_cents)
        if item.opinion:
            defaults["proposal_form"].opinion.data = item.opinion.value
    if "grant_form" not in forms and not defaults["grant_form"].amount_granted.data:
        defaults["grant_form"].amount_granted.set_cents(item.amount_proposed_cents or item.amount_requested_cents or None)
    notes = db.session.scalars(sa.select(InstructionNote).where(InstructionNote.application_id == item.id).order_by(InstructionNote.id)).all()
    return render_template(
        "grants/staff/application.html",
        application=item,
        notes=notes,
        documents=services.current_documents(item.association_id),
        missing=services.missing_documents(item),
        events=events_about(item),
        actions=[t.name for t in APPLICATION_WORKFLOW.allowed(item, current_user)],
        year_total=services.year_total_cents(item.association_id, (item.decided_on or date.today()).year),
        convention_required=services.convention_required(item),
        certified_required=services.certified_balance_required(item),
        certified_present=DocumentKind.certified_balance_sheet in services.current_documents(item.association_id),
        payment_refusal=services.payment_refusal(item),
        gap=services.budget_gap_cents(item),
        **defaults,
    ), form_status(*forms.values())


@staff_bp.route("/demandes/<int:application_id>", endpoint="application")
@login_required
def instruction(application_id: int):
    item = get_or_404(GrantApplication, application_id)
    require(current_user, "grants.staff_queue", item)
    return _instruction_page(item)


# Each instruction form: its form class, the service it calls, the message on success.
def _staff_form_action(application_id: int, form_name: str, form_cls, call, message: str, permission: str = "grants.instruct"):
    item = get_or_404(GrantApplication, application_id)
    require(current_user, permission, item)
    form = form_cls()
    if form.validate_on_submit():
        try:
            call(item, form)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("grants_staff.application", application_id=item.id))
    return _instruction_page(item, **{form_name: form})


@staff_bp.route("/demandes/<int:application_id>/instruire", methods=["POST"])
@login_required
def start_review(application_id: int):
    return _staff_form_action(application_id, "action_form", ActionForm,
                              lambda item, form: services.start_review(item, actor=current_user), _("La demande est en instruction."))


@staff_bp.route("/demandes/<int:application_id>/completer", methods=["POST"])
@login_required
def request_completion(application_id: int):
    return _staff_form_action(application_id, "completion_form", CompletionForm,
                              lambda item, form: services.request_completion(item, missing=form.missing.data, actor=current_user),
                              _("La demande de compléments est envoyée à l'association."))


@staff_bp.route("/demandes/<int:application_id>/notes", methods=["POST"])
@login_required
def add_note(application_id: int):
    return _staff_form_action(application_id, "note_form", NoteForm,
                              lambda item, form: services.add_note(item, body=form.body.data, actor=current_user), _("La note est ajoutée."))


@staff_bp.route("/demandes/<int:application_id>/proposition", methods=["POST"])
@login_required
def proposal(application_id: int):
    return _staff_form_action(
        application_id, "proposal_form", ProposalForm,
        lambda item, form: services.record_proposal(item, amount_cents=form.amount_proposed.cents, opinion=Opinion(form.opinion.data),
                                                    reason=form.reason.data, actor=current_user),
        _("La proposition est enregistrée."))


@staff_bp.route("/demandes/<int:application_id>/accorder", methods=["POST"])
@login_required
def grant(application_id: int):
    return _staff_form_action(
        application_id, "grant_form", GrantForm,
        lambda item, form: services.grant(item, amount_cents=form.amount_granted.cents, decided_on=form.decided_on.data,
                                          reference=form.reference.data, payment_terms=PaymentTerms(form.payment_terms.data),
                                          payment_from=form.payment_from.data, payment_until=form.payment_until.data,
                                          eu_notified=form.eu_notified.data, actor=current_user),
        _("La décision d'attribution est enregistrée ; l'association en est informée."), "grants.decide")


@staff_bp.route("/demandes/<int:application_id>/refuser", methods=["POST"])
@login_required
def refuse(application_id: int):
    return _staff_form_action(
        application_id, "refuse_form", RefuseForm,
        lambda item, form: services.refuse(item, reason=form.reason.data, decided_on=form.decided_on.data,
                                           reference=form.reference.data, actor=current_user),
        _("Le refus est enregistré ; l'association en est informée."), "grants.decide")


@staff_bp.route("/demandes/<int:application_id>/classer", methods=["POST"])
@login_required
def drop(application_id: int):
    return _staff_form_action(application_id, "drop_form", DropForm,
                              lambda item, form: services.drop(item, reason=form.reason.data, actor=current_user),
                              _("Le dossier est classé sans suite."), "grants.drop")


@staff_bp.route("/demandes/<int:application_id>/rouvrir", methods=["POST"])
@login_required
def reopen(application_id: int):
    return _staff_form_action(application_id, "reopen_form", ReopenForm,
                              lambda item, form: services.reopen(item, reason=form.reason.data, actor=current_user),
                              _("Le dossier est rouvert."), "grants.reopen")


@staff_bp.route("/demandes/<int:application_id>/convention", methods=["POST"])
@login_required
def convention(application_id: int):
    return _staff_form_action(application_id, "convention_form", ConventionForm,
                              lambda item, form: services.record_convention(item, signed_on=form.signed_on.data, upload=form.file.data,
                                                                            actor=current_user),
                              _("La convention signée est enregistrée."), "grants.decide")


@staff_bp.route("/demandes/<int:application_id>/versements", methods=["POST"])
@login_required
def payment(application_id: int):
    return _staff_form_action(application_id, "payment_form", PaymentForm,
                              lambda item, form: services.record_payment(item, amount_cents=form.amount.cents, paid_on=form.paid_on.data,
                                                                         reference=form.reference.data, actor=current_user),
                              _("Le versement est enregistré ; l'association en est informée."), "grants.pay")


@staff_bp.route("/demandes/<int:application_id>/compte-rendu/valider", methods=["POST"])
@login_required
def accept_report(application_id: int):
    return _staff_form_action(application_id, "action_form", ActionForm,
                              lambda item, form: services.accept_report(item.report, actor=current_user) if item.report else abort(404),
                              _("Le compte rendu financier est validé."), "grants.instruct_report")


@staff_bp.route("/demandes/<int:application_id>/convention.pdf")
@login_required
def convention_file(application_id: int):
    item = get_or_404(GrantApplication, application_id)
    require(current_user, "grants.read_application", item)
    if item.convention_file_id is None:
        abort(404)
    return send_stored_file(db.session.get(StoredFile, item.convention_file_id))
