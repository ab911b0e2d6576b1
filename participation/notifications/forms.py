"""The preference page's form: one choice per category, the digests' hour and day."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField

from participation.notifications.models import Category
from participation.notifications.services import deliveries_for
from flask_babel import gettext as _

WEEKDAYS = [(1, "lundi"), (2, "mardi"), (3, "mercredi"), (4, "jeudi"), (5, "vendredi"), (6, "samedi"), (7, "dimanche")]


def preferences_form(categories: list[Category], data: dict | None = None, **kwargs) -> FlaskForm:
    """A form with a radio group per category shown (``category_<value>``), the hour and the weekday."""

    class PreferencesForm(FlaskForm):
        hour = SelectField(_("Heure d'envoi des résumés"), coerce=int, choices=[(h, f"{h} h") for h in range(24)])
        weekday = SelectField(_("Jour du résumé hebdomadaire"), coerce=int, choices=WEEKDAYS)

    for category in categories:
        setattr(PreferencesForm, f"category_{category.value}",
                RadioField(category.label, choices=[(d.value, d.label) for d in deliveries_for(category)]))
    return PreferencesForm(data=data, **kwargs)
