"""The reproducible draw: quotas, the published seed, the public re-run, replacements."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.councils import draws, lottery, services
from participation.councils.models import Membership, MembershipState
from participation.extensions import db
from participation.notifications.models import Notification
from tests import factories

AGES = {"16-29 ans": 22, "30-59 ans": 45, "60 ans et plus": 70}


def _pool(council, n=60):
    year = date.today().year
    for i in range(n):
        draws.add_volunteer(council, name=f"Volontaire {i}", email=f"volontaire{i}@example.org",
                            gender="woman" if i % 2 else "man", birth_year=year - list(AGES.values())[i % 3], actor=SYSTEM)


def _draw(council, quotas, seats=12):
    return draws.prepare_draw(council, college=council.colleges[0], title="Tirage 2026", seats=seats, quotas=quotas, actor=SYSTEM)


PARITY_AND_AGES = {"gender": {"woman": 6, "man": 6}, "age_band": {"16-29 ans": 4, "30-59 ans": 4, "60 ans et plus": 4}}


def test_a_draw_of_12_from_60_meets_its_quotas_and_the_public_rerun_gives_the_same_12(client):
    council = factories.council(kind="citizen", colleges=(("Collège des habitants", 12), ("Collège des acteurs locaux", 12)))
    _pool(council)
    draw = draws.perform_draw(_draw(council, PARITY_AND_AGES), actor=SYSTEM)
    assert len(draw.selected) == 12 and len(draw.candidates) == 60 and len(draw.reserve) == 48
    chosen = [c for c in draw.candidates if c["id"] in draw.selected]
    assert sum(c["gender"] == "woman" for c in chosen) == 6
    assert {band: sum(c["age_band"] == band for c in chosen) for band in AGES} == {band: 4 for band in AGES}
    # The twelve are invited by mail.
    invited = db.session.scalars(sa.select(Membership).where(Membership.council_id == council.id,
                                                             Membership.state == MembershipState.invited)).all()
    assert len(invited) == 12

    page = client.get(f"/conseils/{council.slug}/tirages/{draw.id}").get_data(as_text=True)
    assert draw.seed in page and "SHA-256" in page and "V-0001" in page
    assert "Volontaire 1" not in page and "volontaire1@" not in page  # only anonymised identifiers are published
    rerun = client.get(f"/conseils/{council.slug}/tirages/{draw.id}?graine={draw.seed}").get_data(as_text=True)
    assert "Résultat identique" in rerun and ", ".join(draw.selected) in rerun
    other = client.get(f"/conseils/{council.slug}/tirages/{draw.id}?graine=autre-graine").get_data(as_text=True)
    assert "Résultat différent" in other
    # The published data let anyone run the algorithm elsewhere.
    data = client.get(f"/conseils/{council.slug}/tirages/{draw.id}.json").get_json()
    again = lottery.run_draw(data["graine"], data["candidats"], data["sieges"], data["quotas"])
    assert again.selected == data["tires"] == draw.selected


def test_the_algorithm_is_the_documented_one():
    candidates = [{"id": f"V-{i:04d}", "gender": "woman" if i % 2 else "man"} for i in range(1, 11)]
    result = lottery.run_draw("graine", candidates, 4, {"gender": {"woman": 2, "man": 2}})
    import hashlib

    order = sorted(candidates, key=lambda c: hashlib.sha256(f"graine:{c['id']}".encode()).hexdigest())
    expected, taken = [], {"woman": 0, "man": 0}
    for c in order:
        if taken[c["gender"]] < 2 and len(expected) < 4:
            expected.append(c["id"])
            taken[c["gender"]] += 1
    assert result.selected == expected
    assert result.order == [c["id"] for c in order]


def test_an_impossible_quota_is_reported_by_name_and_nothing_is_drawn():
    council = factories.council(kind="citizen", colleges=(("Collège des habitants", 12), ("Collège des acteurs locaux", 12)))
    _pool(council, 20)  # 10 women, 10 men; ages cycle, so 6 or 7 per band
    draw = _draw(council, {"gender": {"woman": 11, "man": 1}})
    with pytest.raises(ValidationError) as refused:
        draws.perform_draw(draw, actor=SYSTEM)
    assert "Quota genre « Femme » impossible : 11 demandés, 10 volontaires dans le vivier." in refused.value.message
    assert draw.selected == [] and draw.state.value == "prepared"


def test_a_drawn_person_who_declines_is_replaced_by_the_next_of_the_same_kind(client):
    council = factories.council(kind="citizen", colleges=(("Collège des habitants", 12), ("Collège des acteurs locaux", 12)))
    _pool(council, 30)
    draw = draws.perform_draw(_draw(council, PARITY_AND_AGES), actor=SYSTEM)
    first = db.session.scalar(sa.select(Membership).where(Membership.council_id == council.id).order_by(Membership.id))
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == first.invited_email))
    assert "tiré·e au sort" in mail.body_text
    path = re.search(r"http://participation\.test(\S+)", mail.body_text).group(1)
    response = client.submit(path, {"decline": "1"})
    assert response.status_code == 302
    assert db.session.get(Membership, first.id).state == MembershipState.declined
    replacement = db.session.scalar(sa.select(Membership).where(Membership.council_id == council.id).order_by(Membership.id.desc()))
    assert replacement.state == MembershipState.invited and replacement.id != first.id
    # The replacement is the first of the reserve with the same gender and age band.
    declined = next(c for c in draw.candidates if c["id"] == draw.selected[0])
    expected = lottery.next_in_reserve(draw.reserve, draw.candidates, declined, set(draw.selected), draw.quotas)
    replacing = next(c for c in draw.candidates if c["id"] == expected)
    assert (replacing["gender"], replacing["age_band"]) == (declined["gender"], declined["age_band"])
    from participation.councils.models import DrawPick, Volunteer

    picked = db.session.scalar(sa.select(Volunteer.public_id).join(DrawPick).where(DrawPick.id == replacement.draw_pick_id))
    assert picked == expected


def test_volunteers_import_is_checked_line_by_line_all_or_nothing():
    council = factories.council(kind="citizen")
    content = b"nom;courriel;genre;annee_naissance;commune\nAnne;anne@example.org;F;1980;\nBruno;;X;19x0;\n"
    with pytest.raises(ValidationError) as refused:
        draws.import_volunteers(council, content, source_label="Bailleur", actor=SYSTEM)
    assert "ligne 3 : genre « X » inconnu" in refused.value.message
    assert "ligne 3 : année de naissance « 19x0 » incorrecte" in refused.value.message
    assert draws.candidate_pool(council) == []
    good = b"nom;courriel;genre;annee_naissance;commune\nAnne;anne@example.org;F;1980;\nBruno;;H;1990;\n"
    assert draws.import_volunteers(council, good, source_label="Bailleur", actor=SYSTEM) == 2
    assert [c["id"] for c in draws.candidate_pool(council)] == ["V-0001", "V-0002"]


def test_when_the_reserve_runs_out_the_council_manager_is_told(mailbox):
    manager = factories.staff(email="animatrice@example.org")
    council = factories.council(kind="citizen", colleges=(("Collège des habitants", 12),), manager=manager)
    _pool(council, 12)  # exactly the seats: nobody in reserve
    draw = draws.perform_draw(_draw(council, PARITY_AND_AGES), actor=SYSTEM)
    assert draw.reserve == []
    first = db.session.scalar(sa.select(Membership).where(Membership.council_id == council.id).order_by(Membership.id))
    assert services.decline_invitation(first) is None
    db.session.commit()
    deliver_due()
    [mail] = [m for m in mailbox if m.recipients == ["animatrice@example.org"]]
    assert mail.subject == "Tirage au sort : plus de remplaçant pour le Collège des habitants"
    assert "aucun remplaçant n'a été invité" in mail.text and f"/gestion/conseils/{council.id}/tirages" in mail.text
    notices = db.session.scalars(sa.select(Notification).where(Notification.user_id == manager.id)).all()
    assert [n.title for n in notices] == [f"Tirage au sort : plus de remplaçant pour le Collège des habitants ({council.name})"]
