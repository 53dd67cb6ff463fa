"""Operations: request ids, structured (JSON) logs, Prometheus metrics and the readiness check.

- Request id: an incoming `X-Request-ID` (letters, digits, `._-:`, at most 128) is kept, else a new
  one is made; it is answered in `X-Request-ID`, carried by every log line of the request and
  handed to the background jobs the request starts (RQ job meta), whose log lines carry it too.
- Logs: `LOG_FORMAT=json` (the default in production) writes one JSON object a line to stderr:
  time, level, logger, message, request_id, and for each request one `request` line with the
  method, path, route, status, duration and user. `LOG_FORMAT=text` keeps plain lines.
- Metrics (prometheus_client), at /metrics: request latency by route, method and status; PDF
  rendering time by document; storage writes; and read when scraped, from Redis and the
  database: the RQ queue depth and the progress of running jobs. Under gunicorn (several worker
  processes) set PROMETHEUS_MULTIPROC_DIR to an empty directory (gunicorn.conf.py then marks
  exited workers dead and clears the directory at start): every worker's numbers are summed.
  /metrics answers clients of METRICS_ALLOW (networks; default loopback and private addresses)
  or those that send `Authorization: Bearer $METRICS_TOKEN`; nobody else (404).
- Readiness (/readyz): the database and (when configured) Redis answer → 200; otherwise 503
  naming what is down. /healthz stays the liveness check (no I/O).
"""
from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# A request id outside a request (RQ jobs started by one).
job_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_request_id", default=None)
access_log = logging.getLogger("jiangxuan.request")


def current_request_id() -> str | None:
    if has_request_context():
        return getattr(g, "request_id", None)
    return job_request_id.get()


# ---- metrics ------------------------------------------------------------------------------------

_metrics = None


class _Metrics:
    def __init__(self):
        from prometheus_client import Counter, Histogram
        self.latency = Histogram(
            "jiangxuan_http_request_duration_seconds", "Time to answer a request, by route.",
            ["route", "method", "status"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.render = Histogram(
            "jiangxuan_pdf_render_seconds", "Time to render a PDF document (a batch group: all its pages).",
            ["document"], buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
        self.storage_write = Histogram(
            "jiangxuan_storage_write_seconds", "Time to store a batch group's files.", ["backend"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.render_cached = Counter(
            "jiangxuan_pdf_cache_hits_total", "PDF documents served from the renderer's cache of recent documents "
            "(the same HTML drawn before), by document.", ["document"])
        self.certificates = Counter("jiangxuan_job_certificates_rendered_total",
                                    "Certificates rendered by batch jobs (this process).")


def metrics() -> _Metrics:
    global _metrics
    if _metrics is None:
        _metrics = _Metrics()
    return _metrics


def observe_render(document: str, seconds: float, cached: bool = False) -> None:
    try:
        if cached:
            metrics().render_cached.labels(document).inc()
        else:
            metrics().render.labels(document).observe(seconds)
    except Exception:  # metrics never break the work
        logging.getLogger(__name__).debug("metrics not recorded", exc_info=True)


# Figures read when Prometheus scrapes, from the services every machine shares (Redis, the
# database). The areas that own them add their collectors (app/wiring.py: the jobs area's queue
# depth and job progress), so this house tool knows no area: `collect(app)` yields metric families.
_scrapes: dict[str, Callable[[Flask], Iterable]] = {}


def add_scrape(name: str, collect: Callable[[Flask], Iterable]) -> None:
    """Register (or replace) the figures `name` read at each scrape."""
    _scrapes[name] = collect


class _ScrapeCollector:
    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        for name, collect in list(_scrapes.items()):
            try:
                yield from collect(self.app)
            except Exception:  # a service down (/readyz says so), the scrape goes on
                logging.getLogger(__name__).debug("metrics %s not recorded", name, exc_info=True)


def _allowed(app: Flask) -> bool:
    token = app.config.get("METRICS_TOKEN")
    if token:
        import hmac
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        addr = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(n.strip(), strict=False)
               for n in (app.config.get("METRICS_ALLOW") or "").split(",") if n.strip())


def metrics_response(app: Flask):
    from flask import Response, abort
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    if not _allowed(app):
        abort(404)
    metrics()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    scrape = CollectorRegistry()
    scrape.register(_ScrapeCollector(app))
    body = generate_latest(registry) + generate_latest(scrape)
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


# ---- readiness ----------------------------------------------------------------------------------

def readiness(app: Flask) -> tuple[dict, int]:
    """{"status": "ready"|"unavailable", "checks": {name: "ok"|error}, "down": [names]}."""
    from sqlalchemy import text

    from .extensions import db
    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = _reason(exc)
    from . import replica
    replica_engine = replica.engine(app)
    if replica_engine is not None:
        try:
            with replica_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database_replica"] = "ok"
        except Exception as exc:
            checks["database_replica"] = _reason(exc)
    url = app.config.get("REDIS_URL")
    if url:
        try:
            from redis import Redis
            conn = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            conn.ping()
            conn.close()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = _reason(exc)
    if (app.config.get("STORAGE") or "db") != "db":  # the database storage is checked above
        try:
            from . import storage
            storage.current().check()
            checks["storage"] = "ok"
        except Exception as exc:
            checks["storage"] = _reason(exc)
    down = [name for name, state in checks.items() if state != "ok"]
    return {"status": "unavailable" if down else "ready", "checks": checks, "down": down}, 503 if down else 200


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}".rstrip(": ")


# ---- logs ---------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, the
    fields passed as `extra=`, and the traceback of an exception."""
    _skip = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        rid = getattr(record, "request_id", None)
        if rid:
            out["request_id"] = rid
        for key, value in vars(record).items():
            if key not in self._skip and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(app: Flask) -> None:
    """Install one handler on the root logger (once per process), JSON or text as configured."""
    fmt = (app.config.get("LOG_FORMAT") or "text").lower()
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_jiangxuan", False)), None)
    if handler is None:
        if app.config.get("TESTING") and not app.config.get("LOG_FORMAT_FORCE"):
            return  # the suite keeps pytest's own log capture
        handler = logging.StreamHandler(sys.stderr)
        handler._jiangxuan = True
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(getattr(logging, (app.config.get("LOG_LEVEL") or "INFO").upper(), logging.INFO))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    for chatty in ("weasyprint", "fontTools"):  # a line per PDF step otherwise
        if logging.getLogger(chatty).level == logging.NOTSET:
            logging.getLogger(chatty).setLevel(logging.WARNING)


def loaded_user_id() -> int | None:
    """The id of the user the request already loaded, if any, without a query: after the request's
    commit the user object is expired, and reading its attributes would load it again. The user
    loaders only return enabled users, so a loaded one is the signed-in user."""
    loaded = g.get("_login_user")
    if loaded is None or getattr(loaded, "is_anonymous", True):
        return None
    from sqlalchemy import inspect
    identity = inspect(loaded, raiseerr=False)
    return identity.identity[0] if identity is not None and identity.identity else None


# ---- wiring -------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def _start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g._started = time.perf_counter()

    @app.after_request
    def _finish(response):
        rid = getattr(g, "request_id", None)
        if rid:
            response.headers["X-Request-ID"] = rid
        started = getattr(g, "_started", None)
        if started is None:
            return response
        elapsed = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        try:
            metrics().latency.labels(route, request.method, str(response.status_code)).observe(elapsed)
        except Exception:  # metrics never break a response
            logging.getLogger(__name__).debug("metrics not recorded", exc_info=True)
        if app.config.get("LOG_REQUESTS", True):
            user = loaded_user_id()
            access_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "event": "request", "method": request.method, "path": request.path, "route": route,
                "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                "remote_addr": request.remote_addr, "user_id": user})
        return response
