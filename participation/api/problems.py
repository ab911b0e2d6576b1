"""Errors of the API as RFC 9457 problem details (``application/problem+json``), in French."""

from __future__ import annotations

import json

from flask import Response, request
from flask_babel import lazy_gettext as _l

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: _l("Requête incorrecte"),
    404: _l("Ressource introuvable"),
    405: _l("Méthode non autorisée"),
    429: _l("Trop de requêtes"),
    500: _l("Erreur du serveur"),
}
DETAILS = {
    400: _l("La requête n'a pas pu être comprise : vérifiez ses paramètres."),
    404: _l("Aucune ressource publique ne se trouve à cette adresse."),
    405: _l("Cette API se lit seulement : utilisez GET, HEAD ou OPTIONS."),
    429: _l("Vous avez fait trop de requêtes en peu de temps. Patientez avant de réessayer ; l'en-tête Retry-After dit combien de secondes."),
    500: _l("Une erreur inattendue s'est produite. Réessayez dans quelques instants."),
}


def problem(status: int, detail=None, *, title=None) -> Response:
    body = {
        "type": "about:blank",
        "title": str(title or TITLES.get(status) or TITLES[500 if status >= 500 else 400]),
        "status": status,
        "detail": str(detail or DETAILS.get(status) or DETAILS[500 if status >= 500 else 400]),
        "instance": request.path,
    }
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)


def render_api_error(code: int, message: str | None):
    """``core.web``'s error renderer for ``/api/`` paths: a problem, not a page."""
    if not request.path.startswith("/api/"):
        return None
    # The site's own sentences speak of pages; the API's speak of resources.
    return problem(code, message if code == 400 else None)
