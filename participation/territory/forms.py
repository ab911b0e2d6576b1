"""Forms of the territory's back office."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation, ValidationError

from participation.core.identifiers import insee_code_error, postal_code_error
from participation.territory.models import ACCESSIBILITY_STATUSES
from participation.territory.services import TERRITORY_FIELDS, clean_territory_values

REQUIRED = "Ce champ est obligatoire."
EMAIL = Email(message="Indiquez une adresse électronique valide, par exemple nom@exemple.fr.", check_deliverability=False)


def not_negative(form, field):
    # A value that is not a number already has its own message.
    if field.data is not None and field.data < 0:
        raise ValidationError("Indiquez un nombre positif.")


class CountField(IntegerField):
    """A whole number as people write it in French, digits grouped by spaces: « 105 165 »."""

    def process_formdata(self, valuelist):
        super().process_formdata([re.sub(r"[\s\u00a0\u202f]", "", v) for v in valuelist])


def _max(n: int) -> Length:
    return Length(max=n, message=f"{n} caractères au plus.")


class TerritoryForm(FlaskForm):
    name = StringField("Nom de la collectivité", validators=[DataRequired(REQUIRED), _max(160)],
                       description="Il s'affiche en tête de chaque page, par exemple « Agglomération du Val de Loirande ».")
    kind = StringField("Nature de la collectivité", validators=[DataRequired(REQUIRED), _max(80)],
                       description="Par exemple : communauté d'agglomération, communauté de communes, département, commune.")
    siren = StringField("SIREN", validators=[Optional()], description="9 chiffres ; les espaces sont acceptés.")
    siret = StringField("SIRET du siège", validators=[Optional()], description="14 chiffres, qui commencent par le SIREN.")
    population = CountField("Population", validators=[Optional(), not_negative], description="Population municipale totale du territoire.")
    address = TextAreaField("Adresse postale", validators=[_max(2000)])
    contact_email = EmailField("Adresse électronique de contact", validators=[Optional(), EMAIL, _max(254)])
    brand_colour = StringField("Couleur de la plateforme", validators=[DataRequired(REQUIRED)],
                               description="# suivi de 6 chiffres hexadécimaux, par exemple #1f5f8b. "
                                           "Elle est assombrie s'il le faut pour que le texte blanc reste lisible.")
    logo = FileField("Logo", description="PNG ou JPEG, 1 Mo au plus ; il s'affiche à côté du nom, sur une hauteur de 48 pixels.")
    remove_logo = BooleanField("Retirer le logo actuel")
    mandate_start = DateField("Début de la mandature", validators=[Optional()],
                              description="La mandature est la période que couvre l'agenda citoyen.")
    mandate_end = DateField("Fin de la mandature", validators=[Optional()])
    council_renewal_date = DateField("Dernier renouvellement général des conseils municipaux", validators=[Optional()],
                                     description="Les échéances du pacte de gouvernance en découlent (par exemple le 22/03/2026).")
    publication_director = StringField("Directeur ou directrice de la publication", validators=[_max(160)],
                                       description="En général, la présidente ou le président de la collectivité.")
    host_name = StringField("Hébergeur", validators=[_max(160)])
    host_address = TextAreaField("Adresse de l'hébergeur", validators=[_max(2000)])
    dpo_name = StringField("Délégué à la protection des données", validators=[_max(160)], description="Nom ou fonction.")
    dpo_email = EmailField("Adresse électronique du délégué", validators=[Optional(), EMAIL, _max(254)])
    dpo_address = TextAreaField("Adresse postale du délégué", validators=[_max(2000)])
    accessibility_status = SelectField("État de conformité au RGAA",
                                       choices=[(s, s.capitalize()) for s in ACCESSIBILITY_STATUSES],
                                       description="Sans audit, la plateforme est déclarée non conforme.")
    accessibility_audit_date = DateField("Date de l'audit d'accessibilité", validators=[Optional()])
    accessibility_contact = EmailField("Contact pour l'accessibilité", validators=[Optional(), EMAIL, _max(254)],
                                       description="L'adresse à laquelle signaler un défaut d'accessibilité.")

    # The groups of fields, each shown in its own fieldset.
    GROUPS = [
        ("Identité", ["name", "kind", "siren", "siret", "population", "address", "contact_email"]),
        ("Apparence et mandature", ["brand_colour", "logo", "remove_logo", "mandate_start", "mandate_end", "council_renewal_date"]),
        ("Mentions légales", ["publication_director", "host_name", "host_address"]),
        ("Protection des données personnelles", ["dpo_name", "dpo_email", "dpo_address"]),
        ("Accessibilité", ["accessibility_status", "accessibility_audit_date", "accessibility_contact"]),
    ]

    def values(self) -> dict:
        return {name: self[name].data for name in TERRITORY_FIELDS}

    def validate(self, extra_validators=None) -> bool:
        """The service's rules too, so that every field's problem shows at once."""
        valid = super().validate(extra_validators)
        _, problems = clean_territory_values(self.values())
        for name, message in problems.items():
            if not self[name].errors:
                self[name].errors.append(message)
        return valid and not problems


class CommuneForm(FlaskForm):
    insee_code = StringField("Code INSEE", validators=[DataRequired(REQUIRED)],
                             description="5 caractères, par exemple 69123 ou 2A004 (Code officiel géographique).")
    name = StringField("Nom", validators=[DataRequired(REQUIRED), _max(120)])
    postal_code = StringField("Code postal", validators=[Optional()], description="5 chiffres.")
    population = CountField("Population", validators=[Optional(), not_negative])

    def validate_insee_code(self, field):
        problem = insee_code_error(field.data)
        if problem:
            raise StopValidation(problem)

    def validate_postal_code(self, field):
        problem = postal_code_error(field.data) if field.data else None
        if problem:
            raise StopValidation(problem)


MAX_CSV_BYTES = 2 * 1024 * 1024
CSV_CONTENT_TYPES = ("text/csv", "text/plain", "application/vnd.ms-excel")


class CsvUpload:
    """A CSV file as a browser sends it: named ``….csv``, of a text type, at most ``max_bytes``."""

    def __init__(self, max_bytes: int = MAX_CSV_BYTES):
        self.max_bytes = max_bytes
        self.field_flags = {"required": True}

    def __call__(self, form, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", None):
            raise StopValidation("Choisissez un fichier CSV à importer.")
        if not upload.filename.lower().endswith(".csv"):
            raise StopValidation("Le fichier doit être au format CSV (nom en « .csv ») : enregistrez-le sous ce format depuis votre tableur.")
        if upload.mimetype not in CSV_CONTENT_TYPES:
            raise StopValidation("Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV depuis votre tableur.")
        size = upload.stream.seek(0, 2)
        upload.stream.seek(0)
        if size > self.max_bytes:
            raise StopValidation(
                f"Le fichier pèse {size / 1024 / 1024:.1f} Mo : il ne doit pas dépasser {self.max_bytes // 1024 // 1024} Mo.".replace(".", ",", 1)
            )


class ImportCommunesForm(FlaskForm):
    file = FileField("Fichier CSV des communes", validators=[CsvUpload()], render_kw={"accept": ".csv,text/csv"},
                     description="Une ligne par commune, avec les colonnes code_insee et nom, et si vous les avez code_postal et population, "
                                 "séparées par des points-virgules ou des virgules. 2 Mo au plus. "
                                 "Une commune déjà connue est mise à jour ; si une ligne est incorrecte, rien n'est importé.")


class ThemeForm(FlaskForm):
    name = StringField("Nom du thème", validators=[DataRequired(REQUIRED), _max(120)])
    description = TextAreaField("Description", validators=[_max(2000)], description="Facultative : ce que le thème recouvre.")


class DepartmentForm(FlaskForm):
    name = StringField("Nom de la direction ou du service", validators=[DataRequired(REQUIRED), _max(160)])
    code = StringField("Code", validators=[DataRequired(REQUIRED), _max(20)],
                       description="Majuscules, chiffres et tirets, par exemple DEV-ECO. Il sert dans les exports.")
    email = EmailField("Boîte aux lettres partagée", validators=[Optional(), EMAIL, _max(254)],
                       description="L'adresse qui reçoit les courriels quand un dossier concerne cette direction.")


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class NeighbourhoodForm(FlaskForm):
    name = StringField("Nom du quartier", validators=[DataRequired(REQUIRED), _max(160)])
    qpv_code = StringField("Code du quartier prioritaire (QPV)", validators=[DataRequired(REQUIRED), _max(10)],
                           description="Le code attribué par l'État, par exemple QN03701M.")
    commune = SelectField("Commune", choices=[], validators=[DataRequired(REQUIRED)])
