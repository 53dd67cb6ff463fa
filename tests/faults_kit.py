"""Fault-injection helpers shared by tests/test_faults.py (a few quick trials) and
bench/kill_import.py (20 trials on SQLite and PostgreSQL): a real gunicorn server in its own process
group on a free port, a 2,000-row registration import posted over HTTP, `kill -9` at a random
moment, and an all-or-nothing check of what the database holds afterwards."""
from __future__ import annotations

import http.client
import io
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Faults-pass-2026"
REGIONS = ["540102", "540103", "450102", "450202", "450302"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (production settings, 1 worker, app preloaded in the master) on DATABASE_URL, in its
    own process group so that one SIGKILL takes the master and its worker down together, as a crash
    would; `kill_workers` kills only the worker processes (as the kernel's OOM killer would), and the
    master forks fresh ones."""

    def __init__(self, database_url: str, workers: int = 1, threads: int = 1):
        self.database_url, self.workers, self.threads = database_url, workers, threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> float:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TEST_DATABASE_URL")}
        env.update({"JIANGXUAN_ENV": "production", "SECRET_KEY": "faults-" + "k" * 40, "SESSION_COOKIE_SECURE": "0",
                    "DATABASE_URL": self.database_url})
        t0 = time.perf_counter()
        # The server's log goes to a file: a pipe nobody reads fills up and freezes the server.
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--threads", str(self.threads), "--timeout", "120", "--preload", "--log-level", "error", "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=self.log)
        self.wait_ready(t0, timeout)
        return time.perf_counter() - t0

    def wait_ready(self, t0: float, timeout: float = 30) -> None:
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("gunicorn exited: " + self.log.read().decode(errors="replace")[-2000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("gunicorn did not answer /healthz")

    def kill(self) -> None:
        """kill -9 the whole server (master and workers)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            self.proc.wait(timeout=30)
            self.log.close()

    def workers_pids(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry))
        return pids

    def kill_workers(self) -> float:
        """kill -9 the worker processes (the ones holding requests and database connections); return
        the seconds until a fresh worker answers."""
        t0 = time.perf_counter()
        for pid in self.workers_pids():
            os.kill(pid, signal.SIGKILL)
        self.wait_ready(t0)
        return time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.proc is not None:
            self.log.close()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 120) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def token(self, username: str, password: str = PASSWORD) -> str:
        status, body = self.request("POST", "/api/v1/auth/token", json.dumps(
            {"username": username, "password": password}).encode(), {"Content-Type": "application/json"})
        assert status == 200, body[:300]
        return json.loads(body)["token"]


def import_file(rows: int, trial: int) -> bytes:
    """An .xlsx registration sheet of `rows` new people, all of organization 故障测试单位<trial>."""
    from openpyxl import Workbook

    from app.domain.idcard import make_resident_id

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报名表")
    ws.append(["姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "手机号码", "文化程度", "职业技能等级", "单位"])
    given = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
    family = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for i in range(rows):
        g = trial * rows + i
        b = g // 5
        birth = date(1970 + b % 35, 1 + b // 35 % 12, 1 + b // 420 % 28)
        number = make_resident_id(REGIONS[g % 5], birth, g // 58_800 % 1000)
        name = family[i % 20] + given[i // 20 % 20] + given[i // 400 % 20]
        ws.append([name, "居民身份证", number, "", "", "汉族", f"139{g:08d}", "大专", "三级（高级工）", f"故障测试单位{trial}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def multipart(field_name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def prepare(trials: int) -> tuple[str, list[int]]:
    """In the current app context: an organizer and `trials` open competitions with one event each,
    and one organization per trial (the file's 单位). Returns (organizer username, event ids)."""
    from app.accounts.operations import create_user
    from app.competitions import operations as comps
    from app.extensions import db
    from app.people.operations import create_organization

    host = create_organization({"name": "故障测试人社厅", "kind": "government", "region_code": "540000"})
    user = create_user({"username": "faults_org", "password": PASSWORD, "name": "测试",
                        "roles": ["organizer"], "organization_id": host.id})
    now = datetime.now(timezone.utc)
    events = []
    for t in range(trials):
        create_organization({"name": f"故障测试单位{t}", "kind": "college", "region_code": "540100"})
        comp = comps.create_competition({
            "name": f"故障测试竞赛{t}", "year": now.year, "level": "provincial_1", "kind": "skills",
            "jurisdiction": "CN-XZ", "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=5)).isoformat()}, user)
        events.append(comps.create_event(comp, {
            "name": "电工", "track": "staff", "scheme": {"components": [{"key": "t", "name": "理论", "weight": "1",
                "criteria": [{"key": "T1", "name": "理论", "max_score": "100"}]}]}}, user))
        comps.change_status(comp, "registration_open", user)
    db.session.commit()
    return user.username, [e.id for e in events]


@dataclass
class Trial:
    trial: int
    kill_after_ms: float | None
    client: str = ""
    counts: dict = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        c = self.counts
        if all(v == 0 for v in c.values()):
            return "none"
        if c == {"registrations": ROWS, "members": ROWS, "people": ROWS, "entrant_count": ROWS, "audit": 1}:
            return "all"
        return "PARTIAL"


ROWS = 2000


def counts(database_url: str, event_id: int, trial: int) -> dict:
    """What the database holds for one trial's import, read by a fresh connection."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            one = lambda sql, **p: conn.execute(text(sql), p).scalar()  # noqa: E731
            org_id = one("SELECT id FROM organizations WHERE name = :n", n=f"故障测试单位{trial}")
            return {
                "registrations": one("SELECT count(*) FROM registrations WHERE event_id = :e", e=event_id),
                "members": one("SELECT count(*) FROM registration_members WHERE event_id = :e", e=event_id),
                "people": one("SELECT count(*) FROM people WHERE organization_id = :o", o=org_id),
                "entrant_count": one("SELECT entrant_count FROM events WHERE id = :e", e=event_id),
                "audit": one("SELECT count(*) FROM audit_events WHERE action = 'registration.import' AND event_id = :e",
                             e=event_id),
            }
    finally:
        engine.dispose()


def post_import(server: Server, token: str, event_id: int, data: bytes, outcome: list) -> None:
    body, ctype = multipart("file", "faults.xlsx", data)
    try:
        status, payload = server.request("POST", f"/api/v1/events/{event_id}/registrations/import", body,
                                         {"Content-Type": ctype, "Authorization": f"Bearer {token}"})
        outcome.append(f"{status}" + (f" {payload[:120]!r}" if status != 201 else ""))
    except (OSError, http.client.HTTPException) as exc:
        outcome.append(type(exc).__name__)


def run_trials(database_url: str, username: str, event_ids: list[int], seed: int = 8, log=print) -> list[Trial]:
    """Event 0 is imported whole (it measures the import's duration); every later event's import is
    killed with SIGKILL after a random delay drawn from [0, 1.3 × that duration]: odd trials kill the
    worker process running it (the master forks a new one), even trials the whole server (master and
    worker; the next trial starts a new one)."""
    rng = random.Random(seed)
    server = Server(database_url)
    startup = server.start()
    token = server.token(username)
    data = import_file(ROWS, 0)
    outcome: list = []
    t0 = time.perf_counter()
    post_import(server, token, event_ids[0], data, outcome)
    full = time.perf_counter() - t0
    assert outcome == ["201"], outcome
    log(f"server start {startup:.2f} s; uninterrupted {ROWS}-row import {full * 1000:.0f} ms")
    done = []
    for t, event_id in enumerate(event_ids[1:], start=1):
        data = import_file(ROWS, t)
        if server.proc.poll() is not None:
            server = Server(database_url)
            server.start()
        whole = t % 2 == 0
        delay = rng.uniform(0, 1.3 * full)
        outcome = []
        thread = threading.Thread(target=post_import, args=(server, token, event_id, data, outcome))
        thread.start()
        time.sleep(delay)
        if whole:
            server.kill()
        else:
            respawn = server.kill_workers()
        thread.join(timeout=30)
        trial = Trial(t, delay * 1000, outcome[0] if outcome else "?", counts(database_url, event_id, t))
        if trial.client == "201":
            assert trial.outcome == "all", trial  # the client was told it worked: it must all be there
        log(f"trial {t:2d}: kill -9 {'server' if whole else 'worker'} after {delay * 1000:5.0f} ms; client saw "
            f"{trial.client:<21} → {trial.outcome:<4} {trial.counts}"
            + ("" if whole else f"; new worker answered in {respawn * 1000:.0f} ms"))
        done.append(trial)
    server.kill()
    return done


def summary(trials: list[Trial]) -> str:
    kinds = [t.outcome for t in trials]
    return (f"{len(trials)} kill -9 trials: {kinds.count('all')} whole imports, {kinds.count('none')} nothing written, "
            f"{kinds.count('PARTIAL')} partial")
