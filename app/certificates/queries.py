"""Reads on certificates the web page and the API share: a competition's certificates, searched
and filtered (issue 23: lists that scale)."""
from __future__ import annotations

from sqlalchemy import or_, select

from .models import Certificate

STATUSES = ("valid", "held", "revoked")


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
