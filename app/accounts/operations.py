"""Writes on accounts: create and update users, passwords, sign-in, API tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from ..audit.operations import record
from ..domain.errors import N_, Collector
from ..domain.names import InvalidName, clean_person_name
from ..domain.refdata import ROLES
from ..extensions import db
from ..models_base import utcnow
from . import throttle
from .models import ApiToken, User, UserRole, UserSession
from .passwords import hash_password, needs_rehash, password_problem, verify_nobody, verify_password

from .access import NEEDS_ORGANIZATION, ORGANIZER_GRANTABLE

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")


def normalize_username(raw) -> str:
    return unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "").strip().lower()


def parse_user(data: dict, actor=None, existing: User | None = None) -> dict:
    """Validate user fields; every problem is reported at once."""
    errors = Collector()
    out: dict = {}
    allowed = {"username", "password", "name", "roles", "organization_id", "is_enabled"}
    for key in data:
        if key not in allowed:
            errors.add(key, N_("This field cannot be set."))
    if existing is None or "username" in data:
        username = normalize_username(data.get("username", ""))
        if existing is not None and username != existing.username:
            errors.add("username", N_("A user name cannot be changed."))
        if not USERNAME_RE.match(username):
            errors.add("username", N_("A user name has 3 to 64 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit."))
        elif db.session.scalar(select(User.id).where(User.username == username).where(
                User.id != (existing.id if existing else -1))):
            errors.add("username", N_("This user name is taken."))
        out["username"] = username
    if existing is None or "name" in data:
        try:
            out["name"] = clean_person_name(data.get("name"))
        except InvalidName as exc:
            errors.add("name", exc.message, **exc.params)
    password = data.get("password")
    if password is not None and not isinstance(password, str):
        errors.add("password", N_("This field must be text."))
    elif existing is None or password:
        problem = password_problem(password or "", out.get("username", ""))
        if problem:
            errors.add("password", problem)
        out["password"] = password
    is_admin = actor is not None and actor.has_role("admin")
    if existing is None or "roles" in data:
        roles = data.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or not roles or any(not isinstance(r, str) or r not in ROLES for r in roles):
            errors.add("roles", N_("Choose one or more known roles."))
            roles = []
        elif actor is not None and not is_admin and not set(roles) <= ORGANIZER_GRANTABLE:
            errors.add("roles", N_("Only an administrator can grant this role."))
        out["roles"] = sorted(set(roles))
    if "organization_id" in data:
        org_id = data.get("organization_id")
        if org_id in (None, "", 0, "0"):
            out["organization_id"] = None
        else:
            from ..people.models import Organization
            try:
                org_id = int(org_id) if not isinstance(org_id, bool) else None
            except (TypeError, ValueError):
                org_id = None
            if org_id is None or not 0 < org_id < 2**63 or db.session.get(Organization, org_id) is None:
                errors.add("organization_id", N_("Unknown organization."))
                org_id = None
            out["organization_id"] = org_id
    if actor is not None and not is_admin:
        # An organizer's accounts belong to the organizer's own organization.
        if out.get("organization_id", actor.organization_id) != actor.organization_id:
            errors.add("organization_id", N_("Organizers create and edit accounts of their own organization only."))
        out["organization_id"] = actor.organization_id
    roles_after = set(out.get("roles", existing.roles if existing is not None else []))
    org_after = out.get("organization_id", existing.organization_id if existing is not None else None)
    if roles_after & NEEDS_ORGANIZATION and org_after is None and not errors.has("organization_id"):
        errors.add("organization_id", N_("Organizers, organization contacts and judges belong to an organization: choose it."))
    if "is_enabled" in data:
        out["is_enabled"] = bool(data.get("is_enabled"))
    errors.raise_if_any()
    return out


def create_user(data: dict, actor=None) -> User:
    clean = parse_user(data, actor)
    user = User(username=clean["username"], name=clean["name"],
                password_hash=hash_password(clean["password"]),
                organization_id=clean.get("organization_id"))
    user.role_rows = [UserRole(role=r) for r in clean["roles"]]
    db.session.add(user)
    db.session.flush()
    record("user.create", user, actor=actor,
           after={"username": user.username, "roles": clean["roles"], "organization_id": user.organization_id})
    return user


def update_user(user: User, data: dict, actor=None) -> User:
    clean = parse_user(data, actor, existing=user)
    before = {"name": user.name, "roles": sorted(user.roles), "organization_id": user.organization_id,
              "is_enabled": user.is_enabled}
    if "name" in clean:
        user.name = clean["name"]
    if "organization_id" in clean:
        user.organization_id = clean["organization_id"]
    if "roles" in clean and set(clean["roles"]) != user.roles:
        # Keep the rows of roles that stay: a new row for a kept role would be inserted before
        # the old one is deleted, and the unique (user, role) index would refuse the change.
        kept = [row for row in user.role_rows if row.role in clean["roles"]]
        user.role_rows = kept + [UserRole(role=r) for r in clean["roles"] if r not in {k.role for k in kept}]
        user.session_version += 1
    if "is_enabled" in clean and clean["is_enabled"] != user.is_enabled:
        user.is_enabled = clean["is_enabled"]
        user.session_version += 1
        if not user.is_enabled:
            revoke_all_tokens(user)
    if clean.get("password"):
        _set_password(user, clean["password"])
    after = {"name": user.name, "roles": sorted(clean.get("roles", before["roles"])),
             "organization_id": user.organization_id, "is_enabled": user.is_enabled}
    record("user.update", user, actor=actor, before=before, after=after)
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1  # every other session of this user ends
    revoke_all_tokens(user)


def change_password(user: User, current: str, new: str) -> None:
    errors = Collector()
    if not verify_password(user.password_hash, current or ""):
        errors.add("current_password", N_("The current password is wrong."))
    problem = password_problem(new or "", user.username)
    if problem:
        errors.add("new_password", problem)
    errors.raise_if_any()
    _set_password(user, new)
    record("user.password_change", user, actor=user)


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None. Timing does not reveal unknown user names.

    Raises throttle.AccountLocked, without checking the password, while this user name has
    failed too often (per account, whatever the client address)."""
    name = normalize_username(username)[:128]
    throttle.check(name)
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        verify_nobody(password or "")
        throttle.failed(name)
        return None
    if not verify_password(user.password_hash, password or "") or not user.is_enabled:
        throttle.failed(name)
        return None
    throttle.succeeded(name)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def confirm_password(user: User, password: str) -> bool:
    """Re-authentication ("sudo mode"): is this the signed-in user's password? Throttled like a
    sign-in, so guessing here locks the account the same way."""
    throttle.check(user.username)
    if not verify_password(user.password_hash, password or ""):
        throttle.failed(user.username)
        return False
    throttle.succeeded(user.username)
    return True


def issue_token(user: User, hours: int) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                   expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(row)
    db.session.flush()
    return token, row


def issue_device_token(user: User, event, session_token, expires_at) -> tuple[str, ApiToken]:
    """A judge's device token for one event (scope "sheets": their own sheets' save, submit and
    photos only), tied to the signed-in browser session that asked for it: signing that session
    out revokes it. Earlier device tokens of this session for the event are revoked."""
    session_row = _session_row(session_token)
    now = utcnow()
    if session_row is not None:
        for old in db.session.scalars(select(ApiToken).where(
                ApiToken.session_id == session_row.id, ApiToken.event_id == event.id, ApiToken.revoked_at.is_(None))):
            old.revoked_at = now
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(), expires_at=expires_at,
                   scope="sheets", event_id=event.id, session_id=session_row.id if session_row else None)
    db.session.add(row)
    db.session.flush()
    record("token.device", row, actor=user, after={"event_id": event.id, "expires_at": expires_at},
           competition_id=event.competition_id, event_id=event.id)
    return token, row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()


def revoke_all_tokens(user: User) -> None:
    now = utcnow()
    for row in db.session.scalars(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        row.revoked_at = now


def bump_session(user: User) -> None:
    """Log out every session of this user (server-side revocation)."""
    user.session_version += 1


# ---- browser sessions: signing out ends a session on the server -------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """A new signed-in session: returns the random token the (signed) session cookie carries."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_digest(token)))
    db.session.flush()
    return token


def _session_row(token) -> UserSession | None:
    if not isinstance(token, str) or not token:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))


def live_session_user(user_id: int, token) -> User | None:
    """The user of a signed-in browser session whose token is `token`, if that session is live
    (started for this user and not signed out), in one query (its roles follow, selectin)."""
    if not isinstance(token, str) or not token:
        return None
    return db.session.scalar(select(User).join(UserSession, UserSession.user_id == User.id).where(
        User.id == user_id, UserSession.token_hash == _digest(token), UserSession.revoked_at.is_(None)))


def end_session(token) -> None:
    """Sign a browser session out, and with it the device tokens it minted."""
    row = _session_row(token)
    if row is not None and row.revoked_at is None:
        now = utcnow()
        row.revoked_at = now
        for device in db.session.scalars(select(ApiToken).where(ApiToken.session_id == row.id,
                                                                ApiToken.revoked_at.is_(None))):
            device.revoked_at = now
