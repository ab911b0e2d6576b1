"""The processing register shown at /donnees-personnelles.

Each domain declares the processings it carries out; retention periods come
from the configuration (the same settings the purge jobs apply), so the page
says what the platform actually does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    legal_basis: str
    data: str
    recipients: str
    # A sentence built from the configuration, e.g. "30 jours après l'inscription".
    retention: Callable[[dict], str]


_register: list[Processing] = []


def register_processing(processing: Processing) -> None:
    if all(p.name != processing.name for p in _register):
        _register.append(processing)


def processings() -> list[tuple[Processing, str]]:
    config = current_app.config
    return [(p, p.retention(config)) for p in _register]


register_processing(Processing(
    name=_l("Comptes des participants"),
    purpose=_l("Permettre à chacun de créer un compte, de se connecter et de participer en son nom ou sous un pseudonyme."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD)."),
    data=_l("Adresse électronique, nom affiché (pseudonyme possible), commune de résidence (facultative), mot de passe chiffré, dates de connexion."),
    recipients=_l("Les agents habilités de la collectivité ; personne d'autre."),
    retention=lambda c: (
        _("Un compte non confirmé est supprimé %(value)s jours après l'inscription. Chacun peut fermer son compte à tout moment : ses données personnelles sont alors effacées et ses contributions publiques restent, anonymisées.", value=c['RETENTION_UNCONFIRMED_ACCOUNT_DAYS'])
    ),
))
register_processing(Processing(
    name=_l("Courriels envoyés par la plateforme"),
    purpose=_l("Confirmer les adresses, réinitialiser les mots de passe, informer chacun de ce qui concerne ses démarches."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD)."),
    data=_l("Adresse électronique, objet et contenu du message, date d'envoi."),
    recipients=_l("Le prestataire d'envoi de courriels de la collectivité."),
    retention=lambda c: _("Les courriels envoyés sont effacés %(value)s jours après leur envoi.", value=c['RETENTION_SENT_MAIL_DAYS']),
))
register_processing(Processing(
    name=_l("Notifications dans la plateforme"),
    purpose=_l("Prévenir chacun de ce qui le concerne quand il se connecte."),
    legal_basis=_l("Exécution d'une mission d'intérêt public (article 6-1-e du RGPD)."),
    data=_l("Le texte de la notification, sa date, si elle a été lue."),
    recipients=_l("La personne concernée seulement."),
    retention=lambda c: _("Les notifications sont effacées %(value)s jours après leur création.", value=c['RETENTION_NOTIFICATION_DAYS']),
))
register_processing(Processing(
    name=_l("Journal des actions"),
    purpose=_l("Garder la trace de qui a fait quoi et quand (sécurité, traçabilité des décisions publiques)."),
    legal_basis=_l("Obligation légale de sécurité des traitements (article 32 du RGPD) et mission d'intérêt public."),
    data=_l("Nature de l'action, date, compte qui l'a faite."),
    recipients=_l("Les administrateurs de la plateforme."),
    retention=lambda c: _("Le journal est conservé pendant la durée de la mandature ; une personne qui ferme son compte n'y apparaît plus que sous « Compte supprimé »."),
))
