"""Rules every form follows, whatever its domain: no number, date or text that
the database cannot hold, or that means nothing, gets past the form.

``install()`` (called by ``create_app``) gives every ``FlaskForm`` of the
platform, written today or later, the meta class ``BoundedMeta``. When a form
is bound, each of its fields gets a first validator, ``InputBounds``:

* a whole number (``IntegerField`` and its subclasses) lies between
  ``-INT_MAX`` and ``INT_MAX``, what a 32-bit ``INTEGER`` column holds;
* a decimal or float number (``DecimalField``, ``FloatField``: amounts,
  budgets) is finite (no ``NaN``, no ``Infinity``) and, unless the field sets
  its own ``NumberRange`` maximum, at most ``DECIMAL_MAX`` in absolute value
  (euros whose cents fit a 32-bit column);
* a date lies between ``DATE_MIN`` and ``DATE_MAX`` (no year 9999 that turns
  into an overflow three months later);
* a list whose values are ids (``SelectField(coerce=int)``, checked against
  its choices or not) holds no number beyond ``INT_MAX``.

A refused value gets a French message next to the field, and the field's
other validators do not run on it. A field that needs more (a grants
envelope in a ``BIGINT`` column) declares ``NumberRange(max=…)``.

Text is cleaned earlier, for every form and query string alike: the request
drops control characters (NUL…) from every submitted value
(``participation.core.web.InputRequest``).
"""

from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, DecimalField, FloatField, IntegerField
from wtforms.fields import DateTimeLocalField, SelectFieldBase
from wtforms.validators import NumberRange, StopValidation
from flask_babel import gettext as _

# What a 32-bit INTEGER column (PostgreSQL ``integer``) holds.
INT_MAX = 2**31 - 1
# Euros whose cents fit an INTEGER column.
DECIMAL_MAX = Decimal(INT_MAX // 100)
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)

# C0 and C1 control characters but tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """``value`` without control characters (NUL…); tabs and line breaks are kept."""
    return CONTROL_CHARACTERS.sub("", value) if CONTROL_CHARACTERS.search(value) else value


def parse_int(value, default=None, *, minimum: int = -INT_MAX, maximum: int = INT_MAX):
    """``value`` as a whole number between ``minimum`` and ``maximum``, else ``default``.

    What an id, a page number or a filter may be: ``"99999999999999999999"``,
    ``"1e9"`` or ``"-0x1"`` give ``default``, never an error further down.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and 0 < len(value.strip()) <= 12:
        try:
            number = int(value.strip())
        except ValueError:
            return default
    else:
        return default
    return number if minimum <= number <= maximum else default


def _french_number(value) -> str:
    return f"{value:,}".replace(",", "\u202f")


class InputBounds:
    """The first validator of every field: refuses what no column holds (see the module)."""

    field_flags: dict = {}

    def __call__(self, form, field):
        data = field.data
        if isinstance(field, IntegerField):
            if data is not None and not -INT_MAX <= data <= INT_MAX:
                self._refuse(field, _("Ce nombre est trop grand : %(french_number)s au plus.", french_number=_french_number(INT_MAX)) if data > 0 else _("Ce nombre est trop petit."))
        elif isinstance(field, (DecimalField, FloatField)):
            if data is None:
                return
            if isinstance(data, Decimal) and not data.is_finite() or isinstance(data, float) and not math.isfinite(data):
                self._refuse(field, _("Indiquez un nombre, par exemple 1500 ou 1500,50."))
            if not _declares_maximum(field) and abs(data) > DECIMAL_MAX:
                self._refuse(field, _("Ce nombre est trop grand : %(french_number)s au plus.", french_number=_french_number(int(DECIMAL_MAX))) if data > 0 else _("Ce nombre est trop petit."))
        elif isinstance(field, SelectFieldBase):
            # A list whose values are ids (``coerce=int``), perhaps unchecked (``validate_choice=False``).
            chosen = data if isinstance(data, (list, tuple)) else [data]
            if any(isinstance(v, int) and not -INT_MAX <= v <= INT_MAX for v in chosen):
                self._refuse(field, _("Choisissez une valeur de la liste."))
        elif isinstance(field, (DateField, DateTimeField, DateTimeLocalField)):
            if data is None:
                return
            day = data.date() if isinstance(data, datetime) else data
            if not DATE_MIN <= day <= DATE_MAX:
                self._refuse(field, _("Indiquez une date entre %(year)s et %(year2)s.", year=DATE_MIN.year, year2=DATE_MAX.year))

    @staticmethod
    def _refuse(field, message: str):
        # The value is dropped, so that nothing downstream (another validator,
        # the page shown again) computes with it.
        field.data = None
        raise StopValidation(message)


def _json_pairs(document) -> list[tuple[str, str]]:
    """A JSON object as form pairs: scalars as text, lists as repeated values, anything else dropped."""
    pairs = []
    for key, value in (document.items() if isinstance(document, dict) else ()):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                pairs.append((key, "y" if item else ""))
            elif isinstance(item, (str, int, float)):
                pairs.append((key, str(item)))
    return pairs


def _declares_maximum(field) -> bool:
    return any(isinstance(v, NumberRange) and v.max is not None for v in field.validators)


_BOUNDED_FIELDS = (IntegerField, DecimalField, FloatField, DateField, DateTimeField, DateTimeLocalField, SelectFieldBase)


class BoundedMeta(FlaskForm.Meta):
    """Flask-WTF's meta class, plus ``InputBounds`` first on every number and date field.

    A form posted as JSON (Flask-WTF reads it as form data) is cleaned like a
    posted form: texts without control characters, nested lists and objects dropped.
    """

    def wrap_formdata(self, form, formdata):
        from flask import request
        from flask_wtf.form import _Auto

        if formdata is _Auto and request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json \
                and not request.form and not request.files:
            return request.parameter_storage_class(_json_pairs(request.get_json(silent=True)))
        return super().wrap_formdata(form, formdata)

    def get_translations(self, form):
        from flask import current_app
        from flask_babel import get_locale

        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return super().get_translations(form)
        # WTForms' own messages, read from disk once per language (Flask-WTF reads them at every request).
        return _wtforms_catalog(str(get_locale()))

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, _BOUNDED_FIELDS):
            # A new list: the field's validators may be shared by every instance of the form.
            field.validators = [InputBounds(), *field.validators]
        return field


@functools.lru_cache(maxsize=16)
def _wtforms_catalog(locale: str):
    from babel import support
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def install() -> None:
    """Give every ``FlaskForm`` the platform's input rules (idempotent)."""
    if not issubclass(FlaskForm.Meta, BoundedMeta):
        FlaskForm.Meta = BoundedMeta
