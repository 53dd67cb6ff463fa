"""Who sees and changes entitlements and talent records.

Entitlements come from a competition: its host's organizers (and admins) list them, export the
rosters and change their status (confirm, use, expire) with a note. A talent record is shown to
those who may see the person (app/people/access.py), and lists only what comes from the
caller's own competitions (admins: everything): each tenant sees a person through its own
competitions only.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..competitions.models import Competition
from ..extensions import db
from .models import Entitlement


def managed_competition_ids(user):
    """A subquery of the ids of the competitions whose entitlements this user manages."""
    if user.has_role("admin"):
        return select(Competition.id)
    if not user.has_role("organizer") or user.organization_id is None:
        return select(Competition.id).where(False)
    return select(Competition.id).where(Competition.host_organization_id == user.organization_id)


def restrict(stmt, user):
    """Narrow a select over Entitlement to the ones this user manages."""
    if user.has_role("admin"):
        return stmt
    return stmt.where(Entitlement.competition_id.in_(managed_competition_ids(user)))


def can_manage(ent: Entitlement, user) -> bool:
    if user.has_role("admin"):
        return True
    comp = db.session.get(Competition, ent.competition_id) if ent.competition_id else None
    return comp is not None and comp.can_manage(user)


def managed_entitlement(entitlement_id: int) -> Entitlement:
    ent = db.session.get(Entitlement, entitlement_id)
    if ent is None or not can_manage(ent, current_user):
        abort(404)  # another tenant's record: as if it did not exist
    return ent
