"""The territory's events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from participation.core.eventlabels import declare_domain, declare_events, declare_subject
from flask_babel import lazy_gettext as _l

declare_domain("territory", _l("Territoire"))
declare_subject("territories", _l("réglages de la collectivité"), domain="territory")
declare_subject("communes", _l("commune"), domain="territory")
declare_subject("neighbourhoods", _l("quartier"), domain="territory")
declare_subject("themes", _l("thème"), domain="territory")
declare_subject("departments", _l("direction"), domain="territory")
declare_events("territory", {
    "territory.updated": _l("Réglages de la collectivité modifiés"),
    "territory.communes_imported": _l("Communes importées"),
    "commune.created": _l("Commune ajoutée"),
    "commune.updated": _l("Commune modifiée"),
    "commune.archived": _l("Commune archivée"),
    "commune.unarchived": _l("Commune rétablie"),
    "neighbourhood.created": _l("Quartier ajouté"),
    "neighbourhood.updated": _l("Quartier modifié"),
    "neighbourhood.archived": _l("Quartier archivé"),
    "neighbourhood.unarchived": _l("Quartier rétabli"),
    "theme.created": _l("Thème ajouté"),
    "theme.updated": _l("Thème modifié"),
    "theme.archived": _l("Thème archivé"),
    "theme.unarchived": _l("Thème rétabli"),
    "department.created": _l("Direction ajoutée"),
    "department.updated": _l("Direction modifiée"),
    "department.archived": _l("Direction archivée"),
    "department.unarchived": _l("Direction rétablie"),
})
