"""Exports: council members and their attendance over a period, a call's grants pipeline, a process's contact list."""

from __future__ import annotations

import csv
import io

from participation.councils.models import Answer
from participation.councils.sittings import answer_convocation
from participation.extensions import db
from tests import factories
from tests.staff.conftest import login, text


def _csv(response):
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_council_members_and_their_attendance(client, people):
    council = factories.council(name="Conseil de développement", colleges=(("Collège des habitants", 10),))
    alice = factories.member(council, user_=factories.user("alice@example.org", display_name="Alice Martin"))
    bruno = factories.member(council, user_=factories.user("bruno@example.org", display_name="Bruno Petit"))
    sitting = factories.sitting(council, days=1, publish=True)
    answer_convocation(sitting, answer=Answer.present, actor=alice.user)
    answer_convocation(sitting, answer=Answer.absent, actor=bruno.user)
    from participation.councils.models import Attendance

    for attendance in db.session.scalars(db.select(Attendance).where(Attendance.sitting_id == sitting.id)):
        attendance.attended = attendance.membership_id == alice.id
    db.session.flush()
    login(client, people.staff)
    assert "Membres d'un conseil et leur présence" in text(client.get("/gestion/exports"))
    rows = _csv(client.get(f"/gestion/exports/council_attendance.csv?council_attendance-choice={council.id}"))
    assert rows[0][:3] == ["Nom", "Collège", "Fonction"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[alice.name][6:] == ["1", "1", "0", "100\u202f%"]
    assert by_name[bruno.name][6:] == ["1", "0", "0", "0\u202f%"]
    # A period without sittings counts none.
    rows = _csv(client.get(f"/gestion/exports/council_attendance.csv?council_attendance-choice={council.id}"
                           "&council_attendance-start=2001-01-01&council_attendance-end=2001-12-31"))
    assert all(r[6] == "0" for r in rows[1:])
    assert client.get("/gestion/exports/council_attendance.csv?council_attendance-choice=999999").status_code == 400  # not among the councils
    assert client.get("/gestion/exports/council_attendance.csv?council_attendance-choice=abc").status_code == 400
    assert client.get("/gestion/exports/nothing.csv").status_code == 404


def test_a_calls_grants_pipeline(client, people):
    call = factories.grant_call(title="Appel vie associative")
    first = factories.submitted_application(call, factories.association(name="Les Jardins partagés"), project_title="Jardin")
    factories.grant_application(call, factories.association(name="Brouillon et Cie"), project_title="Brouillon")
    login(client, people.staff)
    rows = _csv(client.get(f"/gestion/exports/grants_pipeline.csv?grants_pipeline-choice={call.id}"))
    assert rows[0][:5] == ["Numéro", "Association", "RNA", "Projet", "État"]
    assert [r[1] for r in rows[1:]] == ["Les Jardins partagés"]  # drafts are the association's own
    assert rows[1][0] == str(first.id) and rows[1][4] == "Déposée" and rows[1][6] == "10000,00"


def test_exports_are_for_those_allowed(client, people):
    call = factories.grant_call()
    login(client, people.moderator)
    assert client.get(f"/gestion/exports/grants_pipeline.csv?grants_pipeline-choice={call.id}").status_code == 403
    assert "Demandes d'un appel" not in text(client.get("/gestion/exports"))
