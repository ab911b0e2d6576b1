"""``/api/v1/``: the resources the domains declare, their OpenAPI document and its reference page."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from participation.api import pagination, registry, spec
from participation.api.problems import problem, render_api_error
from participation.core.forms import INT_MAX, parse_int
from participation.core.pagecache import cached_page, etag_only
from participation.core.web import register_error_renderer
from participation.extensions import db, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 20
# A date filter outside these years is a typing error (and 9999-12-31 + 1 day overflows).
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_LIMIT = 100
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
    "Access-Control-Max-Age": "86400",
}

register_error_renderer(render_api_error)
limiter.limit(lambda: current_app.config["RATELIMIT_API"])(bp)


class BadRequest(Exception):
    def __init__(self, detail):
        self.detail = detail


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return problem(400, error.detail)


@bp.after_app_request
def _cors(response: Response):
    # Everything under /api/ is public and read-only: any site may read it, without credentials.
    if request.path.startswith("/api/"):
        for name, value in CORS_HEADERS.items():
            response.headers[name] = value
        response.vary.add("Origin")
    return response


# --- Reading the request ----------------------------------------------------------


def _filters(resource) -> dict:
    values = {}
    for flt in resource.filters:
        raw = request.args.get(flt.name)
        if raw is None or raw == "":
            continue
        if flt.kind is int:
            value = parse_int(raw, None, minimum=1, maximum=INT_MAX)
            if value is None:
                raise BadRequest(_l("Le filtre « %(name)s » attend un identifiant (un nombre entier positif).", name=flt.name))
        elif flt.kind is date:
            try:
                value = date.fromisoformat(raw) if len(raw) == 10 else None
            except ValueError:
                value = None
            if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
                value = None
            if value is None:
                raise BadRequest(_l("Le filtre « %(name)s » attend une date au format AAAA-MM-JJ, entre %(min)s et %(max)s.",
                                     name=flt.name, min=MIN_YEAR, max=MAX_YEAR))
        else:
            value = raw
            allowed = flt.allowed()
            if allowed is not None and value not in allowed:
                raise BadRequest(_l("Le filtre « %(name)s » accepte : %(choices)s.", name=flt.name, choices=", ".join(allowed)))
            if len(value) > 200:
                raise BadRequest(_l("Le filtre « %(name)s » est trop long.", name=flt.name))
        values[flt.argument] = value
    return values


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    value = parse_int(raw, None, minimum=1, maximum=MAX_LIMIT)
    if value is None:
        raise BadRequest(_l("Le paramètre « limit » attend un nombre entier de 1 à %(max)s.", max=MAX_LIMIT))
    return value


def _cursor(resource):
    raw = request.args.get("cursor")
    if raw is None or raw == "":
        return None
    try:
        return pagination.decode_key(raw) if resource.collect is not None else pagination.decode(resource, raw)
    except pagination.BadCursor:
        raise BadRequest(_l("Le curseur « cursor » n'est pas reconnu : reprenez le lien « next » d'une page précédente.")) from None


# --- Answering ----------------------------------------------------------------------


def _items(resource, rows, *, detail: bool = False) -> list[tuple]:
    """(item, serialised model) of each row; ``complete`` is asked once for the whole page."""
    items = [row[0] for row in rows]
    given = resource.complete(items) if resource.complete is not None else [row if len(row) > 1 else row[0] for row in rows]
    schema, serialise = resource.schema, resource.to_dict
    if detail and resource.to_detail is not None:
        schema, serialise = resource.detail_schema, resource.to_detail
    return [(item, schema.model_validate(serialise(value))) for item, value in zip(items, given, strict=True)]


def _json_response(model, modified=None, *, is_list: bool = False) -> Response:
    body = json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if modified is not None and not is_list:
        response.last_modified = modified
    # The same for everyone: shared caches may keep it a minute, then revalidate with the ETag.
    response.cache_control.public = True
    response.cache_control.max_age = 60
    if is_list:
        # A list tells its newest change, but If-Modified-Since is not answered on it: an item taken out
        # of the list changes no date of those left. Its ETag (the body's digest) tells every change.
        etag_only(response)
        response = response.make_conditional(request)
        if modified is not None:
            response.last_modified = modified
        return response
    return response.make_conditional(request)


def _latest(resource, items):
    if not resource.modified:
        return None
    if resource.collect is not None:
        items = [item.entry for item in items]
    stamps = [getattr(item, resource.modified) for item in items]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def _resource_or_404(name: str):
    return registry.get(name)


def _shown_tags():
    """What the asked resource shows (its ``tags``), for the page cache; an unknown name is a 404, never kept."""
    resource = registry.get((request.view_args or {}).get("name", ""))
    if resource is None:
        return ()
    return resource.tags() if callable(resource.tags) else resource.tags


# Every answer is public and the same whoever asks (no session, no account is read): cached for every caller.
@bp.get("/<name>")
@cached_page(tags=_shown_tags, everyone=True)
def collection(name: str):
    resource = _resource_or_404(name)
    if resource is None:
        return problem(404)
    filters = _filters(resource)
    limit = _limit()
    after = _cursor(resource)
    if resource.collect is not None:
        # Built by another registry (the agenda): a bounded window, cut in Python at the cursor.
        items = sorted(resource.collect(**filters), key=lambda entry: entry.cursor_key)
        rows = [(entry,) for entry in items if after is None or entry.cursor_key > after][:limit + 1]
    else:
        statement = pagination.ordered(resource, resource.query(**filters), after).limit(limit + 1)
        rows = db.session.execute(statement).unique().all()
    more = len(rows) > limit
    rows = rows[:limit]
    pairs = _items(resource, rows)
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    links = {"self": request.url, "next": None}
    if more:
        last = pairs[-1][0]
        cursor = pagination.encode_key(last.cursor_key) if resource.collect is not None else pagination.encode(resource, last)
        links["next"] = url_for("api.collection", name=name, **args, cursor=cursor, _external=True)
    envelope = spec.list_model(resource).model_validate({"data": [model for _, model in pairs], "links": links})
    response = _json_response(envelope, _latest(resource, [item for item, _ in pairs]), is_list=True)
    if more:
        response.headers["Link"] = f'<{links["next"]}>; rel="next"'
    return response


@bp.get("/<name>/<int:item_id>")
@cached_page(tags=_shown_tags, everyone=True)
def item(name: str, item_id: int):
    resource = _resource_or_404(name)
    if resource is None or resource.collect is not None:
        return problem(404)
    # The list's own select, narrowed to one id: what the list does not show, the detail does not either.
    statement = resource.query().where(resource.id_column == item_id).order_by(None).limit(1)
    row = db.session.execute(statement).unique().first()
    if row is None:
        return problem(404)
    ((item_, model),) = _items(resource, [row], detail=True)
    envelope = spec.item_model(resource).model_validate({"data": model})
    return _json_response(envelope, _latest(resource, [item_]))


@bp.get("/openapi.json")
@cached_page(tags=(), everyone=True)  # built from the code's schemas alone: what every page shows (site tags) is all it follows
def openapi():
    body = json.dumps(spec.document(), ensure_ascii=False, indent=1).encode()
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


def api_type(schema: dict) -> str:
    """A JSON Schema's type as the reference page writes it: « string (date-time) », « liste de ThemeRef », « Vote ou null »."""
    if "$ref" in schema:
        return schema["$ref"].split("/")[-1]
    if "anyOf" in schema:
        return " | ".join(api_type(part) for part in schema["anyOf"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"[{api_type(schema.get('items', {}))}]"
    if "enum" in schema:
        return f"{kind} : {', '.join(map(str, schema['enum']))}"
    if "const" in schema:
        return f"{kind} : {schema['const']}"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


@bp.app_template_filter("api_type")
def _api_type_filter(schema: dict) -> str:
    return api_type(schema)


@bp.get("/docs")
@cached_page(tags=())  # an HTML page with the site's layout: anonymous visitors only, as every page
def docs():
    return render_template("api/docs.html", document=spec.document(), resources=registry.resources())
