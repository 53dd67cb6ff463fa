"""More than one machine: two application instances (gunicorn) and two RQ workers, each started
from a working directory of its own, share one PostgreSQL and one Redis and nothing else. A
certificate batch started on instance A is rendered by the workers and downloaded from instance B.

PostgreSQL only: on the SQLite run there is no database server for separate machines to share (a
SQLite file is one machine's), so the test skips there; CI runs the suite on PostgreSQL too, where
it must pass (and fails without Redis, like every Redis test in CI)."""
from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import httpx
from sqlalchemy import select

from app.certificates.models import Certificate
from app.extensions import db
from tests import testdb
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, procs: list, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{p.args} exited with {p.returncode}:\n{_output(p)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def _output(proc) -> str:
    log = getattr(proc, "log_path", None)
    return log.read_text(errors="replace")[-3000:] if log and log.exists() else ""


@pytest.fixture
def cluster(tmp_path, redis_url, app):
    """Two gunicorn instances and two RQ workers, each from its own working directory."""
    if not testdb.is_postgres():
        pytest.skip("needs PostgreSQL: separate machines share a database server, never a SQLite file "
                    "(CI runs this test on its PostgreSQL run)")
    env = dict(os.environ, JIANGXUAN_ENV="testing", REDIS_URL=redis_url, TEST_STORAGE="db",
               PYTHONPATH=str(ROOT), PDF_FONT_DIR=app.config["PDF_FONT_DIR"], PDF_WORKERS="0",
               WEB_CONCURRENCY="1", PYTHONUNBUFFERED="1")
    env.pop("TEST_STORAGE_DIR", None)
    procs = []

    def start(name: str, args: list[str]):
        cwd = tmp_path / name
        cwd.mkdir()
        log_path = tmp_path / f"{name}.log"
        log = open(log_path, "w")  # noqa: SIM115 (closed when the process ends)
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path, proc.log_file = log_path, log
        procs.append(proc)
        return proc

    ports = [_free_port(), _free_port()]
    for name, port in zip(("web-a", "web-b"), ports):
        start(name, [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                     "--timeout", "120", "--graceful-timeout", "3", "wsgi:app"])
    for name in ("worker-1", "worker-2"):
        start(name, [str(BIN / "rq"), "worker", "jiangxuan", "--url", redis_url, "--name", f"{name}-{os.getpid()}"])
    try:
        for port in ports:
            _wait_ready(f"http://127.0.0.1:{port}/healthz", procs)
        yield {"a": f"http://127.0.0.1:{ports[0]}", "b": f"http://127.0.0.1:{ports[1]}", "procs": procs,
               "dirs": [tmp_path / n for n in ("web-a", "web-b", "worker-1", "worker-2")]}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.log_file.close()


def test_a_batch_started_on_one_instance_is_downloaded_from_the_other(final, cluster):
    organizer = final["organizer"]
    a, b = httpx.Client(timeout=60), httpx.Client(timeout=60)
    for session, base in ((a, cluster["a"]), (b, cluster["b"])):
        r = session.post(f"{base}/api/v1/auth/token", json={"username": organizer.username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        session.headers["Authorization"] = f"Bearer {r.json()['token']}"
    r = a.post(f"{cluster['a']}/api/v1/competitions/{final['comp'].id}/certificates")
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    deadline, body = time.monotonic() + 240, {}
    while time.monotonic() < deadline:
        body = b.get(f"{cluster['b']}/api/v1/jobs/{job_id}").json()   # progress, seen from B
        if body["status"] in ("done", "failed"):
            break
        for p in cluster["procs"]:
            assert p.poll() is None, _output(p)
        time.sleep(0.5)
    assert body["status"] == "done" and body["done"] == 4, (body, *(_output(p) for p in cluster["procs"][2:]))
    z = b.get(cluster["b"] + body["download_url"])
    assert z.status_code == 200, z.text[:500]
    assert z.headers["Content-Type"] == "application/zip" and int(z.headers["Content-Length"]) == len(z.content)
    serials = sorted(db.session.scalars(select(Certificate.serial)))
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        assert sorted(n[:-4] for n in zf.namelist()) == serials
        assert all(zf.read(n).startswith(b"%PDF") for n in zf.namelist())
    [print_file] = [f for f in body["files"] if f["kind"] == "print"]
    p = a.get(cluster["a"] + print_file["url"])                      # and a print file from A
    assert p.status_code == 200 and p.content.startswith(b"%PDF") and len(p.content) == print_file["size"]
    # Nothing was written to any process's working directory: the files are in the database.
    assert all(not any(d.iterdir()) for d in cluster["dirs"])
    # Each worker took its share from the one queue (the plan and the chunks); both were up throughout.
    assert all(p.poll() is None for p in cluster["procs"])
