"""What a certificate prints (plain data for the renderers) and what its verification shows, and a
competition's certificates searched and filtered (issue 23): reads shared by the documents, batch
printing, the verification page, the certificates page and the API."""
from __future__ import annotations

import re

from sqlalchemy import or_, select

from ..domain.masking import mask_name
from ..domain.refdata import AWARD_BO, AWARD_ZH, TRACK_ZH
from ..extensions import db
from ..i18n import name as i18n_name
from . import offline
from .codes import display_code
from .models import Certificate, CertificateSettings

STATUSES = ("valid", "held", "revoked")


def verify_url(code: str, base_url: str) -> str:
    return base_url.rstrip("/") + "/verify/" + code


def certificate_context(cert: Certificate, settings: CertificateSettings | None = None,
                        base_url: str | None = None) -> dict:
    """Plain data (no ORM objects) so that worker processes can render it. A certificate prints
    with the design it was issued with (template, issuing body, address, images); only one issued
    before designs were kept takes the competition's settings and the given address."""
    comp, event, design = cert.competition, cert.event, cert.design
    base = (design.base_url if design else (base_url or "http://localhost:5000")).rstrip("/")
    url = verify_url(cert.code, base)
    return {
        "serial": cert.serial, "code": display_code(cert.code), "verify_url": url,
        "qr": offline.qr_segments(url, cert.qr_payload), "signed": cert.qr_payload is not None,
        "verify_base": re.sub(r"^https?://", "", base) + "/verify",
        "competition": comp.name, "event": event.name, "track": TRACK_ZH.get(event.track, ""),
        "team_name": cert.team_name, "name": cert.printed_name or cert.name, "name_bo": cert.name_bo,
        "organization": cert.organization_name,
        "award": AWARD_ZH.get(cert.award, cert.award), "award_bo": AWARD_BO.get(cert.award, ""), "rank": cert.rank,
        "issuing_body": design.issuing_body if design else (settings.issuing_body or comp.name),
        "issued_on": cert.issued_at.date(), "template": design.template if design else settings.template,
    }


def design_images(cert: Certificate, settings: CertificateSettings | None = None) -> list[tuple[bytes, str]]:
    """The images a certificate prints (its design's, or the settings' for an old certificate)."""
    source = cert.design or settings
    out = []
    if source is not None and source.background:
        out.append((source.background, "image/jpeg"))
    if source is not None and source.seal:
        out.append((source.seal, "image/png"))
    return out


def replacement_of(cert: Certificate) -> Certificate | None:
    """The certificate reissued in place of this one (the newest valid one down the chain)."""
    current, seen = cert, set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        nxt = db.session.scalar(select(Certificate).where(Certificate.replaces_id == current.id)
                                .order_by(Certificate.id.desc()).limit(1))
        if nxt is None:
            return current if current is not cert else None
        current = nxt
    return None


def public_view(cert: Certificate) -> dict:
    """What the verification page and API show: never the full name or any ID number."""
    replacement = replacement_of(cert) if cert.status == "revoked" else None
    return {"status": cert.status, "serial": cert.serial, "name_masked": mask_name(cert.name),
            "name_bo_masked": mask_name(cert.name_bo) if cert.name_bo else None,
            "replaced_by": {"serial": replacement.serial, "code": replacement.code, "status": replacement.status}
            if replacement else None, "signed": cert.qr_payload is not None,
            "competition": cert.competition.name, "event": cert.event.name,
            "award": cert.award, "award_label": i18n_name("award", cert.award), "rank": cert.rank,
            "issued_at": cert.issued_at, "revoked_at": cert.revoked_at,
            "revoke_reason": cert.revoke_reason if cert.status == "revoked" else None}



def certificates_query(competition_id: int, q: str | None = None, status: str | None = None,
                       event_id: int | None = None):
    """The competition's certificates in issue order; `q` matches a part of the name or the
    serial number, `status` one of valid / held / revoked."""
    stmt = select(Certificate).where(Certificate.competition_id == competition_id).order_by(Certificate.seq)
    q = (q or "").strip()[:64]
    if q:
        stmt = stmt.where(or_(Certificate.name.contains(q), Certificate.serial.contains(q.upper()),
                              Certificate.serial.contains(q)))
    if status in STATUSES:
        stmt = stmt.where(Certificate.status == status)
    if event_id is not None:
        stmt = stmt.where(Certificate.event_id == event_id)
    return stmt
