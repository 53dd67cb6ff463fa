"""Who may see and review results of competitions held outside the system (外部竞赛成绩).

The recording organization owns the record: its organizers (and admins) see it; another organizer
of that organization, or an admin, reviews it — never the organizer who recorded it. (The lead
folds these predicates into the tenancy layer.)
"""
from __future__ import annotations


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


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
