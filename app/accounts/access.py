"""Who manages which accounts. Admins: every account and every role. Organizers: the accounts of
their own organization only, and only the roles an organizer may grant (judge, chief judge,
organization contact); supervisors, organizers and admins are created by admins, and a
supervisor acts only on the competitions an admin or the host assigns them to."""
from __future__ import annotations

import hashlib

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain.refdata import ROLES
from ..extensions import db
from ..models_base import utcnow
from .models import ApiToken, User

ORGANIZER_GRANTABLE = frozenset({"judge", "chief_judge", "org_contact"})
# Accounts that act for an organization: each must belong to one (fail closed for recusal,
# registration and tenancy).
NEEDS_ORGANIZATION = frozenset({"organizer", "org_contact", "judge", "chief_judge"})


def grantable_roles(user) -> list[str]:
    if user.has_role("admin"):
        return list(ROLES)
    if user.has_role("organizer") and user.organization_id is not None:
        return [r for r in ROLES if r in ORGANIZER_GRANTABLE]
    return []


def users_query(user):
    stmt = select(User).order_by(User.username)
    if user.has_role("admin"):
        return stmt
    if user.organization_id is None:
        return stmt.where(False)
    return stmt.where(User.organization_id == user.organization_id)


def search_users(stmt, q: str | None = None, role: str | None = None):
    """Narrow a users statement by a search text (user name or full name) and a role; the web page
    and the API list both call this."""
    from .models import UserRole
    q = (q or "").strip()[:64]
    if q:
        stmt = stmt.where(User.username.contains(q.lower()) | User.name.contains(q))
    if role:
        stmt = stmt.where(UserRole.query_user_ids(role))
    return stmt


def can_edit(target: User, user) -> bool:
    if user.has_role("admin"):
        return True
    return (user.has_role("organizer") and user.organization_id is not None and target.id != user.id
            and target.organization_id == user.organization_id and target.roles <= ORGANIZER_GRANTABLE)


def editable_user(user_id: int) -> User:
    target = db.session.get(User, user_id)
    if target is None or not (current_user.has_role("admin") or target.organization_id == current_user.organization_id):
        abort(404)  # another organization's account: as if it did not exist
    if not can_edit(target, current_user):
        abort(403)
    return target


def token_user():
    """The enabled user of the request's valid bearer token (g.api_token set), else None."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    if not token:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    # The token and its user in one query (the user's roles follow in one more, selectin).
    row = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == digest))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_enabled:
        return None
    g.api_token = row
    return row.user
