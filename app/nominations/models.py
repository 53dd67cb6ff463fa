"""Dossiers (事迹材料) of nominations in title selections, and their uploaded attachments.

A nomination is a Registration with source 'nomination'; its dossier holds the structured text
and the files, which are stored in the database (LargeBinary) so that backups hold them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow


class Dossier(db.Model):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    achievements: Mapped[str | None] = mapped_column(Text)   # 主要事迹
    innovations: Mapped[str | None] = mapped_column(Text)    # 技术创新
    honours: Mapped[str | None] = mapped_column(Text)        # 获奖情况
    apprentices: Mapped[str | None] = mapped_column(Text)    # 传承带徒
    # An award to a unit (e.g. 高技能人才培养突出贡献奖): the nominee is this organization, and the
    # registration's person is the nomination's contact person (联系人) for it. None: a person.
    nominee_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    nominee_organization: Mapped["Organization | None"] = relationship()  # noqa: F821
    attachments: Mapped[list["DossierAttachment"]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierAttachment.id")

    @property
    def nominee_name(self) -> str:
        """The organization's name for an award to a unit, else the nominated person's."""
        if self.nominee_organization is not None:
            return self.nominee_organization.name
        return self.registration.person.name

    def __repr__(self) -> str:
        return f"<Dossier {self.id} reg={self.registration_id} v{self.version}>"


class DossierAttachment(db.Model):
    """An uploaded PDF, JPEG or PNG; the type comes from the bytes, the name is for display only."""

    __tablename__ = "dossier_attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: listing a dossier's attachments never loads their bytes.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")

    @property
    def nominee_name(self) -> str:
        """The organization's name for an award to a unit, else the nominated person's."""
        if self.nominee_organization is not None:
            return self.nominee_organization.name
        return self.registration.person.name

    def __repr__(self) -> str:
        return f"<DossierAttachment {self.id} {self.content_type} {self.size}>"
