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
from flask_babel import gettext as _

REQUIRED = _l("Ce champ est obligatoire.")
AMOUNT = _l("Indiquez un montant en euros, par exemple 1500 ou 1500,50.")
EMAIL = Email(message=_l("Indiquez une adresse électronique valide, par exemple nom@exemple.fr."), check_deliverability=False)
MONTHS = [_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"), _l("juillet"), _l("août"), _l("septembre"), _l("octobre"),
          _l("novembre"), _l("décembre")]


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
            raise ValueError(_("Deux décimales au plus."))

    @property
    def cents(self) -> int | None:
        return None if self.data is None else int((self.data * 100).to_integral_value())

    def set_cents(self, cents: int | None) -> None:
        self.data = None if cents is None else Decimal(cents) / 100


def _choices(enum_cls):
    return [(member.value, member.lazy_label) for member in enum_cls]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()




class AssociationForm(FlaskForm):
    name = StringField(_l("Nom de l'association"), validators=[DataRequired(REQUIRED), Length(max=200)])
    rna = StringField(_l("Numéro RNA"), validators=[DataRequired(REQUIRED)],
                      description=_l("La lettre W suivie de 9 chiffres, sur le récépissé de la préfecture (par exemple W751234567)."))
    siret = StringField(_l("Numéro SIRET (si l'association en a un)"), validators=[Optional()],
                        description=_l("14 chiffres. Il est nécessaire pour recevoir un versement."))
    address = TextAreaField(_l("Adresse du siège"), validators=[DataRequired(REQUIRED)])
    purpose = TextAreaField(_l("Objet de l'association"), validators=[DataRequired(REQUIRED)],
                            description=_l("Tel qu'il figure dans les statuts."))
    email = EmailField(_l("Adresse électronique de l'association"), validators=[DataRequired(REQUIRED), EMAIL])
    phone = StringField(_l("Téléphone (facultatif)"), validators=[Optional(), Length(max=30)])
    annual_budget = EuroField(_l("Budget annuel de l'association, en euros (facultatif)"),
                              description=_l("Il sert à savoir si un bilan certifié est exigé (subvention supérieure à la moitié du budget)."))
    financial_year_end_month = SelectField(_l("Mois de clôture de l'exercice"), choices=[(str(i), MONTHS[i - 1]) for i in range(1, 13)], default="12")
    commune = SelectField(_l("Commune du siège"), choices=[], validate_choice=False, validators=[Optional()],
                          description=_l("Sert aux indicateurs de la collectivité (subventions par commune)."))


class DeclareAssociationForm(AssociationForm):
    office = StringField(_l("Votre fonction dans l'association (facultatif)"), validators=[Optional(), Length(max=80)],
                         description=_l("Par exemple : présidente, trésorier."))


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Type de document"), choices=_choices(DocumentKind))
    document_date = DateField(_l("Date du document"), validators=[DataRequired(_l("Indiquez la date du document."))],
                              description=_l("La date qu'il porte : adoption des statuts, clôture des comptes…"))
    file = FileField(_l("Fichier (PDF, JPEG ou PNG)"))


class InviteForm(FlaskForm):
    email = EmailField(_l("Adresse électronique de la personne à inviter"), validators=[DataRequired(REQUIRED), EMAIL])


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class StartApplicationForm(FlaskForm):
    association = SelectField(_l("Association qui demande la subvention"), choices=[])


class ApplicationForm(FlaskForm):
    aid_kind = RadioField(_l("Nature de l'aide"), choices=_choices(AidKind), default=AidKind.cash.value)
    request_kind = RadioField(_l("Type de demande"), choices=_choices(RequestKind), default=RequestKind.first.value)
    purpose_kind = RadioField(_l("Objet de la demande"), choices=_choices(PurposeKind), default=PurposeKind.project.value)
    duration = RadioField(_l("Durée"), choices=_choices(Duration), default=Duration.one_year.value)
    project_title = StringField(_l("Intitulé du projet"), validators=[DataRequired(REQUIRED), Length(max=200)])
    goals = TextAreaField(_l("Objectifs"), validators=[Optional()])
    audience = TextAreaField(_l("Public visé"), validators=[Optional()])
    place = StringField(_l("Lieu de réalisation"), validators=[Optional(), Length(max=200)])
    start_date = DateField(_l("Date de début"), validators=[Optional()])
    end_date = DateField(_l("Date de fin"), validators=[Optional()])
    expected_results = TextAreaField(_l("Résultats attendus"), validators=[Optional()])
    evaluation = TextAreaField(_l("Méthode d'évaluation"), validators=[Optional()],
                               description=_l("Les indicateurs qui montreront si les objectifs sont atteints."))
    amount_requested = EuroField(_l("Montant demandé, en euros"))
    signatory = StringField(_l("Nom et qualité du signataire"), validators=[Optional(), Length(max=160)],
                            description=_l("Par exemple : Marie Durand, présidente."))
    sign_cer = BooleanField(_l("Au nom de l'association, je souscris au contrat d'engagement républicain ci-dessus"))


for _code, _label in CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS:
    setattr(ApplicationForm, f"account_{_code}", EuroField(_label))


class DropForm(FlaskForm):
    reason = TextAreaField(_l("Motif (facultatif)"), validators=[Optional()])


class CompletionForm(FlaskForm):
    missing = TextAreaField(_l("Ce qui manque"), validators=[DataRequired(_l("Dites à l'association ce qui manque."))],
                            description=_l("Ce texte est envoyé à l'association."))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note interne"), validators=[DataRequired(_l("La note est vide."))],
                         description=_l("Visible seulement des agents."))


class ProposalForm(FlaskForm):
    amount_proposed = EuroField(_l("Montant proposé, en euros"), validators=[DataRequired(_l("Indiquez le montant proposé (0 pour un avis défavorable)."))])
    opinion = SelectField(_l("Avis"), choices=_choices(Opinion))
    reason = TextAreaField(_l("Motivation de l'avis"), validators=[Optional()])


class GrantForm(FlaskForm):
    amount_granted = EuroField(_l("Montant accordé, en euros"), validators=[DataRequired(_l("Indiquez le montant accordé."))])
    decided_on = DateField(_l("Date de la décision"), validators=[DataRequired(_l("Indiquez la date de la décision."))])
    reference = StringField(_l("Référence de la délibération ou de l'arrêté"), validators=[DataRequired(REQUIRED), Length(max=80)])
    payment_terms = SelectField(_l("Conditions de versement"), choices=_choices(PaymentTerms))
    payment_from = DateField(_l("Date de versement prévue (ou début de la période)"), validators=[DataRequired(REQUIRED)])
    payment_until = DateField(_l("Fin de la période de versement (facultatif)"), validators=[Optional()])
    eu_notified = BooleanField(_l("Aide notifiée à la Commission européenne (de minimis)"))


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Motif du refus"), validators=[DataRequired(_l("Le refus doit être motivé."))],
                           description=_l("Il est envoyé à l'association."))
    decided_on = DateField(_l("Date de la décision"), validators=[DataRequired(REQUIRED)])
    reference = StringField(_l("Référence de la décision (facultatif)"), validators=[Optional(), Length(max=80)])


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Motif de la réouverture"), validators=[DataRequired(_l("Indiquez pourquoi le dossier est rouvert."))])


class ConventionForm(FlaskForm):
    signed_on = DateField(_l("Date de signature de la convention"), validators=[DataRequired(REQUIRED)])
    file = FileField(_l("Convention signée (PDF, facultatif)"))


class PaymentForm(FlaskForm):
    amount = EuroField(_l("Montant versé, en euros"), validators=[DataRequired(_l("Indiquez le montant versé."))])
    paid_on = DateField(_l("Date du versement"), validators=[DataRequired(REQUIRED)])
    reference = StringField(_l("Référence du mandat (facultatif)"), validators=[Optional(), Length(max=80)])


class ReportForm(FlaskForm):
    narrative = TextAreaField(_l("Compte rendu de l'action"), validators=[DataRequired(_l("Décrivez l'action réalisée."))],
                              description=_l("Ce qui a été réalisé, les écarts avec le budget prévu et leurs raisons."))


for _code, _label in CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS:
    setattr(ReportForm, f"planned_{_code}", EuroField(_l("%(label)s : prévu", label=_label)))
    setattr(ReportForm, f"actual_{_code}", EuroField(_l("%(label)s : réalisé", label=_label)))


class CallForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Présentation"), validators=[DataRequired(REQUIRED)])
    eligibility = TextAreaField(_l("Conditions d'éligibilité"), validators=[DataRequired(REQUIRED)])
    envelope = EuroField(_l("Enveloppe, en euros"), validators=[DataRequired(_l("Indiquez l'enveloppe.")), NumberRange(min=0, message=_l("Un montant positif."))])
    opens_at = DateTimeLocalField(_l("Ouverture"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Indiquez la date et l'heure d'ouverture."))])
    closes_at = DateTimeLocalField(_l("Clôture"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Indiquez la date et l'heure de clôture."))])
    department = SelectField(_l("Service instructeur"), choices=[])
    themes = MultiCheckboxField(_l("Thèmes"), choices=[])
    required_documents = MultiCheckboxField(_l("Documents exigés"), choices=_choices(DocumentKind))
    rae_id = StringField(_l("Numéro au Répertoire des aides aux entreprises (idRAE)"), validators=[Optional(), Length(max=5, message=_l("Au plus 5 caractères."))],
                         description=_l("Facultatif : publié dans les données essentielles des subventions."))
    aid_scheme = StringField(_l("Identifiant du dispositif d'aide"), validators=[Optional(), Length(max=100)],
                             description=_l("Facultatif : l'identifiant du dispositif dans les données « dispositifs d'aide »."))
