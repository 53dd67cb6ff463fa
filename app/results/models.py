"""Published results (snapshots taken when a competition enters publicity, frozen when final),
tie resolutions of the chief judge, and appeals."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow


class Result(db.Model):
    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("event_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    total: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    components: Mapped[dict] = mapped_column(JSON)
    rank: Mapped[int]
    award: Mapped[str | None] = mapped_column(String(10))
    standardized: Mapped[int | None]
    is_final: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped["Registration"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Result event={self.event_id} reg={self.registration_id} rank={self.rank}>"


class TieResolution(db.Model):
    """The chief judge's order for entries still tied after the chain (no shared ranks)."""

    __tablename__ = "tie_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_ids: Mapped[list] = mapped_column(JSON)  # sorted ids of the tied group
    order: Mapped[list] = mapped_column(JSON)             # the same ids, best first
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<TieResolution event={self.event_id} {self.order}>"


class Appeal(db.Model):
    """An appeal (申诉) by a candidate or their organization's contact, decided by the supervisor."""

    __tablename__ = "appeals"
    __table_args__ = (one_of("status", ("open", "upheld", "dismissed")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open | upheld | dismissed
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped["Registration"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Appeal {self.id} reg={self.registration_id} {self.status}>"


class FinalCorrection(db.Model):
    """A correction of a final event's results after an upheld late appeal (arbitration). While
    it is open (closed_at is NULL) the event's frozen results may be recomputed; closing it
    re-freezes them and re-runs what depends on ranks (entitlements, certificates)."""

    __tablename__ = "final_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    reason: Mapped[str] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<FinalCorrection event={self.event_id} {'open' if self.closed_at is None else 'closed'}>"
