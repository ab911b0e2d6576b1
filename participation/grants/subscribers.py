"""What grant events cause: mail and notices to the association's representatives."""

from __future__ import annotations

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.pdf import pdf_available
from participation.core.urls import external_url
from participation.extensions import db
from participation.grants import services
from participation.grants.models import Representative
from participation.notifications.models import Category
from participation.notifications.services import OWN_CASE, mail_address, tell, tell_staff
from flask_babel import lazy_gettext as _l


def tell_representatives(event: DomainEvent, application, *, subject: str, template: str, title: str, body: str | None = None,
                         key: str | None = None, category: Category | None = OWN_CASE, **context) -> None:
    """A notice and a mail to each representative of the application's association: the application is
    their own case (always mailed); what follows the grant goes by their choice for « subventions »."""
    key = key or f"{event.name}:{event.id}"
    url = external_url("grants.application", application_id=application.id)
    for user in services.representatives_of(application.association_id):
        tell(user, category, title, body=body, url=f"/subventions/demandes/{application.id}", event=event, dedup_key=key,
             mail_key=f"{key}:{user.id}", mail_subject=subject, mail_template=f"grants/{template}", about=application.project_title,
             application=application, association=application.association, application_url=url, euros=services.euros, **context)


@subscribe("grant_application.submitted")
def receipt(event: DomainEvent) -> None:
    application = event.subject
    # The receipt carries the application as submitted; without WeasyPrint's
    # libraries the mail still links to the PDF on the platform.
    attachments = None
    if pdf_available():
        # Made by the mail worker when it sends the receipt, not in the request that submits.
        attachments = [{"filename": f"demande-subvention-{application.id}.pdf", "content_type": "application/pdf",
                        "render": "grants.application", "args": {"application_id": application.id}}]
    tell_representatives(
        event, application,
        subject=_l("Accusé de réception : demande de subvention n° %(id)s", id=application.id),
        template="submitted",
        title=_l("Demande n° %(id)s déposée : « %(project_title)s »", id=application.id, project_title=application.project_title),
        body=_l("Le récapitulatif de la demande est joint au courriel et se télécharge en PDF depuis la page de la demande."),
        pdf_url=external_url("grants.application_pdf", application_id=application.id),
        attachments=attachments,
        pdf_attached=attachments is not None,
    )
    department = application.call.department
    _tell_instructors(event, application, _l("Nouvelle demande de subvention : %(name)s", name=application.association.name))
    if department is not None and department.email:
        mail_address(reason="shared_mailbox", to=department.email, subject=_l("Nouvelle demande de subvention : %(name)s", name=application.association.name),
                   template="grants/new_application", dedup_key=f"{event.name}:{event.id}:department",
                   application=application, euros=services.euros,
                   staff_url=external_url("grants_staff.application", application_id=application.id))


@subscribe("grant_application.resubmitted")
def completed(event: DomainEvent) -> None:
    application = event.subject
    tell_representatives(event, application, subject=_l("Demande n° %(id)s complétée : elle reprend son instruction", id=application.id),
                         template="resubmitted", title=_l("Demande n° %(id)s complétée et reprise en instruction", id=application.id))
    _tell_instructors(event, application, _l("Demande n° %(id)s complétée par %(name)s", id=application.id, name=application.association.name))


def _tell_instructors(event: DomainEvent, application, title: str) -> None:
    """The agents of the call's department (all agents when the call has none) hear of the file to instruct."""
    department_id = application.call.department_id
    tell_staff(("staff", "admin"), title, department_id=department_id, url=f"/gestion/subventions/demandes/{application.id}",
               event=event, dedup_key=f"{event.name}:{event.id}:instructors", about=application.call.title,
               body=f"« {application.project_title} »")


@subscribe("grant_application.completion_requested")
def ask_completion(event: DomainEvent) -> None:
    application = event.subject
    tell_representatives(event, application, subject=_l("Demande n° %(id)s : des compléments sont nécessaires", id=application.id),
                         template="completion_requested", title=_l("Demande n° %(id)s à compléter", id=application.id),
                         body=application.completion_request)


@subscribe("grant_application.granted")
def granted(event: DomainEvent) -> None:
    application = event.subject
    tell_representatives(event, application, subject=_l("Subvention accordée : %(euros)s", euros=services.euros(application.amount_granted_cents)),
                         template="granted", title=_l("Subvention accordée : %(euros)s", euros=services.euros(application.amount_granted_cents)))
    if services.convention_required(application):
        tell_representatives(event, application, subject=_l("Demande n° %(id)s : une convention est à signer", id=application.id),
                             template="convention_to_sign", title=_l("Une convention est à signer avant le versement"),
                             key=f"grant_application.convention_to_sign:{event.id}",
                             threshold=services.euros(services.threshold_cents("GRANTS_CONVENTION_THRESHOLD_EUROS")))


@subscribe("grant_application.refused")
def refused(event: DomainEvent) -> None:
    application = event.subject
    tell_representatives(event, application, subject=_l("Demande n° %(id)s : subvention non accordée", id=application.id),
                         template="refused", title=_l("Subvention non accordée"), body=application.refusal_reason)


@subscribe("grant_application.payment_recorded")
def paid(event: DomainEvent) -> None:
    application = event.subject
    amount = services.euros(event.data["amount_cents"])
    tell_representatives(event, application, subject=_l("Versement de %(amount)s pour la demande n° %(id)s", amount=amount, id=application.id),
                         template="payment", title=_l("Versement de %(amount)s effectué", amount=amount), amount=amount, paid_on=event.data["paid_on"])


@subscribe("grant_report.submitted")
def report_received(event: DomainEvent) -> None:
    report = event.subject
    tell_representatives(event, report.application, subject=_l("Compte rendu financier reçu (demande n° %(application_id)s)", application_id=report.application_id),
                         template="report_received", title=_l("Compte rendu financier reçu"), category=Category.grants)


@subscribe("association.representative_invited")
def send_invitation(event: DomainEvent) -> None:
    association = event.subject
    inviter = event.actor
    mail_address(
        reason="own_case",
        to=event.context["email"],
        subject=_l("Invitation à représenter %(name)s", name=association.name),
        template="grants/invitation",
        dedup_key=f"{event.name}:{event.id}",
        association=association,
        inviter_name=getattr(inviter, "display_name", "Un représentant"),
        accept_url=external_url("associations.accept_invitation", token=event.context["token"]),
        expires_at=event.context["invitation"].expires_at,
    )


@personal_data.section("associations")
def associations_section(user) -> list[dict]:
    import sqlalchemy as sa

    rows = db.session.execute(
        sa.select(Representative.office, Representative.created_at, services.Association.name, services.Association.rna)
        .join(services.Association, services.Association.id == Representative.association_id)
        .where(Representative.user_id == user.id)
    ).all()
    return [{"association": name, "rna": rna, "fonction": office, "depuis": created.isoformat()} for office, created, name, rna in rows]
