"""Competitions (竞赛) and their events (赛项)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow
from ..domain.lifecycle import STATUSES
from ..domain.refdata import KINDS, LEVELS, TRACKS

STAGES = ("single", "preliminary", "final")


class Competition(db.Model):
    __tablename__ = "competitions"
    __table_args__ = (
        CheckConstraint("registration_opens_at < registration_closes_at", name="registration_window"),
        CheckConstraint("publicity_days >= 0", name="publicity_days"),
        CheckConstraint("appeal_window_hours >= 0", name="appeal_window_hours"),
        one_of("level", LEVELS), one_of("kind", KINDS), one_of("stage", STAGES), one_of("status", STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    jurisdiction: Mapped[str] = mapped_column(String(8), index=True)
    host_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    registration_opens_at: Mapped[datetime]
    registration_closes_at: Mapped[datetime]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    publicity_days: Mapped[int] = mapped_column(default=7)
    appeal_window_hours: Mapped[int] = mapped_column(default=2)
    allow_multiple_events: Mapped[bool] = mapped_column(default=False)
    # The title winners receive where a policy grants "the competition's title" (e.g. 技术能手).
    award_title: Mapped[str | None] = mapped_column(String(50))
    # single | preliminary | final: a preliminary's results select who advances (晋级) and grant
    # no entitlements; thresholds of the policies use final-stage ranks.
    stage: Mapped[str] = mapped_column(String(12), default="single", server_default="single")
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it became final: the day whose policy sets grant its entitlements (also on a later
    # correction), not the day the engine happens to run.
    finalized_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    host_organization: Mapped["Organization | None"] = relationship()  # noqa: F821
    events: Mapped[list["Event"]] = relationship(
        back_populates="competition", order_by="Event.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Competition {self.id} {self.status}>"

    def can_manage(self, user) -> bool:
        """Admins manage everything; organizers manage the competitions their organization hosts.
        Fail closed: a competition without a host is managed by admins only, and an organizer
        without an organization manages nothing."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if user.has_role("admin"):
            return True
        return (user.has_role("organizer") and self.host_organization_id is not None
                and user.organization_id == self.host_organization_id)


class CompetitionSupervisor(db.Model):
    """A supervisor (监督/仲裁) assigned to a competition by an admin or the host's organizer:
    supervisors act only on the competitions they are assigned to."""

    __tablename__ = "competition_supervisors"
    __table_args__ = (UniqueConstraint("competition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<CompetitionSupervisor competition={self.competition_id} user={self.user_id}>"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("team_size >= 1", name="team_size"),
        CheckConstraint("max_entrants IS NULL OR max_entrants >= 1", name="max_entrants"),
        one_of("track", TRACKS), one_of("decrypt_requested_role", ("chief_judge", "supervisor")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str | None] = mapped_column(String(200))
    track: Mapped[str] = mapped_column(String(10))
    team_size: Mapped[int] = mapped_column(default=1)
    max_entrants: Mapped[int | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    venue: Mapped[str | None] = mapped_column(String(200))
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    scheme: Mapped[dict] = mapped_column(JSON)
    awards: Mapped[dict] = mapped_column(JSON)
    tiebreak: Mapped[list] = mapped_column(JSON, default=list)
    no_shared_ranks: Mapped[bool] = mapped_column(default=False)
    # Active (submitted or approved) registrations; changed only by conditional UPDATEs so that
    # concurrent registrations can never overfill the event.
    entrant_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Sign-off by the chief judge (锁定) and the decryption of codes to names (解密).
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decrypted_at: Mapped[datetime | None]
    decrypted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Two-person decryption: whoever of the chief judge and a supervisor acts first is recorded
    # here; names are revealed (decrypted_at) when the other confirms.
    decrypt_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decrypt_requested_at: Mapped[datetime | None]
    decrypt_requested_role: Mapped[str | None] = mapped_column(String(12))
    # Two-layer encryption (二次加密): admission-ticket numbers and judges' codes are separate draws.
    two_layer: Mapped[bool] = mapped_column(default=True, server_default=false())
    # Set while an upheld appeal has reopened the event for correction, until the chief judge re-locks.
    reopened_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competition: Mapped[Competition] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<Event {self.id} of {self.competition_id}>"


class SchemeTemplate(db.Model):
    """An organization's own scoring-scheme template (评分标准模板), saved from one of its events;
    offered next to the built-in library (app/rubrics/*.yaml) when an event is created."""

    __tablename__ = "scheme_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str | None] = mapped_column(String(200))
    scheme: Mapped[dict] = mapped_column(JSON)
    tiebreak: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SchemeTemplate {self.id} org={self.organization_id}>"
