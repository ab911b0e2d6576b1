"""Checks a CSV against a copy of a published Table Schema's field constraints (the JSON fixtures beside this file).

The rules are the schema's own: each field's type (string, date, number,
integer, boolean with its true and false values, uri), ``required``,
``pattern``, ``enum``, ``maxLength``, ``minimum``/``maximum``, and the custom
checks the SCDL schemas declare (one-of-required, nomenclature-actes).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).parent
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
INTEGER = re.compile(r"^-?\d+$")


def load(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def field_names(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def parse(schema: dict, body: bytes) -> list[dict]:
    text = body.decode(schema["dialect"]["encoding"])
    return list(csv.DictReader(io.StringIO(text), delimiter=schema["dialect"]["delimiter"]))


def _type_error(field: dict, value: str) -> str | None:
    kind = field["type"]
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "date AAAA-MM-JJ attendue"
        return None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "date AAAA-MM-JJ attendue"
    if kind == "number" and not NUMBER.match(value):
        return "nombre attendu (point décimal)"
    if kind == "integer" and not INTEGER.match(value):
        return "entier attendu"
    if kind == "boolean" and value not in (*field.get("trueValues", ["true"]), *field.get("falseValues", ["false"])):
        return f"booléen attendu parmi {field.get('trueValues')} {field.get('falseValues')}"
    if field.get("format") == "uri":
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return "URI attendue"
    return None


def _fold(text: str) -> str:
    return text.casefold()


def row_errors(schema: dict, row: dict) -> list[str]:
    errors = []
    missing = set(schema.get("missingValues", [""]))
    for field in schema["fields"]:
        name, rules = field["name"], field.get("constraints", {})
        value = row.get(name)
        if value is None:
            errors.append(f"{name} : colonne absente")
            continue
        if value in missing:
            if rules.get("required"):
                errors.append(f"{name} : valeur obligatoire")
            continue
        problem = _type_error(field, value)
        if problem:
            errors.append(f"{name} : {problem}")
            continue
        if "pattern" in rules and not re.fullmatch(rules["pattern"].lstrip("^").rstrip("$"), value):
            errors.append(f"{name} : motif {rules['pattern']}")
        if "enum" in rules and value not in rules["enum"]:
            errors.append(f"{name} : valeur non autorisée")
        if "maxLength" in rules and len(value) > rules["maxLength"]:
            errors.append(f"{name} : plus de {rules['maxLength']} caractères")
        if "minimum" in rules and float(value) < rules["minimum"]:
            errors.append(f"{name} : inférieur à {rules['minimum']}")
        if "maximum" in rules and float(value) > rules["maximum"]:
            errors.append(f"{name} : supérieur à {rules['maximum']}")
    for check in schema.get("custom_checks", []):
        params = check["params"]
        if check["name"] == "one-of-required":
            if not (row.get(params["column1"]) or row.get(params["column2"])):
                errors.append(f"{params['column1']} ou {params['column2']} : l'un des deux est obligatoire")
        elif check["name"] == "nomenclature-actes":
            code, label = row.get(params["code_column"], ""), row.get(params["name_column"], "")
            major, _, minor = code.partition(".")
            if major not in params["codes"] or not minor.isdigit() or not 1 <= int(minor) <= params["codes"][major]:
                errors.append(f"{params['code_column']} : code hors de la nomenclature ACTES")
                continue
            first, slash, second = label.partition("/")
            if not slash or _fold(first) != _fold(params["level_1"][major]):
                errors.append(f"{params['name_column']} : la matière de niveau 1 ne correspond pas au code")
            known = params.get("level_2_used", {}).get(code)
            if known and _fold(second) != _fold(known):
                errors.append(f"{params['name_column']} : la sous-matière ne correspond pas au code")
            if "," in label or "(" in label or label != label.lower():
                errors.append(f"{params['name_column']} : minuscules accentuées, sans virgule ni parenthèse")
    return errors
