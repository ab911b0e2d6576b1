"""The territory's back office, as an admin, a non-admin and a visitor see it."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from participation.core.eventlog import DomainEvent
from participation.extensions import db
from participation.territory.models import Commune, Department, Territory, Theme
from tests import factories

VALID_SETTINGS = {
    "name": "Communauté urbaine de Bellerive",
    "kind": "communauté urbaine",
    "siren": "200 046 977",
    "siret": "200 046 977 00019",
    "population": "412 345",
    "address": "1 place de l'Hôtel de ville, 37930 Bellerive",
    "contact_email": "Contact@Bellerive.example",
    "brand_colour": "#C8102E",
    "mandate_start": "2026-03-22",
    "mandate_end": "2032-03-21",
    "publication_director": "Jeanne Martin, présidente",
    "host_name": "Hébergement Exemple SAS",
    "host_address": "12 rue des Serveurs, 59000 Lille",
    "dpo_name": "Karim Haddad",
    "dpo_email": "dpo@bellerive.example",
    "dpo_address": "DPO, 1 place de l'Hôtel de ville, 37930 Bellerive",
    "accessibility_status": "partiellement conforme",
    "accessibility_audit_date": "2026-06-30",
    "accessibility_contact": "accessibilite@bellerive.example",
}

ADMIN_PAGES = [
    "/gestion/territoire",
    "/gestion/communes",
    "/gestion/communes/nouvelle",
    "/gestion/themes",
    "/gestion/themes/nouveau",
    "/gestion/directions",
    "/gestion/directions/nouvelle",
]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def error_next_to(response, field_id: str) -> str | None:
    """The error shown under a field by the ``field`` macro, as a person reads it."""
    match = re.search(rf'<p class="error-message" id="{field_id}-erreur">(.*?)</p>', response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1)).strip() if match else None


def follow(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"])


@pytest.fixture
def admin(client):
    factories.territory(name="Agglomération de Test", kind="communauté d'agglomération")
    user = factories.admin(email="admin@collectivite.example")
    client.login(user.email, factories.PASSWORD)
    return user


def _territory() -> Territory:
    return db.session.scalar(sa.select(Territory))


# --- Who may see the back office ---------------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/compte/connexion?next={path}")


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("roles", [[], ["staff"], ["moderator"]])
def test_non_admins_get_403(client, path, roles):
    user = factories.user(roles=roles)
    client.login(user.email, factories.PASSWORD)
    response = client.get(path)
    assert response.status_code == 403
    assert "Accès refusé" in text_of(response)


def test_a_staff_member_cannot_change_the_settings(client):
    factories.territory(name="Agglomération de Test")
    user = factories.staff()
    client.login(user.email, factories.PASSWORD)
    token = client.csrf_token("/compte/profil")
    response = client.post("/gestion/territoire", data={**VALID_SETTINGS, "csrf_token": token})
    assert response.status_code in (302, 403)
    assert _territory().name == "Agglomération de Test"
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.name == "territory.updated")) == 0


@pytest.mark.parametrize("path", ["/gestion/communes/999999", "/gestion/themes/999999", "/gestion/directions/999999"])
def test_unknown_items_give_404(client, admin, path):
    assert client.get(path).status_code == 404


def test_a_form_without_its_csrf_token_is_refused(client, admin):
    response = client.post("/gestion/territoire", data=VALID_SETTINGS)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in text_of(response)
    assert _territory().name == "Agglomération de Test"


# --- Settings -----------------------------------------------------------------


def test_settings_form_shows_the_current_values(client, admin):
    factories.territory(siren="732829320", brand_colour="#336699")
    db.session.flush()
    page = client.get("/gestion/territoire")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'value="Agglomération de Test"' in body
    assert 'value="732829320"' in body
    assert 'value="#336699"' in body


def test_admin_edits_the_settings_and_public_pages_show_them(client, admin):
    response = client.submit("/gestion/territoire", VALID_SETTINGS)
    assert response.headers["Location"] == "/gestion/territoire"
    page = follow(client, response)
    assert "Les réglages du territoire sont enregistrés." in text_of(page)

    territory = _territory()
    assert territory.name == "Communauté urbaine de Bellerive"
    assert territory.siren == "200046977" and territory.siret == "20004697700019"
    assert territory.brand_colour == "#c8102e"
    assert territory.contact_email == "contact@bellerive.example"
    assert (territory.mandate_start, territory.mandate_end) == (date(2026, 3, 22), date(2032, 3, 21))
    assert territory.population == 412345
    event = db.session.scalar(sa.select(DomainEvent).where(DomainEvent.name == "territory.updated"))
    assert event.actor_id == admin.id and "siren" in event.data["fields"]

    legal = text_of(client.get("/mentions-legales"))
    for expected in ("Communauté urbaine de Bellerive", "200046977", "20004697700019", "Jeanne Martin, présidente",
                     "Hébergement Exemple SAS", "12 rue des Serveurs, 59000 Lille", "contact@bellerive.example"):
        assert expected in legal
    privacy = text_of(client.get("/donnees-personnelles"))
    for expected in ("Karim Haddad", "dpo@bellerive.example", "DPO, 1 place de l'Hôtel de ville, 37930 Bellerive"):
        assert expected in privacy
    accessibility = text_of(client.get("/accessibilite"))
    assert "partiellement conforme" in accessibility and "accessibilite@bellerive.example" in accessibility
    assert "--brand: #c8102e;" in client.get("/theme.css").get_data(as_text=True)
    # Every page's header and footer carry the new name.
    assert "Communauté urbaine de Bellerive" in text_of(client.get("/"))


def test_first_settings_create_the_territory(client):
    user = factories.admin()
    client.login(user.email, factories.PASSWORD)
    assert _territory() is None
    response = client.submit("/gestion/territoire", VALID_SETTINGS)
    assert response.status_code == 302
    assert _territory().name == "Communauté urbaine de Bellerive"


def test_la_poste_siret_is_accepted(client, admin):
    response = client.submit("/gestion/territoire", {**VALID_SETTINGS, "siren": "356000000", "siret": "35600000049837"})
    assert response.status_code == 302
    assert _territory().siret == "35600000049837"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"siren": "732829321"}, "siren",
         "Ce numéro SIREN n'existe pas : sa clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été oublié ou inversé."),
        ({"siren": "12345"}, "siren", "Le SIREN compte 9 chiffres ; vous en avez saisi 5."),
        ({"siren": "73282932A"}, "siren", "Le SIREN ne contient que des chiffres (9 chiffres)."),
        ({"siret": "20004697700018"}, "siret",
         "Ce numéro SIRET n'existe pas : sa clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été oublié ou inversé."),
        ({"siret": "73282932000074"}, "siret",
         "Le SIRET doit commencer par le SIREN (200046977) : ses 9 premiers chiffres sont 732829320."),
        ({"siren": "356000000", "siret": "35600000049838"}, "siret",
         "Ce numéro SIRET n'existe pas : sa clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été oublié ou inversé."),
        ({"brand_colour": "rouge"}, "brand_colour",
         "La couleur s'écrit # suivi de 6 chiffres hexadécimaux (0 à 9, a à f), par exemple #1f5f8b."),
        ({"brand_colour": "#12345"}, "brand_colour",
         "La couleur s'écrit # suivi de 6 chiffres hexadécimaux (0 à 9, a à f), par exemple #1f5f8b."),
        ({"mandate_start": "2032-03-21", "mandate_end": "2026-03-22"}, "mandate_end",
         "La fin de la mandature doit être postérieure à son début."),
        ({"mandate_start": "2026-03-22", "mandate_end": "2026-03-22"}, "mandate_end",
         "La fin de la mandature doit être postérieure à son début."),
        ({"mandate_start": "2026-02-31"}, "mandate_start", "N'est pas une date valide."),
        ({"accessibility_status": "conforme"}, "accessibility_status", "N'est pas un choix valide."),
        ({"accessibility_status": "totalement conforme", "accessibility_audit_date": ""}, "accessibility_audit_date",
         "Une plateforme ne peut se déclarer « partiellement » ou « totalement conforme » qu'après un audit : indiquez sa date, "
         "ou choisissez « non conforme »."),
        ({"dpo_email": "dpo-at-bellerive"}, "dpo_email", "Indiquez une adresse électronique valide, par exemple nom@exemple.fr."),
        ({"population": "-5"}, "population", "Indiquez un nombre positif."),
        ({"population": "beaucoup"}, "population", "N'est pas un entier valide."),
        ({"name": "  "}, "name", "Ce champ est obligatoire."),
    ],
)
def test_bad_settings_are_refused_next_to_the_field_and_change_nothing(client, admin, changes, field, message):
    response = client.submit("/gestion/territoire", {**VALID_SETTINGS, **changes})
    assert response.status_code == 422
    assert error_next_to(response, field) == message
    # The summary at the top links to the field.
    assert f'href="#{field}"' in response.get_data(as_text=True)
    territory = _territory()
    assert territory.name == "Agglomération de Test" and territory.siren is None
    assert db.session.scalar(sa.select(sa.func.count(DomainEvent.id)).where(DomainEvent.name == "territory.updated")) == 0
    # The page keeps what was typed, and the header still shows the stored name.
    assert 'value="Communauté urbaine de Bellerive"' in response.get_data(as_text=True) or field == "name"
    assert "Agglomération de Test" in text_of(response)


def test_every_problem_is_shown_at_once(client, admin):
    response = client.submit("/gestion/territoire", {**VALID_SETTINGS, "siren": "732829321", "brand_colour": "bleu", "mandate_end": "2020-01-01"})
    assert response.status_code == 422
    assert "clé de contrôle" in error_next_to(response, "siren")
    assert "# suivi de 6 chiffres" in error_next_to(response, "brand_colour")
    assert error_next_to(response, "mandate_end") == "La fin de la mandature doit être postérieure à son début."


# --- Communes -----------------------------------------------------------------


def _communes_on(response) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'<th scope="row">(.*?)</th>', response.get_data(as_text=True))]


def test_communes_list_and_search(client, admin):
    factories.commune("Lyon", "69123")
    factories.commune("Villeurbanne", "69266")
    factories.commune("Ajaccio", "2A004")
    factories.commune("Saint-Aubin-des-Prés", "37902")

    assert _communes_on(client.get("/gestion/communes")) == ["Ajaccio", "Lyon", "Saint-Aubin-des-Prés", "Villeurbanne"]
    assert _communes_on(client.get("/gestion/communes?q=VILLEUR")) == ["Villeurbanne"]
    assert _communes_on(client.get("/gestion/communes?q=69")) == ["Lyon", "Villeurbanne"]
    assert _communes_on(client.get("/gestion/communes?q=2a0")) == ["Ajaccio"]
    assert _communes_on(client.get("/gestion/communes?q=des-Prés")) == ["Saint-Aubin-des-Prés"]
    # A wildcard typed in the box is a character, not "everything".
    empty = client.get("/gestion/communes?q=%25")
    assert _communes_on(empty) == [] and "Aucune commune ne correspond à « % »." in text_of(empty)


def test_communes_list_is_paginated(client, admin):
    for n in range(45):
        factories.commune(f"Commune {n:02d}", f"37{n + 1:03d}")
    first = client.get("/gestion/communes")
    assert len(_communes_on(first)) == 20
    assert "Page 1 sur 3" in text_of(first)
    last = client.get("/gestion/communes?page=3")
    assert _communes_on(last) == [f"Commune {n}" for n in range(40, 45)]
    # The search is kept from page to page.
    searched = client.get("/gestion/communes?q=Commune")
    assert "/gestion/communes?page=2&amp;q=Commune" in searched.get_data(as_text=True)


def _count_list_queries(client, count_queries, path: str) -> int:
    client.get(path)  # the same warm-up for both counts
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/gestion/communes", lambda n: factories.commune(f"Commune {n}", f"37{n + 1:03d}")),
        ("/gestion/communes?q=Commune", lambda n: factories.commune(f"Commune {n}", f"37{n + 1:03d}")),
        ("/gestion/themes", lambda n: factories.theme(f"Thème {n}")),
        ("/gestion/directions", lambda n: factories.department(f"Direction {n}", f"D{n}")),
    ],
)
def test_lists_run_the_same_number_of_queries_whatever_their_size(client, admin, count_queries, path, make):
    for n in range(5):
        make(n)
    with_five = _count_list_queries(client, count_queries, path)
    for n in range(5, 60):
        make(n)
    with_sixty = _count_list_queries(client, count_queries, path)
    assert with_five == with_sixty
    assert with_sixty <= 10


def test_admin_adds_a_commune_by_hand(client, admin):
    response = client.submit("/gestion/communes/nouvelle", {"insee_code": "2a004", "name": " Ajaccio ", "postal_code": "20000", "population": "73000"})
    page = follow(client, response)
    assert "La commune « Ajaccio » est ajoutée." in text_of(page)
    assert _communes_on(page) == ["Ajaccio"]
    commune = db.session.scalar(sa.select(Commune))
    assert (commune.insee_code, commune.name, commune.postal_code, commune.population) == ("2A004", "Ajaccio", "20000", 73000)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"insee_code": "20004"}, "insee_code", "« 20004 » n'est pas un code INSEE : depuis 1976, les communes de Corse commencent par 2A ou 2B."),
        ({"insee_code": "6912"}, "insee_code", "Un tableur a peut-être retiré le zéro du début : 06912 ?"),
        ({"insee_code": "lyon"}, "insee_code", "« LYON » n'est pas un code INSEE"),
        ({"postal_code": "6900"}, "postal_code", "« 6900 » n'est pas un code postal : il compte 5 chiffres, par exemple 69001."),
        ({"population": "-1"}, "population", "Indiquez un nombre positif."),
        ({"name": ""}, "name", "Ce champ est obligatoire."),
    ],
)
def test_bad_commune_is_refused(client, admin, data, field, message):
    response = client.submit("/gestion/communes/nouvelle", {"insee_code": "69123", "name": "Lyon", "postal_code": "69001", "population": "", **data})
    assert response.status_code == 422
    assert message in error_next_to(response, field)
    assert db.session.scalar(sa.select(sa.func.count(Commune.id))) == 0


def test_admin_edits_a_commune_and_codes_stay_unique(client, admin):
    lyon = factories.commune("Lyon", "69123")
    factories.commune("Villeurbanne", "69266")
    path = f"/gestion/communes/{lyon.id}"
    assert 'value="69123"' in client.get(path).get_data(as_text=True)

    clash = client.submit(path, {"insee_code": "69266", "name": "Lyon", "postal_code": "", "population": ""})
    assert clash.status_code == 422
    assert error_next_to(clash, "insee_code") == "La commune « Villeurbanne » porte déjà le code INSEE 69266."

    response = client.submit(path, {"insee_code": "69123", "name": "Lyon", "postal_code": "69001", "population": "522250"})
    assert "La commune « Lyon » est enregistrée." in text_of(follow(client, response))
    lyon = db.session.get(Commune, lyon.id)
    assert (lyon.postal_code, lyon.population) == ("69001", 522250)


# --- Communes: CSV upload through the page --------------------------------------


def _upload(client, content: bytes, filename: str = "communes.csv", content_type: str = "text/csv"):
    import io

    return client.submit(
        "/gestion/communes/import",
        {"file": (io.BytesIO(content), filename, content_type)},
        form_path="/gestion/communes",
    )


def test_admin_imports_a_csv_and_reads_the_report(client, admin):
    factories.commune("Lyon", "69123", population=500000)
    csv = "code_insee;nom;code_postal;population\n69123;Lyon;69001;522250\n69266;Villeurbanne;69100;156928\n69259;Vénissieux;69200;66921\n"
    page = follow(client, _upload(client, csv.encode()))
    assert "Import terminé : 2 communes créées, 1 mise à jour, 0 inchangée." in text_of(page)
    assert sorted(_communes_on(page)) == ["Lyon", "Villeurbanne", "Vénissieux"]
    assert db.session.scalar(sa.select(Commune.population).where(Commune.insee_code == "69123")) == 522250


def test_excel_csv_in_windows_1252_with_its_content_type(client, admin):
    csv = "Code INSEE;Nom;Code postal;Population\r\n37902;Saint-Aubin-des-Prés;37910;9 120\r\n"
    page = follow(client, _upload(client, csv.encode("cp1252"), "Communes export.CSV", "application/vnd.ms-excel"))
    assert "1 commune créée" in text_of(page)
    assert db.session.scalar(sa.select(Commune.name)) == "Saint-Aubin-des-Prés"


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "message"),
    [
        (b"code_insee;nom\n69123;Lyon\n", "communes.xlsx", "text/csv",
         "Le fichier doit être au format CSV (nom en « .csv ») : enregistrez-le sous ce format depuis votre tableur."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "communes.csv", "image/png",
         "Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV depuis votre tableur."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "communes.csv", "text/csv",
         "Ce fichier n'est pas un fichier texte : enregistrez-le au format CSV depuis votre tableur."),
        (b"code_insee;nom\n" + b"69123;Lyon\n" * 200_000, "communes.csv", "text/csv",
         "Le fichier pèse 2,1 Mo : il ne doit pas dépasser 2 Mo."),
        (b"", "communes.csv", "text/csv", "Le fichier est vide."),
        (b"code;ville\n69123;Lyon\n", "communes.csv", "text/csv", "La première ligne doit nommer les colonnes « code_insee » et « nom »"),
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(client, admin, content, filename, content_type, message):
    factories.commune("Lyon", "69123", population=500000)
    response = _upload(client, content, filename, content_type)
    assert response.status_code == 422
    assert message in error_next_to(response, "file")
    assert db.session.scalar(sa.select(sa.func.count(Commune.id))) == 1
    assert db.session.scalar(sa.select(Commune.population)) == 500000
    # The list is still shown under the error.
    assert _communes_on(response) == ["Lyon"]


def test_no_file_chosen(client, admin):
    response = client.submit("/gestion/communes/import", {}, form_path="/gestion/communes")
    assert response.status_code == 422
    assert error_next_to(response, "file") == "Choisissez un fichier CSV à importer."


def test_a_file_with_a_bad_line_imports_nothing_and_names_the_line(client, admin):
    factories.commune("Lyon", "69123", population=500000)
    csv = "code_insee;nom;code_postal;population\n69123;Lyon;69001;522250\n69266;Villeurbanne;69100;156928\n2O004;Ajaccio;20000;73000\n"
    response = _upload(client, csv.encode())
    assert response.status_code == 422
    message = error_next_to(response, "file")
    assert message.startswith("Le fichier n'a pas été importé, aucune commune n'a été modifiée.")
    assert "Ligne 4 : « 2O004 » n'est pas un code INSEE" in message
    assert db.session.scalar(sa.select(sa.func.count(Commune.id))) == 1
    assert db.session.scalar(sa.select(Commune.population)) == 500000


# --- Themes -------------------------------------------------------------------


def test_admin_creates_edits_archives_and_restores_a_theme(client, admin):
    page = follow(client, client.submit("/gestion/themes/nouveau", {"name": "Mobilités", "description": "Transports, vélo, marche."}))
    assert "Le thème « Mobilités » est créé." in text_of(page)
    theme = db.session.scalar(sa.select(Theme))
    assert (theme.name, theme.slug, theme.archived) == ("Mobilités", "mobilites", False)

    page = follow(client, client.submit(f"/gestion/themes/{theme.id}/archiver", {"next": "/gestion/themes"}, form_path="/gestion/themes"))
    assert "Le thème « Mobilités » est archivé" in text_of(page)
    assert db.session.get(Theme, theme.id).archived is True
    assert "Proposer de nouveau" in text_of(page)

    # Editing an archived theme keeps it archived.
    follow(client, client.submit(f"/gestion/themes/{theme.id}", {"name": "Mobilités douces", "description": ""}))
    theme = db.session.get(Theme, theme.id)
    assert (theme.name, theme.description, theme.archived) == ("Mobilités douces", None, True)
    assert theme.slug == "mobilites"

    page = follow(client, client.submit(f"/gestion/themes/{theme.id}/restaurer", {"next": "/gestion/themes"}, form_path="/gestion/themes"))
    assert "Le thème « Mobilités douces » est de nouveau proposé." in text_of(page)
    assert db.session.get(Theme, theme.id).archived is False
    names = db.session.scalars(sa.select(DomainEvent.name).where(DomainEvent.subject_type == "themes").order_by(DomainEvent.id)).all()
    assert names == ["theme.created", "theme.archived", "theme.updated", "theme.unarchived"]


def test_theme_names_are_unique(client, admin):
    factories.theme("Mobilités")
    response = client.submit("/gestion/themes/nouveau", {"name": "mobilités", "description": ""})
    assert response.status_code == 422
    assert error_next_to(response, "name") == "Un thème porte déjà ce nom."
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 1


def test_archiving_goes_back_to_the_page_it_came_from_and_nowhere_else(client, admin):
    theme = factories.theme("Jeunesse")
    response = client.submit(f"/gestion/themes/{theme.id}/archiver", {"next": "https://ailleurs.example/"}, form_path="/gestion/themes")
    assert response.headers["Location"] == "/gestion/themes"


# --- Departments --------------------------------------------------------------


def test_admin_creates_edits_and_archives_a_department(client, admin):
    response = client.submit("/gestion/directions/nouvelle", {"name": "Direction des mobilités", "code": "mobil-1", "email": "Mobilites@Collectivite.example"})
    assert "La direction « Direction des mobilités » est créée." in text_of(follow(client, response))
    department = db.session.scalar(sa.select(Department))
    assert (department.code, department.email, department.archived) == ("MOBIL-1", "mobilites@collectivite.example", False)

    path = f"/gestion/directions/{department.id}"
    assert 'value="MOBIL-1"' in client.get(path).get_data(as_text=True)
    follow(client, client.submit(path, {"name": "Direction des mobilités et de la voirie", "code": "MOBILITES", "email": ""}))
    department = db.session.get(Department, department.id)
    assert (department.name, department.code, department.email) == ("Direction des mobilités et de la voirie", "MOBILITES", None)

    page = follow(client, client.submit(f"{path}/archiver", {"next": "/gestion/directions"}, form_path="/gestion/directions"))
    assert "est archivée : elle n'est plus proposée pour les nouveaux dossiers." in text_of(page)
    assert db.session.get(Department, department.id).archived is True
    follow(client, client.submit(f"{path}/restaurer", {"next": "/gestion/directions"}, form_path="/gestion/directions"))
    assert db.session.get(Department, department.id).archived is False


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "DEV ECO!"}, "code", "Le code s'écrit en majuscules, chiffres et tirets, 20 caractères au plus (par exemple DEV-ECO)."),
        ({"code": "DGS"}, "code", "Une direction porte déjà ce code."),
        ({"name": "Direction générale des services"}, "name", "Une direction porte déjà ce nom."),
        ({"email": "pas une adresse"}, "email", "Indiquez une adresse électronique valide, par exemple nom@exemple.fr."),
    ],
)
def test_bad_department_is_refused(client, admin, data, field, message):
    factories.department("Direction générale des services", "DGS")
    response = client.submit("/gestion/directions/nouvelle", {"name": "Direction du développement économique", "code": "DEV-ECO", "email": "", **data})
    assert response.status_code == 422
    assert error_next_to(response, field) == message
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) == 1


# --- Navigation and accessibility ---------------------------------------------


def test_admin_menu_marks_the_current_page(client, admin):
    theme = factories.theme("Jeunesse")
    body = client.get("/gestion/communes").get_data(as_text=True)
    assert '<a href="/gestion/communes" aria-current="page">Communes</a>' in body
    assert '<a href="/gestion/themes">Thèmes</a>' in body
    body = client.get(f"/gestion/themes/{theme.id}").get_data(as_text=True)
    assert '<a href="/gestion/themes" aria-current="true">Thèmes</a>' in body
    assert 'aria-current="page">Thèmes' not in body


class PageStructure(HTMLParser):
    """What a screen reader relies on: headings, labels, table headers; and what the CSP forbids."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.ids: list[str] = []
        self.inline_styles = 0
        self.inline_scripts = 0
        self.tables = 0
        self.captions = 0
        self.column_headers_without_scope = 0
        self._in_thead = False
        self._script_without_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "style" in attrs or tag == "style" or any(name.startswith("on") for name in attrs):
            self.inline_styles += 1
        if tag == "script":
            self._script_without_src = "src" not in attrs
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and "for" in attrs:
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs.get("id"))
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "thead":
            self._in_thead = True
        if tag == "th" and self._in_thead and attrs.get("scope") != "col":
            self.column_headers_without_scope += 1

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_thead = False

    def handle_data(self, data):
        if self._script_without_src and data.strip():
            self.inline_scripts += 1
            self._script_without_src = False


@pytest.mark.parametrize("path", [*ADMIN_PAGES, "communes/{commune}", "themes/{theme}", "directions/{department}"])
def test_pages_are_accessible_and_respect_the_csp(client, admin, path):
    commune, theme, department = factories.commune("Lyon", "69123"), factories.theme("Jeunesse"), factories.department()
    if not path.startswith("/"):
        path = "/gestion/" + path.format(commune=commune.id, theme=theme.id, department=department.id)
    response = client.get(path)
    assert response.status_code == 200
    page = PageStructure()
    page.feed(response.get_data(as_text=True))
    assert page.h1 == 1
    assert all(control in page.labels for control in page.controls), page.controls
    assert len(page.ids) == len(set(page.ids)), "identifiants en double"
    assert page.inline_styles == 0 and page.inline_scripts == 0
    assert page.tables == page.captions
    assert page.column_headers_without_scope == 0
    if path in ("/gestion/communes", "/gestion/themes", "/gestion/directions"):
        assert page.tables == 1


def test_an_admin_records_the_quartiers_prioritaires(client, count_queries):
    from participation.territory.models import Neighbourhood

    commune = factories.commune("Loirande", insee_code="37901")
    factories.user("admin-qpv@example.org", roles=["admin"])
    client.login("admin-qpv@example.org", factories.PASSWORD)
    response = client.submit("/gestion/quartiers/nouveau", {"name": "Les Tilleuls", "qpv_code": "qn 03701m", "commune": str(commune.id)})
    assert response.status_code == 302
    item = db.session.scalar(sa.select(Neighbourhood))
    assert (item.name, item.qpv_code, item.commune_id) == ("Les Tilleuls", "QN03701M", commune.id)

    again = client.submit("/gestion/quartiers/nouveau", {"name": "Doublon", "qpv_code": "QN03701M", "commune": str(commune.id)})
    assert again.status_code == 422 and "Les Tilleuls" in html.unescape(again.get_data(as_text=True))
    bad = client.submit("/gestion/quartiers/nouveau", {"name": "Mauvais", "qpv_code": "12345", "commune": str(commune.id)})
    assert bad.status_code == 422 and "Le code QPV commence par QN ou QP" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Neighbourhood.id))) == 1

    edited = client.submit(f"/gestion/quartiers/{item.id}", {"name": "Quartier des Tilleuls", "qpv_code": "QN03701M", "commune": str(commune.id)})
    assert edited.status_code == 302
    counts = []
    for extra in (0, 30):
        for i in range(extra):
            db.session.add(Neighbourhood(name=f"Quartier {i}", qpv_code=f"QN037{i:03d}X", commune_id=commune.id))
        db.session.commit()
        with count_queries() as counter:
            page = client.get("/gestion/quartiers")
        assert page.status_code == 200 and "Loirande" in page.get_data(as_text=True)
        counts.append(counter.count)
    assert "Page 1 sur 2" in page.get_data(as_text=True)
    assert counts[0] == counts[1]


def test_a_resident_cannot_manage_neighbourhoods(client):
    factories.user("voisin@example.org")
    client.login("voisin@example.org", factories.PASSWORD)
    assert client.get("/gestion/quartiers").status_code == 403
    assert client.post("/gestion/quartiers/nouveau", data={}).status_code in (400, 403)
