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

from participation.core.concurrency import BasedOnField
from participation.forums.models import ReactionKind, ReportReason
from participation.forums.moderation import MODERATION_ACTIONS
from participation.forums.services import BODY_MAX, TITLE_MAX
from participation.staff.forms import FilterForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.core import holes

REQUIRED = _l("Ce champ est obligatoire.")
SPAM_MESSAGE = _l("Votre envoi n'a pas pu être accepté. Rechargez la page, relisez votre texte et envoyez-le à nouveau.")


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="forums-form-started")


def started_value() -> str:
    """The signed moment a form is shown (filled per request in shared fragments: ``holes.fill(started=…)``)."""
    return _signer().sign(str(int(time.time()))).decode()


holes.per_request("started", started_value)


class SpamGuardForm(FlaskForm):
    """A honeypot field people never see, and the moment the form was shown, signed:
    a form filled by a robot in no time, or with the hidden field filled, is refused."""

    website = StringField(_l("Ne pas remplir ce champ"), validators=[Optional()])
    started = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.started.data = started_value()

    def validate_website(self, field):
        if field.data:
            raise FieldError(SPAM_MESSAGE)

    def validate_started(self, field):
        try:
            started = int(_signer().unsign(field.data or "").decode())
        except (BadSignature, ValueError):
            raise FieldError(SPAM_MESSAGE) from None
        if time.time() - started < current_app.config["FORUMS_MIN_FILL_SECONDS"]:
            raise FieldError(_("Vous avez envoyé le formulaire très vite : relisez votre texte et envoyez-le à nouveau."))

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
    q = StringField(_l("Rechercher dans les titres et les contributions"), validators=[Optional(), Length(max=100, message=_l("100 caractères au plus."))])
    theme = SelectField(_l("Thème"), choices=[], validators=[Optional()], coerce=str)
    commune = SelectField(_l("Commune"), choices=[], validators=[Optional()], coerce=str)
    status = SelectField(
        _l("État"),
        choices=[("", _l("Toutes")), ("open", _l("Ouvertes")), ("upcoming", _l("À venir")), ("closed", _l("Closes"))],
        validators=[Optional()],
    )


class CharterForm(FlaskForm):
    accept = BooleanField(_l("J'ai lu la charte de participation et je m'engage à la respecter"),
                          validators=[DataRequired(_l("Cochez la case pour accepter la charte."))])


class TopicForm(SpamGuardForm):
    title = StringField(_l("Titre du sujet"), validators=[InputRequired(REQUIRED), Length(max=TITLE_MAX, message=_l("%(TITLE_MAX)s caractères au plus.", TITLE_MAX=TITLE_MAX))])
    theme = SelectField(_l("Thème"), choices=[], validators=[Optional()], coerce=str)
    body = TextAreaField(
        _l("Votre contribution"),
        validators=[InputRequired(REQUIRED), Length(max=BODY_MAX, message=_l("%(BODY_MAX)s caractères au plus.", BODY_MAX=BODY_MAX))],
        description=_l("Mise en forme Markdown possible : *italique*, **gras**, listes, liens."),
    )


class ContributionForm(SpamGuardForm):
    body = TextAreaField(
        _l("Votre contribution"),
        validators=[InputRequired(REQUIRED), Length(max=BODY_MAX, message=_l("%(BODY_MAX)s caractères au plus.", BODY_MAX=BODY_MAX))],
        description=_l("Mise en forme Markdown possible : *italique*, **gras**, listes, liens."),
    )
    parent_id = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField(_l("Votre contribution"), validators=[InputRequired(REQUIRED), Length(max=BODY_MAX, message=_l("%(BODY_MAX)s caractères au plus.", BODY_MAX=BODY_MAX))])


class ReactionForm(FlaskForm):
    kind = HiddenField(validators=[InputRequired()])

    def validate_kind(self, field):
        if field.data not in {k.value for k in ReactionKind}:
            raise FieldError(_("Réaction inconnue."))


class ReportForm(FlaskForm):
    reason = RadioField(_l("Motif du signalement"), choices=[(r.value, r.lazy_label) for r in ReportReason],
                        validators=[InputRequired(_l("Choisissez un motif."))])
    comment = TextAreaField(_l("Précisions"), validators=[Optional(), Length(max=500, message=_l("500 caractères au plus."))],
                            description=_l("Obligatoire avec le motif « Autre »."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()




class ConsultationForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[InputRequired(REQUIRED), Length(max=TITLE_MAX, message=_l("%(TITLE_MAX)s caractères au plus.", TITLE_MAX=TITLE_MAX))])
    question = StringField(_l("Question posée aux habitants"), validators=[InputRequired(REQUIRED), Length(max=500, message=_l("500 caractères au plus."))])
    presentation = TextAreaField(_l("Présentation du projet"), validators=[Optional()], description=_l("Markdown : titres, listes, liens."))
    charter = TextAreaField(_l("Charte de participation"), validators=[InputRequired(REQUIRED)],
                            description=_l("Les contributeurs l'acceptent avant leur première contribution."))
    opens_at = DateTimeLocalField(_l("Ouverture (heure de Paris)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Indiquez une date et une heure."))])
    closes_at = DateTimeLocalField(_l("Clôture (heure de Paris)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Indiquez une date et une heure."))])
    premoderated = BooleanField(_l("Modération a priori : les contributions n'apparaissent qu'une fois approuvées"))
    themes = MultiCheckboxField(_l("Thèmes"), choices=[], coerce=int, validators=[Optional()])
    communes = MultiCheckboxField(_l("Communes concernées"), choices=[], coerce=int, validators=[Optional()])


class SynthesisForm(FlaskForm):
    text = TextAreaField(_l("Synthèse"), validators=[InputRequired(REQUIRED)],
                         description=_l("Markdown. Ce qui a été dit, et ce que la collectivité en retient. Les chiffres sont ajoutés par la plateforme."))
    based_on = BasedOnField()


class ModerationForm(FlaskForm):
    action = SelectField(_l("Action"), choices=[("", _l("Choisir…")), *MODERATION_ACTIONS.items()], validators=[InputRequired(_l("Choisissez une action."))])
    reason = TextAreaField(_l("Motif (envoyé à l'auteur)"), validators=[InputRequired(_l("Indiquez le motif : il est conservé et envoyé à l'auteur.")),
                                                                  Length(max=500, message=_l("500 caractères au plus."))])
    suspend_days = IntegerField(_l("Durée de la suspension (jours)"), validators=[Optional(), NumberRange(1, 365, _l("Entre 1 et 365 jours."))],
                                description=_l("Pour « Suspendre l'auteur » seulement."))

    def validate_action(self, field):
        if field.data not in MODERATION_ACTIONS:
            raise FieldError(_("Choisissez une action."))


class AttachmentForm(FlaskForm):
    """A document or an image for the consultation's presentation; its type is read from its content."""

    file = FileField(_l("Fichier (PDF, JPEG ou PNG)"), render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
                     description=_l("Un document PDF, ou une image JPEG ou PNG."))
    title = StringField(_l("Titre du document ou légende de l'image"), validators=[InputRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))],
                        description=_l("Le texte du lien de téléchargement (« Dossier de concertation ») ou la légende sous l'image."))
    alt_text = StringField(_l("Texte de remplacement de l'image"), validators=[Optional(), Length(max=300, message=_l("300 caractères au plus."))],
                           description=_l("Obligatoire pour une image : ce qu'elle montre, pour qui ne la voit pas."))


class FollowForm(FlaskForm):
    """Follow or stop following a topic (CSRF only): how one hears of it is one's notification preference."""


class ConfirmForm(FlaskForm):
    """A button that confirms an action reached from a mail's link."""
