"""Importing communes from a CSV file: the service and the command line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.errors import PermissionDenied, ValidationError
from participation.core.eventlog import DomainEvent
from participation.extensions import db
from participation.territory.models import Commune
from participation.territory.services import import_communes
from tests import factories


def _communes() -> dict[str, tuple]:
    return {c.insee_code: (c.name, c.postal_code, c.population) for c in db.session.scalars(sa.select(Commune))}


@pytest.fixture
def admin():
    return factories.admin()


def test_semicolon_separated(admin):
    report = import_communes("code_insee;nom;code_postal;population\n69123;Lyon;69001;522250\n2A004;Ajaccio;20000;\n", actor=admin)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert _communes() == {"69123": ("Lyon", "69001", 522250), "2A004": ("Ajaccio", "20000", None)}


def test_comma_separated_with_quoted_names(admin):
    data = 'code_insee,nom,code_postal,population\n69123,Lyon,69001,522250\n37902,"Saint-Aubin, les Prés",37910,"9 120"\n'
    report = import_communes(data.encode(), actor=admin)
    assert report.created == 2
    assert _communes()["37902"] == ("Saint-Aubin, les Prés", "37910", 9120)


def test_utf8_with_bom_and_crlf(admin):
    data = "\ufeffcode_insee;nom\r\n37902;Saint-Aubin-des-Prés\r\n".encode()
    assert data.startswith(b"\xef\xbb\xbf")
    import_communes(data, actor=admin)
    assert _communes() == {"37902": ("Saint-Aubin-des-Prés", None, None)}


def test_windows_1252_as_excel_saves_it(admin):
    data = "Code INSEE;Nom;Code postal;Population\r\n37903;Écueillé-sur-Brenne;37920;1 305\r\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    import_communes(data, actor=admin)
    assert _communes() == {"37903": ("Écueillé-sur-Brenne", "37920", 1305)}


def test_columns_of_insee_files_and_in_any_order(admin):
    data = "LIBELLE;COM;PMUN\nLyon;69123;522250\n"
    import_communes(data, actor=admin)
    assert _communes() == {"69123": ("Lyon", None, 522250)}


def test_known_communes_are_updated_and_empty_cells_keep_what_is_known(admin):
    factories.commune("Lyon", "69123", population=500000)
    factories.commune("Bron", "69029", population=43000)
    report = import_communes("code_insee;nom;code_postal;population\n69123;Lyon;69001;\n69029;Bron;;43000\n69266;Villeurbanne;69100;156928\n", actor=admin)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    communes = _communes()
    assert communes["69123"] == ("Lyon", "69001", 500000)
    assert communes["69029"] == ("Bron", None, 43000)
    [event] = db.session.scalars(sa.select(DomainEvent).where(DomainEvent.name == "territory.communes_imported")).all()
    assert event.data == {"created": 1, "updated": 1, "unchanged": 1} and event.actor_id == admin.id


def test_one_bad_line_imports_nothing_and_names_each_bad_line(admin):
    factories.commune("Lyon", "69123", population=500000)
    data = (
        "code_insee;nom;code_postal;population\n"
        "69123;Lyon;69001;522250\n"
        "69266;Villeurbanne;69100;156928\n"
        "20004;Ajaccio;20000;73000\n"
        "69259;;69200;66921\n"
        "69029;Bron;69500;environ 40000\n"
        "69266;Villeurbanne;69100;156928\n"
        "6904;Caluire-et-Cuire;6930;\n"
    )
    with pytest.raises(ValidationError) as error:
        import_communes(data, actor=admin)
    message = error.value.message
    assert error.value.field == "file"
    assert message.startswith("Le fichier n'a pas été importé, aucune commune n'a été modifiée.")
    assert "Ligne 4 : « 20004 » n'est pas un code INSEE : depuis 1976, les communes de Corse commencent par 2A ou 2B." in message
    assert "Ligne 5 : le nom de la commune manque." in message
    assert "Ligne 6 : la population « environ 40000 » n'est pas un nombre entier." in message
    assert "Ligne 7 : le code 69266 figure déjà à la ligne 3." in message
    assert "Ligne 8 : « 6904 » n'est pas un code INSEE" in message and "06904 ?" in message
    assert "Ligne 2" not in message
    assert _communes() == {"69123": ("Lyon", None, 500000)}


def test_line_numbers_count_lines_inside_quotes(admin):
    data = 'code_insee,nom\n69123,"Lyon\n(ville)"\n2O004,Ajaccio\n'
    with pytest.raises(ValidationError) as error:
        import_communes(data, actor=admin)
    assert "Ligne 4 : « 2O004 »" in error.value.message


def test_a_long_list_of_errors_is_cut(admin):
    data = "code_insee;nom\n" + "".join(f"X{n:04d};Commune {n}\n" for n in range(30))
    with pytest.raises(ValidationError) as error:
        import_communes(data, actor=admin)
    assert "Ligne 21 :" in error.value.message and "Ligne 22 :" not in error.value.message
    assert error.value.message.endswith("(et 10 autres erreurs)")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"  \n\n", "Le fichier est vide."),
        (b"code_insee;nom\n", "Le fichier ne contient aucune commune."),
        (b"insee_code;name\n69123;Lyon\n", "La première ligne doit nommer les colonnes « code_insee » et « nom »"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Ce fichier n'est pas un fichier texte"),
        (b"code_insee;nom\n69123;Lyon\x81\x8d\xff\xfe\n", "Le fichier n'a pas pu être lu"),
    ],
)
def test_unreadable_files(admin, data, message):
    with pytest.raises(ValidationError) as error:
        import_communes(data, actor=admin)
    assert message in error.value.message and error.value.field == "file"
    assert _communes() == {}


def test_only_admins_import():
    with pytest.raises(PermissionDenied):
        import_communes("code_insee;nom\n69123;Lyon\n", actor=factories.staff())
    assert _communes() == {}


# --- flask --app wsgi territory import-communes FILE ----------------------------


def test_command_line_import(app, tmp_path):
    path = tmp_path / "communes.csv"
    path.write_bytes("code_insee;nom;code_postal;population\n37902;Saint-Aubin-des-Prés;37910;9120\n37903;Villebrune;37920;7540\n".encode("cp1252"))
    result = app.test_cli_runner().invoke(args=["territory", "import-communes", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 communes créées, 0 mises à jour, 0 inchangées." in result.output
    assert _communes()["37902"] == ("Saint-Aubin-des-Prés", "37910", 9120)

    again = app.test_cli_runner().invoke(args=["territory", "import-communes", str(path)])
    assert "0 communes créées, 0 mises à jour, 2 inchangées." in again.output


def test_command_line_refuses_a_bad_file(app, tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text("code_insee;nom\n37902;Saint-Aubin-des-Prés\n3790;Villebrune\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["territory", "import-communes", str(path)])
    assert result.exit_code == 1
    assert "Ligne 3 : « 3790 » n'est pas un code INSEE" in result.output
    assert _communes() == {}


def test_command_line_needs_an_existing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["territory", "import-communes", str(tmp_path / "absent.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output or "n'existe pas" in result.output


def test_blank_lines_are_skipped_but_counted(admin):
    data = "\n\ncode_insee;nom\n69123;Lyon\n\n69O29;Bron\n"
    with pytest.raises(ValidationError) as error:
        import_communes(data, actor=admin)
    assert "Ligne 6 : « 69O29 »" in error.value.message
    report = import_communes(data.replace("69O29", "69029"), actor=admin)
    assert report.created == 2
