"""Account operations: the only code that changes accounts.

Answers never reveal whether an address has an account: sign-up with a known
address and a reset request for an unknown one look the same from outside.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from participation.accounts.models import (
    ACCOUNT_WORKFLOW,
    CLOSED_ACCOUNT_NAME,
    AccountState,
    AccountToken,
    Role,
    RoleGrant,
    TokenPurpose,
    User,
)
from participation.core.errors import DomainError, ValidationError
from participation.core.eventlog import record
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, require
from participation.core.tokens import make_token, token_digest
from participation.extensions import db
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# A hash of a random password, checked when an address is unknown so that
# the answer takes as long as for a known one.
_DUMMY_HASH: str | None = None

LOGIN_FAILED = _l("Adresse électronique ou mot de passe incorrect.")


def _hasher() -> PasswordHasher:
    if current_app.config.get("ARGON2_FAST"):
        # Tests only: the cheapest parameters, same algorithm.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str, *, email: str | None = None) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise ValidationError(_("Le mot de passe doit compter au moins %(minimum)s caractères.", minimum=minimum), field="password")
    if len(set(password)) < 4:
        raise ValidationError(_("Ce mot de passe est trop simple : variez les caractères."), field="password")
    if email and normalise_email(password) == normalise_email(email):
        raise ValidationError(_("Le mot de passe ne peut pas être votre adresse électronique."), field="password")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    global _DUMMY_HASH
    hasher = _hasher()
    if user is None or not user.password_hash:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
        try:
            hasher.verify(_DUMMY_HASH, password or "x")
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def find_by_email(email: str) -> User | None:
    address = normalise_email(email)
    if not address:
        return None
    return db.session.scalar(sa.select(User).where(User.email == address))


def _new_login_key() -> str:
    return secrets.token_hex(16)


def _issue_token(user: User, purpose: TokenPurpose) -> str:
    """Create a single-use token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(expires_at=now)
    )
    raw = make_token()
    if purpose == TokenPurpose.confirm:
        lifetime = timedelta(hours=current_app.config["CONFIRMATION_TOKEN_HOURS"])
    else:
        lifetime = timedelta(minutes=current_app.config["RESET_TOKEN_MINUTES"])
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=token_digest(raw), created_at=now, expires_at=now + lifetime))
    db.session.flush()
    return raw


def _consume_token(raw: str, purpose: TokenPurpose, *, used_message: str) -> AccountToken:
    token = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == token_digest(raw), AccountToken.purpose == purpose)
    )
    if token is None:
        raise DomainError(_("Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse en entier."))
    if token.used_at is not None:
        raise DomainError(used_message)
    if token.expires_at <= utcnow():
        raise DomainError(_("Ce lien a expiré. Vous pouvez en demander un nouveau."))
    token.used_at = utcnow()
    return token


def _current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    languages = current_app.config["LANGUAGES"]
    if locale is not None and locale.language in languages:
        return locale.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register(*, email: str, password: str, display_name: str, commune=None) -> User | None:
    """Create an unconfirmed account and send the confirmation mail.

    With an address that already has an account, nothing is created and its
    owner receives a mail saying so; the caller shows the same message either way.
    """
    address = normalise_email(email)
    check_password_rules(password, email=address)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError(_("Indiquez le nom à afficher (un pseudonyme convient)."), field="display_name")
    existing = find_by_email(address)
    if existing is not None:
        record("user.registration_attempted", existing, None, {})
        return None
    user = User(
        email=address,
        password_hash=hash_password(password),
        display_name=display_name[:80],
        commune_id=getattr(commune, "id", None),
        login_key=_new_login_key(),
        # The language the person signed up in: their mail will speak it.
        locale=_current_language(),
    )
    db.session.add(user)
    db.session.flush()
    token = _issue_token(user, TokenPurpose.confirm)
    record("user.registered", user, user, {}, context={"token": token})
    return user


def resend_confirmation(email: str) -> None:
    user = find_by_email(email)
    if user is None or user.state != AccountState.unconfirmed:
        return
    token = _issue_token(user, TokenPurpose.confirm)
    record("user.confirmation_requested", user, user, {}, context={"token": token})


def confirm_email(raw_token: str) -> User:
    token = _consume_token(
        raw_token,
        TokenPurpose.confirm,
        used_message=_("Ce lien a déjà été utilisé : votre adresse est confirmée, vous pouvez vous connecter."),
    )
    user = token.user
    ACCOUNT_WORKFLOW.apply(user, "confirm", actor=user)
    user.confirmed_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User:
    """The account for these credentials, or an error that says no more than needed."""
    user = find_by_email(email)
    if not verify_password(user, password):
        raise DomainError(LOGIN_FAILED)
    if user.state == AccountState.unconfirmed:
        raise DomainError(
            _("Votre adresse n'est pas encore confirmée. Ouvrez le lien reçu par courriel, ou demandez-en un nouveau.")
        )
    if user.state == AccountState.suspended:
        if user.suspended_until is not None:
            from participation.core.dates import format_moment

            raise DomainError(_("Votre compte est suspendu jusqu'au %(suspended_until)s. Écrivez à la collectivité pour en savoir plus.", suspended_until=format_moment(user.suspended_until)))
        raise DomainError(_("Votre compte est suspendu. Écrivez à la collectivité pour en savoir plus."))
    if user.state != AccountState.active:
        raise DomainError(LOGIN_FAILED)
    user.last_login_at = utcnow()
    record("user.logged_in", user, user, {})
    return user


def request_password_reset(email: str) -> None:
    user = find_by_email(email)
    if user is None or user.state not in (AccountState.unconfirmed, AccountState.active):
        return
    token = _issue_token(user, TokenPurpose.reset)
    record("user.password_reset_requested", user, user, {}, context={"token": token})


def check_reset_token(raw_token: str) -> None:
    """Refuse an invalid, used or expired link before showing the form."""
    token = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == token_digest(raw_token), AccountToken.purpose == TokenPurpose.reset)
    )
    if token is None:
        raise DomainError(_("Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse en entier."))
    if token.used_at is not None:
        raise DomainError(_("Ce lien a déjà été utilisé. Demandez-en un nouveau si besoin."))
    if token.expires_at <= utcnow():
        raise DomainError(_("Ce lien a expiré. Vous pouvez en demander un nouveau."))


def reset_password(raw_token: str, new_password: str) -> User:
    token = _consume_token(raw_token, TokenPurpose.reset, used_message=_("Ce lien a déjà été utilisé. Demandez-en un nouveau si besoin."))
    user = token.user
    check_password_rules(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    user.login_key = _new_login_key()
    if user.state == AccountState.unconfirmed:
        # The link reached the address: that confirms it.
        ACCOUNT_WORKFLOW.apply(user, "confirm", actor=user)
        user.confirmed_at = utcnow()
    record("user.password_reset", user, user, {})
    return user


def change_password(user: User, *, current: str, new: str, actor: User) -> None:
    require(actor, "accounts.edit", user)
    if not verify_password(user, current):
        raise ValidationError(_("Le mot de passe actuel est incorrect."), field="current_password")
    check_password_rules(new, email=user.email)
    user.password_hash = hash_password(new)
    user.login_key = _new_login_key()
    record("user.password_changed", user, actor, {})


def update_profile(user: User, *, display_name: str, commune=None, locale: str | None = None, actor: User) -> None:
    require(actor, "accounts.edit", user)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError(_("Indiquez le nom à afficher (un pseudonyme convient)."), field="display_name")
    changed = []
    if display_name != user.display_name:
        user.display_name = display_name[:80]
        changed.append("display_name")
    if getattr(commune, "id", None) != user.commune_id:
        user.commune_id = getattr(commune, "id", None)
        changed.append("commune")
    if locale and locale in current_app.config["LANGUAGES"] and locale != user.locale:
        user.locale = locale
        changed.append("locale")
    if changed:
        record("user.profile_updated", user, actor, {"fields": changed})


def close_account(user: User, *, password: str | None, actor: User) -> None:
    """Close the account and erase its personal data.

    Public contributions stay, shown under « Compte supprimé »; each domain
    anonymises its own rows in a ``user.closed`` subscriber.
    """
    if actor.id == user.id and not verify_password(user, password or ""):
        raise ValidationError(_("Le mot de passe est incorrect."), field="password")
    ACCOUNT_WORKFLOW.apply(user, "close", actor=actor)
    user.email = None
    user.password_hash = None
    user.display_name = CLOSED_ACCOUNT_NAME
    user.commune_id = None
    user.department_id = None
    user.login_key = _new_login_key()
    user.closed_at = utcnow()
    user.roles.clear()
    db.session.execute(sa.delete(AccountToken).where(AccountToken.user_id == user.id))


def create_user(*, email: str, password: str, display_name: str, roles=(), department=None, actor=SYSTEM) -> User:
    """An account created by an admin or the command line: already confirmed."""
    require(actor, "accounts.manage_roles")
    address = normalise_email(email)
    if find_by_email(address) is not None:
        raise ValidationError(_("Un compte existe déjà avec cette adresse."), field="email")
    check_password_rules(password, email=address)
    user = User(
        email=address,
        password_hash=hash_password(password),
        display_name=display_name or address.split("@", 1)[0],
        department_id=getattr(department, "id", None),
        login_key=_new_login_key(),
        state=AccountState.active,
        confirmed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record("user.created", user, actor, {"roles": [Role(r).value for r in roles]})
    for role in roles:
        grant_role(user, Role(role), department=department, actor=actor)
    return user


def grant_role(user: User, role: Role, *, department=None, actor) -> None:
    require(actor, "accounts.manage_roles", user)
    if user.state == AccountState.closed:
        raise DomainError(_("Ce compte est fermé : il ne peut pas recevoir de rôle."))
    if role == Role.staff and department is None and user.department_id is None:
        raise ValidationError(_("Un agent est rattaché à une direction ou un service : choisissez-en un."), field="department")
    if department is not None and department.id != user.department_id:
        previous = user.department_id
        user.department_id = department.id
        if user.role_names:
            record("user.department_changed", user, actor, {"department_id": department.id, "previous_department_id": previous})
    if role.value in user.role_names:
        return
    user.roles.append(RoleGrant(role=role))
    record("user.role_granted", user, actor, {"role": role.value, "department_id": user.department_id})


def revoke_role(user: User, role: Role, *, actor) -> None:
    require(actor, "accounts.manage_roles", user)
    if actor.id == user.id and role == Role.admin:
        raise DomainError(_("Vous ne pouvez pas retirer votre propre rôle d'administrateur."))
    for grant in list(user.roles):
        if grant.role == role:
            user.roles.remove(grant)
            record("user.role_revoked", user, actor, {"role": role.value})


def suspend(user: User, *, reason: str, actor, until=None) -> None:
    """Suspend the account, until lifted or, with ``until``, until that moment (the worker reinstates it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de la suspension : il est conservé dans le journal."), field="reason")
    if until is not None and until <= utcnow():
        raise ValidationError(_("La fin de la suspension doit être dans le futur."), field="until")
    data = {"reason": reason[:500], **({"until": until} if until is not None else {})}
    ACCOUNT_WORKFLOW.apply(user, "suspend", actor=actor, data=data)
    user.suspended_until = until
    user.login_key = _new_login_key()


def reinstate(user: User, *, actor) -> None:
    ACCOUNT_WORKFLOW.apply(user, "reinstate", actor=actor)
    user.suspended_until = None
