"""Command-line: seed demo data, list the worker's jobs."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.accounts.models import AccountState, User
from participation.accounts.services import authenticate
from participation.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from participation.extensions import db
from participation.territory.models import Commune, Department, Territory, Theme


def test_seed_demo_loads_a_territory_and_one_account_per_role(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    territory = db.session.scalar(sa.select(Territory))
    assert territory.name == "Agglomération du Val de Loirande"
    assert db.session.scalar(sa.select(sa.func.count(Commune.id))) == 20
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) >= 5
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) >= 5
    roles = set()
    for email, *_ in DEMO_ACCOUNTS:
        assert email in result.output
        user = authenticate(email, DEMO_PASSWORD)
        assert user.state == AccountState.active
        roles |= user.role_names
    assert roles == {"staff", "moderator", "admin"}
    assert DEMO_PASSWORD in result.output

    # The demo residents (consultations, councils) come on top of one account per role; seeding again adds none.
    accounts = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert accounts >= len(DEMO_ACCOUNTS)
    again = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "déjà un territoire" in again.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == accounts


# --- The demo: dates of a real mandate, no mail about the past, its port and its banner ---------------

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import time as clock
from http.cookiejar import CookieJar
from pathlib import Path

from participation.cli import local_base_url, port_refusal
from participation.core.demo_dates import PARIS, is_public_holiday
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail
from participation.councils.models import Sitting
from participation.events.models import Event
from participation.forums.models import Consultation


def test_the_seed_dates_things_like_a_real_mandate_and_mails_only_the_present(app):
    from participation import demo
    from participation.demo import DEMO_GUIDE

    started = utcnow()
    demo.load()
    db.session.flush()
    for sitting in db.session.scalars(sa.select(Sitting)):
        local = sitting.starts_at.astimezone(PARIS)
        assert clock(8) <= local.time() <= clock(22) and local.weekday() < 5, (sitting.title, local)
        assert local.minute % 15 == 0 and not is_public_holiday(local.date())
    for event in db.session.scalars(sa.select(Event)):
        local = event.starts_at.astimezone(PARIS)
        assert local.minute % 15 == 0 and not is_public_holiday(local.date()), (event.title, local)
        assert local.weekday() == 5 and local.hour < 12 or local.weekday() < 5 and local.hour >= 18, (event.title, local)
    for consultation in db.session.scalars(sa.select(Consultation)):
        assert consultation.closes_at.astimezone(PARIS).strftime("%H:%M") == "23:59"
    mails = db.session.scalars(sa.select(OutboxMail)).all()
    assert mails, "the demo shows some mail of the present"
    assert all(mail.created_at >= started for mail in mails)
    past = [s.title for s in db.session.scalars(sa.select(Sitting).where(Sitting.starts_at < started))]
    assert past and not [m.subject for m in mails if any(title in m.subject for title in past)], "no convocation to a sitting already held"
    pairs = [(m.recipient, m.subject) for m in mails]
    assert len(pairs) == len(set(pairs)), "no identical notice twice to the same person"
    # One account per role, and the plain resident is no council member nor association representative.
    assert {role for _, role, _ in DEMO_GUIDE} >= {"Habitante", "Présidente du conseil de développement", "Membre du conseil de développement",
                                                   "Représentante d'une association", "Agent de la collectivité", "Modérateur", "Administrateur"}
    from participation.councils.models import Membership
    resident = db.session.scalar(sa.select(User).where(User.email == "habitante@demo.example"))
    assert not db.session.scalar(sa.select(sa.func.count(Membership.id)).where(Membership.user_id == resident.id))
    from participation.grants.models import Representative

    assert not db.session.scalar(sa.select(sa.func.count(Representative.id)).where(Representative.user_id == resident.id))


def test_every_page_of_the_demo_carries_its_banner_with_every_account(app, client):
    from participation.demo import DEMO_GUIDE, DEMO_PASSWORD

    app.config["DEMO_MODE"] = True
    try:
        for path in ("/", "/compte/connexion", "/cette-page-n-existe-pas"):
            html = client.get(path).get_data(as_text=True)
            assert 'class="demo-banner"' in html, path
            for email, role, _ in DEMO_GUIDE:
                assert email in html and role.replace("'", "&#39;") in html, (path, role)
            assert DEMO_PASSWORD in html and "/gestion/courriels" in html
    finally:
        app.config["DEMO_MODE"] = False
    assert 'class="demo-banner"' not in client.get("/").get_data(as_text=True)


def test_a_taken_port_is_one_french_sentence_and_nothing_else(app):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert "déjà utilisé" in port_refusal("127.0.0.1", port)
        result = app.test_cli_runner().invoke(args=["demo", "--port", str(port)])
    assert result.exit_code == 1
    output = result.output.strip()
    assert output.count("\n") == 0 and f"Le port {port} est déjà utilisé" in output and "ouverte" not in output
    assert local_base_url("0.0.0.0", 8001) == "http://127.0.0.1:8001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_on_another_port_writes_links_to_that_port(tmp_path):
    """The README's first command with another port: the confirmation link in the mail opens on that port."""
    port = _free_port()
    database = tmp_path / "demo.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MAIL_DELIVERY": "demo", "OUTBOX_POLL_SECONDS": "3600"}
    env.pop("BASE_URL", None)
    flask = Path(sys.executable).with_name("flask")
    process = subprocess.Popen([str(flask), "--app", "wsgi", "demo", "--port", str(port)], env=env, cwd=Path(__file__).parent.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "the demo did not start"
                time.sleep(1)
        # The worker's first round runs at start; on SQLite, a write may meet its lock: let it pass first.
        time.sleep(8)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(base + "/compte/inscription").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "email": "nouvelle@demo.example", "display_name": "Nouvelle", "password": "un-mot-de-passe-solide",
                "password_confirm": "un-mot-de-passe-solide"}
        opener.open(base + "/compte/inscription", data=urllib.parse.urlencode(form).encode())
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert f"La plateforme est ouverte sur {base}/" in output
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        body = connection.execute(sa.text("SELECT body_text FROM outbox_mails WHERE recipient = 'nouvelle@demo.example'")).scalar_one()
    engine.dispose()
    assert f"{base}/compte/" in body and "127.0.0.1:5000" not in body
