"""Rate-limit counters in Redis with one round trip per limited request (URI `jxredis://…`, made
from REDIS_URL by the configuration).

Flask-Limiter's fixed window asks Redis three times for every limited request: the increment,
then the count and the key's time to live for the X-RateLimit-* headers. On results day that was
most of the public lookup's time in Redis (bench/province_year.py). Here the increment returns
the count and the time to live together, and the request keeps them: the headers' questions about
the same key in the same request are answered from what the increment said (the count just after
this request's own hit, which is what the headers report). Outside a request, and for a key this
request did not increment, Redis is asked as before.
"""
from __future__ import annotations

import time

from flask import g, has_app_context
from limits.storage import RedisStorage

_MEMO = "_jx_rate_windows"

# INCRBY, the expiry set when the window opens, and the key's time to live (ms) in one call.
_INCR_EXPIRE_TTL = """
local current = redis.call("incrby", KEYS[1], tonumber(ARGV[2]))
if tonumber(current) == tonumber(ARGV[2]) then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("pttl", KEYS[1])}
"""


def _memo() -> dict | None:
    if not has_app_context():
        return None
    memo = g.get(_MEMO)
    if memo is None:
        memo = {}
        setattr(g, _MEMO, memo)
    return memo


class OneTripRedisStorage(RedisStorage):
    STORAGE_SCHEME = ["jxredis", "jxrediss", "jxredis+unix"]

    def __init__(self, uri: str, **options):
        super().__init__(uri[len("jx"):], **options)

    def initialize_storage(self, _uri: str) -> None:
        super().initialize_storage(_uri)
        self._incr_ttl = self.get_connection().register_script(_INCR_EXPIRE_TTL)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        count, pttl = self._incr_ttl([self.prefixed_key(key)], [expiry, amount])
        count = int(count)
        memo = _memo()
        if memo is not None:
            memo[key] = (count, time.time() + max(int(pttl), 0) / 1000)
        return count

    def get(self, key: str) -> int:
        memo = _memo()
        if memo is not None and key in memo:
            return memo[key][0]
        return super().get(key)

    def get_expiry(self, key: str) -> float:
        memo = _memo()
        if memo is not None and key in memo:
            return memo[key][1]
        return super().get_expiry(key)

    def clear(self, key: str) -> None:
        memo = _memo()
        if memo is not None:
            memo.pop(key, None)
        super().clear(key)

    def reset(self) -> int | None:
        memo = _memo()
        if memo is not None:
            memo.clear()
        return super().reset()
