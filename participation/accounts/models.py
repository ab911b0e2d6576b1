"""Accounts, their roles and their one-time tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core import pagecache
from participation.core.models import Base, IdMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import lazy_gettext as _l

# Stored as the display name of a closed account: a fixed value, not translated.
CLOSED_ACCOUNT_NAME = "Compte supprimé"


class AccountState(TitledEnum):
    unconfirmed = "unconfirmed", _l("En attente de confirmation")
    active = "active", _l("Actif")
    suspended = "suspended", _l("Suspendu")
    closed = "closed", _l("Fermé")


class Role(TitledEnum):
    """Roles beyond resident, which everyone is."""

    staff = "staff", _l("Agent de la collectivité")
    moderator = "moderator", _l("Modérateur")
    admin = "admin", _l("Administrateur")


class User(IdMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("state = 'closed' OR email IS NOT NULL", name="email_unless_closed"),
    )

    # Lower-cased; emptied when the account is closed.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # The name shown next to public contributions; a pseudonym is welcome.
    display_name: Mapped[str] = mapped_column(sa.String(80))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id", ondelete="SET NULL"), index=True)
    # The department a staff member works in.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    state: Mapped[AccountState] = mapped_column(enum_column(AccountState), default=AccountState.unconfirmed)
    previous_state: Mapped[AccountState | None] = mapped_column(enum_column(AccountState, name="accountstate_previous"))
    # Part of the session identifier: changing it logs out every session of the account.
    login_key: Mapped[str] = mapped_column(sa.String(32))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # End of a suspension for a period; the worker reinstates the account then. Empty: until lifted.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    commune = relationship("Commune", lazy="joined")
    department = relationship("Department", lazy="joined")
    roles: Mapped[list[RoleGrant]] = relationship(back_populates="user", lazy="selectin", cascade="all, delete-orphan")

    # Flask-Login
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.state == AccountState.active

    def get_id(self) -> str:
        return f"{self.id}:{self.login_key}"

    @property
    def role_names(self) -> set[str]:
        return {grant.role.value for grant in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    @property
    def public_name(self) -> str:
        return CLOSED_ACCOUNT_NAME if self.state == AccountState.closed else self.display_name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.state.value}>"


class RoleGrant(IdMixin, Base):
    __tablename__ = "role_grants"
    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


# What pages show of a person (their card, their parts of pages) changes with their rows and those naming them.
pagecache.people_are(User)


class TokenPurpose(TitledEnum):
    confirm = "confirm", _l("Confirmation de l'adresse")
    reset = "reset", _l("Réinitialisation du mot de passe")


class AccountToken(IdMixin, Base):
    """A single-use token sent by mail; only its hash is stored."""

    __tablename__ = "account_tokens"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    # SHA-256 of the token: a leaked database gives no usable link.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


# A log-in token is no page's business: its use renews nobody's pages.
pagecache.impersonal_rows(AccountToken)


ACCOUNT_WORKFLOW = Workflow(
    thing="user",
    transitions=[
        Transition(
            "confirm",
            {AccountState.unconfirmed},
            AccountState.active,
            label=_l("confirmer l'adresse"),
            refusals={
                AccountState.active: _l("Votre adresse est déjà confirmée : vous pouvez vous connecter."),
                AccountState.suspended: _l("Votre adresse est déjà confirmée."),
                AccountState.closed: _l("Ce compte a été fermé."),
            },
        ),
        Transition(
            "suspend",
            {AccountState.active},
            AccountState.suspended,
            permission="accounts.suspend",
            label=_l("suspendre le compte"),
        ),
        Transition(
            "reinstate",
            {AccountState.suspended},
            AccountState.active,
            permission="accounts.suspend",
            label=_l("rétablir le compte"),
        ),
        Transition(
            "close",
            {AccountState.unconfirmed, AccountState.active, AccountState.suspended},
            AccountState.closed,
            permission="accounts.close",
            label=_l("fermer le compte"),
            refusals={AccountState.closed: _l("Ce compte est déjà fermé.")},
        ),
    ],
)
ACCOUNT_WORKFLOW.bind(User)
