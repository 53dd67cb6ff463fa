"""Users, their roles and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import one_of, utcnow
from ..domain.refdata import ROLES


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere, password change and disable: old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organization: Mapped["Organization | None"] = relationship()  # noqa: F821
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"), one_of("role", ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"

    @staticmethod
    def query_user_ids(role: str):
        """A condition on User: holds this role."""
        from sqlalchemy import select
        return User.id.in_(select(UserRole.user_id).where(UserRole.role == role))


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored.

    A device token (scope "sheets") is minted from a judge's signed-in page for one event: it
    works only on that judge's own sheets of that event (save, submit, photos), expires at the
    end of the day, and is revoked when the browser session that minted it signs out."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    scope: Mapped[str | None] = mapped_column(String(16))  # None: the whole API; "sheets": a device token
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("user_sessions.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"


class UserSession(db.Model):
    """A signed-in browser session, so that signing out ends it on the server: the cookie holds a
    random token whose SHA-256 is stored here; a revoked or unknown token signs nobody in."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class RateCounter(db.Model):
    """Rate-limit and lockout counters kept in the database when there is no Redis, so that every
    worker process counts together (app/accounts/ratelimit_db.py)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch

    def __repr__(self) -> str:
        return f"<RateCounter {self.key}={self.count}>"


class IdempotencyKey(db.Model):
    """A client's operation id (`Idempotency-Key`) and the answer it got, so that a retried
    request is applied once: written in the same transaction as the operation it guards; the
    same key with the same request gets the stored answer, with another request 422."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"), one_of("state", ("in_progress", "done")))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="in_progress")
    response_status: Mapped[int | None]
    response_json: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyKey user={self.user_id} {self.key[:12]} {self.state}>"
