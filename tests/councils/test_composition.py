"""Setting up a council: colleges, invitations, applications, and the composition report."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.councils import services
from participation.councils.models import Council, Gender, Membership, MembershipState
from participation.extensions import db
from tests import factories
from tests.councils.conftest import invitation_path


def test_staff_sets_up_a_development_council_and_the_report_flags_the_gap_and_the_elected_councillor(client, staff_user, resident):
    client.login("agent@example.org", factories.PASSWORD)
    response = client.submit("/gestion/conseils/nouveau", {
        "name": "Conseil de développement du Val", "kind": "development", "convocation_days": "7", "quorum_percent": "50",
        "max_proxies": "1", "age_bands": "16-29 ans ; 16 ; 29 ; 25\n30-59 ans ; 30 ; 59 ; 50\n60 ans et plus ; 60 ; ; 25",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    council = db.session.scalar(sa.select(Council).where(Council.name == "Conseil de développement du Val"))
    base = f"/gestion/conseils/{council.id}"
    for name in ("Collège des acteurs économiques", "Collège des habitants"):
        assert client.submit(f"{base}/colleges", {"name": name, "kind": "other", "seats": "10"}, form_path=base).status_code == 302
    assert client.submit(f"{base}/etat", {"transition": "publish"}, form_path=base).status_code == 302
    council = db.session.get(Council, council.id)
    assert [c.name for c in council.colleges] == ["Collège des acteurs économiques", "Collège des habitants"]

    # Five invitations; one is for an elected councillor, whom staff know as such.
    invited = [("Alice", "woman"), ("Béatrice", "woman"), ("Chloé", "woman"), ("Denis", "man")]
    for name, _ in invited:
        factories.user(f"{name.lower()}@example.org", display_name=name)
    for name, _ in invited:
        response = client.submit(f"{base}/inviter", {"name": name, "email": f"{name.lower()}@example.org",
                                                     "college": str(council.colleges[0].id), "role": "member"})
        assert response.status_code == 302, response.get_data(as_text=True)
    response = client.submit(f"{base}/inviter", {"name": "Élu Communautaire", "email": "elu@example.org",
                                                 "college": str(council.colleges[1].id), "role": "member", "elected_councillor": "y"})
    assert response.status_code == 302
    # The same address twice is refused next to the field.
    again = client.submit(f"{base}/inviter", {"name": "Alice", "email": "alice@example.org", "college": str(council.colleges[0].id), "role": "member"})
    assert again.status_code == 422 and "Une invitation en cours a déjà été envoyée à cette adresse." in again.get_data(as_text=True)

    links = {name: invitation_path(f"{name.lower()}@example.org") for name, _ in invited}
    for name, gender in invited:
        person = client.application.test_client()
        person.login(f"{name.lower()}@example.org", factories.PASSWORD)
        page = person.get(links[name]).get_data(as_text=True)
        assert "Elles ne sont jamais publiées" in page  # the reason is given with the question
        response = person.submit(links[name], {"gender": gender, "birth_year": "1975"})
        assert response.status_code == 302, response.get_data(as_text=True)

    page = client.get(base).get_data(as_text=True)
    assert "Écart entre femmes et hommes : 1 au plus : à corriger.</strong> 3 femmes et 1 homme : écart de 2." in page
    assert "Aucun conseiller communautaire parmi les membres : à corriger.</strong> À retirer : Élu Communautaire (invitation envoyée)." in page

    # A resident applies; staff accept; the resident is told.
    person = client.application.test_client()
    person.login("habitant@example.org", factories.PASSWORD)
    response = person.submit(f"/conseils/{council.slug}/candidature", {
        "college": str(council.colleges[1].id), "motivation": "J'habite ici depuis vingt ans.", "gender": "man", "birth_year": "1990"})
    assert response.status_code == 302, response.get_data(as_text=True)
    application = db.session.scalar(sa.select(Membership).where(Membership.user_id == resident.id))
    assert application.state == MembershipState.applied
    assert person.get(f"/conseils/{council.slug}/espace").status_code == 403

    assert "J&#39;habite ici depuis vingt ans." in client.get(base).get_data(as_text=True)
    response = client.submit(f"/gestion/conseils/membres/{application.id}/accept", {}, form_path=base)
    assert response.status_code == 302
    assert db.session.get(Membership, application.id).state == MembershipState.active
    page = client.get(base).get_data(as_text=True)
    assert "3 femmes et 2 hommes : écart de 1." in page
    assert person.get(f"/conseils/{council.slug}/espace").status_code == 200
    from participation.core.outbox import OutboxMail

    assert db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == "habitant@example.org",
                                                         OutboxMail.template == "councils/accepted")) is not None


def test_gender_and_birth_year_are_never_public(client):
    council = factories.council()
    factories.member(council, gender="woman", birth_year=1961)
    page = client.get(f"/conseils/{council.slug}").get_data(as_text=True)
    assert "1961" not in page and "Femme" not in page


def test_an_elected_councillor_is_refused_when_applying_to_a_development_council(resident):
    council = factories.council()
    application = services.apply_to_council(council, college=council.colleges[0], motivation="Je veux aider.", gender="woman",
                                            birth_year=1970, elected_councillor=True, actor=resident)
    staff = factories.staff()
    import pytest

    from participation.core.errors import TransitionRefused

    with pytest.raises(TransitionRefused, match="conseiller communautaire"):
        services.decide_application(application, "accept", actor=staff)
    assert application.state == MembershipState.applied


def test_citizen_council_report_checks_parity_of_drawn_residents_and_their_share():
    council = factories.council(kind="citizen", colleges=(("Collège des habitants", 8), ("Collège des acteurs locaux", 8)))
    drawn, actors = council.colleges
    for gender in ("woman", "woman", "man"):
        factories.member(council, college=drawn, gender=gender)
    for gender in ("man", "woman", "man", "woman"):
        factories.member(council, college=actors, gender=gender)
    report = services.composition_report(council)
    by_label = {c.label: c for c in report.checks}
    assert not by_label["Parité du collège des habitants tirés au sort"].ok
    assert by_label["Parité du collège des habitants tirés au sort"].detail == "2 femmes et 1 homme : écart de 1."
    assert not by_label["Habitants : au moins 50 % des membres"].ok
    assert "3 habitants sur 7 membres (43 %)" in by_label["Habitants : au moins 50 % des membres"].detail


def test_ending_a_mandate_keeps_the_history():
    council = factories.council()
    member = factories.member(council)
    services.end_membership(member, actor=SYSTEM)
    assert member.state == MembershipState.ended and member.end_date is not None
    assert db.session.scalar(services.members_query(council, states=tuple(MembershipState))) is member
    assert member.gender == Gender.woman


def test_closing_an_account_erases_gender_and_birth_year(client):
    from participation.accounts import services as accounts

    council = factories.council()
    person = factories.user()
    member = factories.member(council, user_=person, gender="man", birth_year=1980)
    accounts.close_account(person, password=factories.PASSWORD, actor=person)
    db.session.flush()
    db.session.refresh(member)
    assert (member.gender, member.birth_year, member.name) == (None, None, "Compte supprimé")
    assert member.state == MembershipState.ended
