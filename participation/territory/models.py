"""The territory the platform serves, and the lists every domain refers to."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Base, IdMixin, TimestampMixin
from flask_babel import lazy_gettext as _l

# What the accessibility statement may say (RGAA 4.1): without an audit, « non conforme ».
ACCESSIBILITY_STATUSES = ("non conforme", "partiellement conforme", "totalement conforme")


class Territory(IdMixin, TimestampMixin, Base):
    """The authority's settings: one row, edited by admins."""

    __tablename__ = "territories"
    __table_args__ = (
        sa.CheckConstraint("siren IS NULL OR length(siren) = 9", name="siren_length"),
        sa.CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_positive"),
        sa.CheckConstraint("mandate_start IS NULL OR mandate_end IS NULL OR mandate_start < mandate_end", name="mandate_order"),
    )

    name: Mapped[str] = mapped_column(sa.String(160))
    # What kind of authority: "communauté d'agglomération", "département", "commune"…
    kind: Mapped[str] = mapped_column(sa.String(80), default="communauté d'agglomération")
    siren: Mapped[str | None] = mapped_column(sa.String(9))
    siret: Mapped[str | None] = mapped_column(sa.String(14))
    population: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(sa.Text)
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    # The platform's colour (#rrggbb), used for the header and buttons.
    brand_colour: Mapped[str] = mapped_column(sa.String(7), default="#1f5f8b")
    # The authority's logo (PNG or JPEG), shown beside its name in the header and on the home page.
    logo_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="SET NULL"))
    # The mandature: the period the agenda citoyen covers.
    mandate_start: Mapped[date | None]
    mandate_end: Mapped[date | None]
    # The last general renewal of municipal councils (March 2026): the pacte de gouvernance's deadlines run from it.
    council_renewal_date: Mapped[date | None]
    # Legal notice (mentions légales): publisher and host.
    publication_director: Mapped[str | None] = mapped_column(sa.String(160))
    host_name: Mapped[str | None] = mapped_column(sa.String(160))
    host_address: Mapped[str | None] = mapped_column(sa.Text)
    # The data protection officer (délégué à la protection des données).
    dpo_name: Mapped[str | None] = mapped_column(sa.String(160))
    dpo_email: Mapped[str | None] = mapped_column(sa.String(254))
    dpo_address: Mapped[str | None] = mapped_column(sa.Text)
    # Accessibility statement (RGAA 4.1).
    accessibility_status: Mapped[str] = mapped_column(sa.String(40), default="non conforme")
    accessibility_audit_date: Mapped[date | None]
    accessibility_contact: Mapped[str | None] = mapped_column(sa.String(254))


class Commune(IdMixin, Base):
    __tablename__ = "communes"
    __table_args__ = (
        sa.CheckConstraint("length(insee_code) = 5", name="insee_code_length"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_positive"),
    )

    # Code officiel géographique (INSEE), five characters: "69123", "2A004".
    insee_code: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))
    population: Mapped[int | None]

    def __str__(self) -> str:
        return self.name


class Theme(IdMixin, Base):
    __tablename__ = "themes"

    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Archived themes stay on past items but are not offered for new ones.
    archived: Mapped[bool] = mapped_column(default=False)

    def __str__(self) -> str:
        return self.name


class Department(IdMixin, Base):
    """A direction or service of the authority: answers opinions, instructs grants."""

    __tablename__ = "departments"

    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    # Short code used in exports and on the command line: "DGS", "DEV-ECO".
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # The department's shared mailbox, written to when a case concerns it.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    archived: Mapped[bool] = mapped_column(default=False)

    def __str__(self) -> str:
        return self.name


class Neighbourhood(IdMixin, Base):
    """A quartier prioritaire de la politique de la ville (QPV): each may have its conseil citoyen."""

    __tablename__ = "neighbourhoods"
    __table_args__ = (sa.CheckConstraint("length(qpv_code) >= 8", name="qpv_code_length"),)

    name: Mapped[str] = mapped_column(sa.String(160))
    # The State's QPV code, e.g. "QN03701M" (décret 2023-1314) or "QP037001" (2014 list).
    qpv_code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id", ondelete="RESTRICT"), index=True)

    commune = relationship("Commune")

    def __str__(self) -> str:
        return self.name
