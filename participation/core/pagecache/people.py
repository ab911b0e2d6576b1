"""The signed-in person's generation: what moves when a row naming them changes, and their card."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from participation.core.pagecache.generations import _AHEAD, _REDIS_PEOPLE, _REDIS_PERSON, _prefix, _redis, local_pages

# The signed-in person's generation --------------------------------------------
#
# What a page shows of a signed-in person (the header's name, roles and unread
# notices; a page's parts: their registration, their reactions, their seat)
# is kept under the person's generation: a card for the header, a copy of each
# page with parts (``_person_copy``). It moves when a transaction that changed
# a row of theirs commits: a row of any table with a foreign key to the people
# (``people_are``), found by the ORM at flush, for every person it names before
# and after the change. A bulk statement on such a table (which the ORM does
# not see row by row) names its people with the execution option ``people``,
# or else moves every person's generation at once (the ``people`` epoch, part
# of each generation). Tables whose rows no page shows (mail queued for a
# person, their log-in tokens) are declared with ``impersonal_rows``.

_PEOPLE = "page_cache_people"
_PEOPLE_ALL = "page_cache_people_all"
_PERSON_SEEN = "participation.pagecache.person"  # in the request's environ: (id, generation) its card was read under
# The people's model (``people_are``), and models whose rows name people but show on no page.
_people_model: type | None = None
_impersonal: set[type] = set()
# Model class -> the attributes naming people in its rows (its foreign keys to the people, found once).
_person_attributes_found: dict[type, tuple[str, ...]] = {}


def people_are(model: type) -> None:
    """Rows of ``model`` are people: a change of one, or of any row with a foreign key to them, renews what pages show them."""
    global _people_model
    _people_model = model
    _person_attributes_found.clear()


def impersonal_rows(*models: type) -> None:
    """Rows of ``models`` name a person but no page shows them: their changes renew nobody's pages."""
    _impersonal.update(models)
    _person_attributes_found.clear()


def person_attributes(model: type) -> tuple[str, ...]:
    """The attributes of ``model`` that name a person (a foreign key to the accounts), found once; none if impersonal."""
    found = _person_attributes_found.get(model)
    if found is None:
        names = set()
        if model not in _impersonal:
            mapper = sa.inspect(model)
            people = getattr(_people_model, "__table__", None)
            if model is _people_model:
                names.add(mapper.get_property_by_column(mapper.primary_key[0]).key)
            for column in mapper.columns:
                if any(fk.column.table is people for fk in column.foreign_keys):
                    names.add(mapper.get_property_by_column(column).key)
        found = _person_attributes_found[model] = tuple(sorted(names))
    return found


def person_changed(db_session, *user_ids: int | None) -> None:
    """This transaction changes what pages show these people (rows the ORM does not see, or cannot tell are theirs)."""
    ids = {i for i in user_ids if i is not None}
    if ids:
        db_session.info.setdefault(_PEOPLE, set()).update(ids)


def _after_flush(db_session, flush_context) -> None:
    dirty = db_session.dirty
    for row in (*db_session.new, *dirty, *db_session.deleted):
        names = person_attributes(type(row))
        if not names:
            continue
        state = sa.inspect(row)
        for name in names:
            if name not in state.dict:
                # Not loaded (a row deleted without being read): whose it was is unknown, so everyone's pages renew.
                db_session.info[_PEOPLE_ALL] = True
                continue
            # The person named before a change loses the row, the one named after gains it: both see it change.
            person_changed(db_session, state.dict[name], *(state.attrs[name].history.deleted if row in dirty else ()))


def _on_bulk_statement(execute_state):
    """A bulk INSERT, UPDATE or DELETE of rows that name people: those named by ``people``, or, when it changed
    a row (an hourly purge that finds nothing renews no one), everyone."""
    if not (execute_state.is_update or execute_state.is_delete or execute_state.is_insert):
        return None
    mapper = execute_state.bind_mapper
    if mapper is None or not person_attributes(mapper.class_):
        return None
    named = execute_state.execution_options.get("people")
    if named is not None:
        person_changed(execute_state.session, *named)
        return None
    result = execute_state.invoke_statement()
    if execute_state.is_insert or result.rowcount != 0:  # (-1: not known)
        execute_state.session.info[_PEOPLE_ALL] = True
    return result


def _person_keys(user_id: int) -> list[str]:
    return [f"{_prefix()}{_REDIS_PERSON}{user_id}", _prefix() + _REDIS_PEOPLE]


def person_generation(user_id: int) -> str | None:
    """The person's generation, shared by every worker; None without Redis (their card is then read each time)."""
    client = _redis()
    if client is None:
        return None
    keys = _person_keys(user_id)
    try:
        ahead = request.environ.get(_AHEAD) if has_request_context() else None
        if ahead is not None and all(k in ahead for k in keys):
            values = [ahead.pop(k) for k in keys]
        else:
            values = client.mget(keys)
    except Exception:
        return None
    found = ".".join((v or b"0").decode() for v in values)
    if has_request_context():
        request.environ[_PERSON_SEEN] = (user_id, found)
    return found


def person_card(user_id: int, build) -> dict | None:
    """The card of the person ``user_id`` under their generation; ``build()`` makes it when it is not kept."""
    gen = person_generation(user_id)
    if gen is None:
        return build()
    key = f"p{user_id}.{gen}"
    now = time.monotonic()
    entry = local_pages.get(key)
    if entry is not None and entry[3] > now:
        return entry[2]
    client = _redis()
    try:
        stored = client.get(_prefix() + "pagecache:card:" + key)
    except Exception:
        stored = None
    card = json.loads(stored) if stored is not None else None
    if card is None:
        card = build()
        if card is None:
            return None
        try:
            client.set(_prefix() + "pagecache:card:" + key, json.dumps(card), ex=current_app.config["PAGE_CACHE_SECONDS"])
        except Exception:
            pass
    local_pages.set(key, (200, [], card, now + current_app.config["PAGE_CACHE_SECONDS"]), current_app.config["PAGE_CACHE_SIZE"])
    return card
