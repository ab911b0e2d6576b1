"""Territory services called directly, as the command line and other domains do."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from participation.core.errors import PermissionDenied, ValidationError
from participation.core.eventlog import DomainEvent
from participation.extensions import db
from participation.territory import services
from participation.territory.models import Commune, Territory, Theme
from tests import factories


def _events(name: str) -> list[DomainEvent]:
    return db.session.scalars(sa.select(DomainEvent).where(DomainEvent.name == name).order_by(DomainEvent.id)).all()


# --- Settings -----------------------------------------------------------------


def test_only_admins_change_the_settings():
    factories.territory(name="Agglomération de Test")
    with pytest.raises(PermissionDenied):
        services.save_territory({"name": "Autre nom"}, actor=factories.staff())
    with pytest.raises(PermissionDenied):
        services.save_territory({"name": "Autre nom"}, actor=None)
    assert db.session.scalar(sa.select(Territory.name)) == "Agglomération de Test"


def test_save_territory_normalises_and_records_what_changed():
    factories.territory(name="Agglomération de Test", brand_colour="#1f5f8b")
    admin = factories.admin()
    territory = services.save_territory(
        {"name": "  Agglomération de Test ", "siren": " 732 829 320 ", "siret": "732.829.320.00074", "brand_colour": "C8102E", "dpo_email": " DPO@Exemple.FR "},
        actor=admin,
    )
    assert (territory.siren, territory.siret, territory.brand_colour, territory.dpo_email) == ("732829320", "73282932000074", "#c8102e", "dpo@exemple.fr")
    [event] = _events("territory.updated")
    # The name did not change: only what changed is in the audit trail.
    assert event.data == {"fields": ["brand_colour", "dpo_email", "siren", "siret"]} and event.actor_id == admin.id

    services.save_territory({"siren": "732829320"}, actor=admin)
    assert len(_events("territory.updated")) == 1


def test_the_first_save_creates_the_settings_row():
    assert db.session.scalar(sa.select(sa.func.count(Territory.id))) == 0
    territory = services.save_territory({"name": "Communauté de communes du Val", "kind": "communauté de communes"}, actor=factories.admin())
    assert territory.id is not None
    assert db.session.scalar(sa.select(Territory.name)) == "Communauté de communes du Val"
    assert territory.brand_colour == "#1f5f8b" and territory.accessibility_status == "non conforme"


def test_rules_between_fields_use_the_stored_values():
    factories.territory(siren="200046977", mandate_start=date(2026, 3, 22))
    admin = factories.admin()
    with pytest.raises(ValidationError) as error:
        services.save_territory({"siret": "73282932000074"}, actor=admin)
    assert error.value.field == "siret" and "doit commencer par le SIREN (200046977)" in error.value.message
    with pytest.raises(ValidationError) as error:
        services.save_territory({"mandate_end": date(2020, 1, 1)}, actor=admin)
    assert error.value.field == "mandate_end"
    with pytest.raises(ValidationError) as error:
        services.save_territory({"accessibility_status": "totalement conforme"}, actor=admin)
    assert error.value.field == "accessibility_audit_date"
    # Changing the SIREN alone is checked against the stored SIRET too.
    services.save_territory({"siret": "20004697700019"}, actor=admin)
    with pytest.raises(ValidationError) as error:
        services.save_territory({"siren": "732829320"}, actor=admin)
    assert error.value.field == "siret"
    assert db.session.scalar(sa.select(Territory.siren)) == "200046977"


def test_a_refused_save_changes_nothing_even_in_memory():
    territory = factories.territory(name="Agglomération de Test")
    with pytest.raises(ValidationError) as error:
        services.save_territory({"name": "Nouveau nom", "brand_colour": "bleu"}, actor=factories.admin())
    assert error.value.field == "brand_colour"
    assert territory.name == "Agglomération de Test"


def test_clean_territory_values_reports_every_problem():
    factories.territory()
    _, problems = services.clean_territory_values(
        {"name": "", "siren": "123", "population": "-3", "contact_email": "nobody", "accessibility_status": "conforme", "mandate_start": "demain"}
    )
    assert problems == {
        "name": "Indiquez le nom de la collectivité.",
        "siren": "Le SIREN compte 9 chiffres ; vous en avez saisi 3.",
        "population": "Indiquez un nombre positif.",
        "contact_email": "Indiquez une adresse électronique valide, par exemple nom@exemple.fr.",
        "accessibility_status": "Choisissez l'un des états prévus par le RGAA : non conforme, partiellement conforme, totalement conforme.",
        "mandate_start": "Indiquez une date valide, par exemple 2026-03-22.",
    }


def test_unknown_settings_are_a_programming_error():
    with pytest.raises(ValueError, match="Réglages inconnus : colour"):
        services.save_territory({"colour": "#000000"}, actor=factories.admin())


# --- Communes -----------------------------------------------------------------


def test_save_commune_creates_and_updates():
    admin = factories.admin()
    commune = services.save_commune(None, insee_code="2b033", name="Bastia", postal_code="20200", population=48000, actor=admin)
    assert (commune.insee_code, commune.postal_code) == ("2B033", "20200")
    services.save_commune(commune, insee_code="2B033", name="Bastia", postal_code="", population=None, actor=admin)
    assert (commune.postal_code, commune.population) == (None, None)
    assert [e.name for e in _events("commune.created") + _events("commune.updated")] == ["commune.created", "commune.updated"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"insee_code": "99100"}, "insee_code"),
        ({"name": " "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"postal_code": "ABCDE"}, "postal_code"),
        ({"population": -1}, "population"),
        ({"insee_code": "69123"}, "insee_code"),  # already Lyon's
    ],
)
def test_save_commune_refuses_bad_values(values, field):
    factories.commune("Lyon", "69123")
    with pytest.raises(ValidationError) as error:
        services.save_commune(None, **{"insee_code": "69266", "name": "Villeurbanne", "postal_code": "69100", "population": 1, **values}, actor=factories.admin())
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Commune.id))) == 1


def test_only_admins_save_communes():
    with pytest.raises(PermissionDenied):
        services.save_commune(None, insee_code="69123", name="Lyon", actor=factories.user())


def test_communes_query_searches_names_and_code_prefixes_literally():
    for name, code in (("Lyon", "69123"), ("Villeurbanne", "69266"), ("Saint_Priest", "69290"), ("Ajaccio", "2A004")):
        factories.commune(name, code)

    def names(search):
        return [c.name for c in db.session.scalars(services.communes_query(search))]

    assert names("") == ["Ajaccio", "Lyon", "Saint_Priest", "Villeurbanne"]
    assert names("lyo") == ["Lyon"]
    assert names("692") == ["Saint_Priest", "Villeurbanne"]
    assert names("123") == []  # the code matches from its beginning only
    assert names("t_p") == ["Saint_Priest"]
    assert names("_") == ["Saint_Priest"]
    assert names("%") == []


# --- Themes and departments ---------------------------------------------------


def test_theme_archiving_is_its_own_event_and_editing_keeps_it():
    admin = factories.admin()
    theme = services.save_theme(None, name="Mobilités", description="", actor=admin)
    assert theme.archived is False and theme.description is None
    assert services.set_theme_archived(theme, True, actor=admin) is True
    assert services.set_theme_archived(theme, True, actor=admin) is False
    services.save_theme(theme, name="Mobilités douces", description="Vélo, marche.", actor=admin)
    assert theme.archived is True
    assert services.active_themes() == []
    services.set_theme_archived(theme, False, actor=admin)
    assert services.active_themes() == [theme]
    assert [e.name for e in db.session.scalars(sa.select(DomainEvent).where(DomainEvent.subject_type == "themes").order_by(DomainEvent.id))] == [
        "theme.created", "theme.archived", "theme.updated", "theme.unarchived",
    ]


def test_theme_slugs_stay_unique_and_stable():
    admin = factories.admin()
    first = services.save_theme(None, name="Cadre de vie", description=None, actor=admin)
    services.save_theme(first, name="Cadre de vie et habitat", description=None, actor=admin)
    second = services.save_theme(None, name="Cadre de vie !", description=None, actor=admin)
    assert (first.slug, second.slug) == ("cadre-de-vie", "cadre-de-vie-2")


def test_only_admins_manage_themes_and_departments():
    staff = factories.staff()
    theme = factories.theme("Jeunesse")
    with pytest.raises(PermissionDenied):
        services.save_theme(None, name="Sport", description=None, actor=staff)
    with pytest.raises(PermissionDenied):
        services.set_theme_archived(theme, True, actor=staff)
    with pytest.raises(PermissionDenied):
        services.save_department(None, name="DSI", code="DSI", email=None, actor=staff)
    assert db.session.get(Theme, theme.id).archived is False


def test_department_archiving_and_normalising():
    admin = factories.admin()
    department = services.save_department(None, name=" Direction des sports ", code=" sports ", email=" Sports@Exemple.FR ", actor=admin)
    assert (department.name, department.code, department.email) == ("Direction des sports", "SPORTS", "sports@exemple.fr")
    assert services.set_department_archived(department, True, actor=admin) is True
    services.save_department(department, name="Direction des sports", code="SPORTS", email=None, actor=admin)
    assert department.archived is True and department.email is None
    assert department not in services.active_departments()
    assert [e.name for e in db.session.scalars(sa.select(DomainEvent).where(DomainEvent.subject_type == "departments").order_by(DomainEvent.id))] == [
        "department.created", "department.archived", "department.updated",
    ]
