"""Numbers and amounts as the reader's language writes them.

French keeps the house forms, byte for byte: « 24 000,00 € » (narrow no-break
space between thousands, no-break space before the euro sign), « 42,5 % ».
Other languages take Babel's forms for the current locale: « €24,000.00 »,
« 42.5% ».
"""

from __future__ import annotations

from flask_babel import format_currency, format_decimal, get_locale


def is_french() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "fr"


def euros(cents: int | None) -> str:
    """« 24 000,00 € »; in English « €24,000.00 »."""
    if cents is None:
        return "—"
    if not is_french():
        return format_currency(int(cents) / 100, "EUR", format="¤#,##0.00", currency_digits=False)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"


def whole_euros(value: int | float) -> str:
    """« 1 500 € »; in English « €1,500 »."""
    if not is_french():
        return format_currency(value, "EUR", format="¤#,##0", currency_digits=False)
    return f"{value:,} €".replace(",", "\u202f")


def decimal(value: float | int | None, digits: int = 1) -> str:
    """« 4,5 », trailing zeros dropped; in English « 4.5 »."""
    if value is None:
        return "—"
    text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if is_french() else text


def number(value: int | None) -> str:
    """« 12 345 »; in English « 12,345 »."""
    if value is None:
        return "—"
    if not is_french():
        return format_decimal(value, format="#,##0")
    return f"{int(value):,}".replace(",", "\u202f")


def percent(value: float | int | None) -> str:
    """« 42,5 % » with a no-break space; in English « 42.5% »."""
    text = decimal(float(value or 0), 1)
    return text + "\u00a0%" if is_french() else text + "%"
