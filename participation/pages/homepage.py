"""The home page's blocks: what each domain shows of what is happening now.

The home page imports no domain. Each domain that has something current to
show (open consultations, next events…) declares a *block* in its own
``participation/<domain>/home.py``, which ``create_app()`` imports for every
domain (``DOMAIN_MODULES``), the way domains declare agenda sources::

    from participation.pages.homepage import HomeLink, register_home_block

    @register_home_block("consultations", "Concertations ouvertes", order=10,
                         more_endpoint="forums.index", more_label="Toutes les concertations",
                         empty="Aucune concertation n'est ouverte en ce moment.")
    def open_consultations(limit: int) -> list[HomeLink]:
        rows = db.session.scalars(sa.select(Consultation).where(...).order_by(...).limit(limit))
        return [HomeLink(c.title, url_for("forums.consultation", consultation_id=c.id),
                         when=c.closes_at, when_prefix="Clôture le") for c in rows]

The rules a block keeps:

* **Public things only**: the home page is the same for everyone (and may be
  cached); a block never shows a draft or a person's own data.
* **At most ``limit`` links**, newest or soonest first.
* **Bounded queries**: one or two queries whatever the data's size (the home
  page's query count is asserted in ``tests/pages/test_home.py``).
* ``order`` places the block among the others (smaller first); a block with
  no link shows its ``empty`` sentence, or is left out when ``empty`` is None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from flask_babel import gettext as _

# How many links each block shows.
HOME_BLOCK_LIMIT = 4


@dataclass(frozen=True)
class HomeLink:
    title: str
    # A path on this site ("/concertations/3").
    url: str
    # A date the visitor cares about (a closing, a start, a publication), shown with ``when_prefix``.
    when: datetime | date | None = None
    # « Clôture le », « Publié le »; the date follows.
    when_prefix: str | None = None
    # Show ``when`` as a day only (« mardi 3 mars 2026 ») rather than a day and a time.
    all_day: bool = False
    # One short line under the title: a place, a council's name.
    detail: str | None = None


@dataclass(frozen=True)
class HomeBlock:
    key: str
    title: object  # str or lazy translation
    func: Callable[[int], list[HomeLink]]
    order: int = 100
    # The page that lists everything of this kind, and its link's text.
    more_endpoint: str | None = None
    more_label: object | None = None
    # What the block says when it has nothing to show; None leaves the block out.
    empty: object | None = None
    # What the block reads, for the page cache: domains or tables (see core/pagecache/).
    tags: tuple[str, ...] = ()


_blocks: dict[str, HomeBlock] = {}


def register_home_block(key: str, title, *, order: int = 100, more_endpoint: str | None = None, more_label=None, empty=None,
                        tags: tuple[str, ...] | None = None):
    """Decorator: ``func(limit) -> list[HomeLink]`` gives the home page the block ``key``.

    ``tags``: what the block reads, for the page cache (domains or tables); by
    default the whole domain of the module that declares it.
    """

    def decorator(func):
        if key in _blocks and _blocks[key].func is not func:
            raise ValueError(_("Le bloc d'accueil « %(key)s » est déjà déclaré.", key=key))
        # Titles may be lazy translations (``_l``): they are read when the page is shown, in its language.
        parts = func.__module__.split(".")
        _blocks[key] = HomeBlock(key, title, func, order, more_endpoint, more_label, empty,
                                 tuple(tags) if tags is not None else (parts[1] if len(parts) > 1 else parts[0],))
        return func

    return decorator


def home_blocks() -> list[HomeBlock]:
    """Every declared block, in their order."""
    return sorted(_blocks.values(), key=lambda block: (block.order, block.key))


def cache_tags() -> tuple[str, ...]:
    """What the home page's blocks show, for the page cache: every block's tags."""
    return tuple(sorted({tag for block in _blocks.values() for tag in block.tags}))


@dataclass(frozen=True)
class ShownBlock:
    block: HomeBlock
    links: list[HomeLink]
    # The address of the block's « more » link, when its endpoint exists.
    more_url: str | None


def collect_home_blocks(limit: int = HOME_BLOCK_LIMIT) -> list[ShownBlock]:
    """Each block with its links, leaving out an empty block that has nothing to say."""
    from flask import current_app, url_for

    shown = []
    for block in home_blocks():
        links = list(block.func(limit))[:limit]
        if not links and not block.empty:
            continue
        more = url_for(block.more_endpoint) if block.more_endpoint in current_app.view_functions else None
        shown.append(ShownBlock(block, links, more))
    return shown
