"""The accounts' events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from flask import url_for

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("accounts", _l("Comptes"))
declare_subject("users", _l("compte"), domain="accounts", url=lambda i: url_for("staff.user", user_id=i))
declare_events("accounts", {
    "user.created": _l("Compte créé par un administrateur"),
    "user.registered": _l("Inscription sur la plateforme"),
    "user.registration_attempted": _l("Nouvelle inscription tentée avec une adresse déjà connue"),
    "user.confirmation_requested": _l("Lien de confirmation de l'adresse envoyé"),
    "user.confirmed": _l("Adresse électronique confirmée"),
    "user.logged_in": _l("Connexion"),
    "user.password_changed": _l("Mot de passe modifié"),
    "user.password_reset_requested": _l("Réinitialisation du mot de passe demandée"),
    "user.password_reset": _l("Mot de passe réinitialisé"),
    "user.profile_updated": _l("Profil modifié"),
    "user.role_granted": _l("Rôle attribué"),
    "user.role_revoked": _l("Rôle retiré"),
    "user.department_changed": _l("Direction de rattachement modifiée"),
    "user.suspended": _l("Compte suspendu"),
    "user.reinstated": _l("Compte rétabli"),
    "user.closed": _l("Compte fermé"),
    "user.topics_unfollowed": _l("Suivi des sujets de discussion arrêté"),
})

# Changes nothing a public page or a shared fragment shows: the page cache ignores them.
from participation.core.pagecache import private_events  # noqa: E402

private_events("user.registration_attempted", "user.confirmation_requested", "user.logged_in", "user.password_changed", "user.password_reset_requested", "user.password_reset", "user.topics_unfollowed")
