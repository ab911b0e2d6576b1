"""Forms of the consultations: public ones with their spam defences, and the back office's."""

from __future__ import annotations

import time

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, Signer
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from participation.forums.models import ReactionKind, ReportReason
from participation.forums.services import BODY_MAX, MODERATION_ACTIONS, TITLE_MAX
from participation.staff.forms import FilterForm

REQUIRED = "Ce champ est obligatoire."
SPAM_MESSAGE = "Votre envoi n'a pas pu être accepté. Rechargez la page, relisez votre texte et envoyez-le à nouveau."


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="forums-form-started")


class SpamGuardForm(FlaskForm):
    """A honeypot field people never see, and the moment the form was shown, signed:
    a form filled by a robot in no time, or with the hidden field filled, is refused."""

    website = StringField("Ne pas remplir ce champ", validators=[Optional()])
    started = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.started.data = _signer().sign(str(int(time.time()))).decode()

    def validate_website(self, field):
        if field.data:
            raise FieldError(SPAM_MESSAGE)

    def validate_started(self, field):
        try:
            started = int(_signer().unsign(field.data or "").decode())
        except (BadSignature, ValueError):
            raise FieldError(SPAM_MESSAGE) from None
        if time.time() - started < current_app.config["FORUMS_MIN_FILL_SECONDS"]:
            raise FieldError("Vous avez envoyé le formulaire très vite : relisez votre texte et envoyez-le à nouveau.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Said once at the top of the form: these fields are not for people to fix.
        for field in (self.website, self.started):
            for message in field.errors:
                if message not in self.form_errors:
                    self.form_errors.append(message)
            field.errors = []
        return valid

    def spam_errors(self) -> list[str]:
        return list(self.form_errors)


class ConsultationFilterForm(FilterForm):
    q = StringField("Rechercher dans les titres et les contributions", validators=[Optional(), Length(max=100, message="100 caractères au plus.")])
    theme = SelectField("Thème", choices=[], validators=[Optional()], coerce=str)
    commune = SelectField("Commune", choices=[], validators=[Optional()], coerce=str)
    status = SelectField(
        "État",
        choices=[("", "Toutes"), ("open", "Ouvertes"), ("upcoming", "À venir"), ("closed", "Closes")],
        validators=[Optional()],
    )


class CharterForm(FlaskForm):
    accept = BooleanField("J'ai lu la charte de participation et je m'engage à la respecter",
                          validators=[DataRequired("Cochez la case pour accepter la charte.")])


class TopicForm(SpamGuardForm):
    title = StringField("Titre du sujet", validators=[InputRequired(REQUIRED), Length(max=TITLE_MAX, message=f"{TITLE_MAX} caractères au plus.")])
    theme = SelectField("Thème", choices=[], validators=[Optional()], coerce=str)
    body = TextAreaField(
        "Votre contribution",
        validators=[InputRequired(REQUIRED), Length(max=BODY_MAX, message=f"{BODY_MAX} caractères au plus.")],
        description="Mise en forme Markdown possible : *italique*, **gras**, listes, liens.",
    )


class ContributionForm(SpamGuardForm):
    body = TextAreaField(
        "Votre contribution",
        validators=[InputRequired(REQUIRED), Length(max=BODY_MAX, message=f"{BODY_MAX} caractères au plus.")],
        description="Mise en forme Markdown possible : *italique*, **gras**, listes, liens.",
    )
    parent_id = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField("Votre contribution", validators=[InputRequired(REQUIRED), Length(max=BODY_MAX, message=f"{BODY_MAX} caractères au plus.")])


class ReactionForm(FlaskForm):
    kind = HiddenField(validators=[InputRequired()])

    def validate_kind(self, field):
        if field.data not in {k.value for k in ReactionKind}:
            raise FieldError("Réaction inconnue.")


class ReportForm(FlaskForm):
    reason = RadioField("Motif du signalement", choices=[(r.value, r.label) for r in ReportReason],
                        validators=[InputRequired("Choisissez un motif.")])
    comment = TextAreaField("Précisions", validators=[Optional(), Length(max=500, message="500 caractères au plus.")],
                            description="Obligatoire avec le motif « Autre ».")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()




class ConsultationForm(FlaskForm):
    title = StringField("Titre", validators=[InputRequired(REQUIRED), Length(max=TITLE_MAX, message=f"{TITLE_MAX} caractères au plus.")])
    question = StringField("Question posée aux habitants", validators=[InputRequired(REQUIRED), Length(max=500, message="500 caractères au plus.")])
    presentation = TextAreaField("Présentation du projet", validators=[Optional()], description="Markdown : titres, listes, liens.")
    charter = TextAreaField("Charte de participation", validators=[InputRequired(REQUIRED)],
                            description="Les contributeurs l'acceptent avant leur première contribution.")
    opens_at = DateTimeLocalField("Ouverture (heure de Paris)", format="%Y-%m-%dT%H:%M", validators=[InputRequired("Indiquez une date et une heure.")])
    closes_at = DateTimeLocalField("Clôture (heure de Paris)", format="%Y-%m-%dT%H:%M", validators=[InputRequired("Indiquez une date et une heure.")])
    premoderated = BooleanField("Modération a priori : les contributions n'apparaissent qu'une fois approuvées")
    themes = MultiCheckboxField("Thèmes", choices=[], coerce=int, validators=[Optional()])
    communes = MultiCheckboxField("Communes concernées", choices=[], coerce=int, validators=[Optional()])


class SynthesisForm(FlaskForm):
    text = TextAreaField("Synthèse", validators=[InputRequired(REQUIRED)],
                         description="Markdown. Ce qui a été dit, et ce que la collectivité en retient. Les chiffres sont ajoutés par la plateforme.")


class ModerationForm(FlaskForm):
    action = SelectField("Action", choices=[("", "Choisir…"), *MODERATION_ACTIONS.items()], validators=[InputRequired("Choisissez une action.")])
    reason = TextAreaField("Motif (envoyé à l'auteur)", validators=[InputRequired("Indiquez le motif : il est conservé et envoyé à l'auteur."),
                                                                  Length(max=500, message="500 caractères au plus.")])
    suspend_days = IntegerField("Durée de la suspension (jours)", validators=[Optional(), NumberRange(1, 365, "Entre 1 et 365 jours.")],
                                description="Pour « Suspendre l'auteur » seulement.")

    def validate_action(self, field):
        if field.data not in MODERATION_ACTIONS:
            raise FieldError("Choisissez une action.")


class AttachmentForm(FlaskForm):
    """A document or an image for the consultation's presentation; its type is read from its content."""

    file = FileField("Fichier (PDF, JPEG ou PNG)", render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
                     description="Un document PDF, ou une image JPEG ou PNG.")
    title = StringField("Titre du document ou légende de l'image", validators=[InputRequired(REQUIRED), Length(max=200, message="200 caractères au plus.")],
                        description="Le texte du lien de téléchargement (« Dossier de concertation ») ou la légende sous l'image.")
    alt_text = StringField("Texte de remplacement de l'image", validators=[Optional(), Length(max=300, message="300 caractères au plus.")],
                           description="Obligatoire pour une image : ce qu'elle montre, pour qui ne la voit pas.")


class FollowForm(FlaskForm):
    """Follow or stop following a topic (CSRF only): how one hears of it is one's notification preference."""


class ConfirmForm(FlaskForm):
    """A button that confirms an action reached from a mail's link."""
