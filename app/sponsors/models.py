"""A sponsorship or donation of a competition: sponsor, kind (money, goods, services), amount or
value, purpose, the agreement file, and the acknowledgement optionally printed on its bulletins."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..domain.sponsorship import KINDS
from ..extensions import db
from ..models_base import one_of, utcnow


class Sponsorship(db.Model):
    __tablename__ = "sponsorships"
    __table_args__ = (one_of("kind", KINDS), CheckConstraint("amount > 0", name="amount_positive"),
                      CheckConstraint("agreement_size IS NULL OR agreement_size >= 0", name="agreement_size_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    sponsor_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # yuan; for goods and services their value
    description: Mapped[str | None] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(String(500))
    received_on: Mapped[date | None]
    acknowledgement: Mapped[str | None] = mapped_column(String(200))
    print_on_bulletin: Mapped[bool] = mapped_column(default=False)
    agreement_filename: Mapped[str | None] = mapped_column(String(200))
    agreement_content_type: Mapped[str | None] = mapped_column(String(40))
    agreement_size: Mapped[int | None]
    agreement_sha256: Mapped[str | None] = mapped_column(String(64))
    agreement: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competition: Mapped["Competition"] = relationship()  # noqa: F821
