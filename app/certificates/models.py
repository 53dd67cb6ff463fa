"""Award certificates (获奖证书) and each competition's certificate settings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow
from ..domain.policy import AWARDS

TEMPLATES = ("classic", "modern", "bilingual")


class CertificateSettings(db.Model):
    """How a competition's certificates look: template, issuing body, serial pattern, and the
    background and seal images the organizer uploads (stored pre-scaled, in the database, so a
    backup holds them and every worker sees them)."""

    __tablename__ = "certificate_settings"
    __table_args__ = (one_of("template", TEMPLATES),)

    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    template: Mapped[str] = mapped_column(String(20), default="classic")
    issuing_body: Mapped[str | None] = mapped_column(String(200))
    serial_pattern: Mapped[str] = mapped_column(String(60))
    background: Mapped[bytes | None] = mapped_column(LargeBinary)
    background_sha: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_sha: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CertificateSettings {self.competition_id} {self.template}>"


class CertificateDesign(db.Model):
    """What an issued certificate looks like, frozen at issue: the template, the issuing body, the
    address its QR code points to, and the background and seal images as they were. A later
    change of the settings makes a new design for later certificates; those issued keep theirs,
    so a certificate is always rendered as it was issued. Identical settings share one row."""

    __tablename__ = "certificate_designs"
    __table_args__ = (UniqueConstraint("competition_id", "sha"), one_of("template", TEMPLATES))

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    sha: Mapped[str] = mapped_column(String(64))  # of everything below: the identity of a design
    template: Mapped[str] = mapped_column(String(20))
    issuing_body: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(300))
    background: Mapped[bytes | None] = mapped_column(LargeBinary)
    background_sha: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_sha: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CertificateDesign {self.id} {self.template} {self.sha[:8]}>"


class Certificate(db.Model):
    """One winner's certificate. The printed facts are copied at issue so that a certificate
    shows what was true when it was issued; a correction revokes it and issues a new one."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("competition_id", "seq"), one_of("status", ("valid", "revoked", "held")),
                      one_of("award", AWARDS), UniqueConstraint("issuer_id", "status_index"))

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    seq: Mapped[int]
    serial: Mapped[str] = mapped_column(String(60), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # verification code, 100 random bits
    name: Mapped[str] = mapped_column(String(64))
    # The name as printed, when the organizer released a held certificate with another spelling
    # (a substitute character, pinyin) because no font has a character of `name`.
    printed_name: Mapped[str | None] = mapped_column(String(64))
    organization_name: Mapped[str | None] = mapped_column(String(200))
    team_name: Mapped[str | None] = mapped_column(String(100))
    rank: Mapped[int]
    award: Mapped[str] = mapped_column(String(10))
    # valid | held (a name no font can print: serial and code assigned, waiting for the organizer's
    # review; not valid, not printed) | revoked
    status: Mapped[str] = mapped_column(String(10), default="valid", index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # The Tibetan-script name as it was at issue, printed beside the Chinese one.
    name_bo: Mapped[str | None] = mapped_column(String(64))
    # Signing (issue 18): the issuing body (the host organization at issue), the design the
    # certificate was issued with, its random index in the issuer's revocation status list, and
    # the signed compact payload of its QR code with the id of the key that signed it. NULL on
    # certificates issued before signing existed, or by a competition without a host.
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    design_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_designs.id"))
    status_index: Mapped[int | None]
    qr_payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    qr_kid: Mapped[str | None] = mapped_column(String(64))

    competition: Mapped["Competition"] = relationship()  # noqa: F821
    event: Mapped["Event"] = relationship()  # noqa: F821
    person: Mapped["Person"] = relationship()  # noqa: F821
    registration: Mapped["Registration"] = relationship()  # noqa: F821
    design: Mapped["CertificateDesign | None"] = relationship()

    def __repr__(self) -> str:
        return f"<Certificate {self.serial} {self.status}>"
