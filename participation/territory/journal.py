"""The territory's events as the journal shows them (see ``participation/core/eventlabels.py``)."""

from participation.core.eventlabels import declare_domain, declare_events, declare_subject

declare_domain("territory", "Territoire")
declare_subject("territories", "réglages de la collectivité", domain="territory")
declare_subject("communes", "commune", domain="territory")
declare_subject("neighbourhoods", "quartier", domain="territory")
declare_subject("themes", "thème", domain="territory")
declare_subject("departments", "direction", domain="territory")
declare_events("territory", {
    "territory.updated": "Réglages de la collectivité modifiés",
    "territory.communes_imported": "Communes importées",
    "commune.created": "Commune ajoutée",
    "commune.updated": "Commune modifiée",
    "commune.archived": "Commune archivée",
    "commune.unarchived": "Commune rétablie",
    "neighbourhood.created": "Quartier ajouté",
    "neighbourhood.updated": "Quartier modifié",
    "neighbourhood.archived": "Quartier archivé",
    "neighbourhood.unarchived": "Quartier rétabli",
    "theme.created": "Thème ajouté",
    "theme.updated": "Thème modifié",
    "theme.archived": "Thème archivé",
    "theme.unarchived": "Thème rétabli",
    "department.created": "Direction ajoutée",
    "department.updated": "Direction modifiée",
    "department.archived": "Direction archivée",
    "department.unarchived": "Direction rétablie",
})
