"""A delegation belongs to the organization that formed it: its organizers (and admins) see and
change it; everyone else gets 404 (no existence oracle). Its squad is selected only from the
published results of competitions the caller manages, and manual picks only among the people the
caller may see (app/people/access.py)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .models import CampSession, Delegation, DelegationMember


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage(delegation: Delegation | None, user) -> bool:
    if delegation is None or not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("organizer") and user.organization_id is not None \
        and user.organization_id == delegation.organization_id


def delegations_for(user):
    stmt = select(Delegation).order_by(Delegation.year.desc(), Delegation.id.desc())
    if user.has_role("admin"):
        return stmt
    if not user.has_role("organizer") or user.organization_id is None:
        return stmt.where(False)
    return stmt.where(Delegation.organization_id == user.organization_id)


def managed_delegation(delegation_id: int) -> Delegation:
    row = db.session.get(Delegation, delegation_id)
    if not can_manage(row, current_user):
        abort(404)
    return row


def managed_member(member_id: int) -> DelegationMember:
    row = db.session.get(DelegationMember, member_id)
    if row is None or not can_manage(row.delegation, current_user):
        abort(404)
    return row


def managed_session(session_id: int) -> CampSession:
    row = db.session.get(CampSession, session_id)
    if row is None or not can_manage(row.delegation, current_user):
        abort(404)
    return row
