"""Who sees and changes entitlements, talent records and results recorded from competitions held
outside the system.

Entitlements come from a competition: its host's organizers (and admins) list them, export the
rosters and change their status (confirm, use, expire) with a note. Those granted from an
external result (外部竞赛成绩) belong to the organization that recorded the result. A talent
record is shown to those who may see the person (app/people/access.py), and lists only what comes
from the caller's own competitions and records (admins: everything): each tenant sees a person
through its own competitions only.

External results: the recording organization owns the record: its organizers (and admins) see
it; another organizer of that organization, or an admin, reviews it — never the one who recorded it.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import or_, select

from ..competitions.models import Competition
from ..extensions import db
from .models import Entitlement, ExternalResult


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def managed_competition_ids(user):
    """A subquery of the ids of the competitions whose entitlements this user manages."""
    if user.has_role("admin"):
        return select(Competition.id)
    if not user.has_role("organizer") or user.organization_id is None:
        return select(Competition.id).where(False)
    return select(Competition.id).where(Competition.host_organization_id == user.organization_id)


def _recorded_ids(user):
    if not user.has_role("organizer") or user.organization_id is None:
        return select(ExternalResult.id).where(False)
    return select(ExternalResult.id).where(ExternalResult.recorded_by_organization_id == user.organization_id)


def restrict(stmt, user):
    """Narrow a select over Entitlement to the ones this user manages."""
    if user.has_role("admin"):
        return stmt
    return stmt.where(or_(Entitlement.competition_id.in_(managed_competition_ids(user)),
                          Entitlement.external_result_id.in_(_recorded_ids(user))))


def can_manage(ent: Entitlement, user) -> bool:
    if not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    if ent.external_result_id is not None:
        result = db.session.get(ExternalResult, ent.external_result_id)
        return can_view_external(result, user)
    comp = db.session.get(Competition, ent.competition_id) if ent.competition_id else None
    return comp is not None and comp.can_manage(user)


def managed_entitlement(entitlement_id: int) -> Entitlement:
    ent = db.session.get(Entitlement, entitlement_id)
    if ent is None or not can_manage(ent, current_user):
        abort(404)  # another tenant's record: as if it did not exist
    return ent


def can_record_external(user) -> bool:
    """Organizers and admins who belong to an organization: it becomes the record's owner."""
    return _signed_in(user) and user.has_role("admin", "organizer") and user.organization_id is not None


def can_view_external(result, user) -> bool:
    if result is None or not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("organizer") and user.organization_id is not None \
        and user.organization_id == result.recorded_by_organization_id


def can_review_external(result, user) -> bool:
    """An admin or an organizer of the recording organization, other than the recorder."""
    return can_view_external(result, user) and user.id != result.recorded_by_id


# ---- invitations into another organizer's event (app/selection/invitations.py) -------------------
# Only the two organizations concerned see an invitation: the source's organizers (who sent it and
# may withdraw it while it waits) and the target's (who accept or decline it); admins see all.

def _organizer_of(user, organization_id) -> bool:
    return (_signed_in(user) and user.has_role("organizer") and user.organization_id is not None
            and user.organization_id == organization_id)


def can_view_invitation(inv, user) -> bool:
    if inv is None or not _signed_in(user):
        return False
    return user.has_role("admin") or _organizer_of(user, inv.source_organization_id) \
        or _organizer_of(user, inv.target_organization_id)


def can_decide_invitation(inv, user) -> bool:
    return _signed_in(user) and (user.has_role("admin") or _organizer_of(user, inv.target_organization_id))


def can_withdraw_invitation(inv, user) -> bool:
    return _signed_in(user) and (user.has_role("admin") or _organizer_of(user, inv.source_organization_id))


def restrict_invitations(stmt, user, direction: str | None = None):
    """Narrow a select over Invitation to those of the user's organization (incoming: it hosts the
    target event; outgoing: it sent them)."""
    from .models import Invitation
    if user.has_role("admin") and direction is None:
        return stmt
    org = user.organization_id if user.has_role("organizer", "admin") else None
    if org is None:
        return stmt.where(False)
    if direction == "incoming":
        return stmt.where(Invitation.target_organization_id == org)
    if direction == "outgoing":
        return stmt.where(Invitation.source_organization_id == org)
    return stmt.where(or_(Invitation.target_organization_id == org, Invitation.source_organization_id == org))


def managed_invitation(invitation_id: int):
    from .models import Invitation
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or not can_view_invitation(inv, current_user):
        abort(404)  # another organization's invitation: as if it did not exist
    return inv
