"""A referral's page is built once for everyone who may see it; following it and the bureau's
decisions stay each person's, and a new step shows at the next load."""

from __future__ import annotations

from participation.extensions import db
from participation.referrals import services
from tests import factories
from tests.referrals.conftest import new_referral


def test_the_page_is_shared_but_following_and_the_bureaus_buttons_stay_personal(setup, app, cache_on, count_calls, logged_in):
    calls = count_calls(services, "timeline")
    referral = new_referral(setup)
    alice = factories.user(display_name="Alice Martin")
    services.follow(referral, actor=alice)
    db.session.commit()
    path = f"/saisines/{referral.id}"
    as_alice, as_president = logged_in(alice.email, setup.president.user.email)

    alice_page = as_alice.get(path).get_data(as_text=True)
    president_page = as_president.get(path).get_data(as_text=True)
    assert len(calls) == 1
    assert "Ne plus suivre cette saisine" in alice_page and "Accepter la saisine" not in alice_page
    assert "Suivre cette saisine" in president_page and "Ne plus suivre cette saisine" not in president_page
    assert "Accepter la saisine" in president_page
    assert "Plan de mobilité" in alice_page and "@@h:" not in alice_page + president_page

    # The bureau accepts it from the page's own form: the token works, and the new step shows to both.
    response = as_president.submit(f"{path}/decision", {"decision": "accept"}, form_path=path)
    assert response.status_code == 302
    assert "Accepter la saisine" not in as_president.get(path).get_data(as_text=True)
    assert as_alice.get(path).get_data(as_text=True).count("<li><time") == president_page.count("<li><time") + 1
