"""Every id, page number, filter and number is bounded where it is parsed; no
control character is stored. (The fuzz test, ``tests/test_fuzz.py``, walks
every route and form; these are the cases seen in use, one by one.)"""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField
from wtforms.validators import NumberRange
from werkzeug.datastructures import MultiDict

from participation.accounts.models import User
from participation.core.column_bounds import ColumnBoundError
from participation.core.forms import INT_MAX, parse_int
from participation.councils.models import BudgetYear
from participation.extensions import db
from tests import factories

HUGE = "99999999999999999999"


def test_huge_ids_in_a_path_are_pages_that_do_not_exist(client):
    for path in (f"/evenements/{HUGE}", f"/evenements/{2**63}", f"/evenements/{2**31}", "/evenements/" + "9" * 5000,
                 "/compte/confirmer/a%00b", "/static/%00style.css"):
        assert client.get(path).status_code == 404, path


def test_huge_page_numbers_and_filters_show_the_list(client):
    factories.territory()
    for path in (f"/evenements/?page={HUGE}", f"/evenements/?theme={HUGE}", f"/agenda/?theme={HUGE}&commune={2**63}",
                 f"/agenda/?page={2**63}", "/evenements/?page=%ZZ", "/evenements/?page=NaN"):
        assert client.get(path).status_code == 200, path


def test_parse_int_refuses_what_no_column_holds():
    assert parse_int("12") == 12
    assert parse_int(str(INT_MAX)) == INT_MAX
    for value in (HUGE, str(INT_MAX + 1), "1e9", "²", "NaN", "", None, "9" * 5000, " "):
        assert parse_int(value) is None, value
    assert parse_int("0", minimum=1) is None


def test_amounts_that_are_not_numbers_are_refused_next_to_the_field(app):
    council = factories.council()
    staff = app.test_client()
    staff.login(factories.staff().email, factories.PASSWORD)
    page = f"/gestion/conseils/{council.id}/travaux"
    for value, message in (("NaN", "Indiquez un nombre"), ("Infinity", "Indiquez un nombre"), ("-Infinity", "Indiquez un nombre"),
                           ("1e309", "Ce nombre est trop grand"), (HUGE, "Ce nombre est trop grand")):
        response = staff.submit(f"/gestion/conseils/{council.id}/budget", {"year": "2027", "allocation": value}, form_path=page)
        assert response.status_code == 422, value
        assert message in response.get_data(as_text=True), value
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BudgetYear)) == 0


def test_every_flask_form_gets_the_bounds(app):
    class Sample(FlaskForm):
        count = IntegerField()
        amount = DecimalField()
        envelope = DecimalField(validators=[NumberRange(max=10**12)])

    with app.test_request_context(method="POST"):
        form = Sample(formdata=MultiDict({"count": str(2**40), "amount": "NaN", "envelope": "50000000"}), meta={"csrf": False})
        assert not form.validate()
        assert form.count.errors == ["Ce nombre est trop grand : 2\u202f147\u202f483\u202f647 au plus."]
        assert form.amount.errors == ["Indiquez un nombre, par exemple 1500 ou 1500,50."]
        assert form.envelope.errors == []  # its own NumberRange allows it
        form = Sample(formdata=MultiDict({"count": "douze"}), meta={"csrf": False})
        form.validate()
        assert form.count.errors == ["N'est pas un entier valide."]


def test_control_characters_never_reach_the_database(client):
    factories.territory()
    response = client.submit("/compte/inscription", {
        "email": "nul@example.org", "display_name": "Léa\x00 Mar\x1btin\x7f", "commune": "",
        "password": factories.PASSWORD, "password_confirm": factories.PASSWORD,
    })
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User.display_name).where(User.email == "nul@example.org")) == "Léa Martin"


def test_the_database_layer_refuses_what_its_column_cannot_hold_on_every_database():
    person = factories.user()
    for value in ("nul\x00", "x" * 81):
        person.display_name = value
        try:
            db.session.flush()
        except ColumnBoundError as error:
            assert "users.display_name" in str(error)
        else:
            raise AssertionError(f"{value[:10]!r} accepté")
        db.session.rollback()
        person = factories.user()


def test_a_form_posted_as_json_is_cleaned_like_a_posted_form(client):
    factories.territory()
    token = client.csrf_token("/compte/inscription")
    response = client.post("/compte/inscription", headers={"X-CSRFToken": token}, json={
        "csrf_token": token, "email": "json@example.org", "display_name": "Nom\x00 propre", "commune": {"id": [1]},
        "password": factories.PASSWORD, "password_confirm": factories.PASSWORD,
    })
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User.display_name).where(User.email == "json@example.org")) == "Nom propre"
