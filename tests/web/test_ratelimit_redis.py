"""The Redis rate-limit storage of one round trip per limited request (app/accounts/ratelimit_redis.py):
the count and window the X-RateLimit-* headers report come from the increment's own answer, and
are what limits' stock Redis storage reports; a key the request did not increment is asked for."""
from __future__ import annotations

import time

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.accounts import ratelimit_redis  # noqa: F401  (registers jxredis://)


def _counting(storage):
    calls = []
    client = storage.get_connection()
    real = client.execute_command

    def execute_command(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)
    client.execute_command = execute_command
    return calls


def test_a_limited_request_costs_one_round_trip_and_reports_what_redis_holds(app, redis_url):
    ours = storage_from_string("jx" + redis_url, key_prefix="jx-one")
    stock = storage_from_string(redis_url, key_prefix="jx-one")   # the same keys, read the usual way
    limit = parse("3 per minute")
    with app.test_request_context("/"):
        strategy = FixedWindowRateLimiter(ours)
        calls = _counting(ours)
        ours.incr(limit.key_for("warm"), limit.get_expiry())     # loads the script once
        calls.clear()
        assert strategy.hit(limit, "client-a")
        stats = strategy.get_window_stats(limit, "client-a")
        assert calls == ["EVALSHA"]                                  # hit, count and expiry: one call
        assert stats.remaining == 2 == 3 - stock.get(limit.key_for("client-a"))
        assert abs(stats.reset_time - stock.get_expiry(limit.key_for("client-a"))) <= 1.5
        assert stats.reset_time > time.time() + 55
    with app.test_request_context("/"):                             # another request: its own answers
        calls.clear()
        assert strategy.hit(limit, "client-a") and strategy.hit(limit, "client-a")
        assert not strategy.hit(limit, "client-a")                  # the fourth in the minute
        assert strategy.get_window_stats(limit, "client-a").remaining == 0
        assert calls == ["EVALSHA"] * 3
        calls.clear()
        assert strategy.get_window_stats(limit, "client-b").remaining == 3   # not incremented here: asked
        assert calls and "EVALSHA" not in calls
        strategy.clear(limit, "client-a")
        assert strategy.get_window_stats(limit, "client-a").remaining == 3
    # Outside a request nothing is kept: every question goes to Redis.
    assert ours.incr(limit.key_for("client-c"), limit.get_expiry()) == 1
    assert ours.get(limit.key_for("client-c")) == 1


@pytest.mark.parametrize("uri", ["jxredis://127.0.0.1:6379/3", "jxrediss://127.0.0.1:6379/3"])
def test_the_scheme_is_the_redis_url_behind_jx(uri):
    storage = storage_from_string(uri)
    assert isinstance(storage, ratelimit_redis.OneTripRedisStorage)
