"""SIREN, SIRET, INSEE and RNA checks, with real numbers."""

from __future__ import annotations

import pytest

from participation.core.identifiers import (
    compact,
    insee_code_error,
    luhn_valid,
    postal_code_error,
    rna_error,
    siren_error,
    siret_error,
)


def test_compact_removes_what_people_type_between_digits():
    assert compact(" 732 829 320 ") == "732829320"
    assert compact("732.829.320-00074") == "73282932000074"
    assert compact("732\u00a0829\u202f320") == "732829320"
    assert compact("2a004") == "2A004"
    assert compact(None) == ""


def test_luhn():
    assert luhn_valid("732829320")
    assert not luhn_valid("732829321")
    assert not luhn_valid("73282932x")


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "200046977", "356000000", "552100554"])
def test_valid_sirens(siren):
    assert siren_error(siren) is None


@pytest.mark.parametrize(
    ("siren", "expected"),
    [
        ("732829321", "clé de contrôle ne correspond pas"),
        ("723829320", "clé de contrôle ne correspond pas"),  # two digits swapped
        ("73282932", "compte 9 chiffres ; vous en avez saisi 8"),
        ("7328293200", "compte 9 chiffres ; vous en avez saisi 10"),
        ("73282932A", "ne contient que des chiffres"),
        ("", "Indiquez le numéro SIREN"),
    ],
)
def test_invalid_sirens(siren, expected):
    message = siren_error(siren)
    assert message is not None and expected in message


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",
        "732 829 320 00074",
        "20004697700019",
        "35600000000048",  # La Poste's head office: ordinary Luhn key
        "35600000049837",  # a post office: the sum of its digits is a multiple of 5, Luhn fails
    ],
)
def test_valid_sirets(siret):
    assert siret_error(siret) is None


def test_la_poste_rule_applies_only_to_la_poste():
    assert not luhn_valid("35600000049837")
    assert siret_error("35600000049837") is None
    assert "clé de contrôle" in siret_error("35600000049838")
    # Outside La Poste, a multiple of 5 is not enough: the Luhn key must hold.
    assert sum(map(int, "73282932000072")) % 5 == 0
    assert "clé de contrôle" in siret_error("73282932000072")


@pytest.mark.parametrize(
    ("siret", "expected"),
    [
        ("73282932000075", "clé de contrôle ne correspond pas"),
        ("7328293200007", "compte 14 chiffres ; vous en avez saisi 13"),
        ("7328293200007A", "ne contient que des chiffres"),
        ("", "Indiquez le numéro SIRET"),
    ],
)
def test_invalid_sirets(siret, expected):
    message = siret_error(siret)
    assert message is not None and expected in message


def test_siret_whose_first_nine_digits_are_not_a_siren():
    # The 14 digits pass Luhn, but 732829321 is not a SIREN.
    number = next(f"732829321{n:05d}" for n in range(100000) if luhn_valid(f"732829321{n:05d}"))
    assert "9 premiers chiffres du SIRET doivent former un numéro SIREN valide" in siret_error(number)


def test_siret_must_begin_with_the_siren():
    assert siret_error("73282932000074", siren="732829320") is None
    assert siret_error("73282932000074", siren="732 829 320") is None
    message = siret_error("20004697700019", siren="732829320")
    assert message == "Le SIRET doit commencer par le SIREN (732829320) : ses 9 premiers chiffres sont 200046977."


@pytest.mark.parametrize("code", ["69123", "75056", "01001", "2A004", "2b033", "97411", "97611", "98735"])
def test_valid_insee_codes(code):
    assert insee_code_error(code) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("20004", "commencent par 2A ou 2B"),
        ("1001", "zéro du début : 01001"),
        ("691234", "n'est pas un code INSEE"),
        ("00001", "n'est pas un code INSEE"),
        ("69000", "n'est pas un code INSEE"),  # no commune number 000
        ("99100", "n'est pas un code INSEE"),  # 99: foreign countries, not communes
        ("97100", "n'est pas un code INSEE"),
        ("2C004", "n'est pas un code INSEE"),
        ("LYON", "n'est pas un code INSEE"),
        ("", "Indiquez le code INSEE"),
    ],
)
def test_invalid_insee_codes(code, expected):
    message = insee_code_error(code)
    assert message is not None and expected in message


@pytest.mark.parametrize("rna", ["W751234567", "w751234567", "W 751 234 567", "W2A1002345"])
def test_valid_rna(rna):
    assert rna_error(rna) is None


@pytest.mark.parametrize(
    ("rna", "expected"),
    [
        ("751234567", "commence par la lettre W"),
        ("W75123456", "W puis 9 chiffres"),
        ("W7512345678", "W puis 9 chiffres"),
        ("W75123456X", "W puis 9 chiffres"),
        ("", "Indiquez le numéro RNA"),
    ],
)
def test_invalid_rna(rna, expected):
    message = rna_error(rna)
    assert message is not None and expected in message


@pytest.mark.parametrize("code", ["69001", "01000", "97400", "20000", "37 910"])
def test_valid_postal_codes(code):
    assert postal_code_error(code) is None


@pytest.mark.parametrize("code", ["6900", "690011", "69OO1", "00100"])
def test_invalid_postal_codes(code):
    assert "n'est pas un code postal" in postal_code_error(code)
