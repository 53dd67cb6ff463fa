"""The public results cache: Redis when REDIS_URL is set (shared by every worker), else a small
per-process store. Only public data is cached (masked names, no CSRF tokens, nothing personal);
invalidation happens here, called by the results operations, and publishing warms it.

With Redis, finished pages (text) are also kept in the worker's memory for a few seconds
(`PUBLIC_CACHE_HOT_SECONDS`, default 2; 0 turns it off): on results day a Redis round trip and
the decoding of a 30 KB page were a third of each request (measured in bench/lookup_load.py).
The worker that invalidates drops its copy at once; the others serve theirs until it expires,
so a recomputed ranking is everywhere within those seconds."""
from __future__ import annotations

import json
import threading
import time

from flask import current_app

_local: dict[str, tuple[float, str]] = {}
_hot: dict[str, tuple[float, str, bytes]] = {}  # key → (expires, text, its UTF-8): in front of Redis
_lock = threading.Lock()
_clients: dict[str, object] = {}
TTL = 24 * 3600
# Without Redis every worker process has its own store and cannot see another worker's
# invalidation: keep entries briefly, so a change shows everywhere within half a minute.
LOCAL_TTL = 30


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def _hot_seconds() -> float:
    return float(current_app.config.get("PUBLIC_CACHE_HOT_SECONDS", 2))


def _keep_hot(key: str, value) -> None:
    seconds = _hot_seconds()
    if isinstance(value, str) and seconds > 0:  # text only: nobody can change it in place
        _hot[key] = (time.monotonic() + seconds, value, value.encode("utf-8"))


def get(key: str):
    client = _redis()
    if client is not None:
        hot = _hot.get(key)
        if hot is not None and hot[0] > time.monotonic():
            return hot[1]
        try:
            raw = client.get(key)
        except Exception:  # a cache outage must not take the site down: compute instead
            current_app.logger.warning("cache get failed for %s", key, exc_info=True)
            return None
        if raw is None:
            return None
        value = json.loads(raw)
        _keep_hot(key, value)
        return value
    with _lock:
        hit = _local.get(key)
    if hit is None or hit[0] < time.monotonic():
        return None
    return json.loads(hit[1])


def get_bytes(key: str) -> bytes | None:
    """A cached text as UTF-8 bytes (a whole page answered as is): a text kept hot was encoded
    once when it was kept, not at every request (a 200 KB page: a quarter of the request's time)."""
    text = get(key)
    if not isinstance(text, str):
        return None
    hot = _hot.get(key)
    return hot[2] if hot is not None and hot[1] is text else text.encode("utf-8")


def set(key: str, value, ttl: int = TTL) -> None:  # noqa: A001 - the cache's verb
    raw = json.dumps(value, ensure_ascii=False, default=str)
    client = _redis()
    if client is not None:
        _keep_hot(key, value)
        try:
            client.set(key, raw, ex=ttl)
        except Exception:
            current_app.logger.warning("cache set failed for %s", key, exc_info=True)
        return
    with _lock:
        _local[key] = (time.monotonic() + min(ttl, LOCAL_TTL), raw)


def delete(key: str) -> None:
    client = _redis()
    _hot.pop(key, None)
    if client is not None:
        try:
            client.delete(key)
        except Exception:
            current_app.logger.warning("cache delete failed for %s", key, exc_info=True)
        return
    with _lock:
        _local.pop(key, None)


def results_key(competition_id: int) -> str:
    return f"jx:public-results:{competition_id}"


def invalidate_competition(competition_id: int) -> None:
    delete(results_key(competition_id))
    for locale in ("zh_Hans_CN", "zh_CN", "en"):
        delete(f"{results_key(competition_id)}:html:{locale}")
        delete(f"{results_key(competition_id)}:page:{locale}")
    delete(f"{results_key(competition_id)}:json")
    delete("jx:public-competitions")


def warm_competition(competition_id: int, build) -> None:
    """Fill the cache at publication (a cold cache under a results-day spike is slower than none):
    `build(competition_id)` computes the public results and caches them."""
    invalidate_competition(competition_id)
    build(competition_id)
