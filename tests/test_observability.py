"""Operations (app/observability.py): readiness naming what is down, request ids accepted and
propagated (answers, log lines, background jobs), JSON log lines, Prometheus metrics (latency by
route, rendering time, queue depth, job progress) and gunicorn's multi-process mode."""
from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from app import observability
from app.extensions import db
from app.jobs import runner
from tests.conftest import new_client

ROOT = Path(__file__).resolve().parent.parent


def test_ready_when_the_database_and_redis_answer(client, app, monkeypatch, redis_url):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json() == {"status": "ready", "checks": {"database": "ok"}, "down": []}
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["checks"] == {"database": "ok", "redis": "ok"}
    assert r.headers["Cache-Control"] == "no-store"


def test_not_ready_names_what_is_down(client, app, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{port}/0")
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 503 and body["status"] == "unavailable" and body["down"] == ["redis"]
    assert body["checks"]["database"] == "ok" and "ConnectionError" in body["checks"]["redis"]

    def refuse(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))
    monkeypatch.setattr(db.engine, "connect", refuse)
    body = client.get("/readyz").get_json()
    assert body["down"] == ["database", "redis"] and "OperationalError" in body["checks"]["database"]
    assert client.get("/healthz").status_code == 200   # liveness does no I/O


def test_the_request_id_is_kept_or_made_and_answered(client):
    r = client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a.42:1"})
    assert r.headers["X-Request-ID"] == "nginx-7f3a.42:1"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    for hostile in ("a b", "x" * 129, "<script>", "id;Set-Cookie=a", "编号"):
        got = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert got != hostile and len(got) == 32
    assert client.get("/no/such/page", headers={"X-Request-ID": "r-404"}).headers["X-Request-ID"] == "r-404"


@pytest.fixture
def json_lines():
    """Log lines of the application, as the JSON formatter writes them, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.JsonFormatter())
    handler.addFilter(observability.RequestIdFilter())
    loggers = [logging.getLogger(n) for n in ("jiangxuan.request", "app.certificates.printing")]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for lg, level in saved:
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_each_request_writes_one_json_line_with_its_id(client, final, api_as, json_lines):
    comp = final["comp"]
    client.get(f"/results/{comp.id}", headers={"X-Request-ID": "req-1"})
    [line] = [x for x in json_lines() if x.get("request_id") == "req-1"]
    assert line["event"] == "request" and line["level"] == "info" and line["logger"] == "jiangxuan.request"
    assert line["route"] == "/results/<int:competition_id>" and line["path"] == f"/results/{comp.id}"
    assert line["status"] == 200 and line["method"] == "GET" and line["duration_ms"] > 0
    assert line["time"].endswith("+00:00") and line["user_id"] is None
    org = api_as(final["organizer"])
    org.get("/competitions", headers={"X-Request-ID": "req-2"})
    [line] = [x for x in json_lines() if x.get("request_id") == "req-2"]
    assert line["user_id"] == final["organizer"].id and line["route"] == "/api/v1/competitions"


def test_a_background_job_logs_with_the_id_of_the_request_that_started_it(final, api_as, json_lines):
    org = api_as(final["organizer"])
    job_id = org.post(f"/competitions/{final['comp'].id}/certificates",
                      headers={"X-Request-ID": "print-batch-9"}).get_json()["job_id"]
    runner.wait(job_id)
    done = [x for x in json_lines() if x["logger"] == "app.certificates.printing" and "done" in x["message"]]
    assert done and done[0]["request_id"] == "print-batch-9" and job_id in done[0]["message"]


def test_the_json_formatter_keeps_extras_and_exceptions():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("这",), None)
    record.request_id, record.rows = "r9", 12
    try:
        raise ValueError("bad")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(observability.JsonFormatter().format(record))
    assert line["message"] == "boom 这" and line["request_id"] == "r9" and line["rows"] == 12
    assert line["level"] == "error" and "ValueError: bad" in line["exception"]


def _metrics(client, **kw) -> str:
    r = client.get("/metrics", **kw)
    assert r.status_code == 200, r.status_code
    assert r.headers["Content-Type"].startswith("text/plain; version=")
    return r.get_data(as_text=True)


def test_metrics_show_latency_by_route_rendering_time_queue_depth_and_job_progress(
        app, final, api_as, monkeypatch, redis_url):
    client = new_client(app)
    event = final["event"]
    client.get(f"/results/{final['comp'].id}")
    client.get(f"/results/events/{event.id}/bulletin.pdf")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)   # jobs now wait in RQ (no worker here)
    org = api_as(final["organizer"])
    r = org.post(f"/competitions/{final['comp'].id}/certificates", headers={"X-Request-ID": "batch-7"})
    job_id = r.get_json()["job_id"]
    text = _metrics(client)
    assert 'jiangxuan_http_request_duration_seconds_count{method="GET",route="/results/<int:competition_id>",status="200"}' in text
    assert 'jiangxuan_http_request_duration_seconds_count{method="POST",route="/api/v1/competitions/<int:competition_id>/certificates",status="202"}' in text
    assert 'jiangxuan_pdf_render_seconds_count{document="bulletin"}' in text
    assert 'jiangxuan_queue_depth{queue="jiangxuan"} 1.0' in text
    assert f'jiangxuan_job_total{{job="{job_id[:8]}",kind="certificates"}} 4.0' in text
    assert f'jiangxuan_job_done{{job="{job_id[:8]}",kind="certificates"}} 0.0' in text
    assert 'jiangxuan_jobs{status="queued"} 1.0' in text
    from redis import Redis
    from rq import Queue
    [queued] = Queue(runner.QUEUE, connection=Redis.from_url(redis_url)).jobs
    assert queued.meta["request_id"] == "batch-7"                # the request id travels with the job


def test_metrics_are_for_the_monitoring_network_or_a_token(app, monkeypatch):
    client = new_client(app)                                      # a private address (10.x): allowed
    assert "jiangxuan_http_request_duration_seconds" in _metrics(client)
    outsider = app.test_client()
    outsider.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert outsider.get("/metrics").status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert "jiangxuan_jobs" in _metrics(outsider, headers={"Authorization": "Bearer s3cret-token"})


def test_gunicorn_workers_sum_their_metrics_in_multiprocess_mode(tmp_path, app):
    """Two gunicorn workers, PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py's hooks): /metrics,
    whichever worker answers, counts the requests both served."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "stale_123.db").write_bytes(b"old")            # emptied when the master starts
    env = dict(os.environ, JIANGXUAN_ENV="testing", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
               WEB_CONCURRENCY="2", BIND=f"127.0.0.1:{port}", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
                             "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        for _ in range(40):   # new connections each: gunicorn hands them to either worker
            httpx.get(f"{base}/healthz", timeout=5)
        text = httpx.get(f"{base}/metrics", timeout=10).text
        assert not (metrics_dir / "stale_123.db").exists()
        line = next(ln for ln in text.splitlines() if ln.startswith("jiangxuan_http_request_duration_seconds_count")
                    and 'route="/healthz"' in ln)
        assert float(line.rsplit(" ", 1)[1]) >= 41                  # every /healthz of every worker
        assert list(metrics_dir.glob("histogram_*.db"))              # a file per worker that served
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_a_worker_starts_without_the_statistics_library():
    """scipy (~87 MB) is imported by the first judging-consistency analysis, not by every web and
    RQ worker at start (issue 22: ≤ 300 MB per worker)."""
    import subprocess
    import sys
    code = ("import os, sys; os.environ['JIANGXUAN_ENV'] = 'testing'; from app import create_app; "
            "create_app('testing'); print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"
