"""A council's page is built once for everyone; the members' links, applying and following stay each person's."""

from __future__ import annotations

from participation.councils import services
from participation.extensions import db
from tests import factories


def test_a_member_and_a_resident_share_the_page_but_not_their_links_and_buttons(app, cache_on, count_calls, logged_in):
    calls = count_calls(services, "members_query")
    council = factories.council(name="Conseil de développement")
    member = factories.member(council, user_=factories.user(display_name="Marc Membre"))
    resident = factories.user(display_name="Alice Martin")
    services.follow(council, actor=resident)
    db.session.commit()
    as_member, as_resident = logged_in(member.user.email, resident.email)
    path = f"/conseils/{council.slug}"

    member_page = as_member.get(path).get_data(as_text=True)
    resident_page = as_resident.get(path).get_data(as_text=True)
    assert len(calls) == 1
    assert "Espace des membres" in member_page and "Espace des membres" not in resident_page
    assert "Présenter ma candidature" in resident_page and "Présenter ma candidature" not in member_page
    assert "Ne plus suivre ce conseil" in resident_page and "Ne plus suivre ce conseil" not in member_page
    assert "@@h:" not in member_page + resident_page

    # Following from the page's form: its token works, and the next load says so.
    assert as_member.submit(f"{path}/suivre", form_path=path).status_code == 302
    assert "Ne plus suivre ce conseil" in as_member.get(path).get_data(as_text=True)
