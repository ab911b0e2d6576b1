"""Forms of the plans' back office and public pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from participation.plans.models import (
    CommitteeKind,
    Direction,
    Funder,
    ItemKind,
    LinkKind,
    PactStep,
    Periodicity,
    PlanKind,
)

REQUIRED = "Ce champ est obligatoire."
DATE_MESSAGE = "Indiquez une date valide (JJ/MM/AAAA)."
NUMBER_MESSAGE = "Indiquez un nombre entier."


def _choices(enum_cls):
    return [(m.value, m.label) for m in enum_cls]


def _date(label, required=False, description=None):
    return DateField(label, validators=[DataRequired(DATE_MESSAGE) if required else Optional()], description=description,
                     render_kw={"autocomplete": "off"})


def _year(label):
    return IntegerField(label, validators=[InputRequired(NUMBER_MESSAGE), NumberRange(2000, 2100, "Une année entre 2000 et 2100.")])


class ButtonForm(FlaskForm):
    """A button: CSRF only."""


class PlanForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Nature du plan", choices=_choices(PlanKind))
    start_year = _year("Année de début")
    end_year = _year("Année de fin")
    summary = TextAreaField("Présentation (Markdown)", validators=[Length(max=20_000)])
    signatories = TextAreaField("Signataires, un par ligne", validators=[Length(max=4000)])
    partners = TextAreaField("Partenaires, un par ligne", validators=[Length(max=4000)])
    manager = SelectField("Chargé·e de mission", coerce=int, validators=[Optional()],
                          description="Reçoit les alertes d'échéance du plan.")


class DocumentForm(FlaskForm):
    title = StringField("Titre du document", validators=[DataRequired(REQUIRED), Length(max=200)])
    document = FileField("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)")
    is_public = BooleanField("Publier sur la page du plan", default=True)


class ReferralForm(FlaskForm):
    referral = SelectField("Saisine du conseil de développement sur ce plan", coerce=int, validators=[Optional()])


class TransitionForm(FlaskForm):
    transition = StringField(validators=[DataRequired()])


class NodeForm(FlaskForm):
    title = StringField("Intitulé", validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField("Description", validators=[Length(max=20_000)])


class ActionForm(FlaskForm):
    title = StringField("Intitulé de l'action", validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField("Description (Markdown)", validators=[Length(max=20_000)])
    lead_department = SelectField("Direction pilote", coerce=int, validators=[Optional()])
    partners = TextAreaField("Partenaires", validators=[Length(max=4000)])
    target_public = StringField("Public visé", validators=[Length(max=300)])
    start_date = _date("Date de début")
    end_date = _date("Date de fin")
    communes = SelectMultipleField("Communes concernées", coerce=int, validators=[Optional()])
    neighbourhoods = SelectMultipleField("Quartiers prioritaires concernés", coerce=int, validators=[Optional()])
    themes = SelectMultipleField("Thèmes", coerce=int, validators=[Optional()])


class StatusForm(FlaskForm):
    transition = SelectField("Nouveau statut", choices=[("engage", "Engager l'action"), ("complete", "Marquer réalisée"),
                                                         ("postpone", "Reporter"), ("abandon", "Abandonner"), ("reopen", "Rouvrir")])
    reason = TextAreaField("Raison (obligatoire pour un report ou un abandon)", validators=[Length(max=2000)])


class ProgressForm(FlaskForm):
    progress = IntegerField("Avancement (%)", validators=[InputRequired(NUMBER_MESSAGE),
                                                        NumberRange(0, 100, "L'avancement est un pourcentage entre 0 et 100.")])


class FundingForm(FlaskForm):
    funder = SelectField("Financeur", choices=_choices(Funder))
    planned = DecimalField("Prévu (€)", places=2, validators=[InputRequired("Indiquez un montant."), NumberRange(0, 10**11, "Montant hors limites.")])
    spent = DecimalField("Dépensé (€)", places=2, validators=[InputRequired("Indiquez un montant."), NumberRange(0, 10**11, "Montant hors limites.")])


class MilestoneForm(FlaskForm):
    title = StringField("Jalon", validators=[DataRequired(REQUIRED), Length(max=300)])
    due_on = _date("Date prévue", required=True)


class LinkForm(FlaskForm):
    kind = SelectField("Nature", choices=_choices(LinkKind))
    target_id = IntegerField("Numéro", validators=[InputRequired(NUMBER_MESSAGE), NumberRange(1, 2**31 - 1, NUMBER_MESSAGE)],
                             description="Le numéro visible dans l'adresse de la concertation, de l'événement, de l'appel ou de la demande.")


class RecommendationForm(FlaskForm):
    recommendation = SelectField("Recommandation retenue", coerce=int, validators=[InputRequired(REQUIRED)])


class FromRecommendationForm(FlaskForm):
    node = SelectField("Objectif de la nouvelle action", coerce=int, validators=[InputRequired(REQUIRED)])
    recommendation = SelectField("Recommandation retenue", coerce=int, validators=[InputRequired(REQUIRED)])


class IndicatorForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(REQUIRED), Length(max=40)], description="Utilisé dans les imports CSV, par exemple I-1.2-1.")
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=300)])
    owner_ref = SelectField("Suivi de", description="Un objectif ou une action du plan.")
    unit = StringField("Unité", validators=[Length(max=40)])
    direction = SelectField("Sens", choices=_choices(Direction))
    baseline_value = StringField("Valeur de référence", validators=[Length(max=30)])
    baseline_date = _date("Date de la valeur de référence")
    targets = TextAreaField("Cibles par année", validators=[Length(max=2000)], description="Une par ligne : « 2028 : 40 ».")
    periodicity = SelectField("Périodicité", choices=_choices(Periodicity))
    source = StringField("Source", validators=[Length(max=300)])
    owner = SelectField("Personne chargée des mesures", coerce=int, validators=[Optional()])
    min_value = StringField("Valeur minimale admise", validators=[Length(max=30)])
    max_value = StringField("Valeur maximale admise", validators=[Length(max=30)])


class MeasurementForm(FlaskForm):
    measured_on = _date("Date de la mesure", required=True)
    value = StringField("Valeur", validators=[DataRequired(REQUIRED), Length(max=30)])
    comment = StringField("Commentaire", validators=[Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField("Fichier CSV", description="Colonnes : code de l'indicateur ; date ; valeur ; commentaire. Une erreur refuse tout le fichier.")


class CommitteeForm(FlaskForm):
    kind = SelectField("Nature", choices=_choices(CommitteeKind))
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=200)])
    convocation_days = IntegerField("Convocation, jours avant la réunion", default=10,
                                    validators=[InputRequired(NUMBER_MESSAGE), NumberRange(0, 60, "De 0 à 60 jours.")])


class MemberForm(FlaskForm):
    name = StringField("Nom", validators=[Length(max=160)])
    email = EmailField("Adresse électronique", validators=[Length(max=254)])
    organisation = StringField("Organisme représenté", validators=[Length(max=160)])


class MeetingForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    starts_at = DateTimeLocalField("Début", format="%Y-%m-%dT%H:%M", validators=[DataRequired("Indiquez une date et une heure valides.")])
    place = StringField("Lieu", validators=[Length(max=300)])
    is_public = BooleanField("Réunion publique (affichée dans l'agenda citoyen)")


class MoveMeetingForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Nouvelle date et heure"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Indiquez une date et une heure valides."))])
    place = StringField(_l("Lieu"), validators=[Length(max=300)])


class ItemForm(FlaskForm):
    kind = SelectField("Nature du point", choices=_choices(ItemKind))
    title = StringField("Intitulé", validators=[Length(max=300)], description="Facultatif pour une action ou un indicateur.")
    action = SelectField("Action", coerce=int, validators=[Optional()])
    indicator = SelectField("Indicateur", coerce=int, validators=[Optional()])


class MinutesForm(FlaskForm):
    minutes = TextAreaField("Compte rendu (Markdown)", validators=[Length(max=50_000)])


class DecisionForm(FlaskForm):
    text = TextAreaField("Décision", validators=[DataRequired(REQUIRED), Length(max=4000)])
    owner = SelectField("Suivi par", coerce=int, validators=[Optional()])
    due_on = _date("Échéance")
    actions = SelectMultipleField("Actions concernées", coerce=int, validators=[Optional()])


class OutcomeForm(FlaskForm):
    outcome = TextAreaField("Ce qui a été fait", validators=[Length(max=4000)])


class ReportForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    period_start = _date("Début de la période", required=True)
    period_end = _date("Fin de la période", required=True)


class ReportTextForm(FlaskForm):
    introduction = TextAreaField("Introduction (Markdown)", validators=[Length(max=20_000)])
    conclusion = TextAreaField("Conclusion et perspectives (Markdown)", validators=[Length(max=20_000)])


class PactStepForm(FlaskForm):
    step = SelectField("Étape", choices=[(PactStep.debate.value, PactStep.debate.label), (PactStep.adoption.value, PactStep.adoption.label)])
    done_on = _date("Date", required=True)


class TransmissionForm(FlaskForm):
    transmitted_on = _date("Date de transmission", required=True)


class CommuneOpinionForm(FlaskForm):
    given_on = _date("Date de l'avis", required=True)
    opinion = TextAreaField("Avis", validators=[Length(max=4000)])
