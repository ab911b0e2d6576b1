"""The agenda citoyen: /agenda/ (list by month, month grid), /agenda.ics, /agenda.atom."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from participation.core.pagecache import cached_page, fragment
from participation.agenda import services
from participation.agenda.ical import build_calendar
from participation.agenda.sources import cache_tags, sources
from participation.core.models import utcnow
from participation.extensions import db
from participation.territory.services import current_territory

bp = Blueprint("agenda", __name__)

# Items per page in the list view.
LIST_PAGE_SIZE = 50
# Items shown in a day's cell of the grid before « et N autres ».
GRID_CELL_SIZE = 3


def _filter_args() -> dict:
    """The filters of the URL, to carry over in links."""
    return {key: request.args.getlist(key) for key in ("theme", "commune", "type") if request.args.getlist(key)}


def _filter_choices():
    import sqlalchemy as sa

    from participation.territory.models import Commune, Theme

    themes = db.session.execute(sa.select(Theme.id, Theme.name).where(Theme.archived.is_(False)).order_by(Theme.name)).all()
    communes = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
    return themes, communes, [(s.kind, s.label) for s in sources()]


@bp.route("/agenda/")
@cached_page(tags=cache_tags)
def index():
    month = services.chosen_month(request.args.get("mois"))
    # The month is the same for everyone: built once and shared by logged-in people too (their header aside).
    content = fragment("agenda-month", lambda: _month(month), tags=cache_tags, vary=_args_key())
    return render_template("agenda/index.html", month=month, filters=_filter_args(), content=content)


def _args_key() -> tuple:
    return tuple(sorted(request.args.items(multi=True)))


def _month(month):
    view = "grille" if request.args.get("vue") == "grille" else "liste"
    items = services.month_items(month, request.args)
    days = services.by_day(items, month)
    first, last = services.mandate()
    themes, communes, kinds = _filter_choices()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pages = max((len(items) + LIST_PAGE_SIZE - 1) // LIST_PAGE_SIZE, 1)
    shown = items[(page - 1) * LIST_PAGE_SIZE: page * LIST_PAGE_SIZE]
    return render_template(
        "agenda/_month.html",
        month=month,
        view=view,
        items=items,
        shown_days=services.by_day(shown, month),
        days=days,
        weeks=services.grid(month),
        weekdays=services.WEEKDAYS,
        previous=month.shift(-1) if services.Month.of(first) < month else None,
        following=month.shift(1) if month < services.Month.of(last) else None,
        mandate=(first, last),
        themes=themes,
        communes=communes,
        kinds=kinds,
        filters=_filter_args(),
        selected={k: set(v) for k, v in _filter_args().items()},
        page=page,
        pages=pages,
        cell_size=GRID_CELL_SIZE,
        today=services.local_date(utcnow()),
    )


@bp.route("/agenda.ics")
@cached_page(tags=cache_tags)
def ical():
    # The same feed for everyone: a calendar application sending a session cookie shares it too.
    body = str(fragment("agenda-ics", lambda: build_calendar(services.feed_items(request.args),
                                                              name=f"Agenda citoyen — {current_territory().name}").decode("utf-8"),
                        tags=cache_tags, vary=_args_key())).encode("utf-8")
    response = Response(body, mimetype="text/calendar", headers={"Content-Disposition": 'inline; filename="agenda.ics"'})
    # Calendar applications poll the feed: an unchanged one is answered 304, without its body.
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.route("/agenda.atom")
@cached_page(tags=cache_tags)
def atom():
    items = services.newly_published(request.args)
    body = render_template("agenda/feed.atom", items=items, updated=items[0].published_at if items else utcnow(),
                           self_url=url_for("agenda.atom", _external=True, **_filter_args()),
                           page_url=url_for("agenda.index", _external=True, **_filter_args()))
    return Response(body, mimetype="application/atom+xml")
