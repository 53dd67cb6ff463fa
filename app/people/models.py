"""Organizations (单位) and people (人员)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.tenancy import region_jurisdiction
from ..extensions import db
from ..models_base import one_of, utcnow
from ..domain.refdata import GENDERS, ID_TYPES, ORG_KINDS


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (one_of("kind", ORG_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"

    @property
    def jurisdiction(self) -> str | None:
        """CN for a national body (region 000000), else the province's ISO code (CN-XZ …)."""
        return region_jurisdiction(self.region_code)


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("id_type", "id_number"), one_of("id_type", ID_TYPES),
                      one_of("gender", GENDERS))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # The name in Tibetan script (藏文名), beside the name of the ID card; optional.
    name_bo: Mapped[str | None] = mapped_column(String(64))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(32), index=True)  # the public lookup searches by it
    gender: Mapped[str | None] = mapped_column(String(6))
    birth_date: Mapped[date | None]
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(20))
    skill_grade: Mapped[int | None]
    is_frontline_worker: Mapped[bool] = mapped_column(default=False)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The candidate account that owns this record, if the person registered themselves.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    # The organization whose staff first entered this record (an organizer, a contact, an import):
    # that organization keeps seeing the person even outside its own competitions.
    created_by_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Bumped when a claim code is used: the person's one-time claim code changes with it.
    claim_nonce: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization: Mapped["Organization | None"] = relationship(foreign_keys=[organization_id])
    user: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class PersonClaim(db.Model):
    """A candidate account that signed up with the name and ID number of a person already on
    file. It is attached to that person only after proof: the person's one-time claim code, or
    the approval of their organization's contact or an organizer who sees the person. Until then
    the account sees nothing of the record."""

    __tablename__ = "person_claims"
    __table_args__ = (one_of("status", ("pending", "approved", "rejected")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))  # the name typed at sign-up
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending | approved | rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<PersonClaim {self.id} user={self.user_id} {self.status}>"
