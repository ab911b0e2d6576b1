"""Grant operations: the only code that changes associations, calls, applications and reports.

Every function takes the acting person as ``actor``, checks the permission,
changes the models, records a domain event, and never commits.
"""

from __future__ import annotations

import re

import calendar
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.core.dates import format_day
from participation.core.errors import DomainError, TransitionRefused, ValidationError
from participation.core.eventlog import record
from participation.core.identifiers import compact, rna_error, siret_error
from participation.core.models import utcnow
from participation.core.outbox import attachment_renderer
from participation.core.permissions import require
from participation.core.tokens import make_token, token_digest
from participation.core.uploads import DOCUMENTS, MB, store_upload
from participation.extensions import db
from participation.grants.models import (
    APPLICATION_WORKFLOW,
    CHARGE_ACCOUNTS,
    PRODUCT_ACCOUNTS,
    REPORT_WORKFLOW,
    ApplicationState,
    Association,
    AssociationDocument,
    BudgetLine,
    DocumentKind,
    FinancialReport,
    GrantApplication,
    GrantCall,
    InstructionNote,
    Payment,
    PurposeKind,
    ReportLine,
    Representative,
    RepresentativeInvitation,
)
from participation.grants.settings import setting, threshold_cents


def euros(cents: int | None) -> str:
    """« 24 000,00 € »; in English « €24,000.00 » (see ``participation/core/numbers.py``)."""
    from participation.core.numbers import euros as format_euros

    return format_euros(cents)


# Associations ----------------------------------------------------------------

ASSOCIATION_FIELDS = ("name", "rna", "siret", "address", "purpose", "email", "phone", "annual_budget_cents", "financial_year_end_month",
                      "commune_id")


def _clean_association(values: dict, existing: Association | None = None) -> dict:
    data = {key: values.get(key) for key in ASSOCIATION_FIELDS if key in values}
    for key in ("name", "address", "purpose", "email"):
        if key in data:
            data[key] = (data[key] or "").strip()
            if not data[key]:
                raise ValidationError(_("Ce champ est obligatoire."), field=key)
    problem = rna_error(data.get("rna"))
    if problem:
        raise ValidationError(problem, field="rna")
    data["rna"] = compact(data["rna"])
    if data.get("siret"):
        problem = siret_error(data["siret"])
        if problem:
            raise ValidationError(problem, field="siret")
        data["siret"] = compact(data["siret"])
    else:
        data["siret"] = None
    same_rna = db.session.scalar(sa.select(Association).where(Association.rna == data["rna"]))
    if same_rna is not None and same_rna is not existing:
        raise ValidationError(
            _("Une association portant ce numéro RNA est déjà déclarée : demandez à l'un de ses représentants de vous inviter."),
            field="rna",
        )
    if data["siret"]:
        same_siret = db.session.scalar(sa.select(Association).where(Association.siret == data["siret"]))
        if same_siret is not None and same_siret is not existing:
            raise ValidationError(_("Une autre association déclarée porte déjà ce numéro SIRET."), field="siret")
    month = data.get("financial_year_end_month") or 12
    if not 1 <= int(month) <= 12:
        raise ValidationError(_("Indiquez un mois entre 1 et 12."), field="financial_year_end_month")
    data["financial_year_end_month"] = int(month)
    if data.get("commune_id") is not None:
        from participation.territory.models import Commune

        if db.session.get(Commune, data["commune_id"]) is None:
            raise ValidationError(_("Choisissez une commune du territoire, ou « Hors du territoire »."), field="commune")
    return data


def declare_association(*, actor, office: str | None = None, **values) -> Association:
    """Declare an association; the person declaring it becomes its first representative."""
    require(actor, "grants.declare_association")
    data = _clean_association(values)
    association = Association(**data)
    association.representatives.append(Representative(user_id=actor.id, office=(office or "").strip() or None))
    db.session.add(association)
    db.session.flush()
    record("association.declared", association, actor, {"rna": association.rna, "siret": association.siret})
    return association


def update_association(association: Association, *, actor, **values) -> Association:
    require(actor, "grants.represent", association)
    data = _clean_association({"rna": association.rna, **values}, existing=association)
    changed = [key for key, value in data.items() if getattr(association, key) != value]
    for key in changed:
        setattr(association, key, data[key])
    if changed:
        record("association.updated", association, actor, {"fields": changed})
    return association


def associations_of(user):
    """A ``select`` of the associations ``user`` represents, by name."""
    return (
        sa.select(Association)
        .join(Representative, Representative.association_id == Association.id)
        .where(Representative.user_id == user.id)
        .order_by(Association.name)
    )


def add_document(association: Association, *, kind: DocumentKind, upload, document_date: date, actor) -> AssociationDocument:
    """Keep a document for the association; the newest of each kind is the one applications use."""
    require(actor, "grants.represent", association)
    if document_date is None:
        raise ValidationError(_("Indiquez la date du document."), field="document_date")
    if document_date > date.today():
        raise ValidationError(_("La date du document ne peut pas être dans le futur."), field="document_date")
    stored = store_upload(upload, kinds=DOCUMENTS, max_bytes=int(setting("GRANTS_UPLOAD_MAX_MB")) * MB, actor=actor, field="file")
    document = AssociationDocument(association_id=association.id, kind=kind, file_id=stored.id, document_date=document_date,
                                   uploaded_by_id=getattr(actor, "id", None))
    db.session.add(document)
    db.session.flush()
    record("association.document_added", association, actor, {"document_id": document.id, "kind": kind})
    return document


def current_documents(association_id: int) -> dict[DocumentKind, AssociationDocument]:
    """The newest document of each kind, in one query."""
    documents = db.session.scalars(
        sa.select(AssociationDocument)
        .where(AssociationDocument.association_id == association_id)
        .order_by(AssociationDocument.document_date, AssociationDocument.id)
    ).all()
    return {document.kind: document for document in documents}



@attachment_renderer("grants.application")
def application_pdf_attachment(application_id: int) -> bytes:
    return application_pdf(db.session.get(GrantApplication, application_id))


def application_pdf(application: GrantApplication) -> bytes:
    """The application as submitted, as a PDF: for the receipt and for download."""
    from participation.core.pdf import render_pdf
    from participation.grants.models import REPUBLICAN_COMMITMENTS

    from flask_babel import gettext as _

    from participation.core.documents import issue
    from participation.core.urls import external_url

    document = issue("SUBV", application, title=_("Demande de subvention n° %(number)s", number=application.id),
                     url=external_url("grants.application", application_id=application.id),
                     addressee=[application.call.department.name if application.call.department else ""])
    return render_pdf("grants/application_pdf.html", document=document, application=application, commitments=REPUBLICAN_COMMITMENTS,
                      documents=current_documents(application.association_id), euros=euros)

def is_outdated(document: AssociationDocument, today: date | None = None) -> bool:
    today = today or date.today()
    return (today - document.document_date).days > int(setting("GRANTS_DOCUMENT_MAX_AGE_DAYS"))


def invite_representative(association: Association, *, email: str, actor) -> RepresentativeInvitation:
    """Mail a single-use link that makes its holder a representative of the association."""
    require(actor, "grants.represent", association)
    email = (email or "").strip().lower()
    if "@" not in email:
        raise ValidationError(_("Indiquez une adresse électronique valide."), field="email")
    raw = make_token()
    invitation = RepresentativeInvitation(
        association_id=association.id,
        email=email,
        token_hash=token_digest(raw),
        invited_by_id=getattr(actor, "id", None),
        expires_at=utcnow() + timedelta(days=int(setting("GRANTS_INVITATION_DAYS"))),
    )
    db.session.add(invitation)
    db.session.flush()
    record("association.representative_invited", association, actor, {"invitation_id": invitation.id},
           context={"token": raw, "email": email, "invitation": invitation})
    return invitation


def find_invitation(token: str) -> RepresentativeInvitation:
    invitation = db.session.scalar(
        sa.select(RepresentativeInvitation).where(RepresentativeInvitation.token_hash == token_digest(token))
    )
    if invitation is None:
        raise DomainError(_("Ce lien d'invitation n'est pas valide."))
    if invitation.accepted_at is not None:
        raise DomainError(_("Cette invitation a déjà été acceptée."))
    if invitation.expires_at < utcnow():
        raise DomainError(_("Cette invitation a expiré : demandez à un représentant de l'association de vous inviter à nouveau."))
    return invitation


def accept_invitation(token: str, *, actor) -> Association:
    require(actor, "grants.declare_association")
    invitation = find_invitation(token)
    association = invitation.association
    already = db.session.scalar(
        sa.select(Representative).where(Representative.association_id == association.id, Representative.user_id == actor.id)
    )
    if already is None:
        association.representatives.append(Representative(user_id=actor.id))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = actor.id
    db.session.flush()
    record("association.representative_joined", association, actor, {"invitation_id": invitation.id, "user_id": actor.id})
    return association


# Calls ---------------------------------------------------------------------

# SCDL subventions: idRAE is at most five characters.
RAE_ID = re.compile(r"[0-9A-Za-z]{1,5}")
CALL_FIELDS = ("title", "description", "eligibility", "envelope_cents", "opens_at", "closes_at", "department_id", "required_documents", "rae_id", "aid_scheme")


def save_call(call: GrantCall | None, *, actor, themes=(), **values) -> GrantCall:
    require(actor, "grants.manage_calls", call)
    data = {key: values[key] for key in CALL_FIELDS if key in values}
    for key in ("title", "description", "eligibility"):
        if not (data.get(key) or "").strip():
            raise ValidationError(_("Ce champ est obligatoire."), field=key)
    if data.get("envelope_cents") is None or data["envelope_cents"] < 0:
        raise ValidationError(_("Indiquez l'enveloppe, un montant positif."), field="envelope")
    if data["opens_at"] >= data["closes_at"]:
        raise ValidationError(_("La clôture doit suivre l'ouverture."), field="closes_at")
    data["required_documents"] = [DocumentKind(kind).value for kind in data.get("required_documents") or []]
    for key in ("rae_id", "aid_scheme"):
        if key in data:
            data[key] = (data[key] or "").strip() or None
    if data.get("rae_id") and not RAE_ID.fullmatch(data["rae_id"]):
        raise ValidationError(_("Le numéro au Répertoire des aides aux entreprises compte au plus 5 chiffres ou lettres."), field="rae_id")
    created = call is None
    call = call or GrantCall()
    for key, value in data.items():
        setattr(call, key, value)
    call.themes = list(themes)
    db.session.add(call)
    db.session.flush()
    record("grant_call.created" if created else "grant_call.updated", call, actor, {"title": call.title})
    return call


def public_calls(now: datetime | None = None):
    """A ``select`` of the calls: open first (closing soonest), then upcoming, then closed."""
    now = now or utcnow()
    order = sa.case((GrantCall.closes_at <= now, 2), (GrantCall.opens_at > now, 1), else_=0)
    return sa.select(GrantCall).order_by(order, GrantCall.closes_at, GrantCall.id)


def public_grant_condition():
    """The grants made public: granted, with a signed convention (the SCDL ``subventions`` rows)."""
    return sa.and_(GrantApplication.state == ApplicationState.granted, GrantApplication.convention_signed_on.is_not(None))


def public_grants():
    """A ``select`` of the grants made public (API, pages and open data share it)."""
    return sa.select(GrantApplication).where(public_grant_condition())


# Applications ----------------------------------------------------------------

APPLICATION_FIELDS = ("aid_kind", "request_kind", "purpose_kind", "duration", "project_title", "goals", "audience", "place",
                      "start_date", "end_date", "expected_results", "evaluation", "amount_requested_cents", "signatory")
EDITABLE_STATES = {ApplicationState.draft, ApplicationState.incomplete}


def start_application(call: GrantCall, association: Association, *, actor, now: datetime | None = None) -> GrantApplication:
    """A draft application of ``association`` to ``call``."""
    require(actor, "grants.apply", association)
    if not call.is_open(now):
        raise DomainError(_closed_message(call, now))
    application = GrantApplication(call=call, association=association, created_by_id=actor.id, project_title=call.title[:200])
    db.session.add(application)
    db.session.flush()
    record("grant_application.created", application, actor, {"call_id": call.id, "association_id": association.id})
    return application


def save_application(application: GrantApplication, *, actor, budget: dict[str, int], sign_cer: bool = False, **values) -> GrantApplication:
    """Save the draft (or the completion asked for): the CERFA's fields, its budget lines, the CER's signature."""
    require(actor, "grants.apply", application)
    if application.state not in EDITABLE_STATES:
        raise TransitionRefused(_("Cette demande ne se modifie plus : elle est « %(lower)s ».", lower=application.state.label.lower()))
    data = {key: values[key] for key in APPLICATION_FIELDS if key in values}
    if "project_title" in data and not (data["project_title"] or "").strip():
        raise ValidationError(_("Donnez un intitulé au projet."), field="project_title")
    if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
        raise ValidationError(_("La fin du projet doit suivre son début."), field="end_date")
    if (data.get("amount_requested_cents") or 0) < 0:
        raise ValidationError(_("Le montant demandé ne peut pas être négatif."), field="amount_requested")
    for key, value in data.items():
        setattr(application, key, value)
    accounts = {code: "charge" for code, _unused in CHARGE_ACCOUNTS} | {code: "product" for code, _unused in PRODUCT_ACCOUNTS}
    existing = {line.account: line for line in application.budget_lines}
    for account, cents in budget.items():
        if account not in accounts:
            continue
        if cents is not None and cents < 0:
            raise ValidationError(_("Un montant du budget ne peut pas être négatif."), field=f"account_{account}")
        line = existing.get(account)
        if cents:
            if line is None:
                application.budget_lines.append(BudgetLine(side=accounts[account], account=account, amount_cents=cents))
            else:
                line.amount_cents = cents
        elif line is not None:
            application.budget_lines.remove(line)
    if sign_cer and application.cer_signed_at is None:
        if not (application.signatory or "").strip():
            raise ValidationError(_("Indiquez le nom et la qualité de la personne qui signe pour l'association."), field="signatory")
        application.cer_signed_at = utcnow()
        application.cer_signed_by_id = actor.id
    db.session.flush()
    record("grant_application.updated", application, actor, {"cer_signed": application.cer_signed_at is not None})
    return application


def budget_gap_cents(application: GrantApplication) -> int:
    """Charges minus products: zero when the budget balances."""
    return application.charges_cents - application.products_cents


def missing_documents(application: GrantApplication) -> list[DocumentKind]:
    present = current_documents(application.association_id)
    return [kind for kind in application.call.required_kinds if kind not in present]


def submission_refusal(application: GrantApplication) -> str | None:
    """Why the application cannot be submitted as it is, or ``None``."""
    if not (application.project_title or "").strip():
        return _("Donnez un intitulé au projet avant de déposer la demande.")
    if application.amount_requested_cents <= 0:
        return _("Indiquez le montant de la subvention demandée avant de déposer la demande.")
    if not application.budget_lines:
        return _("Remplissez le budget prévisionnel avant de déposer la demande.")
    gap = budget_gap_cents(application)
    if gap:
        side = _("les charges dépassent les produits") if gap > 0 else _("les produits dépassent les charges")
        return _("Le budget prévisionnel n'est pas équilibré : %(side)s de %(euros)s.", side=side, euros=euros(abs(gap)))
    if application.cer_signed_at is None:
        return _("La demande ne peut être déposée sans la signature du contrat d'engagement républicain.")
    missing = missing_documents(application)
    if missing:
        return _("Il manque des documents de l'association : ") + ", ".join(kind.label for kind in missing) + "."
    return None


def _closed_message(call: GrantCall, now: datetime | None) -> str:
    now = now or utcnow()
    if now < call.opens_at:
        return _("L'appel à projets ouvre le %(opens_at)s : les demandes ne peuvent pas encore être déposées.", opens_at=format_day(call.opens_at))
    return _("L'appel à projets est clos depuis le %(closes_at)s : la demande ne peut plus être déposée.", closes_at=format_day(call.closes_at))


def closing_refusal(application: GrantApplication, now: datetime | None = None) -> str | None:
    if application.call.is_open(now):
        return None
    return _closed_message(application.call, now)


def submit_application(application: GrantApplication, *, actor) -> GrantApplication:
    _check(application, "submit", "grants.apply", actor)
    application.submitted_at = utcnow()
    APPLICATION_WORKFLOW.apply(application, "submit", actor=actor, data={"amount_requested_cents": application.amount_requested_cents})
    return application


def resubmit_application(application: GrantApplication, *, actor) -> GrantApplication:
    APPLICATION_WORKFLOW.apply(application, "resubmit", actor=actor)
    return application


def start_review(application: GrantApplication, *, actor) -> GrantApplication:
    APPLICATION_WORKFLOW.apply(application, "start_review", actor=actor)
    return application


def _check(application: GrantApplication, transition: str, permission: str, actor) -> None:
    """Refuse before anything changes, so that subscribers see the final values."""
    require(actor, permission, application)
    reason = APPLICATION_WORKFLOW.refusal(application, transition, actor)
    if reason:
        raise TransitionRefused(reason)


def request_completion(application: GrantApplication, *, missing: str, actor) -> GrantApplication:
    _check(application, "request_completion", "grants.instruct", actor)
    if not (missing or "").strip():
        raise ValidationError(_("Dites à l'association ce qui manque."), field="missing")
    application.completion_request = missing.strip()
    APPLICATION_WORKFLOW.apply(application, "request_completion", actor=actor, data={"missing": application.completion_request})
    return application


def add_note(application: GrantApplication, *, body: str, actor) -> InstructionNote:
    require(actor, "grants.instruct", application)
    if not (body or "").strip():
        raise ValidationError(_("La note est vide."), field="body")
    note = InstructionNote(application_id=application.id, author_id=actor.id, body=body.strip())
    db.session.add(note)
    db.session.flush()
    record("grant_application.note_added", application, actor, {"note_id": note.id})
    return note


def record_proposal(application: GrantApplication, *, amount_cents: int, opinion, reason: str | None, actor) -> GrantApplication:
    require(actor, "grants.instruct", application)
    if application.state not in (ApplicationState.submitted, ApplicationState.under_review, ApplicationState.incomplete):
        raise TransitionRefused(_("La proposition se fait pendant l'instruction."))
    if amount_cents is None or amount_cents < 0:
        raise ValidationError(_("Indiquez un montant proposé positif (0 pour un avis défavorable)."), field="amount_proposed")
    application.amount_proposed_cents = amount_cents
    application.opinion = opinion
    application.opinion_reason = (reason or "").strip() or None
    record("grant_application.proposal_recorded", application, actor, {"amount_cents": amount_cents, "opinion": opinion})
    return application


def year_total_cents(association_id: int, year: int) -> int:
    """What the association was granted in ``year`` (decision dates), cash and in-kind together."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(GrantApplication.amount_granted_cents), 0)).where(
            GrantApplication.association_id == association_id,
            GrantApplication.state == ApplicationState.granted,
            GrantApplication.decided_on >= date(year, 1, 1),
            GrantApplication.decided_on <= date(year, 12, 31),
        )
    ) or 0


def convention_required(application: GrantApplication) -> bool:
    """Above the threshold a year for the association (all its grants of the year), a convention is required."""
    if application.state != ApplicationState.granted or application.decided_on is None:
        return False
    total = year_total_cents(application.association_id, application.decided_on.year)
    return total > threshold_cents("GRANTS_CONVENTION_THRESHOLD_EUROS")


def certified_balance_required(application: GrantApplication) -> bool:
    """Above 75,000 € a year, or above half of the association's budget, a certified balance sheet is required."""
    if application.state != ApplicationState.granted or application.decided_on is None:
        return False
    total = year_total_cents(application.association_id, application.decided_on.year)
    if total > threshold_cents("GRANTS_CERTIFIED_BALANCE_THRESHOLD_EUROS"):
        return True
    budget = application.association.annual_budget_cents
    return bool(budget) and total * 100 > budget * int(setting("GRANTS_CERTIFIED_BALANCE_SHARE_PERCENT"))


def report_due_date(application: GrantApplication, decided_on: date) -> date:
    """Six months (configurable) after the end of the association's financial year in which the action ends."""
    reference = application.end_date or decided_on
    month = application.association.financial_year_end_month
    year = reference.year if reference.month <= month else reference.year + 1
    year_end = date(year, month, calendar.monthrange(year, month)[1])
    months = int(setting("GRANTS_REPORT_DELAY_MONTHS"))
    total = year_end.month + months
    due_year, due_month = year_end.year + (total - 1) // 12, (total - 1) % 12 + 1
    return date(due_year, due_month, calendar.monthrange(due_year, due_month)[1])


def grant(application: GrantApplication, *, amount_cents: int, decided_on: date, reference: str, payment_terms,
          payment_from: date, payment_until: date | None = None, eu_notified: bool = False, actor) -> GrantApplication:
    """Record the authority's decision to grant."""
    _check(application, "grant", "grants.decide", actor)
    if not amount_cents or amount_cents <= 0:
        raise ValidationError(_("Indiquez le montant accordé."), field="amount_granted")
    if not (reference or "").strip():
        raise ValidationError(_("Indiquez la référence de la délibération ou de l'arrêté."), field="reference")
    if decided_on is None:
        raise ValidationError(_("Indiquez la date de la décision."), field="decided_on")
    if payment_from is None:
        raise ValidationError(_("Indiquez la date (ou le début de la période) de versement."), field="payment_from")
    if payment_until and payment_until < payment_from:
        raise ValidationError(_("La fin de la période de versement doit suivre son début."), field="payment_until")
    application.amount_granted_cents = amount_cents
    application.decided_on = decided_on
    application.decision_reference = reference.strip()
    application.payment_terms = payment_terms
    application.payment_from = payment_from
    application.payment_until = payment_until
    application.eu_notified = bool(eu_notified)
    application.refusal_reason = None
    application.report_due_on = report_due_date(application, decided_on) if application.purpose_kind == PurposeKind.project else None
    APPLICATION_WORKFLOW.apply(application, "grant", actor=actor,
                               data={"amount_cents": amount_cents, "reference": application.decision_reference})
    return application


def refuse(application: GrantApplication, *, reason: str, decided_on: date, reference: str | None, actor) -> GrantApplication:
    _check(application, "refuse", "grants.decide", actor)
    if not (reason or "").strip():
        raise ValidationError(_("Le refus doit être motivé : indiquez la raison."), field="reason")
    application.refusal_reason = reason.strip()
    application.decided_on = decided_on or date.today()
    application.decision_reference = (reference or "").strip() or None
    application.amount_granted_cents = None
    application.report_due_on = None
    APPLICATION_WORKFLOW.apply(application, "refuse", actor=actor, data={"reason": application.refusal_reason})
    return application


def drop(application: GrantApplication, *, reason: str | None, actor) -> GrantApplication:
    APPLICATION_WORKFLOW.apply(application, "drop", actor=actor, data={"reason": (reason or "").strip() or None})
    return application


def reopen_refusal(application: GrantApplication) -> str | None:
    if application.submitted_at is None:
        return _("Un brouillon retiré ne se rouvre pas : l'association peut déposer une nouvelle demande.")
    if application.payments:
        return _("Des versements ont été faits : le dossier ne peut plus être rouvert.")
    return None


def reopen(application: GrantApplication, *, reason: str, actor) -> GrantApplication:
    if not (reason or "").strip():
        raise ValidationError(_("Indiquez pourquoi le dossier est rouvert."), field="reason")
    APPLICATION_WORKFLOW.apply(application, "reopen", actor=actor, data={"reason": reason.strip()})
    return application


def record_convention(application: GrantApplication, *, signed_on: date, upload=None, actor) -> GrantApplication:
    require(actor, "grants.decide", application)
    if application.state != ApplicationState.granted:
        raise TransitionRefused(_("Une convention se signe pour une subvention accordée."))
    if application.convention_signed_on is not None:
        raise TransitionRefused(_("La convention de ce dossier est déjà enregistrée."))
    if signed_on is None:
        raise ValidationError(_("Indiquez la date de signature de la convention."), field="signed_on")
    if signed_on < application.decided_on:
        raise ValidationError(_("La convention ne peut pas être signée avant la décision."), field="signed_on")
    if not application.association.siret:
        raise ValidationError(_("L'association doit indiquer son numéro SIRET avant la convention (il est publié avec elle)."), field="signed_on")
    if upload is not None and getattr(upload, "filename", ""):
        stored = store_upload(upload, kinds=DOCUMENTS, max_bytes=int(setting("GRANTS_UPLOAD_MAX_MB")) * MB, actor=actor, field="file")
        application.convention_file_id = stored.id
    application.convention_signed_on = signed_on
    record("grant_application.convention_recorded", application, actor, {"signed_on": signed_on.isoformat()})
    return application


def payment_refusal(application: GrantApplication) -> str | None:
    """Why no payment can be made now, or ``None``."""
    if application.state != ApplicationState.granted:
        return _("Un versement suppose une subvention accordée.")
    if application.paid_cents >= (application.amount_granted_cents or 0):
        return _("La subvention est entièrement versée.")
    if convention_required(application) and application.convention_signed_on is None:
        threshold = euros(threshold_cents("GRANTS_CONVENTION_THRESHOLD_EUROS"))
        return (_("Les subventions accordées à l'association cette année dépassent %(threshold)s : aucun versement avant l'enregistrement de la convention signée.", threshold=threshold))
    if certified_balance_required(application) and DocumentKind.certified_balance_sheet not in current_documents(application.association_id):
        return _("Le montant accordé exige le bilan certifié de l'association : il doit être déposé avant tout versement.")
    return None


def record_payment(application: GrantApplication, *, amount_cents: int, paid_on: date, reference: str | None = None, actor) -> Payment:
    require(actor, "grants.pay", application)
    reason = payment_refusal(application)
    if reason:
        raise TransitionRefused(reason)
    if not amount_cents or amount_cents <= 0:
        raise ValidationError(_("Indiquez le montant versé."), field="amount")
    left = application.amount_granted_cents - application.paid_cents
    if amount_cents > left:
        raise ValidationError(_("Le versement dépasse ce qui reste à verser (%(euros)s).", euros=euros(left)), field="amount")
    if paid_on is None:
        raise ValidationError(_("Indiquez la date du versement."), field="paid_on")
    payment = Payment(amount_cents=amount_cents, paid_on=paid_on, reference=(reference or "").strip() or None, recorded_by_id=actor.id)
    application.payments.append(payment)
    db.session.flush()
    record("grant_application.payment_recorded", application, actor,
           {"payment_id": payment.id, "amount_cents": amount_cents, "paid_on": paid_on.isoformat()})
    return payment


# Financial report ------------------------------------------------------------


def submit_report(application: GrantApplication, *, narrative: str, lines: dict[str, tuple[int, int]], actor) -> FinancialReport:
    """File the compte rendu financier (CERFA 15059*02): planned and actual, account by account, and a narrative."""
    require(actor, "grants.apply", application)
    if application.state != ApplicationState.granted or application.report_due_on is None:
        raise TransitionRefused(_("Cette subvention n'appelle pas de compte rendu financier."))
    if application.report is not None:
        raise TransitionRefused(_("Le compte rendu financier de cette subvention a déjà été transmis."))
    if not (narrative or "").strip():
        raise ValidationError(_("Décrivez l'action réalisée et les écarts avec ce qui était prévu."), field="narrative")
    sides = {code: "charge" for code, _unused in CHARGE_ACCOUNTS} | {code: "product" for code, _unused in PRODUCT_ACCOUNTS}
    report = FinancialReport(application_id=application.id, narrative=narrative.strip(), submitted_by_id=actor.id, submitted_at=utcnow())
    for account, (planned, actual) in lines.items():
        if account not in sides or not (planned or actual):
            continue
        if planned < 0 or actual < 0:
            raise ValidationError(_("Les montants ne peuvent pas être négatifs."), field=f"actual_{account}")
        report.lines.append(ReportLine(side=sides[account], account=account, planned_cents=planned or 0, actual_cents=actual or 0))
    if not report.lines:
        raise ValidationError(_("Indiquez au moins une ligne réalisée."), field="narrative")
    db.session.add(report)
    application.report = report
    db.session.flush()
    record("grant_report.submitted", report, actor, {"application_id": application.id})
    return report


def accept_report(report: FinancialReport, *, actor) -> FinancialReport:
    REPORT_WORKFLOW.apply(report, "accept", actor=actor, data={"application_id": report.application_id})
    return report


# Staff views -----------------------------------------------------------------


def committee_rows(call: GrantCall):
    """A ``select`` of the call's submitted applications, with their association's name, for pagination."""
    return (
        sa.select(GrantApplication)
        .where(GrantApplication.call_id == call.id, GrantApplication.state != ApplicationState.draft)
        .order_by(GrantApplication.association_id, GrantApplication.id)
    )


def committee_totals(call: GrantCall) -> dict[str, int]:
    """Requested, proposed and granted totals of the call, in one query."""
    granted = sa.case((GrantApplication.state == ApplicationState.granted, GrantApplication.amount_granted_cents), else_=0)
    row = db.session.execute(
        sa.select(
            sa.func.count(GrantApplication.id),
            sa.func.coalesce(sa.func.sum(GrantApplication.amount_requested_cents), 0),
            sa.func.coalesce(sa.func.sum(GrantApplication.amount_proposed_cents), 0),
            sa.func.coalesce(sa.func.sum(granted), 0),
        ).where(GrantApplication.call_id == call.id, GrantApplication.state.notin_([ApplicationState.draft, ApplicationState.dropped]))
    ).one()
    return {"count": row[0], "requested": int(row[1]), "proposed": int(row[2]), "granted": int(row[3]),
            "envelope": call.envelope_cents, "left": call.envelope_cents - int(row[3])}


def instruction_queue():
    """Applications waiting for staff: submitted, under review, completed."""
    return (
        sa.select(GrantApplication)
        .where(GrantApplication.state.in_([ApplicationState.submitted, ApplicationState.under_review]))
        .order_by(GrantApplication.submitted_at, GrantApplication.id)
    )


def late_reports(today: date | None = None):
    """Granted applications whose financial report is overdue."""
    today = today or date.today()
    return (
        sa.select(GrantApplication)
        .outerjoin(FinancialReport, FinancialReport.application_id == GrantApplication.id)
        .where(GrantApplication.state == ApplicationState.granted, GrantApplication.report_due_on < today, FinancialReport.id.is_(None))
        .order_by(GrantApplication.report_due_on, GrantApplication.id)
    )


def received_reports():
    return sa.select(FinancialReport).order_by(FinancialReport.submitted_at.desc(), FinancialReport.id.desc())


def applications_of(user):
    """A ``select`` of the applications of the associations ``user`` represents, newest first."""
    represented = sa.select(Representative.association_id).where(Representative.user_id == user.id)
    return (
        sa.select(GrantApplication)
        .where(GrantApplication.association_id.in_(represented))
        .order_by(GrantApplication.updated_at.desc(), GrantApplication.id.desc())
    )


def representatives_of(association_id: int) -> list:
    """The accounts acting for the association (who is told what happens to its applications)."""
    from participation.accounts.models import User

    return db.session.scalars(
        sa.select(User).join(Representative, Representative.user_id == User.id).where(Representative.association_id == association_id)
    ).all()
