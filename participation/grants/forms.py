"""The grant forms: association, documents, CERFA 12156*06, instruction, decision, payment, CERFA 15059*02."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.grants.models import (
    CHARGE_ACCOUNTS,
    PRODUCT_ACCOUNTS,
    AidKind,
    DocumentKind,
    Duration,
    Opinion,
    PaymentTerms,
    PurposeKind,
    RequestKind,
)

REQUIRED = "Ce champ est obligatoire."
AMOUNT = "Indiquez un montant en euros, par exemple 1500 ou 1500,50."
EMAIL = Email(message="Indiquez une adresse électronique valide, par exemple nom@exemple.fr.", check_deliverability=False)
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


class EuroField(DecimalField):
    """An amount in euros, typed with a comma or a dot; read back as integer cents."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], places=2, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")]
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and self.data.is_finite() and self.data.as_tuple().exponent < -2:
            self.data = None
            raise ValueError("Deux décimales au plus.")

    @property
    def cents(self) -> int | None:
        return None if self.data is None else int((self.data * 100).to_integral_value())

    def set_cents(self, cents: int | None) -> None:
        self.data = None if cents is None else Decimal(cents) / 100


def _choices(enum_cls):
    return [(member.value, member.label) for member in enum_cls]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()




class AssociationForm(FlaskForm):
    name = StringField("Nom de l'association", validators=[DataRequired(REQUIRED), Length(max=200)])
    rna = StringField("Numéro RNA", validators=[DataRequired(REQUIRED)],
                      description="La lettre W suivie de 9 chiffres, sur le récépissé de la préfecture (par exemple W751234567).")
    siret = StringField("Numéro SIRET (si l'association en a un)", validators=[Optional()],
                        description="14 chiffres. Il est nécessaire pour recevoir un versement.")
    address = TextAreaField("Adresse du siège", validators=[DataRequired(REQUIRED)])
    purpose = TextAreaField("Objet de l'association", validators=[DataRequired(REQUIRED)],
                            description="Tel qu'il figure dans les statuts.")
    email = EmailField("Adresse électronique de l'association", validators=[DataRequired(REQUIRED), EMAIL])
    phone = StringField("Téléphone (facultatif)", validators=[Optional(), Length(max=30)])
    annual_budget = EuroField("Budget annuel de l'association, en euros (facultatif)",
                              description="Il sert à savoir si un bilan certifié est exigé (subvention supérieure à la moitié du budget).")
    financial_year_end_month = SelectField("Mois de clôture de l'exercice", choices=[(str(i), MONTHS[i - 1]) for i in range(1, 13)], default="12")
    commune = SelectField(_l("Commune du siège"), choices=[], validate_choice=False, validators=[Optional()],
                          description=_l("Sert aux indicateurs de la collectivité (subventions par commune)."))


class DeclareAssociationForm(AssociationForm):
    office = StringField("Votre fonction dans l'association (facultatif)", validators=[Optional(), Length(max=80)],
                         description="Par exemple : présidente, trésorier.")


class DocumentForm(FlaskForm):
    kind = SelectField("Type de document", choices=_choices(DocumentKind))
    document_date = DateField("Date du document", validators=[DataRequired("Indiquez la date du document.")],
                              description="La date qu'il porte : adoption des statuts, clôture des comptes…")
    file = FileField("Fichier (PDF, JPEG ou PNG)")


class InviteForm(FlaskForm):
    email = EmailField("Adresse électronique de la personne à inviter", validators=[DataRequired(REQUIRED), EMAIL])


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class StartApplicationForm(FlaskForm):
    association = SelectField("Association qui demande la subvention", choices=[])


class ApplicationForm(FlaskForm):
    aid_kind = RadioField("Nature de l'aide", choices=_choices(AidKind), default=AidKind.cash.value)
    request_kind = RadioField("Type de demande", choices=_choices(RequestKind), default=RequestKind.first.value)
    purpose_kind = RadioField("Objet de la demande", choices=_choices(PurposeKind), default=PurposeKind.project.value)
    duration = RadioField("Durée", choices=_choices(Duration), default=Duration.one_year.value)
    project_title = StringField("Intitulé du projet", validators=[DataRequired(REQUIRED), Length(max=200)])
    goals = TextAreaField("Objectifs", validators=[Optional()])
    audience = TextAreaField("Public visé", validators=[Optional()])
    place = StringField("Lieu de réalisation", validators=[Optional(), Length(max=200)])
    start_date = DateField("Date de début", validators=[Optional()])
    end_date = DateField("Date de fin", validators=[Optional()])
    expected_results = TextAreaField("Résultats attendus", validators=[Optional()])
    evaluation = TextAreaField("Méthode d'évaluation", validators=[Optional()],
                               description="Les indicateurs qui montreront si les objectifs sont atteints.")
    amount_requested = EuroField("Montant demandé, en euros")
    signatory = StringField("Nom et qualité du signataire", validators=[Optional(), Length(max=160)],
                            description="Par exemple : Marie Durand, présidente.")
    sign_cer = BooleanField("Au nom de l'association, je souscris au contrat d'engagement républicain ci-dessus")


for _code, _label in CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS:
    setattr(ApplicationForm, f"account_{_code}", EuroField(_label))


class DropForm(FlaskForm):
    reason = TextAreaField("Motif (facultatif)", validators=[Optional()])


class CompletionForm(FlaskForm):
    missing = TextAreaField("Ce qui manque", validators=[DataRequired("Dites à l'association ce qui manque.")],
                            description="Ce texte est envoyé à l'association.")


class NoteForm(FlaskForm):
    body = TextAreaField("Note interne", validators=[DataRequired("La note est vide.")],
                         description="Visible seulement des agents.")


class ProposalForm(FlaskForm):
    amount_proposed = EuroField("Montant proposé, en euros", validators=[DataRequired("Indiquez le montant proposé (0 pour un avis défavorable).")])
    opinion = SelectField("Avis", choices=_choices(Opinion))
    reason = TextAreaField("Motivation de l'avis", validators=[Optional()])


class GrantForm(FlaskForm):
    amount_granted = EuroField("Montant accordé, en euros", validators=[DataRequired("Indiquez le montant accordé.")])
    decided_on = DateField("Date de la décision", validators=[DataRequired("Indiquez la date de la décision.")])
    reference = StringField("Référence de la délibération ou de l'arrêté", validators=[DataRequired(REQUIRED), Length(max=80)])
    payment_terms = SelectField("Conditions de versement", choices=_choices(PaymentTerms))
    payment_from = DateField("Date de versement prévue (ou début de la période)", validators=[DataRequired(REQUIRED)])
    payment_until = DateField("Fin de la période de versement (facultatif)", validators=[Optional()])
    eu_notified = BooleanField("Aide notifiée à la Commission européenne (de minimis)")


class RefuseForm(FlaskForm):
    reason = TextAreaField("Motif du refus", validators=[DataRequired("Le refus doit être motivé.")],
                           description="Il est envoyé à l'association.")
    decided_on = DateField("Date de la décision", validators=[DataRequired(REQUIRED)])
    reference = StringField("Référence de la décision (facultatif)", validators=[Optional(), Length(max=80)])


class ReopenForm(FlaskForm):
    reason = TextAreaField("Motif de la réouverture", validators=[DataRequired("Indiquez pourquoi le dossier est rouvert.")])


class ConventionForm(FlaskForm):
    signed_on = DateField("Date de signature de la convention", validators=[DataRequired(REQUIRED)])
    file = FileField("Convention signée (PDF, facultatif)")


class PaymentForm(FlaskForm):
    amount = EuroField("Montant versé, en euros", validators=[DataRequired("Indiquez le montant versé.")])
    paid_on = DateField("Date du versement", validators=[DataRequired(REQUIRED)])
    reference = StringField("Référence du mandat (facultatif)", validators=[Optional(), Length(max=80)])


class ReportForm(FlaskForm):
    narrative = TextAreaField("Compte rendu de l'action", validators=[DataRequired("Décrivez l'action réalisée.")],
                              description="Ce qui a été réalisé, les écarts avec le budget prévu et leurs raisons.")


for _code, _label in CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS:
    setattr(ReportForm, f"planned_{_code}", EuroField(f"{_label} : prévu"))
    setattr(ReportForm, f"actual_{_code}", EuroField(f"{_label} : réalisé"))


class CallForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Présentation", validators=[DataRequired(REQUIRED)])
    eligibility = TextAreaField("Conditions d'éligibilité", validators=[DataRequired(REQUIRED)])
    envelope = EuroField("Enveloppe, en euros", validators=[DataRequired("Indiquez l'enveloppe."), NumberRange(min=0, message="Un montant positif.")])
    opens_at = DateTimeLocalField("Ouverture", format="%Y-%m-%dT%H:%M", validators=[DataRequired("Indiquez la date et l'heure d'ouverture.")])
    closes_at = DateTimeLocalField("Clôture", format="%Y-%m-%dT%H:%M", validators=[DataRequired("Indiquez la date et l'heure de clôture.")])
    department = SelectField("Service instructeur", choices=[])
    themes = MultiCheckboxField("Thèmes", choices=[])
    required_documents = MultiCheckboxField("Documents exigés", choices=_choices(DocumentKind))
    rae_id = StringField("Numéro au Répertoire des aides aux entreprises (idRAE)", validators=[Optional(), Length(max=5, message="Au plus 5 caractères.")],
                         description="Facultatif : publié dans les données essentielles des subventions.")
    aid_scheme = StringField("Identifiant du dispositif d'aide", validators=[Optional(), Length(max=100)],
                             description="Facultatif : l'identifiant du dispositif dans les données « dispositifs d'aide ».")
