"""Registrations (报名) and their members; a team registration has several members."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, and_, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow
from ..domain.refdata import REGISTRATION_STATUSES

ACTIVE_STATUSES = ("submitted", "approved")
# Judging marks of an approved entry (缺考 / 取消成绩): such entries are not ranked.
ATTENDANCE_MARKS = ("absent", "disqualified")
SOURCES = ("self", "org_contact", "organizer", "import", "api", "nomination", "advancement")


class Registration(db.Model):
    """One entry into an event: a person, or a team whose captain is `person`."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("event_id", "code"), UniqueConstraint("event_id", "ticket_number"),
                      one_of("status", REGISTRATION_STATUSES), one_of("source", SOURCES),
                      one_of("attendance", ATTENDANCE_MARKS))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    team_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    source: Mapped[str] = mapped_column(String(12))  # SOURCES
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None]
    # Anonymous contestant code from the draw (参赛编号) and the station from the second draw.
    # With two-layer encryption the admission ticket carries `ticket_number` (first layer, the
    # contestant's number) and the judges see only `code` (second layer); without it the ticket
    # carries `code`.
    code: Mapped[str | None] = mapped_column(String(16))
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    station: Mapped[int | None]
    # Absent (缺考) or disqualified (取消成绩) in judging, marked by the chief judge; a
    # disqualification counts once a supervisor confirms it.
    attendance: Mapped[str | None] = mapped_column(String(12))
    attendance_reason: Mapped[str | None] = mapped_column(Text)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance_marked_at: Mapped[datetime | None]
    attendance_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance_confirmed_at: Mapped[datetime | None]
    # Time used in seconds, for the tie-break chain (entered by the chief judge).
    time_used: Mapped[int | None]
    # The import that created this registration (a random batch id), for tracing it to its file.
    import_batch: Mapped[str | None] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped["Event"] = relationship()  # noqa: F821
    person: Mapped["Person"] = relationship(foreign_keys=[person_id])  # noqa: F821
    organization: Mapped["Organization | None"] = relationship()  # noqa: F821
    members: Mapped[list["RegistrationMember"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationMember.position")

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} {self.status}>"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def excluded(self) -> bool:
        """Not ranked: absent, or disqualified with the supervisor's confirmation."""
        return self.attendance == "absent" or (self.attendance == "disqualified"
                                               and self.attendance_confirmed_at is not None)

    @property
    def ticket_text(self) -> str | None:
        """The number printed on the admission ticket and shown to the contestant."""
        return self.ticket_number if self.event.two_layer else self.code


def ranked_clause():
    """SQL: the entry is not excluded from ranking (see Registration.excluded)."""
    return or_(Registration.attendance.is_(None),
               and_(Registration.attendance == "disqualified", Registration.attendance_confirmed_at.is_(None)))


class RegistrationMember(db.Model):
    """A person in a registration. While the registration is active, a person holds at most one
    active membership per event: a partial unique index enforces it in the database."""

    __tablename__ = "registration_members"
    __table_args__ = (
        Index("uq_registration_members_active_person", "event_id", "person_id", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # 0 = the captain / the individual entrant
    is_active: Mapped[bool] = mapped_column(default=True)
    # The entrant's photo for the admission ticket (a re-encoded JPEG, checked by content: see
    # app/domain/photo.py); deferred, so that loading members never reads the image.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_sha: Mapped[str | None] = mapped_column(String(64))
    photo_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship(back_populates="members")
    person: Mapped["Person"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<RegistrationMember reg={self.registration_id} person={self.person_id}>"
