"""No silent lost update on a sitting's minutes: a save based on an old revision is shown the conflict."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.concurrency import EditConflict
from participation.councils import sittings
from participation.councils.models import Minutes
from participation.extensions import db
from tests import factories
from tests.races import race as _race


def _minutes(sitting):
    db.session.expire_all()
    return db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))


def test_two_staff_members_write_the_minutes_at_the_same_time(app, logged_in):
    council = factories.council()
    sitting = factories.sitting(council, days=1, publish=True)
    db.session.flush()
    first, second = logged_in(factories.staff().email, factories.staff(email="second-agent@example.org").email)
    page = f"/gestion/conseils/seances/{sitting.id}"
    assert 'name="based_on" type="hidden" value="0"' in first.get(page).get_data(as_text=True)
    assert first.submit(f"{page}/compte-rendu", {"body": "Présents : huit membres.", "based_on": 0}, form_path=page).status_code == 302
    assert _minutes(sitting).revision == 1
    refused = second.submit(f"{page}/compte-rendu", {"body": "Présents : neuf membres.", "based_on": 0}, form_path=page)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Modification simultanée" in html
    assert "Présents : huit membres." in html and "Présents : neuf membres.</textarea>" in html
    assert "<del>huit</del>" in html and "<ins>neuf</ins>" in html
    assert 'name="based_on" type="hidden" value="1"' in html
    assert _minutes(sitting).body == "Présents : huit membres." and _minutes(sitting).revision == 1
    merged = second.submit(f"{page}/compte-rendu", {"body": "Présents : neuf membres (huit à l'ouverture).", "based_on": 1},
                           form_path=page)
    assert merged.status_code == 302
    assert _minutes(sitting).body == "Présents : neuf membres (huit à l'ouverture)." and _minutes(sitting).revision == 2


def test_the_service_refuses_an_old_revision(app):
    council = factories.council()
    sitting = factories.sitting(council, days=1, publish=True)
    staff = factories.staff()
    sittings.save_minutes(sitting, body="Premier jet.", actor=staff, based_on=0)
    with pytest.raises(EditConflict) as caught:
        sittings.save_minutes(sitting, body="Autre premier jet.", actor=staff, based_on=0)
    assert caught.value.current == 1 and caught.value.theirs == "Premier jet."


@pytest.mark.committing
def test_two_first_saves_of_the_minutes_at_the_same_moment_never_both_win(app):
    from participation.accounts.models import User
    from participation.councils.models import Sitting

    council = factories.council()
    sitting_id = factories.sitting(council, days=1, publish=True).id
    staff_ids = [factories.staff().id, factories.staff().id]
    db.session.commit()
    db.session.remove()
    texts = iter(["Texte de la première personne.", "Texte de la seconde personne."])

    def save(start):
        sitting = db.session.get(Sitting, sitting_id)
        actor = db.session.get(User, staff_ids[0])
        body = next(texts)
        if start:
            start.wait(timeout=10)
        sittings.save_minutes(sitting, body=body, actor=actor, based_on=0)

    outcomes = _race(app, save)
    assert sorted(type(o).__name__ for o in outcomes) == ["EditConflict", "NoneType"], outcomes
    stored = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting_id))
    assert stored.revision == 1 and stored.body in ("Texte de la première personne.", "Texte de la seconde personne.")
    conflict = next(o for o in outcomes if o is not None)
    assert conflict.current == 1 and conflict.theirs == stored.body
