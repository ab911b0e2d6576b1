"""The accounts' events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("accounts", "Comptes")
declare_subject("users", "compte", domain="accounts", url=lambda i: url_for("staff.user", user_id=i))
declare_events("accounts", {
    "user.created": "Compte créé par un administrateur",
    "user.registered": "Inscription sur la plateforme",
    "user.registration_attempted": "Nouvelle inscription tentée avec une adresse déjà connue",
    "user.confirmation_requested": "Lien de confirmation de l'adresse envoyé",
    "user.confirmed": "Adresse électronique confirmée",
    "user.logged_in": "Connexion",
    "user.password_changed": "Mot de passe modifié",
    "user.password_reset_requested": "Réinitialisation du mot de passe demandée",
    "user.password_reset": "Mot de passe réinitialisé",
    "user.profile_updated": "Profil modifié",
    "user.role_granted": "Rôle attribué",
    "user.role_revoked": "Rôle retiré",
    "user.department_changed": "Direction de rattachement modifiée",
    "user.suspended": "Compte suspendu",
    "user.reinstated": "Compte rétabli",
    "user.closed": "Compte fermé",
    "user.topics_unfollowed": "Suivi des sujets de discussion arrêté",
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("user.registration_attempted", "user.confirmation_requested", "user.logged_in", "user.password_changed", "user.password_reset_requested", "user.password_reset", "user.topics_unfollowed")
