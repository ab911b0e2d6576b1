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
        _print_accounts([(email, demo.DEMO_PASSWORD, role) for email, role, _ in demo.DEMO_GUIDE])
        return
    accounts = demo.load()
    db.session.commit()
    click.echo("Données de démonstration chargées.")
    _print_accounts(accounts)


@seed.command("scale")
@click.option("--factor", default=1.0, show_default=True, type=click.FloatRange(min=0.0001, max=10),
              help="Taille relative : 1 pour un mandat d'agglomération entier (200 000 contributions), 0,01 pour un essai.")
def seed_scale(factor: float) -> None:
    """Charge dans une base vide la démonstration puis un mandat de six ans de données (mesures à grande échelle)."""
    import time

    from participation.seeding import scale

    started = time.monotonic()
    try:
        counts = scale.load(factor, say=click.echo)
    except scale.NotEmpty:
        raise click.ClickException(
            "La base n'est pas vide : les données à grande échelle ne se chargent que dans une base vide "
            "(créez-en une, puis « flask --app wsgi db upgrade »)."
        ) from None
    total = sum(counts.values())
    click.echo(f"Données à grande échelle chargées (facteur {factor:g}) : {total:,} lignes en {time.monotonic() - started:.0f} s.".replace(",", "\u202f"))
    for name, count in sorted(counts.items(), key=lambda item: -item[1])[:15]:
        click.echo(f"  {name:<32} {count:>9,}".replace(",", "\u202f"))
    click.echo("Comptes : ceux de la démonstration (mot de passe « demo-participation »), et habitant1@scale.example, "
               "habitant2@scale.example… avec le même mot de passe.")


def _print_accounts(accounts) -> None:
    click.echo("\nComptes de démonstration (adresse / mot de passe / rôle) :")
    for email, password, role in accounts:
        click.echo(f"  {email:<28} {password:<20} {role}")
    click.echo("Ils sont aussi rappelés par le bandeau « Démonstration » en haut de chaque page.")


@click.command("worker")
def worker() -> None:
    """Lance le worker : remise des courriels et tâches planifiées."""
    from participation.core.scheduler import registered_jobs, run_worker

    for job in registered_jobs():
        click.echo(f"  tâche {job.id} : {job.description}")
    run_worker(current_app._get_current_object())


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute, locale seulement (127.0.0.1, ::1, localhost).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port d'écoute.")
def demo_server(host: str, port: int) -> None:
    """Démarre le serveur web et le worker ensemble (démonstration, développement).

    Sur une base vide, crée les tables et charge les données de démonstration.
    Les liens écrits (courriels, agenda iCalendar) mènent à cette adresse et à
    ce port, sauf si BASE_URL est défini."""
    import os

    from werkzeug.serving import make_server

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
    refusal = port_refusal(host, port)
    if refusal:
        _refuse(refusal)
    # Only here: staff read the mail the platform "sent", which reaches nobody.
    app.config["DEMO_MODE"] = True
    if not os.environ.get("BASE_URL"):
        app.config["BASE_URL"] = local_base_url(host, port)
    _prepare_demo_database(app)
    # Bound before anything is announced: a port taken since the check fails here, with the same message.
    try:
        server = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit):
        _refuse(port_refusal(host, port) or f"Impossible d'écouter sur {host}:{port}.")
    scheduler = run_worker(app, blocking=False)
    base = app.config["BASE_URL"]
    click.echo(f"\nLa plateforme est ouverte sur {base}/ (Ctrl+C pour arrêter).")
    if app.config["DEMO_MODE"]:
        from participation import demo

        _print_accounts([(email, demo.DEMO_PASSWORD, role) for email, role, _ in demo.DEMO_GUIDE])
        click.echo(f"Les courriels envoyés se lisent dans {base}/gestion/courriels (compte agent ou admin).")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
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


def _refuse(message: str) -> None:
    """One French sentence on standard error, and exit status 1."""
    click.echo(message, err=True)
    raise SystemExit(1)


def port_refusal(host: str, port: int) -> str | None:
    """Why the demo cannot listen on ``host:port``, in French, or None when it can."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"L'adresse « {host} » est inconnue : choisissez-en une autre avec --host (par exemple 127.0.0.1)."
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (f"Le port {port} est déjà utilisé par un autre programme : choisissez-en un autre, "
                        f"par exemple « flask --app wsgi demo --port {port + 1 if port < 65535 else 8000} ».")
            if error.errno == errno.EACCES:
                return f"Le port {port} est réservé : choisissez un port au-dessus de 1024 avec --port."
            return f"Impossible d'écouter sur {host}:{port} ({error.strerror})."
    return None


def local_base_url(host: str, port: int) -> str:
    """The address the demo's links point at: the host it listens on (this machine for every interface)."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _prepare_demo_database(app: Flask) -> None:
    """Bring the schema up to date and load the demo data into an empty database."""
    from flask_migrate import upgrade

    from participation import demo
    from participation.extensions import db

    upgrade()
    if app.config["DEMO_MODE"] and not demo.is_loaded():
        demo.load()
        db.session.commit()
        click.echo("Données de démonstration chargées.")


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(worker)
    app.cli.add_command(demo_server)
