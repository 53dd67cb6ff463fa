"""A project entered in an entrepreneurship or trainer contest (one per registration: the team is
the registration's members, its captain leads), its files, and the support its winners receive."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..domain.project import FILE_KINDS, SUPPORT_KINDS
from ..extensions import db
from ..models_base import one_of, utcnow


class Project(db.Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    files: Mapped[list["ProjectFile"]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                      order_by="ProjectFile.id")
    support: Mapped[list["ProjectSupport"]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                           order_by="(ProjectSupport.granted_on, ProjectSupport.id)")


class ProjectFile(db.Model):
    __tablename__ = "project_files"
    __table_args__ = (one_of("kind", FILE_KINDS), CheckConstraint("size >= 0", name="size_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="files")


class ProjectSupport(db.Model):
    __tablename__ = "project_support"
    __table_args__ = (one_of("kind", SUPPORT_KINDS), CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    provider: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    granted_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="support")
