"""Council forms: each field says what it is for; datetimes are typed in Paris time."""

from __future__ import annotations


from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DateTimeLocalField, DecimalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from participation.councils.models import Answer, CollegeKind, CouncilKind, Gender, MemberRole, SittingKind
from participation.councils.services import PERSONAL_DATA_REASON

REQUIRED = "Ce champ est obligatoire."
DATETIME_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
DATETIME_MESSAGE = "Indiquez une date et une heure, par exemple 2026-03-03T18:30."
GENDER_CHOICES = [(g.value, g.label) for g in Gender]




class ActionForm(FlaskForm):
    """A button: only its CSRF token."""


class CouncilForm(FlaskForm):
    name = StringField("Nom du conseil", validators=[DataRequired(REQUIRED), Length(max=160, message="160 caractères au plus.")])
    kind = SelectField("Nature", choices=[(k.value, k.label) for k in CouncilKind])
    neighbourhood = SelectField("Quartier prioritaire (conseil citoyen)", choices=[], validators=[Optional()],
                                description="Obligatoire pour un conseil citoyen.")
    purpose = TextAreaField("Objet du conseil", validators=[Optional(), Length(max=20000)], description="Affiché sur sa page publique (Markdown).")
    rules = TextAreaField("Règlement intérieur", validators=[Optional(), Length(max=100000)], description="Publié sur la page du conseil (Markdown).")
    mandate_start = DateField("Début du mandat", validators=[Optional()])
    mandate_end = DateField("Fin du mandat", validators=[Optional()])
    manager = SelectField("Agent chargé du conseil", choices=[], validators=[Optional()],
                          description="Reçoit les avis destinés à la collectivité (fins de mandat).")
    convocation_days = IntegerField("Délai de convocation (jours)", default=7,
                                    validators=[InputRequired(REQUIRED), NumberRange(0, 60, "Entre 0 et 60 jours.")])
    quorum_percent = IntegerField("Quorum (plus de … % des membres)", default=50,
                                  validators=[InputRequired(REQUIRED), NumberRange(1, 100, "Entre 1 et 100.")],
                                  description="50 : la moitié des membres plus un.")
    max_proxies = IntegerField("Procurations par membre, au plus", default=1,
                               validators=[InputRequired(REQUIRED), NumberRange(0, 10, "Entre 0 et 10.")])
    age_bands = TextAreaField("Tranches d'âge de la population", validators=[Optional()],
                              description="Une ligne par tranche : libellé ; âge de début ; âge de fin (vide : sans limite) ; part de la population en %.")


class CollegeForm(FlaskForm):
    name = StringField("Nom du collège", validators=[DataRequired(REQUIRED), Length(max=160, message="160 caractères au plus.")])
    kind = SelectField("Nature", choices=[(k.value, k.label) for k in CollegeKind])
    seats = IntegerField("Nombre de sièges", validators=[InputRequired(REQUIRED), NumberRange(1, 500, "Entre 1 et 500.")])


class InviteForm(FlaskForm):
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=160, message="160 caractères au plus.")])
    email = StringField("Adresse électronique", validators=[DataRequired(REQUIRED), Length(max=254)],
                        description="L'invitation contient un lien personnel.")
    college = SelectField("Collège", choices=[], validators=[DataRequired(REQUIRED)])
    role = SelectField("Rôle", choices=[(r.value, r.label) for r in MemberRole], default=MemberRole.member.value)
    organisation = StringField("Structure représentée (facultatif)", validators=[Optional(), Length(max=160)])
    elected_councillor = BooleanField("Cette personne est conseillère communautaire")


class MemberDataForm(FlaskForm):
    """What members (and only members) are asked, with the reason."""

    gender = RadioField("Genre", choices=GENDER_CHOICES, validators=[InputRequired("Choisissez une réponse.")], description=PERSONAL_DATA_REASON)
    birth_year = IntegerField("Année de naissance", validators=[InputRequired("Indiquez votre année de naissance.")],
                              description="Par exemple 1984. Elle sert seulement à compter les tranches d'âge.")
    elected_councillor = BooleanField("Je suis conseiller ou conseillère communautaire")


class InvitationForm(MemberDataForm):
    pass


class ApplicationForm(MemberDataForm):
    college = SelectField("Collège", choices=[], validators=[DataRequired(REQUIRED)])
    organisation = StringField("Structure que vous représentez (facultatif)", validators=[Optional(), Length(max=160)])
    motivation = TextAreaField("Pourquoi souhaitez-vous siéger ?", validators=[DataRequired(REQUIRED), Length(max=4000, message="4 000 caractères au plus.")])


class VolunteerForm(FlaskForm):
    gender = RadioField("Genre", choices=GENDER_CHOICES, validators=[InputRequired("Choisissez une réponse.")], description=PERSONAL_DATA_REASON)
    birth_year = IntegerField("Année de naissance", validators=[InputRequired("Indiquez votre année de naissance.")])


class ImportVolunteersForm(FlaskForm):
    source_label = StringField("Origine de la liste", validators=[DataRequired(REQUIRED), Length(max=160)],
                               description="Par exemple « Bailleur Val Habitat, liste de mars ».")
    file = FileField("Fichier CSV", validators=[DataRequired("Choisissez un fichier CSV.")],
                     description="Colonnes séparées par des points-virgules : nom ; courriel ; genre ; annee_naissance ; commune (code INSEE).")


class DrawForm(FlaskForm):
    title = StringField("Titre du tirage", validators=[DataRequired(REQUIRED), Length(max=160)])
    college = SelectField("Collège à pourvoir", choices=[], validators=[DataRequired(REQUIRED)])
    seats = IntegerField("Nombre de personnes à tirer", validators=[InputRequired(REQUIRED), NumberRange(1, 500, "Entre 1 et 500.")])
    quotas = TextAreaField("Quotas", validators=[Optional()],
                           description="Une ligne par quota, par exemple « genre: femme=6, homme=6 » ou « tranche d'âge: 16-29 ans=4, 30-59 ans=4, 60 ans et plus=4 ».")


class RerunForm(FlaskForm):
    class Meta:
        csrf = False

    graine = StringField("Graine", validators=[DataRequired(REQUIRED), Length(max=64)])


class SittingForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Nature", choices=[(k.value, k.label) for k in SittingKind])
    working_group = SelectField("Groupe de travail (pour une réunion de groupe)", choices=[], validators=[Optional()])
    starts_at = DateTimeLocalField("Début", format=DATETIME_FORMAT, validators=[InputRequired(DATETIME_MESSAGE)])
    ends_at = DateTimeLocalField("Fin (facultatif)", format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField("Lieu", validators=[Optional(), Length(max=300)])
    video_url = StringField("Lien de visioconférence (facultatif)", validators=[Optional(), Length(max=500)])
    is_public = BooleanField("Séance publique (plénière seulement)", default=True)


class MoveForm(FlaskForm):
    starts_at = DateTimeLocalField("Nouveau début", format=DATETIME_FORMAT, validators=[InputRequired(DATETIME_MESSAGE)])
    ends_at = DateTimeLocalField("Nouvelle fin (facultatif)", format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField("Lieu", validators=[Optional(), Length(max=300)])
    video_url = StringField("Lien de visioconférence", validators=[Optional(), Length(max=500)])


class AgendaItemForm(FlaskForm):
    title = StringField("Intitulé du point", validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField("Précisions (facultatif)", validators=[Optional(), Length(max=4000)])


class AnswerForm(FlaskForm):
    answer = RadioField("Votre réponse", choices=[(a.value, a.label) for a in Answer], validators=[InputRequired("Choisissez votre réponse.")])
    proxy = SelectField("Membre qui vous représente (procuration)", choices=[], validators=[Optional()])


class MinutesForm(FlaskForm):
    body = TextAreaField("Compte rendu", validators=[Optional(), Length(max=100000)], description="En Markdown.")


class ApproveMinutesForm(FlaskForm):
    at_sitting = SelectField("Séance où le compte rendu a été approuvé", choices=[], validators=[DataRequired(REQUIRED)])


class GroupForm(FlaskForm):
    name = StringField("Nom du groupe", validators=[DataRequired(REQUIRED), Length(max=160)])
    purpose = TextAreaField("Objet", validators=[Optional(), Length(max=4000)])
    lead = SelectField("Animateur ou animatrice", choices=[], validators=[Optional()])


class GroupMemberForm(FlaskForm):
    membership = SelectField("Membre à ajouter", choices=[], validators=[DataRequired(REQUIRED)])


class TrainingForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Contenu", validators=[Optional(), Length(max=4000)])
    starts_at = DateTimeLocalField("Début", format=DATETIME_FORMAT, validators=[InputRequired(DATETIME_MESSAGE)])
    ends_at = DateTimeLocalField("Fin (facultatif)", format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField("Lieu", validators=[Optional(), Length(max=300)])
    capacity = IntegerField("Places", validators=[InputRequired(REQUIRED), NumberRange(1, 1000, "Entre 1 et 1 000.")])


class BudgetForm(FlaskForm):
    year = IntegerField("Année", validators=[InputRequired(REQUIRED), NumberRange(2000, 2100, "Une année entre 2000 et 2100.")])
    allocation = DecimalField("Dotation (€)", places=2, validators=[InputRequired(REQUIRED), NumberRange(0, None, "0 ou plus.")])


class SpendingForm(FlaskForm):
    spent_on = DateField("Date", validators=[InputRequired("Indiquez la date, par exemple 2026-03-03.")])
    label = StringField("Objet", validators=[DataRequired(REQUIRED), Length(max=200)])
    amount = DecimalField("Montant (€)", places=2, validators=[InputRequired(REQUIRED), NumberRange(0.01, None, "Un montant positif.")])


class DocumentForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    file = FileField("Fichier (PDF, JPEG ou PNG)", validators=[DataRequired("Choisissez un fichier.")])
    is_public = BooleanField("Public (sinon réservé aux membres)")
