"""Entitlements (资格/待遇) granted by policy rules from final results."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

STATUSES = ("eligible", "confirmed", "used", "expired", "superseded")


class Entitlement(db.Model):
    __tablename__ = "entitlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
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
    rank: Mapped[int]
    award: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="eligible", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person")
    competition = relationship("Competition")
    event = relationship("Event")

    def __repr__(self) -> str:
        return f"<Entitlement {self.id} {self.kind} person={self.person_id} {self.status}>"
