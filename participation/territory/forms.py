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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")
EMAIL = Email(message=_l("Indiquez une adresse électronique valide, par exemple nom@exemple.fr."), check_deliverability=False)


def not_negative(form, field):
    # A value that is not a number already has its own message.
    if field.data is not None and field.data < 0:
        raise ValidationError(_("Indiquez un nombre positif."))


class CountField(IntegerField):
    """A whole number as people write it in French, digits grouped by spaces: « 105 165 »."""

    def process_formdata(self, valuelist):
        super().process_formdata([re.sub(r"[\s\u00a0\u202f]", "", v) for v in valuelist])


def _max(n: int) -> Length:
    return Length(max=n, message=_("%(n)s caractères au plus.", n=n))


class TerritoryForm(FlaskForm):
    name = StringField(_l("Nom de la collectivité"), validators=[DataRequired(REQUIRED), _max(160)],
                       description=_l("Il s'affiche en tête de chaque page, par exemple « Agglomération du Val de Loirande »."))
    kind = StringField(_l("Nature de la collectivité"), validators=[DataRequired(REQUIRED), _max(80)],
                       description=_l("Par exemple : communauté d'agglomération, communauté de communes, département, commune."))
    siren = StringField("SIREN", validators=[Optional()], description=_l("9 chiffres ; les espaces sont acceptés."))
    siret = StringField(_l("SIRET du siège"), validators=[Optional()], description=_l("14 chiffres, qui commencent par le SIREN."))
    population = CountField(_l("Population"), validators=[Optional(), not_negative], description=_l("Population municipale totale du territoire."))
    address = TextAreaField(_l("Adresse postale"), validators=[_max(2000)])
    contact_email = EmailField(_l("Adresse électronique de contact"), validators=[Optional(), EMAIL, _max(254)])
    brand_colour = StringField(_l("Couleur de la plateforme"), validators=[DataRequired(REQUIRED)],
                               description=_l("# suivi de 6 chiffres hexadécimaux, par exemple #1f5f8b. "
                                           "Elle est assombrie s'il le faut pour que le texte blanc reste lisible."))
    logo = FileField(_l("Logo"), description=_l("PNG ou JPEG, 1 Mo au plus ; il s'affiche à côté du nom, sur une hauteur de 48 pixels."))
    remove_logo = BooleanField(_l("Retirer le logo actuel"))
    mandate_start = DateField(_l("Début de la mandature"), validators=[Optional()],
                              description=_l("La mandature est la période que couvre l'agenda citoyen."))
    mandate_end = DateField(_l("Fin de la mandature"), validators=[Optional()])
    council_renewal_date = DateField(_l("Dernier renouvellement général des conseils municipaux"), validators=[Optional()],
                                     description=_l("Les échéances du pacte de gouvernance en découlent (par exemple le 22/03/2026)."))
    publication_director = StringField(_l("Directeur ou directrice de la publication"), validators=[_max(160)],
                                       description=_l("En général, la présidente ou le président de la collectivité."))
    host_name = StringField(_l("Hébergeur"), validators=[_max(160)])
    host_address = TextAreaField(_l("Adresse de l'hébergeur"), validators=[_max(2000)])
    dpo_name = StringField(_l("Délégué à la protection des données"), validators=[_max(160)], description=_l("Nom ou fonction."))
    dpo_email = EmailField(_l("Adresse électronique du délégué"), validators=[Optional(), EMAIL, _max(254)])
    dpo_address = TextAreaField(_l("Adresse postale du délégué"), validators=[_max(2000)])
    accessibility_status = SelectField(_l("État de conformité au RGAA"),
                                       choices=[(s, s.capitalize()) for s in ACCESSIBILITY_STATUSES],
                                       description=_l("Sans audit, la plateforme est déclarée non conforme."))
    accessibility_audit_date = DateField(_l("Date de l'audit d'accessibilité"), validators=[Optional()])
    accessibility_contact = EmailField(_l("Contact pour l'accessibilité"), validators=[Optional(), EMAIL, _max(254)],
                                       description=_l("L'adresse à laquelle signaler un défaut d'accessibilité."))

    # The groups of fields, each shown in its own fieldset.
    GROUPS = [
        (_l("Identité"), ["name", "kind", "siren", "siret", "population", "address", "contact_email"]),
        (_l("Apparence et mandature"), ["brand_colour", "logo", "remove_logo", "mandate_start", "mandate_end", "council_renewal_date"]),
        (_l("Mentions légales"), ["publication_director", "host_name", "host_address"]),
        (_l("Protection des données personnelles"), ["dpo_name", "dpo_email", "dpo_address"]),
        (_l("Accessibilité"), ["accessibility_status", "accessibility_audit_date", "accessibility_contact"]),
    ]

    def values(self) -> dict:
        return {name: self[name].data for name in TERRITORY_FIELDS}

    def validate(self, extra_validators=None) -> bool:
        """The service's rules too, so that every field's problem shows at once."""
        valid = super().validate(extra_validators)
        _unused, problems = clean_territory_values(self.values())
        for name, message in problems.items():
            if not self[name].errors:
                self[name].errors.append(message)
        return valid and not problems


class CommuneForm(FlaskForm):
    insee_code = StringField(_l("Code INSEE"), validators=[DataRequired(REQUIRED)],
                             description=_l("5 caractères, par exemple 69123 ou 2A004 (Code officiel géographique)."))
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), _max(120)])
    postal_code = StringField(_l("Code postal"), validators=[Optional()], description=_l("5 chiffres."))
    population = CountField(_l("Population"), validators=[Optional(), not_negative])

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
            raise StopValidation(_("Choisissez un fichier CSV à importer."))
        if not upload.filename.lower().endswith(".csv"):
            raise StopValidation(_("Le fichier doit être au format CSV (nom en « .csv ») : enregistrez-le sous ce format depuis votre tableur."))
        if upload.mimetype not in CSV_CONTENT_TYPES:
            raise StopValidation(_("Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV depuis votre tableur."))
        size = upload.stream.seek(0, 2)
        upload.stream.seek(0)
        if size > self.max_bytes:
            raise StopValidation(
                _("Le fichier pèse %(value).1f Mo : il ne doit pas dépasser %(value2)s Mo.", value=size / 1024 / 1024, value2=self.max_bytes // 1024 // 1024).replace(".", ",", 1)
            )


class ImportCommunesForm(FlaskForm):
    file = FileField(_l("Fichier CSV des communes"), validators=[CsvUpload()], render_kw={"accept": ".csv,text/csv"},
                     description=_l("Une ligne par commune, avec les colonnes code_insee et nom, et si vous les avez code_postal et population, "
                                 "séparées par des points-virgules ou des virgules. 2 Mo au plus. "
                                 "Une commune déjà connue est mise à jour ; si une ligne est incorrecte, rien n'est importé."))


class ThemeForm(FlaskForm):
    name = StringField(_l("Nom du thème"), validators=[DataRequired(REQUIRED), _max(120)])
    description = TextAreaField(_l("Description"), validators=[_max(2000)], description=_l("Facultative : ce que le thème recouvre."))


class DepartmentForm(FlaskForm):
    name = StringField(_l("Nom de la direction ou du service"), validators=[DataRequired(REQUIRED), _max(160)])
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), _max(20)],
                       description=_l("Majuscules, chiffres et tirets, par exemple DEV-ECO. Il sert dans les exports."))
    email = EmailField(_l("Boîte aux lettres partagée"), validators=[Optional(), EMAIL, _max(254)],
                       description=_l("L'adresse qui reçoit les courriels quand un dossier concerne cette direction."))


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class NeighbourhoodForm(FlaskForm):
    name = StringField(_l("Nom du quartier"), validators=[DataRequired(REQUIRED), _max(160)])
    qpv_code = StringField(_l("Code du quartier prioritaire (QPV)"), validators=[DataRequired(REQUIRED), _max(10)],
                           description=_l("Le code attribué par l'État, par exemple QN03701M."))
    commune = SelectField(_l("Commune"), choices=[], validators=[DataRequired(REQUIRED)])
