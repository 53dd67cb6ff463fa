"""Who reaches which certificate: the competition's organizers manage (revoke, reissue, print)
its certificates; a certificate PDF goes to those who may see the registration — the winner
their own, others the requested member."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from ..competitions.access import managed_competition
from ..extensions import db
from ..registration.models import Registration
from .models import Certificate
from .operations import normalize_code


def managed_certificate(code: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.code == normalize_code(code)))
    if cert is None:
        abort(404)
    managed_competition(cert.competition_id)
    return cert


def certificate_for(reg: Registration, user, person_id: int | None = None) -> Certificate | None:
    """The valid certificate of this entry: the candidate's own; for others the requested member
    (default the captain)."""
    certs = db.session.scalars(select(Certificate).where(Certificate.registration_id == reg.id,
                                                         Certificate.status == "valid")).all()
    if user.has_role("candidate") and not user.has_role("admin", "organizer", "org_contact", "supervisor"):
        return next((c for c in certs if c.person.user_id == user.id), None)
    if person_id is not None:
        return next((c for c in certs if c.person_id == person_id), None)
    captain = reg.members[0].person_id if reg.members else reg.person_id
    return next((c for c in certs if c.person_id == captain), certs[0] if certs else None)
