"""What account events cause: mails and notices."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.core.outbox import OutboxMail
from participation.core.urls import external_url
from participation.extensions import db
from participation.notifications.services import OWN_CASE, notify, tell
from flask_babel import lazy_gettext as _l


@subscribe("user.registered", "user.confirmation_requested")
def send_confirmation(event: DomainEvent) -> None:
    user = event.subject
    # The person's own account: always mailed, nothing shown in the app.
    tell(
        user, OWN_CASE, _l("Confirmez votre adresse électronique"), in_app=False,
        mail_template="accounts/confirm",
        mail_key=f"{event.name}:{event.id}",
        confirm_url=external_url("accounts.confirm", token=event.context["token"]),
        display_name=user.display_name,
    )


@subscribe("user.registration_attempted")
def warn_existing_account(event: DomainEvent) -> None:
    user = event.subject
    # The person's own account: always mailed, nothing shown in the app.
    tell(
        user, OWN_CASE, _l("Une inscription a été tentée avec votre adresse"), in_app=False,
        mail_template="accounts/already_registered",
        mail_key=f"{event.name}:{event.id}",
        login_url=external_url("accounts.login"),
        reset_url=external_url("accounts.forgot_password"),
        display_name=user.display_name,
    )


@subscribe("user.password_reset_requested")
def send_reset_link(event: DomainEvent) -> None:
    user = event.subject
    # The person's own account: always mailed, nothing shown in the app.
    tell(
        user, OWN_CASE, _l("Réinitialisation de votre mot de passe"), in_app=False,
        mail_template="accounts/reset",
        mail_key=f"{event.name}:{event.id}",
        reset_url=external_url("accounts.reset_password", token=event.context["token"]),
        display_name=user.display_name,
    )


@subscribe("user.password_reset", "user.password_changed")
def tell_password_changed(event: DomainEvent) -> None:
    user = event.subject
    # The person's own account: always mailed, nothing shown in the app.
    tell(
        user, OWN_CASE, _l("Votre mot de passe a été modifié"), in_app=False,
        mail_template="accounts/password_changed",
        mail_key=f"{event.name}:{event.id}",
        reset_url=external_url("accounts.forgot_password"),
        display_name=user.display_name,
    )


@subscribe("user.confirmed")
def welcome(event: DomainEvent) -> None:
    notify(
        event.subject,
        _l("Bienvenue ! Votre adresse est confirmée."),
        body=_l("Vous pouvez maintenant participer aux concertations, vous inscrire aux événements et suivre les conseils."),
        url="/compte/profil",
        event=event,
        dedup_key="welcome",
    )


@subscribe("user.closed")
def forget_mail(event: DomainEvent) -> None:
    """Pending mail to a closed account is dropped; sent mail forgets its recipient."""
    user_id = event.subject_id
    db.session.execute(sa.delete(OutboxMail).where(OutboxMail.user_id == user_id, OutboxMail.status != "sent"))
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.user_id == user_id)
        .values(recipient="compte-supprime", body_text=_l("(effacé)"), body_html=None, user_id=None)
    )


@personal_data.section("compte")
def account_section(user) -> dict:
    return {
        "adresse_electronique": user.email,
        "nom_affiche": user.display_name,
        "commune": user.commune.name if user.commune else None,
        "direction": user.department.name if user.department else None,
        "roles": sorted(user.role_names),
        "etat": user.state.label,
        "langue": user.locale,
        "cree_le": user.created_at.isoformat(),
        "confirme_le": user.confirmed_at.isoformat() if user.confirmed_at else None,
        "derniere_connexion": user.last_login_at.isoformat() if user.last_login_at else None,
    }


@personal_data.section("journal")
def events_section(user) -> list[dict]:
    """What the person did and what happened to their account."""
    events = db.session.scalars(
        sa.select(DomainEvent)
        .where(sa.or_(DomainEvent.actor_id == user.id, sa.and_(DomainEvent.subject_type == "users", DomainEvent.subject_id == user.id)))
        .order_by(DomainEvent.id)
    ).all()
    return [{"evenement": e.name, "date": e.occurred_at.isoformat(), "donnees": e.data} for e in events]


@personal_data.section("courriels")
def mail_section(user) -> list[dict]:
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.user_id == user.id).order_by(OutboxMail.id)).all()
    return [{"objet": m.subject, "destinataire": m.recipient, "cree_le": m.created_at.isoformat(), "etat": m.status.label} for m in mails]
