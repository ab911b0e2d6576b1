"""flask --app wsgi users …"""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

users = AppGroup("users", help="Gérer les comptes.")


@users.command("create")
@click.option("--email", required=True, help="Adresse électronique du compte.")
@click.option("--role", "roles", multiple=True, type=click.Choice(["resident", "staff", "moderator", "admin"]), default=["resident"], show_default=True, help="Rôle ; répétez l'option pour en donner plusieurs.")
@click.option("--department", help="Code de la direction d'un agent (obligatoire avec --role staff).")
@click.option("--name", "display_name", help="Nom affiché.")
@click.option("--password", help="Mot de passe ; sans cette option, un mot de passe est tiré au hasard et affiché.")
def create(email: str, roles: tuple[str, ...], department: str | None, display_name: str | None, password: str | None) -> None:
    """Crée un compte confirmé."""
    from participation.accounts import services
    from participation.accounts.models import Role
    from participation.core.errors import DomainError
    from participation.extensions import db
    from participation.territory.models import Department

    dept = None
    if department:
        dept = db.session.scalar(sa.select(Department).where(Department.code == department.upper()))
        if dept is None:
            raise click.UsageError(f"Aucune direction n'a le code « {department} ».")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = services.create_user(
            email=email,
            password=password,
            display_name=display_name or "",
            roles=[Role(r) for r in roles if r != "resident"],
            department=dept,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Compte créé : {user.email} ({', '.join(sorted(user.role_names)) or 'habitant'}).")
    if generated:
        click.echo(f"Mot de passe : {password}")


def register(app: Flask) -> None:
    app.cli.add_command(users)
