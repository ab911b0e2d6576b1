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

from participation.core.concurrency import BasedOnField
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
from flask_babel import gettext as _

REQUIRED = _l("Ce champ est obligatoire.")
DATE_MESSAGE = _l("Indiquez une date valide (JJ/MM/AAAA).")
NUMBER_MESSAGE = _l("Indiquez un nombre entier.")


def _choices(enum_cls):
    return [(m.value, m.lazy_label) for m in enum_cls]


def _date(label, required=False, description=None):
    return DateField(label, validators=[DataRequired(DATE_MESSAGE) if required else Optional()], description=description,
                     render_kw={"autocomplete": "off"})


def _year(label):
    return IntegerField(label, validators=[InputRequired(NUMBER_MESSAGE), NumberRange(2000, 2100, _("Une année entre 2000 et 2100."))])


class ButtonForm(FlaskForm):
    """A button: CSRF only."""


class PlanForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Nature du plan"), choices=_choices(PlanKind))
    start_year = _year(_l("Année de début"))
    end_year = _year(_l("Année de fin"))
    summary = TextAreaField(_l("Présentation (Markdown)"), validators=[Length(max=20_000)])
    signatories = TextAreaField(_l("Signataires, un par ligne"), validators=[Length(max=4000)])
    partners = TextAreaField(_l("Partenaires, un par ligne"), validators=[Length(max=4000)])
    manager = SelectField(_l("Chargé·e de mission"), coerce=int, validators=[Optional()],
                          description=_l("Reçoit les alertes d'échéance du plan."))


class DocumentForm(FlaskForm):
    title = StringField(_l("Titre du document"), validators=[DataRequired(REQUIRED), Length(max=200)])
    document = FileField(_l("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)"))
    is_public = BooleanField(_l("Publier sur la page du plan"), default=True)


class ReferralForm(FlaskForm):
    referral = SelectField(_l("Saisine du conseil de développement sur ce plan"), coerce=int, validators=[Optional()])


class TransitionForm(FlaskForm):
    transition = StringField(validators=[DataRequired()])


class NodeForm(FlaskForm):
    title = StringField(_l("Intitulé"), validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])


class ActionForm(FlaskForm):
    title = StringField(_l("Intitulé de l'action"), validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=20_000)])
    lead_department = SelectField(_l("Direction pilote"), coerce=int, validators=[Optional()])
    partners = TextAreaField(_l("Partenaires"), validators=[Length(max=4000)])
    target_public = StringField(_l("Public visé"), validators=[Length(max=300)])
    start_date = _date(_l("Date de début"))
    end_date = _date(_l("Date de fin"))
    communes = SelectMultipleField(_l("Communes concernées"), coerce=int, validators=[Optional()])
    neighbourhoods = SelectMultipleField(_l("Quartiers prioritaires concernés"), coerce=int, validators=[Optional()])
    themes = SelectMultipleField(_l("Thèmes"), coerce=int, validators=[Optional()])


class StatusForm(FlaskForm):
    transition = SelectField(_l("Nouveau statut"), choices=[("engage", _l("Engager l'action")), ("complete", _l("Marquer réalisée")),
                                                         ("postpone", _l("Reporter")), ("abandon", _l("Abandonner")), ("reopen", _l("Rouvrir"))])
    reason = TextAreaField(_l("Raison (obligatoire pour un report ou un abandon)"), validators=[Length(max=2000)])


class ProgressForm(FlaskForm):
    progress = IntegerField(_l("Avancement (%)"), validators=[InputRequired(NUMBER_MESSAGE),
                                                        NumberRange(0, 100, _l("L'avancement est un pourcentage entre 0 et 100."))])


class FundingForm(FlaskForm):
    funder = SelectField(_l("Financeur"), choices=_choices(Funder))
    planned = DecimalField(_l("Prévu (€)"), places=2, validators=[InputRequired(_l("Indiquez un montant.")), NumberRange(0, 10**11, _l("Montant hors limites."))])
    spent = DecimalField(_l("Dépensé (€)"), places=2, validators=[InputRequired(_l("Indiquez un montant.")), NumberRange(0, 10**11, _l("Montant hors limites."))])


class MilestoneForm(FlaskForm):
    title = StringField(_l("Jalon"), validators=[DataRequired(REQUIRED), Length(max=300)])
    due_on = _date(_l("Date prévue"), required=True)


class LinkForm(FlaskForm):
    kind = SelectField(_l("Nature"), choices=_choices(LinkKind))
    target_id = IntegerField(_l("Numéro"), validators=[InputRequired(NUMBER_MESSAGE), NumberRange(1, 2**31 - 1, NUMBER_MESSAGE)],
                             description=_l("Le numéro visible dans l'adresse de la concertation, de l'événement, de l'appel ou de la demande."))


class RecommendationForm(FlaskForm):
    recommendation = SelectField(_l("Recommandation retenue"), coerce=int, validators=[InputRequired(REQUIRED)])


class FromRecommendationForm(FlaskForm):
    node = SelectField(_l("Objectif de la nouvelle action"), coerce=int, validators=[InputRequired(REQUIRED)])
    recommendation = SelectField(_l("Recommandation retenue"), coerce=int, validators=[InputRequired(REQUIRED)])


class IndicatorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)], description=_l("Utilisé dans les imports CSV, par exemple I-1.2-1."))
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=300)])
    owner_ref = SelectField(_l("Suivi de"), description=_l("Un objectif ou une action du plan."))
    unit = StringField(_l("Unité"), validators=[Length(max=40)])
    direction = SelectField(_l("Sens"), choices=_choices(Direction))
    baseline_value = StringField(_l("Valeur de référence"), validators=[Length(max=30)])
    baseline_date = _date(_l("Date de la valeur de référence"))
    targets = TextAreaField(_l("Cibles par année"), validators=[Length(max=2000)], description=_l("Une par ligne : « 2028 : 40 »."))
    periodicity = SelectField(_l("Périodicité"), choices=_choices(Periodicity))
    source = StringField(_l("Source"), validators=[Length(max=300)])
    owner = SelectField(_l("Personne chargée des mesures"), coerce=int, validators=[Optional()])
    min_value = StringField(_l("Valeur minimale admise"), validators=[Length(max=30)])
    max_value = StringField(_l("Valeur maximale admise"), validators=[Length(max=30)])


class MeasurementForm(FlaskForm):
    measured_on = _date(_l("Date de la mesure"), required=True)
    value = StringField(_l("Valeur"), validators=[DataRequired(REQUIRED), Length(max=30)])
    comment = StringField(_l("Commentaire"), validators=[Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV"), description=_l("Colonnes : code de l'indicateur ; date ; valeur ; commentaire. Une erreur refuse tout le fichier."))


class CommitteeForm(FlaskForm):
    kind = SelectField(_l("Nature"), choices=_choices(CommitteeKind))
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=200)])
    convocation_days = IntegerField(_l("Convocation, jours avant la réunion"), default=10,
                                    validators=[InputRequired(NUMBER_MESSAGE), NumberRange(0, 60, _l("De 0 à 60 jours."))])


class MemberForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[Length(max=160)])
    email = EmailField(_l("Adresse électronique"), validators=[Length(max=254)])
    organisation = StringField(_l("Organisme représenté"), validators=[Length(max=160)])


class MeetingForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Début"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Indiquez une date et une heure valides."))])
    place = StringField(_l("Lieu"), validators=[Length(max=300)])
    is_public = BooleanField(_l("Réunion publique (affichée dans l'agenda citoyen)"))


class MoveMeetingForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Nouvelle date et heure"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Indiquez une date et une heure valides."))])
    place = StringField(_l("Lieu"), validators=[Length(max=300)])


class ItemForm(FlaskForm):
    kind = SelectField(_l("Nature du point"), choices=_choices(ItemKind))
    title = StringField(_l("Intitulé"), validators=[Length(max=300)], description=_l("Facultatif pour une action ou un indicateur."))
    action = SelectField(_l("Action"), coerce=int, validators=[Optional()])
    indicator = SelectField(_l("Indicateur"), coerce=int, validators=[Optional()])


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Compte rendu (Markdown)"), validators=[Length(max=50_000)])


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Décision"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    owner = SelectField(_l("Suivi par"), coerce=int, validators=[Optional()])
    due_on = _date(_l("Échéance"))
    actions = SelectMultipleField(_l("Actions concernées"), coerce=int, validators=[Optional()])


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(_l("Ce qui a été fait"), validators=[Length(max=4000)])


class ReportForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    period_start = _date(_l("Début de la période"), required=True)
    period_end = _date(_l("Fin de la période"), required=True)


class ReportTextForm(FlaskForm):
    introduction = TextAreaField(_l("Introduction (Markdown)"), validators=[Length(max=20_000)])
    conclusion = TextAreaField(_l("Conclusion et perspectives (Markdown)"), validators=[Length(max=20_000)])
    based_on = BasedOnField()


class PactStepForm(FlaskForm):
    step = SelectField(_l("Étape"), choices=[(PactStep.debate.value, PactStep.debate.lazy_label), (PactStep.adoption.value, PactStep.adoption.lazy_label)])
    done_on = _date(_l("Date"), required=True)


class TransmissionForm(FlaskForm):
    transmitted_on = _date(_l("Date de transmission"), required=True)


class CommuneOpinionForm(FlaskForm):
    given_on = _date(_l("Date de l'avis"), required=True)
    opinion = TextAreaField(_l("Avis"), validators=[Length(max=4000)])
