"""The register's, the charter's and the bilan's forms."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, URLField, widgets
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from participation.extensions import db
from participation.processes.models import LeaderKind, Method, Uptake
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")
MARKDOWN = _l("Mise en forme Markdown possible : **gras**, listes, liens.")


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _communes():
    from participation.territory.models import Commune

    return [(c.id, c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))]


def _neighbourhoods():
    from participation.territory.models import Neighbourhood

    return [(n.id, n.name) for n in db.session.scalars(sa.select(Neighbourhood).order_by(Neighbourhood.name))]


def _themes():
    from participation.territory.models import Theme

    return [(t.id, t.name) for t in db.session.scalars(sa.select(Theme).where(Theme.archived.is_(False)).order_by(Theme.name))]


def _commitments():
    from participation.processes.services import current_charter

    charter = current_charter()
    return [(c.id, f"{c.position}. {c.title}") for c in charter.commitments] if charter else []


class ProcessForm(FlaskForm):
    """A process entered by hand: every field. A platform process shows only the fields after ``results``."""

    title = StringField(_l("Titre de la démarche"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))])
    summary = TextAreaField(_l("Présentation"), validators=[Optional(), Length(max=20000)], description=MARKDOWN)
    leader_kind = SelectField(_l("Porteur"), choices=[(k.value, k.lazy_label) for k in LeaderKind], validators=[DataRequired(REQUIRED)])
    leader_commune_id = SelectField(_l("Commune porteuse"), coerce=lambda v: int(v) if v else None, choices=[], validators=[Optional()],
                                    description=_l("Quand une commune mène la démarche."))
    leader_name = StringField(_l("Nom du porteur"), validators=[Optional(), Length(max=200)],
                              description=_l("Un partenaire ou une instance : « CAF de Loirande », « Conseil citoyen des Rives »."))
    method = SelectField(_l("Méthode"), choices=[(m.value, m.lazy_label) for m in Method], validators=[DataRequired(REQUIRED)])
    audience = StringField(_l("Public concerné"), validators=[Optional(), Length(max=300)],
                           description=_l("Par exemple : « habitants du quartier », « jeunes de 15 à 25 ans »."))
    starts_on = DateField(_l("Début"), validators=[Optional()])
    ends_on = DateField(_l("Fin"), validators=[Optional()])
    participants = IntegerField(_l("Nombre de participants"), validators=[Optional(), NumberRange(min=0, max=10_000_000, message=_l("Un nombre entre 0 et 10 000 000."))])
    communes = CheckboxesField(_l("Communes concernées"), coerce=int, choices=[], validators=[Optional()])
    neighbourhoods = CheckboxesField(_l("Quartiers prioritaires concernés"), coerce=int, choices=[], validators=[Optional()])
    themes = CheckboxesField(_l("Thèmes"), coerce=int, choices=[], validators=[Optional()])
    commitments = CheckboxesField(_l("Engagements de la charte suivis"), coerce=int, choices=[], validators=[Optional()])
    results = TextAreaField(_l("Résultats"), validators=[Optional(), Length(max=20000)],
                            description=_l("Ce que la démarche a produit : propositions, avis, synthèse. ") + MARKDOWN)
    uptake = SelectField(_l("Prise en compte"), choices=[(u.value, u.lazy_label) for u in Uptake], validators=[DataRequired(REQUIRED)])
    uptake_explanation = TextAreaField(_l("Explication de la prise en compte"), validators=[Optional(), Length(max=20000)],
                                       description=_l("Ce que les services et les élus ont fait des résultats, ou pourquoi ils ne les ont pas retenus."))
    uptake_url = URLField(_l("Lien vers la décision ou l'action"), validators=[
        Optional(), URL(message="Indiquez une adresse web complète (https://…)."), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        communes = _communes()
        self.leader_commune_id.choices = [("", _("— Aucune —")), *communes]
        self.communes.choices = communes
        self.neighbourhoods.choices = _neighbourhoods()
        self.themes.choices = _themes()
        self.commitments.choices = _commitments()

    def values(self, *, platform: bool) -> dict:
        data = {
            "summary": self.summary.data or "",
            "audience": self.audience.data or "",
            "results": self.results.data or "",
            "uptake": Uptake(self.uptake.data),
            "uptake_explanation": self.uptake_explanation.data or "",
            "uptake_url": self.uptake_url.data or None,
        }
        if not platform:
            data.update(
                title=self.title.data, leader_kind=LeaderKind(self.leader_kind.data), leader_commune_id=self.leader_commune_id.data,
                leader_name=self.leader_name.data or "", method=Method(self.method.data), starts_on=self.starts_on.data,
                ends_on=self.ends_on.data, participants=self.participants.data,
            )
        return data


class PlatformProcessForm(ProcessForm):
    """A platform process: its title, dates and figures come from the platform."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "leader_kind", "leader_commune_id", "leader_name", "method", "starts_on", "ends_on", "participants",
                     "communes", "themes"):
            delattr(self, name)


class RegisterEventForm(FlaskForm):
    source_id = SelectField(_l("Événement"), coerce=lambda v: int(v) if str(v).isdigit() else None, choices=[],
                            validators=[DataRequired(_l("Choisissez un événement."))])


class ReferentForm(FlaskForm):
    email = EmailField(_l("Adresse électronique du compte"), validators=[DataRequired(REQUIRED), Email(message=_l("Adresse électronique invalide.")),
                                                                    Length(max=254)])
    commune = SelectField(_l("Commune"), coerce=lambda v: int(v) if str(v).isdigit() else None, choices=[],
                          validators=[DataRequired(_l("Choisissez la commune."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commune.choices = [("", _("— Choisir —")), *_communes()]


class CharterForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)], default="Charte de la participation citoyenne")
    preamble = TextAreaField(_l("Préambule et principes"), validators=[Optional(), Length(max=50000)], description=MARKDOWN)
    voted_on = DateField(_l("Date du vote"), validators=[Optional()],
                         description=_l("Laissez vide tant que la version n'est pas votée : elle n'est pas publiée avant."))
    voted_by = StringField(_l("Assemblée et délibération"), validators=[Optional(), Length(max=300)],
                           description=_l("Par exemple : « Conseil communautaire, délibération n° 2025-112 »."))
    commitments = TextAreaField(
        _l("Engagements"), validators=[DataRequired(_l("Énoncez au moins un engagement.")), Length(max=50000)],
        description=_l("Un engagement par ligne : son titre, puis, après « : », sa description. "
                    "Par exemple : « Informer en amont : chaque démarche est annoncée un mois avant. »"))

    def commitment_list(self) -> list[tuple[str, str]]:
        items = []
        for line in (self.commitments.data or "").splitlines():
            line = line.strip().lstrip("-*•").strip()
            if not line:
                continue
            title, _unused, description = line.partition(":")
            items.append((title.strip()[:200], description.strip()))
        return items


class ProcessFilterForm(FlaskForm):
    """The public register's filters, read from the address."""

    class Meta:
        csrf = False

    commune = SelectField(_l("Commune"), coerce=lambda v: int(v) if str(v).isdigit() else None, choices=[], validators=[Optional()])
    theme = SelectField(_l("Thème"), coerce=lambda v: int(v) if str(v).isdigit() else None, choices=[], validators=[Optional()])
    method = SelectField(_l("Méthode"), choices=[("", _l("Toutes")), *[(m.value, m.lazy_label) for m in Method]], validators=[Optional()])
    leader = SelectField(_l("Porteur"), choices=[("", _l("Tous")), *[(k.value, k.lazy_label) for k in LeaderKind]], validators=[Optional()])
    uptake = SelectField(_l("Prise en compte"), choices=[("", _l("Toutes")), *[(u.value, u.lazy_label) for u in Uptake]], validators=[Optional()])
    year = IntegerField(_l("Année"), validators=[Optional(), NumberRange(min=2000, max=2100, message=_l("Une année entre 2000 et 2100."))])

    def __init__(self, **kwargs):
        super().__init__(formdata=request.args, **kwargs)
        self.commune.choices = [("", _("Toutes")), *_communes()]
        self.theme.choices = [("", _("Tous")), *_themes()]

    def check(self) -> bool:
        valid = self.validate()
        for f in self:
            if f.errors:
                f.data = None
        return valid

    def active(self) -> dict:
        return {f.name: f.data for f in self if f.data not in (None, "")}


class BilanForm(FlaskForm):
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=50000)], description=MARKDOWN)
    highlights = TextAreaField(_l("Temps forts de l'année"), validators=[Optional(), Length(max=50000)], description=MARKDOWN)
    outlook = TextAreaField(_l("Perspectives"), validators=[Optional(), Length(max=50000)], description=MARKDOWN)
