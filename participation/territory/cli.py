"""flask --app wsgi territory …"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

territory = AppGroup("territory", help="Gérer le territoire.")


@territory.command("import-communes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_communes(path: str) -> None:
    """Importe ou met à jour les communes depuis un fichier CSV (code_insee;nom;code_postal;population)."""
    from participation.core.errors import DomainError
    from participation.core.permissions import SYSTEM
    from participation.extensions import db
    from participation.territory.services import import_communes as run_import

    with open(path, "rb") as handle:
        data = handle.read()
    try:
        report = run_import(data, actor=SYSTEM)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{report.created} communes créées, {report.updated} mises à jour, {report.unchanged} inchangées.")


def register(app: Flask) -> None:
    app.cli.add_command(territory)
