"""Panels, declared conflicts, draws, score sheets and scores, imported scores, re-checks."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow

CONFLICT_KINDS = ("same_organization", "trainer", "relative", "other")

SCORE = Numeric(8, 2)


class PanelMember(db.Model):
    """A judge (scores sheets) or chief judge (corrects, locks) of an event's panel (裁判组)."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("event_id", "user_id"), one_of("role", ("judge", "chief_judge")))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # judge | chief_judge
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<PanelMember event={self.event_id} user={self.user_id} {self.role}>"


class Conflict(db.Model):
    """A declared conflict of interest (trainer, relative …): the judge is recused from that entry."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "registration_id"), one_of("kind", CONFLICT_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # same_organization | trainer | relative | other
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Conflict judge={self.user_id} reg={self.registration_id} {self.kind}>"


class Draw(db.Model):
    """A seeded draw: anonymous codes (kind codes) or stations (kind stations)."""

    __tablename__ = "draws"
    __table_args__ = (UniqueConstraint("event_id", "kind"), one_of("kind", ("codes", "stations")))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    seed: Mapped[str] = mapped_column(String(64))
    drawn: Mapped[int]
    # Two-layer encryption (codes draw only): the independent seed of the admission-ticket numbers.
    ticket_seed: Mapped[str | None] = mapped_column(String(64))
    # The seal (codes draw only): SHA-256 over a canonical text of the salt, the seeds and every
    # registration → code (→ ticket number) pair, committed at the draw and checked at decryption.
    # The random salt keeps the commitment from being an oracle for guessing a weak seed.
    seal_salt: Mapped[str | None] = mapped_column(String(32))
    seal_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def codes_drawn(cls, event_id: int) -> bool:
        """Whether the event's anonymous codes have been drawn (read by competitions, below judging)."""
        return db.session.scalar(select(cls.id).where(cls.event_id == event_id, cls.kind == "codes")) is not None

    def __repr__(self) -> str:
        return f"<Draw event={self.event_id} {self.kind}>"


class Sheet(db.Model):
    """One judge × one contestant code (评分表): draft → submitted → locked."""

    __tablename__ = "sheets"
    __table_args__ = (UniqueConstraint("event_id", "registration_id", "judge_id"),
                      one_of("status", ("draft", "submitted", "locked")))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    scores: Mapped[list["Score"]] = relationship(back_populates="sheet", cascade="all, delete-orphan",
                                                 lazy="selectin")
    judge: Mapped["User"] = relationship()  # noqa: F821
    registration: Mapped["Registration"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Sheet {self.id} event={self.event_id} reg={self.registration_id} judge={self.judge_id} {self.status}>"

    def values(self) -> dict[str, Decimal | None]:
        return {s.criterion_key: s.value for s in self.scores}


class Score(db.Model):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_key"),
                      CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"), index=True)
    criterion_key: Mapped[str] = mapped_column(String(32))
    value: Mapped[Decimal | None] = mapped_column(SCORE)

    sheet: Mapped[Sheet] = relationship(back_populates="scores")

    def __repr__(self) -> str:
        return f"<Score sheet={self.sheet_id} {self.criterion_key}={self.value}>"


class ImportedScore(db.Model):
    """A score of an imported component (theory exam), per contestant code and criterion."""

    __tablename__ = "imported_scores"
    __table_args__ = (UniqueConstraint("registration_id", "criterion_key"),
                      CheckConstraint("value >= 0", name="value_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    criterion_key: Mapped[str] = mapped_column(String(32))
    value: Mapped[Decimal] = mapped_column(SCORE)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ImportedScore reg={self.registration_id} {self.criterion_key}={self.value}>"


class Recheck(db.Model):
    """The supervisor's re-check draw after lock: top N plus a random share of the rest."""

    __tablename__ = "rechecks"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    top_n: Mapped[int]
    share: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    full_required: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["RecheckItem"]] = relationship(back_populates="recheck", cascade="all, delete-orphan",
                                                      order_by="RecheckItem.id")

    def __repr__(self) -> str:
        return f"<Recheck event={self.event_id}>"


class RecheckItem(db.Model):
    __tablename__ = "recheck_items"
    __table_args__ = (UniqueConstraint("recheck_id", "registration_id"), one_of("reason", ("top", "random", "full")),
                      one_of("status", ("pending", "checked", "wrong")))

    id: Mapped[int] = mapped_column(primary_key=True)
    recheck_id: Mapped[int] = mapped_column(ForeignKey("rechecks.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(8))   # top | random | full
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending | checked | wrong
    note: Mapped[str | None] = mapped_column(Text)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]

    recheck: Mapped[Recheck] = relationship(back_populates="items")
    registration: Mapped["Registration"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<RecheckItem reg={self.registration_id} {self.status}>"


class PaperForm(db.Model):
    """A printed marking form (纸质评分表) of one judge for one event, known by its serial; typed
    in by two clerks (double entry) and accepted when both entries agree."""

    __tablename__ = "paper_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]

    judge: Mapped["User"] = relationship(foreign_keys=[judge_id])  # noqa: F821
    entries: Mapped[list["PaperEntry"]] = relationship(back_populates="form", cascade="all, delete-orphan",
                                                       order_by="PaperEntry.id")

    def __repr__(self) -> str:
        return f"<PaperForm {self.serial} event={self.event_id} judge={self.judge_id}>"


class PaperEntry(db.Model):
    """One clerk's typing of a paper form: {code: {criterion key: value text or null}}."""

    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("form_id", "clerk_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("paper_forms.id", ondelete="CASCADE"), index=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    values: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    form: Mapped[PaperForm] = relationship(back_populates="entries")
    clerk: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<PaperEntry form={self.form_id} clerk={self.clerk_id}>"


class SheetPhoto(db.Model):
    """A photo of the work as evidence for one criterion of a sheet: re-encoded on upload (no
    EXIF, no location), stored in the database so that backups hold it."""

    __tablename__ = "sheet_photos"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"), index=True)
    criterion_key: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    sheet: Mapped[Sheet] = relationship()

    def __repr__(self) -> str:
        return f"<SheetPhoto {self.id} sheet={self.sheet_id} {self.criterion_key}>"
