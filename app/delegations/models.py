"""A delegation (参赛队/集训队) of an organization for an outside competition, its members and staff,
its training camp sessions (集训) and their marks (attendance, internal assessment scores)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.delegation import ROLES, SESSION_KINDS, SOURCES, STATUSES, TARGET_LEVELS
from ..extensions import db
from ..models_base import one_of, utcnow


class Delegation(db.Model):
    __tablename__ = "delegations"
    __table_args__ = (one_of("target_level", TARGET_LEVELS), one_of("status", STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    target_competition: Mapped[str] = mapped_column(String(200))
    target_level: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    occupation: Mapped[str | None] = mapped_column(String(200))
    members_quota: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="forming")
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nominated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["DelegationMember"]] = relationship(back_populates="delegation", cascade="all, delete-orphan",
                                                             order_by="DelegationMember.id")
    sessions: Mapped[list["CampSession"]] = relationship(back_populates="delegation", cascade="all, delete-orphan",
                                                         order_by="(CampSession.held_on, CampSession.id)")


class DelegationMember(db.Model):
    __tablename__ = "delegation_members"
    __table_args__ = (UniqueConstraint("delegation_id", "person_id"), one_of("role", ROLES), one_of("source", SOURCES))

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)  # a manual pick's reason
    source_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    source_rank: Mapped[int | None]
    source_total: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    camp_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # frozen at nomination
    camp_rank: Mapped[int | None]
    external_result_id: Mapped[int | None] = mapped_column(ForeignKey("external_results.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegation: Mapped[Delegation] = relationship(back_populates="members")
    person: Mapped["Person"] = relationship()  # noqa: F821
    source_event: Mapped["Event | None"] = relationship()  # noqa: F821


class CampSession(db.Model):
    __tablename__ = "camp_sessions"
    __table_args__ = (one_of("kind", SESSION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    held_on: Mapped[date]
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegation: Mapped[Delegation] = relationship(back_populates="sessions")
    marks: Mapped[list["CampMark"]] = relationship(back_populates="camp_session", cascade="all, delete-orphan")


class CampMark(db.Model):
    __tablename__ = "camp_marks"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("camp_sessions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    present: Mapped[bool] = mapped_column(default=False)
    score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))

    camp_session: Mapped[CampSession] = relationship(back_populates="marks")
