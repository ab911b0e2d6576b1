"""No silent lost update on an opinion's draft: a save based on an old version is shown the conflict."""

from __future__ import annotations

import threading

import pytest

from participation.core.concurrency import EditConflict
from participation.extensions import db
from participation.referrals import services
from participation.referrals.models import Opinion, OpinionVersion
from tests.factories import PASSWORD
from tests.referrals.conftest import new_referral


def _draft(setup):
    referral = new_referral(setup)
    services.assign_group(referral, setup.group, actor=setup.president.user)
    services.save_version(referral.opinion, body="Le conseil salue le projet.\n\nIl demande plus de bus.", actor=setup.writer.user)
    db.session.flush()
    return referral


def test_a_save_based_on_an_old_version_is_shown_both_texts_and_changes_nothing(setup, client):
    referral = _draft(setup)
    path = f"/saisines/{referral.id}/redaction"
    client.login("redactrice@example.org", PASSWORD)
    assert 'name="based_on" type="hidden" value="1"' in client.get(path).get_data(as_text=True)
    first = client.submit(path, {"body": "Le conseil salue le projet.\n\nIl demande plus de trains.", "based_on": 1})
    assert first.status_code == 302
    second = client.submit(path, {"body": "Le conseil salue le projet.\n\nIl demande des pistes cyclables.", "based_on": 1})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Modification simultanée" in html
    assert "Il demande plus de trains." in html and "Il demande des pistes cyclables." in html
    assert "<del>plus de trains.</del>" in html and "<ins>des pistes cyclables.</ins>" in html
    # The person's text stays in the form, now based on the version that won.
    assert 'name="based_on" type="hidden" value="2"' in html
    assert "\nLe conseil salue le projet.\n\nIl demande des pistes cyclables.</textarea>" in html.replace("\r\n", "\n")
    db.session.expire_all()
    opinion = db.session.get(Opinion, referral.opinion.id)
    assert opinion.version_count == 2 and opinion.body.endswith("plus de trains.")
    # Re-posted from the conflict page, the merged text is saved as version 3.
    merged = client.submit(path, {"body": "Le conseil salue le projet.\n\nIl demande plus de trains et des pistes cyclables.",
                                  "based_on": 2})
    assert merged.status_code == 302
    db.session.expire_all()
    opinion = db.session.get(Opinion, referral.opinion.id)
    assert opinion.version_count == 3 and opinion.body.endswith("des pistes cyclables.")
    assert [v.number for v in db.session.query(OpinionVersion).filter_by(opinion_id=opinion.id)] == [1, 2, 3]


def test_a_form_without_its_version_is_not_saved_over_the_text(setup, client):
    referral = _draft(setup)
    client.login("redactrice@example.org", PASSWORD)
    refused = client.submit(f"/saisines/{referral.id}/redaction", {"body": "Texte venu d'un vieux formulaire."})
    assert refused.status_code == 409 and "Il demande plus de bus." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Opinion, referral.opinion.id).version_count == 1


def test_the_service_refuses_an_old_version(setup):
    referral = _draft(setup)
    opinion = referral.opinion
    services.save_version(opinion, body="Deuxième texte.", actor=setup.writer.user, based_on=1)
    with pytest.raises(EditConflict) as caught:
        services.save_version(opinion, body="Troisième texte.", actor=setup.writer.user, based_on=1)
    assert caught.value.current == 2 and caught.value.theirs == "Deuxième texte."
