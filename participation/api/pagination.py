"""Cursor pagination on (sort key, id): an opaque cursor, one query per page.

The cursor is the last item's sort value and id, in URL-safe base64 JSON.
A page is ``WHERE (sort, id) < (value, id) ORDER BY sort DESC, id DESC LIMIT n+1``
(``>`` and ascending for an ascending resource): its cost does not grow with
the position in the list, and an item added or removed meanwhile neither
repeats nor skips another.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime

import sqlalchemy as sa

from participation.core.forms import INT_MAX

MAX_CURSOR_LENGTH = 300


class BadCursor(ValueError):
    pass


def encode(resource, item) -> str:
    value = getattr(item, resource.sort.key) if resource.sort is not None else None
    if isinstance(value, (datetime, date)):
        value = value.isoformat()
    raw = json.dumps([value, item.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(resource, cursor: str):
    """(sort value, id) of a cursor this resource gave, else ``BadCursor``."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, ident = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor from None
    if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= INT_MAX:
        raise BadCursor
    kind = resource.sort_kind
    if kind is None:
        if value is not None:
            raise BadCursor
        return None, ident
    try:
        if kind is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise BadCursor
        elif kind is date:
            value = date.fromisoformat(value)
        elif kind is int:
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**62:
                raise BadCursor
        elif not isinstance(value, str) or len(value) > 200:
            raise BadCursor
    except (TypeError, ValueError):
        raise BadCursor from None
    return value, ident


def ordered(resource, statement, after=None):
    """``statement`` in the resource's order, past ``after`` (a decoded cursor)."""
    ident = resource.id_column
    columns = [resource.sort, ident] if resource.sort is not None else [ident]
    statement = statement.order_by(None).order_by(*(c.asc() if resource.ascending else c.desc() for c in columns))
    if after is not None:
        value, last_id = after
        past = (lambda column, v: column > v) if resource.ascending else (lambda column, v: column < v)
        if resource.sort is None:
            statement = statement.where(past(ident, last_id))
        else:
            statement = statement.where(sa.or_(past(resource.sort, value), sa.and_(resource.sort == value, past(ident, last_id))))
    return statement


# Collected resources (the agenda): the cursor is the last item's (start, uid).


def encode_key(key: tuple[datetime, str]) -> str:
    raw = json.dumps([key[0].isoformat(), key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_key(cursor: str) -> tuple[datetime, str]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor
    try:
        moment, uid = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(moment)
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor from None
    if moment.tzinfo is None or not isinstance(uid, str) or len(uid) > 200:
        raise BadCursor
    return moment, uid
