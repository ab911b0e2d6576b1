"""Forms of the yearly activity reports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField


class ReportForm(FlaskForm):
    # The years offered are those still open; the service checks the year whatever is sent.
    year = SelectField("Année du rapport", coerce=int, validate_choice=False)


class ReportTextsForm(FlaskForm):
    introduction = TextAreaField("Introduction", description="Markdown accepté. Présentez l'année du conseil et ses temps forts : "
                                                            "ce texte ouvre le rapport, avant les chiffres. Il est nécessaire pour publier.")
    outlook = TextAreaField("Perspectives et remarques", description="Markdown accepté. Les chantiers de l'année qui vient et ce que "
                                                                     "les chiffres appellent comme commentaires ; ce texte clôt le rapport.")
