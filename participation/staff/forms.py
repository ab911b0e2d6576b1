"""Back-office forms.

Filters are GET forms: they change nothing, so they carry no CSRF token
(a token in an address would leak through history and logs). Every form
that changes something is a POST with its token.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as FieldError

from participation.accounts.models import AccountState, Role
from participation.core.outbox import MailStatus
from participation.extensions import db
from participation.staff.services import RESIDENT
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")
ROLE_CHOICES = [(role.value, role.lazy_label) for role in Role]


class FilterForm(FlaskForm):
    """A search form read from the address (``?status=…``), without CSRF."""

    class Meta:
        csrf = False

    def __init__(self, **kwargs):
        super().__init__(formdata=request.args, **kwargs)

    def check(self) -> bool:
        """Validate; a field in error is then ignored, so the list still shows."""
        valid = self.validate()
        for field in self:
            if field.errors:
                field.data = None
        return valid

    def active(self) -> dict[str, str]:
        """The valid filters in use, to keep them in the pagination links."""
        return {field.name: field.data for field in self if field.data}


class MailFilterForm(FilterForm):
    status = SelectField(_l("État"), choices=[("", _l("Tous")), *[(s.value, s.lazy_label) for s in MailStatus]], validators=[Optional()])
    recipient = StringField(_l("Destinataire contient"), validators=[Optional(), Length(max=254, message=_l("254 caractères au plus."))])


class JournalFilterForm(FilterForm):
    domain = SelectField(_l("Domaine"), choices=[], validators=[Optional()])
    person = StringField(_l("Personne (nom affiché ou adresse)"), validators=[Optional(), Length(max=254, message=_l("254 caractères au plus."))],
                         description=_l("La personne qui a fait l'opération."))
    subject_type = SelectField(_l("Type d'objet"), choices=[], validators=[Optional()])
    subject_id = StringField(
        _l("Numéro de l'objet"),
        validators=[Optional(), Regexp(r"^\d{1,12}$", message=_l("Indiquez un numéro, en chiffres uniquement."))],
    )
    start = DateField(_l("Du"), validators=[Optional()], description=_l("Jour inclus, heure de Paris."))
    end = DateField(_l("Au"), validators=[Optional()], description=_l("Jour inclus, heure de Paris."))

    def __init__(self, **kwargs):
        from participation.core import eventlabels

        super().__init__(**kwargs)
        self.domain.choices = [("", _("Tous")), *eventlabels.domains().items()]
        nouns = sorted(((table, str(s.noun)) for table, s in eventlabels.subjects().items() if table != "platform"), key=lambda t: t[1])
        self.subject_type.choices = [("", _("Tous")), *[(table, noun[:1].upper() + noun[1:]) for table, noun in nouns]]

    def validate_subject_id(self, field):
        if field.data and not (self.subject_type.data or "").strip():
            raise FieldError(_("Indiquez aussi le type de l'objet : un numéro seul ne désigne rien."))

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise FieldError(_("La fin de la période précède son début."))

    def filters(self):
        from participation.staff.journal_view import JournalFilters

        return JournalFilters(
            domain=self.domain.data or None,
            person=(self.person.data or "").strip() or None,
            subject_type=self.subject_type.data or None,
            subject_id=int(self.subject_id.data) if self.subject_id.data and self.subject_type.data else None,
            start=self.start.data,
            end=self.end.data,
        )

    def active(self) -> dict[str, str]:
        return {field.name: (field.data.isoformat() if hasattr(field.data, "isoformat") else field.data) for field in self if field.data}


class AccountFilterForm(FilterForm):
    search = StringField(_l("Adresse ou nom affiché contient"), validators=[Optional(), Length(max=254, message=_l("254 caractères au plus."))])
    role = SelectField(_l("Rôle"), choices=[("", _l("Tous")), (RESIDENT, _l("Habitant (sans rôle)")), *ROLE_CHOICES], validators=[Optional()])
    state = SelectField(_l("État du compte"), choices=[("", _l("Tous")), *[(s.value, s.lazy_label) for s in AccountState]], validators=[Optional()])


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Rôle à attribuer"), choices=ROLE_CHOICES, validators=[DataRequired(REQUIRED)])
    department = SelectField(
        _l("Direction ou service"),
        choices=[],
        validators=[Optional()],
        description=_l("Obligatoire pour un agent de la collectivité."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = department_choices()


class RevokeRoleForm(FlaskForm):
    role = HiddenField(_l("Rôle à retirer"), validators=[DataRequired(REQUIRED), AnyOf([r.value for r in Role], message=_l("Ce rôle n'existe pas."))])


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif de la suspension"),
        validators=[DataRequired(_l("Indiquez le motif de la suspension : il est conservé dans le journal.")), Length(max=500, message=_l("500 caractères au plus."))],
        description=_l("Il est conservé dans le journal du compte. La personne est déconnectée aussitôt."),
    )


def department_choices() -> list[tuple[str, str]]:
    from participation.territory.models import Department

    rows = db.session.execute(
        sa.select(Department.id, Department.name).where(Department.archived.is_(False)).order_by(Department.name)
    ).all()
    return [("", _("— Aucune —")), *[(str(did), name) for did, name in rows]]


class IndicatorFilterForm(FilterForm):
    annee = IntegerField(_l("Année"), validators=[Optional(), NumberRange(min=2000, max=2100, message=_l("Une année entre 2000 et 2100."))])
    commune = SelectField(_l("Commune"), choices=[], validators=[Optional()])

    def __init__(self, **kwargs):
        from participation.territory.models import Commune

        super().__init__(**kwargs)
        rows = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
        self.commune.choices = [("", _("Tout le territoire")), *[(str(cid), name) for cid, name in rows]]

    def query(self):
        from participation.core.models import utcnow
        from participation.staff.indicators import IndicatorQuery

        year = self.annee.data or utcnow().year
        return IndicatorQuery(year=year, commune_id=int(self.commune.data) if self.commune.data else None)


class ExportForm(FilterForm):
    """One export's choice and period, read from the address."""

    choice = SelectField(_l("Choix"), choices=[], validators=[DataRequired(_l("Choisissez dans la liste."))])
    start = DateField(_l("Du"), validators=[Optional()])
    end = DateField(_l("Au"), validators=[Optional()])

    def __init__(self, export, **kwargs):
        super().__init__(**kwargs)
        self.choice.label.text = export.choice_label
        self.choice.choices = [("", _("— Choisir —")), *[(str(i), label) for i, label in export.choices()]]
        if not export.uses_period:
            del self.start
            del self.end

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise FieldError(_("La fin de la période précède son début."))
