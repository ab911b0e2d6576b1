"""What the events domain holds about a person: the register of processings, "my data", closing an account."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.events.models import ACTIVE_STATES, Registration
from participation.extensions import db
from participation.pages.privacy import Processing, register_processing
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

register_processing(Processing(
    name=_l("Inscriptions aux événements"),
    purpose=_l("Organiser les ateliers, forums et réunions publiques : places, liste d'attente, rappels, accueil le jour venu."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD)."),
    data=_l("Nom, adresse électronique, nombre d'accompagnants, réponses aux questions de l'inscription, besoins liés à un handicap (facultatifs), présence."),
    recipients=_l("Les agents de la collectivité qui organisent l'événement."),
    retention=lambda c: (
        _("Les réponses et les besoins indiqués sont effacés %(value)s jours après l'événement ; l'inscription elle-même est gardée pour les statistiques de participation, et anonymisée quand la personne ferme son compte.", value=c['RETENTION_EVENT_ANSWERS_DAYS'])
    ),
))


@personal_data.section("inscriptions")
def registrations_section(user) -> list[dict]:
    rows = db.session.scalars(sa.select(Registration).where(Registration.user_id == user.id).order_by(Registration.id)).all()
    return [
        {"evenement": r.event.title, "debut": r.event.starts_at.isoformat(), "etat": r.state.label, "code": r.code,
         "accompagnants": r.guests, "reponses": r.answers, "besoins": r.accessibility_needs, "presence": r.attendance.label}
        for r in rows
    ]


@subscribe("user.closed")
def forget_registrations(event: DomainEvent) -> None:
    """A closed account's live registrations are cancelled (their places go to others), then all are anonymised."""
    from participation.events import services

    for registration in db.session.scalars(
        sa.select(Registration).where(Registration.user_id == event.subject_id, Registration.state.in_(ACTIVE_STATES))
    ).all():
        services.cancel_registration(registration, actor=None)
    db.session.execute(
        sa.update(Registration).where(Registration.user_id == event.subject_id)
        .values(name="Compte supprimé", email="supprime-" + sa.cast(Registration.id, sa.String) + "@invalid", answers={},
                accessibility_needs=None, token_hash=None, user_id=None)
    )
