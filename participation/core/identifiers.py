"""French official identifiers: SIREN, SIRET, INSEE commune code, RNA.

Each ``*_error`` function takes what a person typed and returns ``None``
when it is valid, or a message in French that says what is wrong and how to
fix it. ``compact()`` gives the form to store: spaces, dots and dashes that
people type to group digits are removed.

Sources: INSEE (SIRENE: the SIREN's last digit and the SIRET's are Luhn
keys; La Poste's establishments, SIREN 356000000, are numbered with a sum of
digits that is a multiple of 5), the Code officiel géographique (commune
codes), the Répertoire national des associations (``W`` and 9 digits).
"""

from __future__ import annotations

import re
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# What people put between groups of digits: spaces (also non-breaking), dots, dashes.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]+")

LA_POSTE_SIREN = "356000000"
# La Poste's head office is numbered with the ordinary Luhn key.
LA_POSTE_HEAD_OFFICE_SIRET = "35600000000048"


def compact(value: str | None) -> str:
    """``" 732 829 320 "`` → ``"732829320"``; upper case, for the letters of INSEE and RNA codes."""
    return _SEPARATORS.sub("", value or "").upper()


def luhn_valid(digits: str) -> bool:
    """The Luhn check: from the right, every second digit is doubled (minus 9 above 9); the sum ends in 0."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _length_error(label: str, value: str, expected: int) -> str | None:
    if not (value.isascii() and value.isdigit()):
        return _("Le %(label)s ne contient que des chiffres (%(expected)s chiffres).", label=label, expected=expected)
    if len(value) != expected:
        return _("Le %(label)s compte %(expected)s chiffres ; vous en avez saisi %(len_value)s.", label=label, expected=expected, len_value=len(value))
    return None


def siren_error(value: str | None) -> str | None:
    """What is wrong with this SIREN (9 digits, the last a Luhn key), or ``None``."""
    siren = compact(value)
    if not siren:
        return _("Indiquez le numéro SIREN (9 chiffres).")
    problem = _length_error("SIREN", siren, 9)
    if problem:
        return problem
    if not luhn_valid(siren):
        return _("Ce numéro SIREN n'existe pas : sa clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été oublié ou inversé.")
    return None


def siret_error(value: str | None, *, siren: str | None = None) -> str | None:
    """What is wrong with this SIRET (14 digits: the SIREN, then 5), or ``None``.

    With ``siren``, the SIRET must also begin with it.
    """
    siret = compact(value)
    if not siret:
        return _("Indiquez le numéro SIRET (14 chiffres).")
    problem = _length_error("SIRET", siret, 14)
    if problem:
        return problem
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE_SIRET:
        key_valid = sum(int(d) for d in siret) % 5 == 0
    else:
        key_valid = luhn_valid(siret)
    if not key_valid:
        return _("Ce numéro SIRET n'existe pas : sa clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été oublié ou inversé.")
    if not luhn_valid(siret[:9]):
        return _("Les 9 premiers chiffres du SIRET doivent former un numéro SIREN valide.")
    expected = compact(siren)
    if expected and siret[:9] != expected:
        return _("Le SIRET doit commencer par le SIREN (%(expected)s) : ses 9 premiers chiffres sont %(value)s.", expected=expected, value=siret[:9])
    return None


# Mainland departments 01–95 (20 was split into 2A and 2B in 1976), then 3 digits;
# overseas: 971–978 and 984–989, then 2 digits. Commune numbers start at 1.
_INSEE_MAINLAND = re.compile(r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5])(\d{3})$")
_INSEE_OVERSEAS = re.compile(r"^(97[1-8]|98[4-9])(\d{2})$")

INSEE_CODE_HELP = _l("5 caractères : le département (2A ou 2B en Corse) puis le numéro de la commune, par exemple 69123 ou 2A004")


def insee_code_error(value: str | None) -> str | None:
    """What is wrong with this commune code of the Code officiel géographique, or ``None``."""
    code = compact(value)
    if not code:
        return _("Indiquez le code INSEE de la commune.")
    mainland, overseas = _INSEE_MAINLAND.match(code), _INSEE_OVERSEAS.match(code)
    if mainland and int(mainland.group(2)) > 0 or overseas and int(overseas.group(2)) > 0:
        return None
    if code.isdigit() and len(code) == 4:
        return _("« %(code)s » n'est pas un code INSEE (%(INSEE_CODE_HELP)s). Un tableur a peut-être retiré le zéro du début : 0%(code)s ?", code=code, INSEE_CODE_HELP=INSEE_CODE_HELP)
    if code.isdigit() and len(code) == 5 and code.startswith("20"):
        return _("« %(code)s » n'est pas un code INSEE : depuis 1976, les communes de Corse commencent par 2A ou 2B.", code=code)
    return _("« %(code)s » n'est pas un code INSEE (%(INSEE_CODE_HELP)s).", code=code, INSEE_CODE_HELP=INSEE_CODE_HELP)


_RNA = re.compile(r"^W(\d{9}|2[AB]\d{7})$")


def rna_error(value: str | None) -> str | None:
    """What is wrong with this number of the Répertoire national des associations, or ``None``.

    An RNA number is ``W`` and 9 digits (``W751234567``); in Corsica the
    department is written 2A or 2B (``W2A1234567``).
    """
    rna = compact(value)
    if not rna:
        return _("Indiquez le numéro RNA de l'association (W suivi de 9 chiffres).")
    if _RNA.match(rna):
        return None
    if rna[:1] != "W":
        return _("Le numéro RNA commence par la lettre W, suivie de 9 chiffres (par exemple W751234567). Il figure sur le récépissé de la préfecture.")
    return _("Le numéro RNA compte la lettre W puis 9 chiffres (par exemple W751234567).")


def postal_code_error(value: str | None) -> str | None:
    """What is wrong with this French postal code (5 digits), or ``None``."""
    code = compact(value)
    if not code:
        return _("Indiquez le code postal (5 chiffres).")
    if not re.fullmatch(r"\d{5}", code) or code.startswith("00"):
        return _("« %(code)s » n'est pas un code postal : il compte 5 chiffres, par exemple 69001.", code=code)
    return None
