"""The public results cache with Redis: finished pages also kept in the worker's memory for
PUBLIC_CACHE_HOT_SECONDS; invalidation by this worker is immediate, by another within that time."""
import time

import pytest

from app import cache


@pytest.fixture
def redis_cache(app, monkeypatch, redis_url):
    """This test process's own Redis database (tests/conftest.py: redis_url), emptied around the test."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "PUBLIC_CACHE_HOT_SECONDS", 2)
    with app.app_context():
        yield client
    client.close()
    cache._hot.clear()


def test_pages_are_served_from_memory_and_dropped_on_invalidation(redis_cache, monkeypatch):
    key = f"{cache.results_key(9)}:page:zh_Hans_CN"
    cache.set(key, "<p>公示名单</p>")
    assert redis_cache.get(key) is not None and cache.get(key) == "<p>公示名单</p>"
    # Another worker invalidates (only Redis changes): this worker's copy lives its seconds out.
    redis_cache.delete(key)
    assert cache.get(key) == "<p>公示名单</p>"
    later = time.monotonic() + 2.5
    monkeypatch.setattr(cache.time, "monotonic", lambda: later)
    assert cache.get(key) is None


def test_this_workers_invalidation_is_immediate(redis_cache):
    cache.set(f"{cache.results_key(9)}:page:en", "<p>old</p>")
    cache.set(f"{cache.results_key(9)}:json", '{"items": []}')
    cache.invalidate_competition(9)
    assert cache.get(f"{cache.results_key(9)}:page:en") is None
    assert cache.get(f"{cache.results_key(9)}:json") is None


def test_only_text_is_kept_in_memory_and_zero_turns_it_off(redis_cache, app, monkeypatch):
    cache.set("jx:public-competitions", [{"id": 1}])
    assert "jx:public-competitions" not in cache._hot  # a list could be changed in place by a caller
    assert cache.get("jx:public-competitions") == [{"id": 1}]
    monkeypatch.setitem(app.config, "PUBLIC_CACHE_HOT_SECONDS", 0)
    cache.set("jx:x", "text")
    redis_cache.delete("jx:x")
    assert cache.get("jx:x") is None


def test_a_hot_page_is_encoded_once_and_a_new_one_replaces_it(redis_cache, monkeypatch):
    key = f"{cache.results_key(9)}:page:zh_Hans_CN"
    cache.set(key, "<p>公示名单</p>")
    first = cache.get_bytes(key)
    assert first == "<p>公示名单</p>".encode() and cache.get_bytes(key) is first  # not encoded again
    cache.set(key, "<p>更正后的名单</p>")  # recomputed by this worker
    assert cache.get_bytes(key) == "<p>更正后的名单</p>".encode()
    cache.invalidate_competition(9)
    assert cache.get_bytes(key) is None
    # Past its seconds (another worker invalidated in Redis), the bytes go with the text.
    cache.set(key, "<p>公示名单</p>")
    cache.get_bytes(key)
    redis_cache.delete(key)
    later = time.monotonic() + 2.5
    monkeypatch.setattr(cache.time, "monotonic", lambda: later)
    assert cache.get_bytes(key) is None
