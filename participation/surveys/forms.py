"""Forms of the questionnaires' back office, and the spam guard of the answering pages.

The answering pages' questions are not WTForms fields: they are built from
the questions and checked by ``answering.clean_value``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from participation.forums.forms import MultiCheckboxField, SpamGuardForm
from participation.surveys.models import Access, QuestionKind

REQUIRED = _l("Ce champ est obligatoire.")


class AnswerForm(SpamGuardForm):
    """CSRF, a honeypot and the moment the page was shown (see the forums' guard)."""


class ConfirmForm(FlaskForm):
    pass


class QuestionnaireForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[InputRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))])
    wave_label = StringField(_l("Vague"), validators=[Optional(), Length(max=40, message=_l("40 caractères au plus."))],
                             description=_l("Le nom de cette vague dans les comparaisons, par exemple l'année : « 2025 »."))
    introduction = TextAreaField(_l("Introduction"), validators=[Optional()], description=_l("Markdown. Affichée avant la première question."))
    purpose = TextAreaField(_l("Finalité : à quoi serviront les réponses"), validators=[InputRequired(REQUIRED)])
    legal_basis = TextAreaField(_l("Responsable du traitement et base légale"), validators=[Optional()],
                                description=_l("Par exemple : « L'Agglomération, au titre de sa mission d'intérêt public (article 6-1-e du RGPD). »"))
    recipients = TextAreaField(_l("Qui lit les réponses"), validators=[Optional()])
    retention_months = IntegerField(_l("Conservation des réponses libres et des invitations (mois après la clôture)"), default=12,
                                    validators=[InputRequired(REQUIRED), NumberRange(1, 120, _l("Entre 1 et 120 mois."))])
    access = RadioField(_l("Qui peut répondre"), choices=[(a.value, a.lazy_label) for a in Access], default=Access.open.value,
                        validators=[InputRequired(_l("Choisissez qui peut répondre."))])
    opens_at = DateTimeLocalField(_l("Ouverture annoncée (heure de Paris)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Clôture (heure de Paris)"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                   description=_l("Le questionnaire se clôt seul à cette date."))
    themes = MultiCheckboxField(_l("Thèmes"), choices=[], coerce=int, validators=[Optional()])
    council_id = SelectField(_l("Conseil qui le propose"), choices=[], validators=[Optional()],
                             description=_l("Le bureau de ce conseil peut construire le questionnaire, l'ouvrir, en lire et en publier les résultats ; "
                                            "sa page publique dit qu'il est proposé par le conseil."))
    consultation_id = SelectField(_l("Concertation liée"), choices=[], validators=[Optional()])
    referral_id = SelectField(_l("Saisine liée"), choices=[], validators=[Optional()])
    event_id = SelectField(_l("Événement lié"), choices=[], validators=[Optional()],
                           description=_l("Ses participants sont invités à répondre une fois l'événement terminé."))


class SectionForm(FlaskForm):
    title = StringField(_l("Titre de la section"), validators=[InputRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))])
    description = TextAreaField(_l("Présentation"), validators=[Optional()])
    condition_question = SelectField(_l("Afficher seulement si la question…"), choices=[], validators=[Optional()])
    condition_value = StringField(_l("…a pour réponse"), validators=[Optional(), Length(max=200)],
                                  description=_l("La réponse exacte, telle qu'elle est proposée."))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Type de question"), choices=[(k.value, k.lazy_label) for k in QuestionKind],
                       validators=[InputRequired(_l("Choisissez le type de question."))])
    section_id = SelectField(_l("Section"), choices=[], validators=[Optional()])
    label = StringField(_l("Question"), validators=[InputRequired(REQUIRED), Length(max=300, message=_l("300 caractères au plus."))])
    help_text = TextAreaField(_l("Aide (pourquoi la question est posée, comment répondre)"), validators=[Optional()])
    required = BooleanField(_l("Réponse obligatoire"))
    options = TextAreaField(_l("Réponses possibles, une par ligne"), validators=[Optional()],
                            description=_l("Pour un choix unique, un choix multiple ou un classement."))
    allow_other = BooleanField(_l("Proposer « Autre, précisez »"))
    display = SelectField(_l("Présentation d'un choix unique"), choices=[("radio", _l("Boutons radio")), ("list", _l("Liste déroulante"))],
                          validators=[Optional()])
    max_choices = IntegerField(_l("Nombre maximum de choix"), validators=[Optional(), NumberRange(1, 30, _l("Entre 1 et 30."))],
                               description=_l("Pour un choix multiple ; vide : sans limite."))
    items = TextAreaField(_l("Éléments à noter, un par ligne"), validators=[Optional()], description=_l("Pour une grille."))
    minimum = IntegerField(_l("Minimum"), validators=[Optional(), NumberRange(-1_000_000_000, 1_000_000_000, _l("Nombre trop grand."))],
                           description=_l("Échelle : 0 ou 1. Nombre : la plus petite valeur acceptée."))
    maximum = IntegerField(_l("Maximum"), validators=[Optional(), NumberRange(-1_000_000_000, 1_000_000_000, _l("Nombre trop grand."))],
                           description=_l("Échelle : 4, 5, 7 ou 10. Nombre : la plus grande valeur acceptée."))
    low_label = StringField(_l("Libellé du bas de l'échelle"), validators=[Optional(), Length(max=80)], description=_l("Par exemple « Pas du tout satisfait »."))
    high_label = StringField(_l("Libellé du haut de l'échelle"), validators=[Optional(), Length(max=80)], description=_l("Par exemple « Très satisfait »."))
    min_date = DateField(_l("Date la plus ancienne acceptée"), validators=[Optional()])
    max_date = DateField(_l("Date la plus tardive acceptée"), validators=[Optional()])
    condition_question = SelectField(_l("Afficher seulement si la question…"), choices=[], validators=[Optional()],
                                     description=_l("Une question à choix d'une section précédente."))
    condition_value = StringField(_l("…a pour réponse"), validators=[Optional(), Length(max=200)])
    public = BooleanField(_l("Publier ses résultats"), default=True)

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "label", "help_text", "required", "options", "allow_other", "display", "max_choices", "items", "minimum", "maximum",
            "low_label", "high_label", "min_date", "max_date", "public")}


class InvitationForm(FlaskForm):
    addresses = TextAreaField(_l("Adresses, une par ligne"), validators=[Optional()])
    file = FileField(_l("Ou un fichier CSV (export d'un tableur)"), validators=[Optional()],
                     description=_l("Toutes les cellules qui contiennent une adresse électronique sont prises, 1 Mo au plus."))


class WaveForm(FlaskForm):
    wave_label = StringField(_l("Nom de la nouvelle vague"), validators=[InputRequired(REQUIRED), Length(max=40, message=_l("40 caractères au plus."))],
                             description=_l("Par exemple l'année : « 2027 »."))


class PublicationForm(FlaskForm):
    analysis = TextAreaField(_l("Analyse publiée avec les résultats"), validators=[Optional()], description=_l("Markdown. Ce que la collectivité retient des réponses."))
    questions = MultiCheckboxField(_l("Questions dont les résultats sont publiés"), choices=[], coerce=int, validators=[Optional()],
                                   description=_l("Les réponses libres ne sont jamais publiées."))


class IndicatorLinkForm(FlaskForm):
    """The plan indicator a question's published result feeds."""

    indicator = SelectField(_l("Indicateur d'un plan alimenté par cette question"), coerce=int, validators=[Optional()])
    indicator_option = StringField(_l("Option mesurée"), validators=[Length(max=200)],
                                   description=_l("Pour une question à choix : l'option dont la part des répondants (en %) devient la mesure. "
                                                  "Laissez vide pour la moyenne d'une échelle ou d'un nombre."))
