"""The person's electronic record (电子档案): grades per occupation with their history and source,
applications for exceptional or skip-level assessment (破格/越级), titles, training records.

Each row belongs to the organization that recorded it (recorded_by_organization_id): its
organizers (and admins) see it, like the results of outside competitions; the person sees all of
their own. A grade promoted by a rule (an entitlement of kind grade_promotion) belongs to the
organization that owns the entitlement's source (the competition's host, or the recorder of the
outside result)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.person_file import APPLICATION_KINDS, APPLICATION_STATUSES, GRADE_SOURCES, TRAINING_KINDS
from ..extensions import db
from ..models_base import one_of, utcnow


class OccupationGrade(db.Model):
    """One grade in one occupation (职业/工种) awarded to a person; the history is every row."""

    __tablename__ = "occupation_grades"
    __table_args__ = (one_of("source", GRADE_SOURCES), one_of("status", ("valid", "revoked")),
                      CheckConstraint("grade BETWEEN 1 AND 5", name="grade_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    occupation: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int]
    grade_from: Mapped[int | None]  # the grade in this occupation before (None: none)
    source: Mapped[str] = mapped_column(String(12))
    entitlement_id: Mapped[int | None] = mapped_column(ForeignKey("entitlements.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("grade_applications.id"), index=True)
    awarded_on: Mapped[date]
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(8), default="valid")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped["Person"] = relationship()  # noqa: F821
    entitlement: Mapped["Entitlement | None"] = relationship()  # noqa: F821


class GradeApplication(db.Model):
    """An application for exceptional (破格) or skip-level (越级) assessment in one occupation, and
    its decision by another organizer of the same organization."""

    __tablename__ = "grade_applications"
    __table_args__ = (one_of("kind", APPLICATION_KINDS), one_of("status", APPLICATION_STATUSES),
                      CheckConstraint("grade_to BETWEEN 1 AND 5", name="grade_to_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    occupation: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    grade_from: Mapped[int | None]
    grade_to: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    # The entitlement that marked the person (e.g. gx-grade-exception), if any.
    entitlement_id: Mapped[int | None] = mapped_column(ForeignKey("entitlements.id"))
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped["Person"] = relationship()  # noqa: F821


class PersonTitle(db.Model):
    """A title held (西藏技术能手, 西藏工匠, 非物质文化遗产传承人 …): recorded, or from a title entitlement."""

    __tablename__ = "person_titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(64))
    conferred_by: Mapped[str] = mapped_column(String(200))
    conferred_on: Mapped[date]
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingRecord(db.Model):
    """A training the person took (培训记录): programme, provider, dates, hours, certificate."""

    __tablename__ = "training_records"
    __table_args__ = (one_of("kind", TRAINING_KINDS), CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    program: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    hours: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
