"""Council forms: each field says what it is for; datetimes are typed in Paris time."""

from __future__ import annotations


from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DateTimeLocalField, DecimalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from participation.core.concurrency import BasedOnField
from participation.councils.models import Answer, CollegeKind, CouncilKind, Gender, MemberRole, SittingKind
from participation.councils.services import PERSONAL_DATA_REASON
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")
DATETIME_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
DATETIME_MESSAGE = _l("Indiquez une date et une heure, par exemple 2026-03-03T18:30.")
GENDER_CHOICES = [(g.value, g.lazy_label) for g in Gender]




class ActionForm(FlaskForm):
    """A button: only its CSRF token."""


class CouncilForm(FlaskForm):
    name = StringField(_l("Nom du conseil"), validators=[DataRequired(REQUIRED), Length(max=160, message=_l("160 caractères au plus."))])
    kind = SelectField(_l("Nature"), choices=[(k.value, k.lazy_label) for k in CouncilKind])
    neighbourhood = SelectField(_l("Quartier prioritaire (conseil citoyen)"), choices=[], validators=[Optional()],
                                description=_l("Obligatoire pour un conseil citoyen."))
    purpose = TextAreaField(_l("Objet du conseil"), validators=[Optional(), Length(max=20000)], description=_l("Affiché sur sa page publique (Markdown)."))
    rules = TextAreaField(_l("Règlement intérieur"), validators=[Optional(), Length(max=100000)], description=_l("Publié sur la page du conseil (Markdown)."))
    mandate_start = DateField(_l("Début du mandat"), validators=[Optional()])
    mandate_end = DateField(_l("Fin du mandat"), validators=[Optional()])
    manager = SelectField(_l("Agent chargé du conseil"), choices=[], validators=[Optional()],
                          description=_l("Reçoit les avis destinés à la collectivité (fins de mandat)."))
    convocation_days = IntegerField(_l("Délai de convocation (jours)"), default=7,
                                    validators=[InputRequired(REQUIRED), NumberRange(0, 60, _l("Entre 0 et 60 jours."))])
    quorum_percent = IntegerField(_l("Quorum (plus de … % des membres)"), default=50,
                                  validators=[InputRequired(REQUIRED), NumberRange(1, 100, _l("Entre 1 et 100."))],
                                  description=_l("50 : la moitié des membres plus un."))
    max_proxies = IntegerField(_l("Procurations par membre, au plus"), default=1,
                               validators=[InputRequired(REQUIRED), NumberRange(0, 10, _l("Entre 0 et 10."))])
    age_bands = TextAreaField(_l("Tranches d'âge de la population"), validators=[Optional()],
                              description=_l("Une ligne par tranche : libellé ; âge de début ; âge de fin (vide : sans limite) ; part de la population en %."))


class CollegeForm(FlaskForm):
    name = StringField(_l("Nom du collège"), validators=[DataRequired(REQUIRED), Length(max=160, message=_l("160 caractères au plus."))])
    kind = SelectField(_l("Nature"), choices=[(k.value, k.lazy_label) for k in CollegeKind])
    seats = IntegerField(_l("Nombre de sièges"), validators=[InputRequired(REQUIRED), NumberRange(1, 500, _l("Entre 1 et 500."))])


class InviteForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=160, message=_l("160 caractères au plus."))])
    email = StringField(_l("Adresse électronique"), validators=[DataRequired(REQUIRED), Length(max=254)],
                        description=_l("L'invitation contient un lien personnel."))
    college = SelectField(_l("Collège"), choices=[], validators=[DataRequired(REQUIRED)])
    role = SelectField(_l("Rôle"), choices=[(r.value, r.lazy_label) for r in MemberRole], default=MemberRole.member.value)
    organisation = StringField(_l("Structure représentée (facultatif)"), validators=[Optional(), Length(max=160)])
    elected_councillor = BooleanField(_l("Cette personne est conseillère communautaire"))


class MemberDataForm(FlaskForm):
    """What members (and only members) are asked, with the reason."""

    gender = RadioField(_l("Genre"), choices=GENDER_CHOICES, validators=[InputRequired(_l("Choisissez une réponse."))], description=PERSONAL_DATA_REASON)
    birth_year = IntegerField(_l("Année de naissance"), validators=[InputRequired(_l("Indiquez votre année de naissance."))],
                              description=_l("Par exemple 1984. Elle sert seulement à compter les tranches d'âge."))
    elected_councillor = BooleanField(_l("Je suis conseiller ou conseillère communautaire"))


class InvitationForm(MemberDataForm):
    pass


class ApplicationForm(MemberDataForm):
    college = SelectField(_l("Collège"), choices=[], validators=[DataRequired(REQUIRED)])
    organisation = StringField(_l("Structure que vous représentez (facultatif)"), validators=[Optional(), Length(max=160)])
    motivation = TextAreaField(_l("Pourquoi souhaitez-vous siéger ?"), validators=[DataRequired(REQUIRED), Length(max=4000, message=_l("4 000 caractères au plus."))])


class VolunteerForm(FlaskForm):
    gender = RadioField(_l("Genre"), choices=GENDER_CHOICES, validators=[InputRequired(_l("Choisissez une réponse."))], description=PERSONAL_DATA_REASON)
    birth_year = IntegerField(_l("Année de naissance"), validators=[InputRequired(_l("Indiquez votre année de naissance."))])


class ImportVolunteersForm(FlaskForm):
    source_label = StringField(_l("Origine de la liste"), validators=[DataRequired(REQUIRED), Length(max=160)],
                               description=_l("Par exemple « Bailleur Val Habitat, liste de mars »."))
    file = FileField(_l("Fichier CSV"), validators=[DataRequired(_l("Choisissez un fichier CSV."))],
                     description=_l("Colonnes séparées par des points-virgules : nom ; courriel ; genre ; annee_naissance ; commune (code INSEE)."))


class DrawForm(FlaskForm):
    title = StringField(_l("Titre du tirage"), validators=[DataRequired(REQUIRED), Length(max=160)])
    college = SelectField(_l("Collège à pourvoir"), choices=[], validators=[DataRequired(REQUIRED)])
    seats = IntegerField(_l("Nombre de personnes à tirer"), validators=[InputRequired(REQUIRED), NumberRange(1, 500, _l("Entre 1 et 500."))])
    quotas = TextAreaField(_l("Quotas"), validators=[Optional()],
                           description=_l("Une ligne par quota, par exemple « genre: femme=6, homme=6 » ou « tranche d'âge: 16-29 ans=4, 30-59 ans=4, 60 ans et plus=4 »."))


class RerunForm(FlaskForm):
    class Meta:
        csrf = False

    graine = StringField(_l("Graine"), validators=[DataRequired(REQUIRED), Length(max=64)])


class SittingForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Nature"), choices=[(k.value, k.lazy_label) for k in SittingKind])
    working_group = SelectField(_l("Groupe de travail (pour une réunion de groupe)"), choices=[], validators=[Optional()])
    starts_at = DateTimeLocalField(_l("Début"), format=DATETIME_FORMAT, validators=[InputRequired(DATETIME_MESSAGE)])
    ends_at = DateTimeLocalField(_l("Fin (facultatif)"), format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField(_l("Lieu"), validators=[Optional(), Length(max=300)])
    video_url = StringField(_l("Lien de visioconférence (facultatif)"), validators=[Optional(), Length(max=500)])
    is_public = BooleanField(_l("Séance publique (plénière seulement)"), default=True)


class MoveForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Nouveau début"), format=DATETIME_FORMAT, validators=[InputRequired(DATETIME_MESSAGE)])
    ends_at = DateTimeLocalField(_l("Nouvelle fin (facultatif)"), format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField(_l("Lieu"), validators=[Optional(), Length(max=300)])
    video_url = StringField(_l("Lien de visioconférence"), validators=[Optional(), Length(max=500)])


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Intitulé du point"), validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField(_l("Précisions (facultatif)"), validators=[Optional(), Length(max=4000)])


class AnswerForm(FlaskForm):
    answer = RadioField(_l("Votre réponse"), choices=[(a.value, a.lazy_label) for a in Answer], validators=[InputRequired(_l("Choisissez votre réponse."))])
    proxy = SelectField(_l("Membre qui vous représente (procuration)"), choices=[], validators=[Optional()])


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Compte rendu"), validators=[Optional(), Length(max=100000)], description=_l("En Markdown."))
    based_on = BasedOnField()


class ApproveMinutesForm(FlaskForm):
    at_sitting = SelectField(_l("Séance où le compte rendu a été approuvé"), choices=[], validators=[DataRequired(REQUIRED)])


class GroupForm(FlaskForm):
    name = StringField(_l("Nom du groupe"), validators=[DataRequired(REQUIRED), Length(max=160)])
    purpose = TextAreaField(_l("Objet"), validators=[Optional(), Length(max=4000)])
    lead = SelectField(_l("Animateur ou animatrice"), choices=[], validators=[Optional()])


class GroupMemberForm(FlaskForm):
    membership = SelectField(_l("Membre à ajouter"), choices=[], validators=[DataRequired(REQUIRED)])


class TrainingForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Contenu"), validators=[Optional(), Length(max=4000)])
    starts_at = DateTimeLocalField(_l("Début"), format=DATETIME_FORMAT, validators=[InputRequired(DATETIME_MESSAGE)])
    ends_at = DateTimeLocalField(_l("Fin (facultatif)"), format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField(_l("Lieu"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Places"), validators=[InputRequired(REQUIRED), NumberRange(1, 1000, _l("Entre 1 et 1 000."))])


class BudgetForm(FlaskForm):
    year = IntegerField(_l("Année"), validators=[InputRequired(REQUIRED), NumberRange(2000, 2100, _l("Une année entre 2000 et 2100."))])
    allocation = DecimalField(_l("Dotation (€)"), places=2, validators=[InputRequired(REQUIRED), NumberRange(0, None, _l("0 ou plus."))])


class SpendingForm(FlaskForm):
    spent_on = DateField(_l("Date"), validators=[InputRequired(_l("Indiquez la date, par exemple 2026-03-03."))])
    label = StringField(_l("Objet"), validators=[DataRequired(REQUIRED), Length(max=200)])
    amount = DecimalField(_l("Montant (€)"), places=2, validators=[InputRequired(REQUIRED), NumberRange(0.01, None, _l("Un montant positif."))])


class DocumentForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    file = FileField(_l("Fichier (PDF, JPEG ou PNG)"), validators=[DataRequired(_l("Choisissez un fichier."))])
    is_public = BooleanField(_l("Public (sinon réservé aux membres)"))
