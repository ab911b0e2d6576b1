"""The request cycle every domain relies on: one transaction per request,
security headers, error pages, pagination and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import SelectPagination
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

from participation.core.errors import DomainError, PermissionDenied
from participation.core.forms import INT_MAX, clean_text, parse_int
from flask_babel import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ERROR_TITLES = {
    400: (_l("Requête incorrecte"), _l("La demande n'a pas pu être comprise. Si vous avez envoyé un formulaire, rechargez la page et réessayez.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas l'autorisation de voir cette page ou de faire cette action.")),
    404: (_l("Page introuvable"), _l("La page demandée n'existe pas ou plus. Vérifiez l'adresse, ou repartez de l'accueil.")),
    405: (_l("Méthode non autorisée"), _l("Cette adresse ne s'utilise pas de cette façon.")),
    409: (_l("Action impossible"), _l("Cette action n'est pas possible dans l'état actuel.")),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    422: (_l("Données incorrectes"), _l("Les informations envoyées ne respectent pas les règles attendues.")),
    429: (_l("Trop de tentatives"), _l("Vous avez fait trop de demandes en peu de temps. Patientez quelques minutes avant de réessayer.")),
    500: (_l("Erreur du serveur"), _l("Une erreur inattendue s'est produite. L'équipe technique en est informée ; réessayez dans quelques instants.")),
}


# Input: every value a request carries is bounded where it is parsed ---------


def int_arg(name: str, default=None, *, minimum: int = -INT_MAX, maximum: int = INT_MAX):
    """The query string's ``name`` as a bounded whole number (``parse_int``), else ``default``."""
    return parse_int(request.args.get(name), default, minimum=minimum, maximum=maximum)


class InputDict(ImmutableMultiDict):
    """The query string and the form of every request: control characters
    (NUL…) are dropped from keys and values, and ``get(…, type=int)`` is
    bounded (``parse_int``): an out-of-range number is the default, as a
    word is."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = [(k, v) for k, values in mapping.items() for v in (values if isinstance(values, (list, tuple)) else [values])]
        else:
            pairs = mapping
        super().__init__([(_clean(k), _clean(v)) for k, v in pairs])

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        if type is int:
            return parse_int(super().get(key), default)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        if type is int:
            return [n for n in (parse_int(v) for v in super().getlist(key)) if n is not None]
        return super().getlist(key, type)


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value


class InputRequest(Request):
    """The request class of the app: its ``args`` and ``form`` are ``InputDict``."""

    parameter_storage_class = InputDict


class IdConverter(IntegerConverter):
    """``<int:…>``: a number a column holds (``INT_MAX`` at most); larger, the page does not exist (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's signature)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=INT_MAX if max is None else max, signed=signed)

    def to_python(self, value: str):
        if len(value) > 12:
            raise ValidationError()
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """``<…>`` and ``<string:…>``: no control character, 500 characters at most; else 404."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength or 500, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


class SafePathConverter(PathConverter):
    """``<path:…>``: no control character."""

    regex = r"[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"
    part_isolating = False


def configure_input(app: Flask) -> None:
    """Bound what a request carries, for every blueprint (call before they are registered)."""
    from participation.core import column_bounds, forms  # noqa: F401 (column_bounds: its flush check)

    app.request_class = InputRequest
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter, path=SafePathConverter)
    forms.install()


def rollback_only() -> None:
    """Ask that this request's transaction be rolled back, whatever its status."""
    g.rollback_only = True


def init_app(app: Flask) -> None:
    from participation.extensions import db

    @app.after_request
    def _finish_transaction(response):
        # One place commits: after the handler, unless it failed or asked not to.
        if not db.session.registry.has():
            return response  # no session opened (a page served from the cache): nothing to end
        if response.status_code < 400 and not g.get("rollback_only"):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and not response.cache_control.public and _is_logged_in():
            # A page for a logged-in person is theirs: no shared cache, no browser
            # history (the back button after log-out), keeps a copy of it. Only what a
            # view declares public (the same for everyone: the agenda feed, the theme's CSS) is cached.
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
            response.vary.add("Cookie")
        return response

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        # A refused action from a button: nothing is kept, the person is told why.
        db.session.rollback()
        if isinstance(error, PermissionDenied) and not _is_logged_in():
            return redirect(url_for("accounts.login", next=request.full_path))
        if request.method == "POST" and not wants_json():
            flash(error.message, "error")
            return redirect(safe_referrer())
        return render_error(error.status_code, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        db.session.rollback()
        return render_error(400, _("Le formulaire a expiré ou n'a pas été reconnu. Rechargez la page et envoyez-le à nouveau."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        db.session.rollback()
        if error.code is None or error.code < 400:
            return error
        description = None
        if error.code == 429:
            description = ERROR_TITLES[429][1]
        elif error.description and error.code in (400, 403, 404) and not error.description.startswith(("The ", "You ")):
            # A French description given by our own ``abort(code, "…")``.
            description = error.description
        response = render_error(error.code, description)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Erreur inattendue sur %s", request.path)
        return render_error(500)


# Renderers that may answer an error in their own form (the API's problem details):
# ``func(code, message) -> response | None``; the first that answers wins.
_error_renderers: list = []


def register_error_renderer(func):
    if func not in _error_renderers:
        _error_renderers.append(func)
    return func


def render_error(code: int, message: str | None = None):
    from flask import make_response

    for renderer in _error_renderers:
        response = renderer(code, message)
        if response is not None:
            return response
    title, default = ERROR_TITLES.get(code, ERROR_TITLES[500] if code >= 500 else ERROR_TITLES[400])
    title, message = str(title), str(message or default)
    if wants_json():
        response = make_response({"erreur": title, "message": message}, code)
    else:
        response = make_response(render_template("errors/error.html", code=code, title=title, message=message), code)
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def _is_logged_in() -> bool:
    from flask_login import current_user

    if g.get("page_cache_person") is not None:
        return True  # a page shared by signed-in people, filled with this person's card: no account loaded
    return bool(current_user and current_user.is_authenticated)


def is_safe_url(target: str | None) -> bool:
    """Only redirect to a path on this site: no scheme, no host, no ``//``."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") and "\\" not in target


def safe_next(default_endpoint: str = "pages.home", value: str | None = None) -> str:
    target = value if value is not None else request.values.get("next")
    return target if is_safe_url(target) else url_for(default_endpoint)


def safe_referrer(default_endpoint: str = "pages.home") -> str:
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if is_safe_url(path):
                return path
    return url_for(default_endpoint)


# A page number past this one is not a page number: the list opens at its first page.
MAX_PAGE = 1_000_000


def paginate(select, *, per_page: int | None = None):
    """Paginate a ``select`` from the ``page`` query parameter: two queries, whatever the size."""
    from flask import current_app

    from participation.extensions import db

    page = int_arg("page", 1, minimum=1, maximum=MAX_PAGE)
    return db.paginate(select, page=page, per_page=per_page or current_app.config["PAGE_SIZE"], error_out=False, max_per_page=100)


def form_error(form, error) -> None:
    """Show a service's refusal next to its field, or at the top of the form.

    The request's transaction is rolled back: a refused form changes nothing.
    """
    rollback_only()
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


def paginate_rows(select, *, per_page: int | None = None):
    """Like ``paginate``, for a ``select`` of several columns (``select(Event, User.display_name)``):
    the page's items are rows, so joined values come in the same query. Two queries, whatever the size."""
    from flask import current_app

    from participation.extensions import db

    page = int_arg("page", 1, minimum=1, maximum=MAX_PAGE)
    return _RowPagination(
        select=select,
        session=db.session(),
        page=page,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
    )


class _RowPagination(SelectPagination):
    def _query_items(self) -> list:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(query).all())


def get_or_404(model, ident, *, options=()):
    """The row, or a 404 page: what every view does first. ``options``: loader options
    (a form's POST need not load the lists a page shows: ``lazyload(Model.themes)``)."""
    from flask import abort

    from participation.extensions import db

    item = db.session.get(model, ident, options=options)
    if item is None:
        abort(404)
    return item


def edit_conflict(form, error, *, text_field: str | None = None, text_fields: dict[str, str] | None = None):
    """A save refused because the text moved on (``EditConflict``): roll back,
    keep the person's text in ``form``, base it on the stored revision, and
    return what ``templates/_conflict.html`` shows (render with status 409).

    ``text_fields`` maps the model's text attributes to the form's fields
    when there are several (``text_field``: the form field of the only one).
    """
    from participation.core.concurrency import conflict_of

    rollback_only()
    form.based_on.data = str(error.current)
    form.based_on.raw_data = [str(error.current)]
    fields = text_fields or {text_field: text_field}
    return conflict_of(error, {attr: (str(getattr(form, name).label.text), getattr(form, name).data) for attr, name in fields.items()})


def form_status(*forms) -> int:
    """422 when one of the forms was refused, 200 otherwise."""
    return 422 if any(f is not None and (f.errors or f.form_errors) for f in forms) else 200


def forbidden_page(error: PermissionDenied):
    """For back-office blueprints: a refused permission is a 403 page, for a
    form as for a page (the app-wide handler flashes and redirects on POST).

    ``bp.register_error_handler(PermissionDenied, forbidden_page)``
    """
    from flask_login import current_user

    from participation.extensions import db

    db.session.rollback()
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    return render_error(403, error.message)
