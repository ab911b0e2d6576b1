"""The full path of a saisine through the real pages: recorded by staff, entrusted by the bureau to a
working group, drafted in two versions and compared, voted in a sitting, published, transmitted, answered."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.permissions import SYSTEM
from participation.councils.models import Council, WorkingGroup
from participation.demo import DEMO_PASSWORD
from participation.extensions import db
from participation.referrals import services
from participation.referrals.models import Referral, ReferralKind, ReferralState
from participation.territory.models import Department
from tests.browser.conftest import login
from tests.browser.helpers import ACCOUNTS, assert_accessible

pytestmark = pytest.mark.browser

SLUG = "conseil-de-developpement-du-val-de-loirande"


def _click(page, name: str, scope=None) -> None:
    with page.expect_navigation():
        (scope or page).get_by_role("button", name=name).click()


def _vote_publish_and_transmit(staff, referral_id: int, *, votes: tuple[str, str, str, str]) -> None:
    """Staff schedule the vote at the coming plenary, record it (present, for, against, abstentions), publish, transmit."""
    staff.goto(f"/gestion/saisines/{referral_id}")
    planned = staff.locator("#programmation-sitting option", has_text="projet de territoire").first.get_attribute("value")
    staff.select_option("#programmation-sitting", planned)
    _click(staff, "Inscrire le vote à l'ordre du jour")
    assert "Vote programmé : « Séance plénière : projet de territoire »" in staff.inner_text("main")
    assert_accessible(staff)
    assert staff.locator("#sitting").input_value() == planned  # the vote form starts at the scheduled sitting
    for field, value in zip(("#present", "#votes_for", "#votes_against", "#abstentions"), votes, strict=True):
        staff.fill(field, value)
    _click(staff, "Enregistrer le vote")
    assert "Adopté" in staff.inner_text("main")
    _click(staff, "Publier l'avis")
    with staff.expect_navigation():
        staff.get_by_role("button", name=re.compile("Transmettre l'avis")).click()
    assert "Avis transmis" in staff.inner_text("main")


def _answer(page, referral_id: int, status: str, explanation: str, general_answer: str) -> None:
    """The authority answers the first recommendation, then publishes its general answer."""
    page.goto(f"/gestion/saisines/{referral_id}")
    form = page.locator("form", has_text="Recommandation n° 1")
    form.locator("select[name$=status]").select_option(status)
    form.locator("textarea[name$=explanation]").fill(explanation)
    _click(page, "Enregistrer la suite de la recommandation n° 1")
    page.fill("#general_answer", general_answer)
    _click(page, "Publier la réponse")


def test_a_saisine_from_recording_to_the_published_answer(new_page):
    subject = f"Schéma des zones d'activités {uuid.uuid4().hex[:6]}"

    # Staff record the saisine from the council's back-office page.
    staff = new_page("agent")
    staff.goto("/gestion/conseils/1")
    with staff.expect_navigation():
        staff.get_by_role("link", name="Enregistrer une saisine").click()
    staff.select_option("#kind", "optional")
    staff.fill("#subject", subject)
    staff.fill("#question", "Quelles zones d'activités densifier en priorité ?")
    staff.fill("#act", "Schéma des zones d'activités 2027")
    staff.select_option("#department", label="Direction des mobilités")
    _click(staff, "Enregistrer la saisine")
    referral_id = int(re.search(r"/gestion/saisines/(\d+)", staff.url).group(1))
    assert "bureau du conseil est prévenu" in staff.inner_text(".flash-region")

    # The bureau (the president) entrusts it to a working group.
    bureau = new_page()
    login(bureau, "presidente@demo.example", DEMO_PASSWORD)
    bureau.goto(f"/saisines/{referral_id}")
    bureau.select_option("#group", label="Projet de territoire")
    _click(bureau, "Confier au groupe de travail")
    assert "En cours d'instruction" in bureau.inner_text("main")

    # A member of the group saves two versions and compares them.
    member = new_page("conseiller")
    member.goto(f"/saisines/{referral_id}/redaction")
    member.fill("#body", "Le conseil approuve la densification.\n\nIl demande des pistes cyclables.")
    _click(member, "Enregistrer la version")
    member.fill("#body", "Le conseil approuve la densification des zones existantes.\n\nIl demande des pistes cyclables.")
    member.fill("#note", "Précision sur les zones")
    _click(member, "Enregistrer la version")
    member.goto(f"/saisines/{referral_id}/redaction/comparer?de=1&a=2")
    assert "des zones existantes" in " ".join(member.locator("main ins").all_inner_texts())
    assert_accessible(member)
    member.goto(f"/saisines/{referral_id}/redaction")
    member.fill("#text", "Relier chaque zone d'activités au réseau cyclable.")
    _click(member, "Ajouter la recommandation")
    _click(member, "Proposer l'avis au vote")
    assert "Prêt pour le vote" in member.inner_text("main")

    # Staff put the vote on the agenda of the coming plenary sitting; then record it, publish and transmit.
    _vote_publish_and_transmit(staff, referral_id, votes=("5", "4", "0", "1"))

    # The answering department (here the administrator) answers a recommendation, then publishes its answer.
    _answer(new_page("admin"), referral_id, "partly_retained", "Deux zones sur trois seront reliées d'ici 2028.",
            "La collectivité retient l'essentiel de l'avis.")

    # The public page shows the answer and the recommendation's status.
    public = new_page()
    public.goto(f"/saisines/{referral_id}")
    text = public.inner_text("main")
    assert "Réponse reçue" in text
    assert "La collectivité retient l'essentiel de l'avis." in text
    assert "Partiellement retenue" in text and "Deux zones sur trois seront reliées d'ici 2028." in text
    assert_accessible(public)


def test_an_auto_saisine_from_the_proposal_to_the_published_answer(new_page):
    subject = f"L'éclairage public la nuit {uuid.uuid4().hex[:6]}"

    # A member proposes; the proposal stays within the council until the bureau accepts it.
    member = new_page("conseiller")
    member.goto(f"/saisines/proposer/{SLUG}")
    member.fill("#subject", subject)
    member.fill("#question", "Faut-il éteindre l'éclairage public entre 1 h et 5 h ?")
    _click(member, "Proposer au bureau")
    referral_id = int(re.search(r"/saisines/(\d+)", member.url).group(1))
    assert "transmise au bureau" in member.inner_text(".flash-region")
    assert new_page().goto(f"/saisines/{referral_id}").status == 404

    # The bureau accepts it and entrusts it to a working group.
    bureau = new_page()
    login(bureau, "presidente@demo.example", DEMO_PASSWORD)
    bureau.goto(f"/saisines/{referral_id}")
    _click(bureau, "Accepter la saisine")
    bureau.select_option("#group", label="Projet de territoire")
    _click(bureau, "Confier au groupe de travail")
    assert "En cours d'instruction" in bureau.inner_text("main")

    # The group drafts and submits; staff schedule the vote, record it, publish and transmit.
    member.goto(f"/saisines/{referral_id}/redaction")
    member.fill("#body", "Le conseil propose d'éteindre l'éclairage entre 1 h et 5 h, sauf aux carrefours dangereux.")
    _click(member, "Enregistrer la version")
    member.fill("#text", "Expérimenter l'extinction dans trois communes volontaires.")
    _click(member, "Ajouter la recommandation")
    _click(member, "Proposer l'avis au vote")
    _vote_publish_and_transmit(new_page("agent"), referral_id, votes=("5", "5", "0", "0"))

    # The authority answers (an auto-saisine names no department: an administrator does).
    _answer(new_page("admin"), referral_id, "retained", "Trois communes testeront l'extinction dès janvier.",
            "La collectivité retient la proposition du conseil.")

    public = new_page()
    public.goto(f"/saisines/{referral_id}")
    text = public.inner_text("main")
    assert "Auto-saisine" in text and "Réponse reçue" in text and "Retenue" in text
    assert "proposent une auto-saisine" in text and "accepte la saisine" in text
    assert "Camille" not in text and "Hélène" not in text  # bodies, never members' names
    assert_accessible(public)


def test_600_referrals_and_a_referral_with_40_versions_pass_axe(live_server, new_page):
    """The issue's sizes, in the live application: the paginated public list and the drafting pages."""
    app = live_server.app
    with app.app_context():
        council = db.session.scalar(sa.select(Council).where(Council.slug == SLUG))
        group = db.session.scalar(sa.select(WorkingGroup).where(WorkingGroup.council_id == council.id,
                                                                 WorkingGroup.name == "Projet de territoire"))
        department = db.session.scalar(sa.select(Department).order_by(Department.id))
        writer = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["conseiller"][0]))
        referral = services.refer(council, kind=ReferralKind.optional, subject="Saisine aux quarante versions", question="Quoi ?",
                                  act=None, referred_by=None, department=department, actor=SYSTEM)
        services.assign_group(referral, group, actor=SYSTEM)
        for i in range(40):
            services.save_version(referral.opinion, body=f"Version {i + 1} du texte.\n\nUn paragraphe qui ne change pas.",
                                  note=f"Étape {i + 1}", actor=writer)
        existing = db.session.scalar(sa.select(sa.func.count(Referral.id)))
        today = date.today()
        db.session.execute(sa.insert(Referral), [
            {"council_id": council.id, "kind": ReferralKind.optional, "state": ReferralState.closed, "subject": f"Saisine close n° {i}",
             "question": "?", "referred_by": "La collectivité", "department_id": department.id, "working_group_id": group.id,
             "received_on": today - timedelta(days=400 + i), "due_on": today - timedelta(days=300 + i)}
            for i in range(max(600 - existing, 0))])
        referral_id = referral.id
        db.session.commit()
        db.session.remove()

    public = new_page()
    public.goto("/saisines/")
    assert_accessible(public)
    pages = int(re.search(r"Page 1 sur (\d+)", public.inner_text("main")).group(1))
    assert pages >= 30  # 600 referrals and more, 20 a page
    public.goto(f"/saisines/?page={pages}")
    assert "Saisine close" in public.inner_text("main")
    assert_accessible(public)

    member = new_page("conseiller")
    for path, shown in ((f"/saisines/{referral_id}/redaction", "Version 40 du texte."),
                        (f"/saisines/{referral_id}/redaction/comparer?de=1&a=40", "Comparer les versions 1 et 40"),
                        (f"/saisines/{referral_id}/redaction/versions/40", "Étape 40")):
        member.goto(path)
        assert shown in member.inner_text("main")
        assert_accessible(member)
