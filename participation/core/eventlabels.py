"""What the event log's names mean to a person: the labels each domain declares.

The log stores internal names (``sitting.published`` about
``grant_applications`` n° 2); the journal and the account histories show
« Séance publiée » about « demande de subvention n° 2 ». Each domain declares
the labels of its own events and of the things they are about in
``participation/<domain>/journal.py`` (imported at start-up for every
domain, ``DOMAIN_MODULES``)::

    from participation.core.eventlabels import declare_domain, declare_events, declare_subject

    declare_domain("grants", "Subventions")
    declare_subject("grant_applications", "demande de subvention", domain="grants",
                    url=lambda id: url_for("grants_staff.application", application_id=id),
                    department=lambda department_id: sa.select(GrantApplication.id).join(GrantCall)
                                                     .where(GrantCall.department_id == department_id))
    declare_events("grants", {
        "grant_application.submitted": "Demande de subvention déposée",
        ...
    })

``department`` (optional) says which of the subjects a department's staff
member may read in the journal: a ``select`` of their ids for a department
id. A subject type without it is shown to admins only.

``tests/staff/test_event_labels.py`` fails when an event recorded anywhere
in the code has no label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

_domains: dict[str, str] = {}
# event name -> (domain key, label)
_events: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class Subject:
    table: str
    # A common noun, lower case: « demande de subvention ».
    noun: str
    domain: str
    # id -> path of the object's page for staff, or None.
    url: Callable[[int], str] | None = None
    # department id -> select of the ids of the subjects that department handles.
    department: Callable[[int], object] | None = None


_subjects: dict[str, Subject] = {}


def declare_domain(key: str, label: str) -> None:
    _domains[key] = label  # lazy: read in the reader's language


def declare_events(domain: str, labels: dict[str, str]) -> None:
    """Declare the French label of each event name of ``domain``."""
    for name, label in labels.items():
        if name in _events and (_events[name][0], str(_events[name][1])) != (domain, str(label)):
            raise ValueError(_("L'événement « %(name)s » a déjà un libellé.", name=name))
        _events[name] = (domain, label)


def declare_subject(table: str, noun: str, *, domain: str, url=None, department=None) -> None:
    _subjects[table] = Subject(table, noun, domain, url, department)


def domains() -> dict[str, str]:
    """Domain key -> label, by label."""
    return dict(sorted(((key, str(label)) for key, label in _domains.items()), key=lambda item: item[1]))


def event_names(domain: str | None = None) -> list[str]:
    return sorted(name for name, (key, _unused) in _events.items() if domain is None or key == domain)


def labelled_events() -> dict[str, str]:
    return {name: str(label) for name, (_unused, label) in _events.items()}


def subjects() -> dict[str, Subject]:
    return dict(_subjects)


def event_label(name: str) -> str:
    """« Séance publiée »; an undeclared name reads « Opération enregistrée » rather than a code."""
    found = _events.get(name)
    return str(found[1]) if found else _("Opération enregistrée")


def subject_noun(table: str) -> str:
    subject = _subjects.get(table)
    return str(subject.noun) if subject else _("objet")


def subject_label(table: str, subject_id: int | None) -> str:
    """« demande de subvention n° 2 », « la plateforme »."""
    if table == "platform" or subject_id is None:
        return _("la plateforme") if table in ("platform", "territories") else subject_noun(table)
    return _("%(noun)s n° %(id)s", noun=subject_noun(table), id=subject_id)


def subject_url(table: str, subject_id: int | None) -> str | None:
    subject = _subjects.get(table)
    if subject is None or subject.url is None or subject_id is None:
        return None
    try:
        return subject.url(subject_id)
    except Exception:  # an endpoint another branch renamed: the label stays, the link goes
        return None


declare_domain("platform", _l("Plateforme"))
declare_subject("platform", _l("la plateforme"), domain="platform")
