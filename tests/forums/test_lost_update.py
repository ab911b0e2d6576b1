"""No silent lost update on a consultation's synthesis: a save based on an old revision is shown the conflict."""

from __future__ import annotations

import pytest

from participation.core.concurrency import EditConflict
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import services
from participation.forums.models import Consultation
from tests import factories


def test_two_staff_members_write_the_synthesis_at_the_same_time(app, logged_in):
    consultation = factories.consultation(state="closed")
    db.session.flush()
    first, second = logged_in(factories.staff().email, factories.staff().email)
    path = f"/gestion/concertations/{consultation.id}"
    assert 'name="based_on" type="hidden" value="0"' in first.get(path).get_data(as_text=True)
    assert first.submit(f"{path}/synthese", {"text": "Les habitants veulent un parc.", "based_on": 0}, form_path=path).status_code == 302
    refused = second.submit(f"{path}/synthese", {"text": "Les habitants veulent une place.", "based_on": 0}, form_path=path)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Modification simultanée" in html
    assert "Les habitants veulent un parc." in html and "Les habitants veulent une place.</textarea>" in html
    assert "<del>un parc.</del>" in html and "<ins>une place.</ins>" in html
    assert 'name="based_on" type="hidden" value="1"' in html
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    assert stored.synthesis == "Les habitants veulent un parc." and stored.synthesis_revision == 1
    assert second.submit(f"{path}/synthese", {"text": "Un parc et une place.", "based_on": 1}, form_path=path).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    assert stored.synthesis == "Un parc et une place." and stored.synthesis_revision == 2


def test_the_service_refuses_an_old_revision(app):
    consultation = factories.consultation(state="closed")
    services.save_synthesis(consultation, text="Premier jet.", actor=SYSTEM, based_on=0)
    with pytest.raises(EditConflict) as caught:
        services.save_synthesis(consultation, text="Autre jet.", actor=SYSTEM, based_on=0)
    assert caught.value.current == 1 and caught.value.theirs == "Premier jet."
