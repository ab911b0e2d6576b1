"""No silent lost update on an opinion's draft: a save based on an old version is shown the conflict."""

from __future__ import annotations


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


def test_two_staff_members_write_the_activity_report_at_the_same_time(setup, app, logged_in):
    from participation.referrals import report as reports
    from participation.referrals.models import ActivityReport

    item = reports.create_report(setup.council, year=reports.current_year(), actor=setup.staff)
    db.session.flush()
    path = f"/gestion/saisines/rapports/{item.id}"
    first, second = logged_in("agent@example.org", "agent@example.org")
    assert 'name="based_on" type="hidden" value="0"' in first.get(path).get_data(as_text=True)
    assert first.submit(path, {"introduction": "Une année calme.", "outlook": "Continuer.", "based_on": 0}).status_code == 302
    refused = second.submit(path, {"introduction": "Une année chargée.", "outlook": "Continuer.", "based_on": 0})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Modification simultanée" in html
    assert "<del>calme.</del>" in html and "<ins>chargée.</ins>" in html and "Les deux textes sont identiques." in html
    assert "<h4>Introduction</h4>" in html and "<h4>Perspectives et remarques</h4>" in html
    assert "Une année chargée.</textarea>" in html and 'name="based_on" type="hidden" value="1"' in html
    db.session.expire_all()
    stored = db.session.get(ActivityReport, item.id)
    assert (stored.introduction, stored.revision) == ("Une année calme.", 1)
    assert second.submit(path, {"introduction": "Une année chargée.", "outlook": "Continuer.", "based_on": 1}).status_code == 302
    db.session.expire_all()
    stored = db.session.get(ActivityReport, item.id)
    assert (stored.introduction, stored.revision) == ("Une année chargée.", 2)


@pytest.mark.parametrize("based_on", ["abc", "-1", "99999999999999999999999", "NaN", "1.5"])
def test_an_unreadable_version_is_a_conflict_not_an_error(setup, client, based_on):
    referral = _draft(setup)
    client.login("redactrice@example.org", PASSWORD)
    refused = client.submit(f"/saisines/{referral.id}/redaction", {"body": "Autre texte.", "based_on": based_on})
    assert refused.status_code == 409 and "Modification simultanée" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Opinion, referral.opinion.id).version_count == 1


@pytest.mark.committing
def test_two_saves_of_the_same_version_at_the_same_moment_never_both_win(setup, app):
    from participation.accounts.models import User
    from tests.races import race as _race

    referral = _draft(setup)
    opinion_id, writer_id = referral.opinion.id, setup.writer.user.id
    db.session.commit()
    db.session.remove()
    texts = iter(["Texte de la première personne.", "Texte de la seconde personne."])

    def save(start):
        opinion = db.session.get(Opinion, opinion_id)
        actor = db.session.get(User, writer_id)
        body = next(texts)
        if start:
            start.wait(timeout=10)
        services.save_version(opinion, body=body, actor=actor, based_on=1)

    outcomes = _race(app, save)
    assert sorted(type(o).__name__ for o in outcomes) == ["EditConflict", "NoneType"], outcomes
    opinion = db.session.get(Opinion, opinion_id)
    assert opinion.version_count == 2
    assert db.session.query(OpinionVersion).filter_by(opinion_id=opinion_id).count() == 2
