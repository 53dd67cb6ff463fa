"""Login throttling per account, on top of Flask-Limiter's per-client limits.

After LOGIN_ACCOUNT_LIMIT failed passwords for one user name (default 5 in 15 minutes), every
sign-in of that user name is refused until the window has moved on, whatever client address is
used and even with the right password. Counts live in the same storage as Flask-Limiter's
(`RATELIMIT_STORAGE_URI`: Redis when REDIS_URL is set, otherwise the application's database;
either way every worker process shares them). Unknown user names are counted the same way, so the answers do not reveal which
accounts exist. Keys hold a hash of the normalized user name, never the text typed.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import parse
from limits.storage import MovingWindowSupport, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from ..domain.errors import N_, DomainError

_NAMESPACE = "login-account"


class AccountLocked(DomainError):
    status = 429
    code = "account_locked"

    def __init__(self, minutes: int):
        super().__init__(N_("Too many failed sign-ins for this account. Try again in %(minutes)d minutes."),
                         minutes=minutes)
        self.minutes = minutes

    def extra(self, translate) -> dict:
        return {"retry_after_minutes": self.minutes}


class _Throttle:
    def __init__(self, storage_uri: str, limit: str, prefix: str, options: dict | None = None):
        self.storage = storage_from_string(storage_uri, **(options or {}))
        # A moving window where the storage keeps one (memory, Redis); fixed windows in the database.
        strategy = MovingWindowRateLimiter if isinstance(self.storage, MovingWindowSupport) else FixedWindowRateLimiter
        self.strategy = strategy(self.storage)
        self.limit = parse(limit)
        self.prefix = prefix

    def _key(self, username: str) -> str:
        return hashlib.sha256(username.encode("utf-8")).hexdigest()[:40]

    def retry_minutes(self, username: str) -> int | None:
        """Minutes until this account may try again, or None when it is not locked."""
        if self.strategy.test(self.limit, self.prefix, _NAMESPACE, self._key(username)):
            return None
        stats = self.strategy.get_window_stats(self.limit, self.prefix, _NAMESPACE, self._key(username))
        return max(1, math.ceil((stats.reset_time - time.time()) / 60))

    def failed(self, username: str) -> None:
        self.strategy.hit(self.limit, self.prefix, _NAMESPACE, self._key(username))

    def succeeded(self, username: str) -> None:
        self.strategy.clear(self.limit, self.prefix, _NAMESPACE, self._key(username))

    def reset(self) -> None:
        self.storage.reset()


def init_app(app) -> None:
    from . import ratelimit_db, ratelimit_redis  # noqa: F401  (register the jxdb:// and jxredis:// storages)
    app.extensions["account_throttle"] = _Throttle(
        app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
        app.config.get("LOGIN_ACCOUNT_LIMIT", "5 per 15 minutes"),
        app.config.get("RATELIMIT_KEY_PREFIX") or "jx",
        app.config.get("RATELIMIT_STORAGE_OPTIONS") if (app.config.get("RATELIMIT_STORAGE_URI") or "").startswith("jxdb") else None,
    )


def _throttle() -> _Throttle:
    return current_app.extensions["account_throttle"]


def check(username: str) -> None:
    """Raise AccountLocked when this (normalized) user name has failed too often."""
    minutes = _throttle().retry_minutes(username)
    if minutes is not None:
        current_app.logger.warning("sign-in refused: account %s is throttled", _throttle()._key(username)[:12])
        raise AccountLocked(minutes)


def failed(username: str) -> None:
    _throttle().failed(username)


def succeeded(username: str) -> None:
    _throttle().succeeded(username)


def reset() -> None:
    """Forget every count (tests)."""
    _throttle().reset()
