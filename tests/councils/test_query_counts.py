"""Council pages run the same number of queries with 3 members or 300, 2 sittings or 200."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.accounts.models import AccountState, User
from participation.core.models import utcnow
from participation.councils.models import (
    AgendaItem,
    Answer,
    Attendance,
    Gender,
    Membership,
    MembershipState,
    Minutes,
    MinutesState,
    Sitting,
    SittingState,
)
from participation.extensions import db
from tests import factories


def _fill(council, members: int, sittings: int, sitting) -> None:
    """Rows written directly: hundreds of accounts through the services would only slow the test."""
    users = [User(email=f"m{council.id}-{i}-{members}@example.org", display_name=f"Membre {i}", state=AccountState.active, login_key="k" * 32)
             for i in range(members)]
    db.session.add_all(users)
    db.session.flush()
    seats = [Membership(council_id=council.id, college_id=council.colleges[i % 2].id, user_id=u.id, name=u.display_name,
                        state=MembershipState.active, gender=Gender.woman if i % 2 else Gender.man, birth_year=1950 + i % 50)
             for i, u in enumerate(users)]
    db.session.add_all(seats)
    db.session.flush()
    db.session.add_all(Attendance(sitting_id=sitting.id, membership_id=m.id, answer=Answer.present) for m in seats[::3])
    now = utcnow()
    for i in range(sittings):
        s = Sitting(council_id=council.id, title=f"Séance {i}", starts_at=now + timedelta(days=10 * (i - sittings / 2) + 5), place="Salle",
                    state=SittingState.published, is_public=True)
        db.session.add(s)
        db.session.flush()
        db.session.add(AgendaItem(sitting_id=s.id, position=1, title="Point"))
        if i % 2:
            db.session.add(Minutes(sitting_id=s.id, body="Texte", state=MinutesState.published, approved_at_id=s.id))
    db.session.flush()


PAGES = {
    "anonymous": ["/conseils/", "/conseils/{slug}", "/conseils/{slug}/seances"],
    "member": ["/conseils/{slug}/espace", "/conseils/{slug}/seances/{sitting}"],
    "staff": ["/gestion/conseils/{council}", "/gestion/conseils/{council}/seances", "/gestion/conseils/seances/{sitting}",
              "/gestion/conseils/{council}/historique", "/gestion/conseils/{council}/travaux", "/gestion/conseils/{council}/tirages"],
}


@pytest.mark.parametrize("who", PAGES)
def test_council_pages_run_a_bounded_number_of_queries(app, count_queries, who):
    counts = {}
    for members, sittings in ((3, 2), (300, 200)):
        council = factories.council()
        member = factories.member(council)
        sitting = factories.sitting(council, days=3, publish=True)
        _fill(council, members, sittings, sitting)
        client = app.test_client()
        if who == "member":
            client.login(member.user.email, factories.PASSWORD)
        elif who == "staff":
            client.login(factories.staff().email, factories.PASSWORD)
        for pattern in PAGES[who]:
            path = pattern.format(slug=council.slug, council=council.id, sitting=sitting.id)
            assert client.get(path).status_code == 200, path
            with count_queries() as counter:
                response = client.get(path)
            assert response.status_code == 200
            counts.setdefault(pattern, []).append(counter.count)
    for pattern, (few, many) in counts.items():
        assert few == many, f"{pattern}: {few} requêtes avec peu de données, {many} avec beaucoup"
        assert many <= 20, f"{pattern}: {many} requêtes"
