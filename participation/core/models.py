"""Base classes for every model: naming convention, ids, timestamps, UTC times, titled enums."""

from __future__ import annotations

import enum
from datetime import datetime, UTC

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from flask_babel import gettext as _

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A moment in time, stored in UTC without zone, always read back as aware UTC.

    SQLite keeps no time zone; storing naive UTC everywhere gives both databases
    the same values and ordering.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(_("Une date et heure sans fuseau ne peut être enregistrée."))
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class TitledEnum(str, enum.Enum):
    """A string enum whose members carry the French label shown to people.

    ``draft = "draft", "Brouillon"``: the first value is stored, the second shown.
    """

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The label in the reader's language (declared with ``lazy_gettext``)."""
        return str(self._label)

    @property
    def lazy_label(self):
        """The label as declared (lazy), for what is built once at import,
        such as form choices, and shown later in the reader's language."""
        return self._label

    def __str__(self) -> str:
        return self.value


def enum_column(enum_cls: type[enum.Enum], *, name: str | None = None, **kwargs) -> sa.Enum:
    """A portable enum type stored as text, guarded by a CHECK constraint named ``name``."""
    return sa.Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        **kwargs,
    )


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
