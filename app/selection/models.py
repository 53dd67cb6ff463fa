"""Entitlements (资格/待遇) granted by policy rules from final results, and results of competitions
held outside the system (外部竞赛成绩) that count like them once an organizer has reviewed them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow
from ..domain.policy import AWARDS, ENTITLEMENT_KINDS
from ..domain.refdata import KINDS, LEVELS, TRACKS

STATUSES = ("eligible", "confirmed", "used", "expired", "superseded")
EXTERNAL_STATUSES = ("submitted", "approved", "rejected")


class Entitlement(db.Model):
    """One grant of one rule to one person, from an in-system result (registration, competition,
    event) or from a reviewed external result (external_result_id)."""

    __tablename__ = "entitlements"
    __table_args__ = (
        CheckConstraint("registration_id IS NOT NULL OR external_result_id IS NOT NULL", name="has_source"),
        one_of("kind", ENTITLEMENT_KINDS), one_of("status", STATUSES), one_of("award", AWARDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    external_result_id: Mapped[int | None] = mapped_column(ForeignKey("external_results.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    jurisdiction: Mapped[str] = mapped_column(String(8), index=True)
    policy_version: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    title: Mapped[str | None] = mapped_column(String(64))
    grade_from: Mapped[int | None]
    grade_to: Mapped[int | None]
    citation: Mapped[str] = mapped_column(String(200))
    quote: Mapped[str] = mapped_column(Text)
    # The continuation of an ended policy set (按原政策延续执行…) and/or the rule's own note.
    policy_note: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int]
    award: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="eligible", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped["Person"] = relationship()  # noqa: F821
    competition: Mapped["Competition | None"] = relationship()  # noqa: F821
    event: Mapped["Event | None"] = relationship()  # noqa: F821
    external_result: Mapped["ExternalResult | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Entitlement {self.id} {self.kind} person={self.person_id} {self.status}>"

    @property
    def competition_name(self) -> str:
        """The in-system competition's name, or the external competition's."""
        if self.competition is not None:
            return self.competition.name
        return self.external_result.competition_name if self.external_result is not None else ""

    @property
    def event_name(self) -> str:
        if self.event is not None:
            return self.event.name
        ext = self.external_result
        return (ext.occupation or "") if ext is not None else ""


class ExternalResult(db.Model):
    """A result from a competition held outside the system (e.g. a national class-1 final), recorded
    by an organizer with its evidence and reviewed by another organizer of the same organization."""

    __tablename__ = "external_results"
    __table_args__ = (
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("evidence_size IS NULL OR evidence_size >= 0", name="evidence_size_not_negative"),
        one_of("level", LEVELS), one_of("kind", KINDS), one_of("track", TRACKS), one_of("award", AWARDS),
        one_of("status", ("submitted", "approved", "rejected")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    competition_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    jurisdiction: Mapped[str] = mapped_column(String(8))  # where it was held
    occupation: Mapped[str | None] = mapped_column(String(200))  # occupation or event name
    track: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    result_date: Mapped[date]
    rank: Mapped[int]
    award: Mapped[str | None] = mapped_column(String(10))
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    evidence_filename: Mapped[str | None] = mapped_column(String(200))
    evidence_content_type: Mapped[str | None] = mapped_column(String(40))
    evidence_size: Mapped[int | None]
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    # Deferred: listing results never loads the file's bytes.
    evidence: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # The contestant's organization for this result: it decides the province whose rules apply.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The recorder's organization: the tenant that owns the record and reviews it.
    recorded_by_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped["Person"] = relationship()  # noqa: F821
    organization: Mapped["Organization | None"] = relationship(foreign_keys=[organization_id])  # noqa: F821
    recorded_by: Mapped["User"] = relationship(foreign_keys=[recorded_by_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<ExternalResult {self.id} person={self.person_id} {self.status}>"


INVITATION_STATUSES = ("pending", "accepted", "declined", "withdrawn")


class Invitation(db.Model):
    """Advancement into an event hosted by another organizer (跨主办方晋级): the source organizer
    invites people selected from its published results; the target event's organizer accepts
    (they are registered there) or declines with a reason. Only these two organizations see it."""

    __tablename__ = "invitations"
    __table_args__ = (one_of("status", INVITATION_STATUSES),
                      CheckConstraint("source_organization_id <> target_organization_id", name="two_organizers"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    source_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    target_event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    target_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    source_event: Mapped["Event"] = relationship(foreign_keys=[source_event_id])  # noqa: F821
    target_event: Mapped["Event"] = relationship(foreign_keys=[target_event_id])  # noqa: F821
    source_organization: Mapped["Organization"] = relationship(foreign_keys=[source_organization_id])  # noqa: F821
    target_organization: Mapped["Organization"] = relationship(foreign_keys=[target_organization_id])  # noqa: F821
    entries: Mapped[list["InvitationEntry"]] = relationship(
        back_populates="invitation", order_by="InvitationEntry.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.status}>"


class InvitationEntry(db.Model):
    """One invited entry (a person, or a team whole): the source registration with its rank, and
    the registration made in the target event on acceptance."""

    __tablename__ = "invitation_entries"
    __table_args__ = (UniqueConstraint("invitation_id", "source_registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    source_registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    rank: Mapped[int | None]
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))

    invitation: Mapped[Invitation] = relationship(back_populates="entries")
    source_registration: Mapped["Registration"] = relationship(foreign_keys=[source_registration_id])  # noqa: F821
    person: Mapped["Person"] = relationship()  # noqa: F821
