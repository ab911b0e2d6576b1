"""Platform-wide commands: seed demo, worker, demo."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

seed = AppGroup("seed", help="Charger des données.")


@seed.command("demo")
def seed_demo() -> None:
    """Charge le territoire et les comptes de démonstration dans une base vide."""
    from participation import demo
    from participation.extensions import db

    if demo.is_loaded():
        click.echo("La base contient déjà un territoire : données de démonstration non rechargées.")
        _print_accounts([(email, demo.DEMO_PASSWORD, "") for email, *_ in demo.DEMO_ACCOUNTS])
        return
    accounts = demo.load()
    db.session.commit()
    click.echo("Données de démonstration chargées.")
    _print_accounts(accounts)


def _print_accounts(accounts) -> None:
    click.echo("\nComptes de démonstration (adresse / mot de passe / rôle) :")
    for email, password, role in accounts:
        click.echo(f"  {email:<28} {password:<20} {role}")


@click.command("worker")
def worker() -> None:
    """Lance le worker : remise des courriels et tâches planifiées."""
    from participation.core.scheduler import registered_jobs, run_worker

    for job in registered_jobs():
        click.echo(f"  tâche {job.id} : {job.description}")
    run_worker(current_app._get_current_object())


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo_server(host: str, port: int) -> None:
    """Démarre le serveur web et le worker ensemble (démonstration, développement)."""
    from werkzeug.serving import run_simple

    from participation.config import PRODUCTION_REFUSES_DEMO
    from participation.core.scheduler import run_worker

    app = current_app._get_current_object()
    if app.config["ENV_NAME"] == "production":
        raise click.ClickException(PRODUCTION_REFUSES_DEMO)
    if not is_loopback(host):
        raise click.ClickException(
            f"Le mode démonstration ne s'ouvre que sur une adresse locale (127.0.0.1, ::1 ou localhost), pas sur « {host} » : "
            "le personnel y lit les courriels de chacun. Pour un serveur joignable d'ailleurs, lancez gunicorn et le worker, sans DEMO_MODE."
        )
    # Only here: staff read the mail the platform "sent", which reaches nobody.
    app.config["DEMO_MODE"] = True
    scheduler = run_worker(app, blocking=False)
    click.echo(f"\nLa plateforme est ouverte sur http://{host}:{port}/ (Ctrl+C pour arrêter).")
    try:
        # Not app.run(): Flask ignores it inside a ``flask`` command.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        scheduler.shutdown(wait=False)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(worker)
    app.cli.add_command(demo_server)
