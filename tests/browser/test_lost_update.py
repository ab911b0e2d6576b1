"""Two browsers save the same draft opinion: the second is shown the conflict, and both texts survive."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.councils.models import Council, WorkingGroup
from participation.demo import DEMO_PASSWORD
from participation.extensions import db
from participation.referrals import services
from participation.referrals.models import Opinion, ReferralKind
from participation.territory.models import Department
from tests.browser.conftest import login
from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser

SLUG = "conseil-de-developpement-du-val-de-loirande"


def test_two_members_save_the_same_draft(live_server, new_page):
    app = live_server.app
    with app.app_context():
        council = db.session.scalar(sa.select(Council).where(Council.slug == SLUG))
        group = db.session.scalar(sa.select(WorkingGroup).where(WorkingGroup.council_id == council.id,
                                                                 WorkingGroup.name == "Projet de territoire"))
        department = db.session.scalar(sa.select(Department).order_by(Department.id))
        referral = services.refer(council, kind=ReferralKind.optional, subject=f"Saisine écrite à deux {uuid.uuid4().hex[:6]}",
                                  question="Quoi ?", act=None, referred_by=None, department=department, actor=SYSTEM)
        services.assign_group(referral, group, actor=SYSTEM)
        services.save_version(referral.opinion, body="Le conseil salue le projet.\n\nIl demande plus de bus.", actor=SYSTEM)
        referral_id, opinion_id = referral.id, referral.opinion.id
        db.session.commit()
        db.session.remove()

    path = f"/saisines/{referral_id}/redaction"
    first = new_page("conseiller")
    second = new_page()
    login(second, "jp.roux@demo.example", DEMO_PASSWORD)
    # Both open the draft, based on version 1, and both edit it.
    first.goto(path)
    second.goto(path)
    first.fill("#body", "Le conseil salue le projet.\n\nIl demande plus de trains.")
    second.fill("#body", "Le conseil salue le projet.\n\nIl demande des pistes cyclables.")
    with first.expect_navigation():
        first.click("text=Enregistrer la version")
    assert "Version 2 enregistrée." in first.inner_text("main")
    with second.expect_navigation() as navigation:
        second.click("text=Enregistrer la version")
    assert navigation.value.status == 409
    main = second.inner_text("main")
    assert "Modification simultanée : votre texte n'a pas été enregistré" in main
    assert "Il demande plus de trains." in main
    assert second.input_value("#body") == "Le conseil salue le projet.\n\nIl demande des pistes cyclables."
    assert second.inner_text(".conflict .diff del") == "plus de trains."
    assert second.inner_text(".conflict .diff ins") == "des pistes cyclables."
    assert_accessible(second)
    with app.app_context():
        assert db.session.get(Opinion, opinion_id).body.endswith("Il demande plus de trains.")
        db.session.remove()
    # The second merges from the conflict page: saved as version 3, on top of the first's.
    second.fill("#body", "Le conseil salue le projet.\n\nIl demande plus de trains et des pistes cyclables.")
    with second.expect_navigation():
        second.click("text=Enregistrer la version")
    assert "Version 3 enregistrée." in second.inner_text("main")
    with app.app_context():
        opinion = db.session.get(Opinion, opinion_id)
        assert opinion.version_count == 3 and opinion.body.endswith("plus de trains et des pistes cyclables.")
        db.session.remove()
