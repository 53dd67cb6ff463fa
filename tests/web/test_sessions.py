"""Sessions and limits that hold (security review M3, M4, M5): signing out ends the session on the
server; the lockout and the per-client limits hold across gunicorn workers without Redis; the
development key is random and kept in instance/, never one from the source; passwords are judged
by zxcvbn's lists and patterns."""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path


from app.accounts.passwords import password_problem
from tests.conftest import csrf_from, new_client
from tests.faults_kit import Server

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_cookie_copied_before_sign_out_is_refused_afterwards(app, login, make_user):
    user = make_user("judge")
    client = login(user)
    assert client.get("/judge").status_code == 200
    stolen = client.get_cookie("session")
    copy = new_client(app)
    copy.set_cookie(stolen.key, stolen.value)
    assert copy.get("/judge").status_code == 200  # the copy works while the session lives
    token = csrf_from(client.get("/account/password").data)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    r = copy.get("/judge")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # Another device of the same user stays signed in: only that session ended.
    other = login(user)
    assert other.get("/judge").status_code == 200


def test_passwords_are_judged_by_a_real_list_and_patterns():
    for weak in ("aaaaaaaa", "password1", "qwer1234", "iloveyou1", "1qaz2wsx3edc", "woaini1314"):
        assert password_problem(weak, "someone") is not None, weak
    assert password_problem("tashi-2026", "tashi-2026") is not None  # the user name itself
    for fine in ("Test-pass-2026", "Xq7-long-pass-2026", "唐卡绘制三十年了"):
        assert password_problem(fine, "someone") is None, fine


def test_development_without_a_key_uses_a_random_one_kept_in_instance(tmp_path):
    code = ("import os, sys; os.environ.pop('SECRET_KEY', None); os.environ['JIANGXUAN_ENV'] = 'development';"
            "import app.config as c; from pathlib import Path; c.INSTANCE_DIR = Path(sys.argv[1]);"
            "c.SECRET_FILE = c.INSTANCE_DIR / 'secret_key'; cfg = {'ENV_NAME': 'development', 'SECRET_KEY': None};"
            "c.check_production(cfg); print(cfg['SECRET_KEY'])")
    run = lambda: subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True,  # noqa: E731
                                 text=True, timeout=60)
    first, second = run(), run()
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 32 and key == second.stdout.strip() and key != "dev-only-not-secret"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    from app import config
    assert "dev-only" not in Path(config.__file__).read_text()


def _post(port, path, body, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", "Connection": "close",
                                                   **(headers or {})})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, json.loads(data or b"{}")


def test_the_lockout_and_the_lookup_limit_hold_across_two_workers_without_redis(tmp_path, flask_cli):
    """M4: with 2 sync workers and no Redis, the right password still got a token after 9 wrong
    ones, and 20 of 30 lookups in a minute passed. The counters now live in the database."""
    url = f"sqlite:///{tmp_path / 'two-workers.db'}"
    flask = flask_cli("two-workers.db", migrated=True)
    out = flask("create-admin", "lockme", "--password", "Lock-me-pass-2026")
    assert out.exit_code == 0, out.output
    flask.close()  # the gunicorn workers are the only ones on the file from here on
    server = Server(url, workers=2)
    try:
        server.start()
        for _ in range(100):  # gunicorn forks its workers one after the other
            if len(server.workers_pids()) == 2:
                break
            time.sleep(0.1)
        assert len(server.workers_pids()) == 2
        # Five wrong passwords…
        statuses = [_post(server.port, "/api/v1/auth/token", {"username": "lockme", "password": f"wrong-{i}"})[0]
                    for i in range(5)]
        assert statuses == [401] * 5
        # …and the right one is refused by every worker, whichever answers;
        for _ in range(5):
            status, body = _post(server.port, "/api/v1/auth/token", {"username": "lockme", "password": "Lock-me-pass-2026"})
            assert status == 429 and body["error"]["code"] == "account_locked", body
        # the eleventh try in a minute meets the per-client limit of 10, counted across workers.
        status, body = _post(server.port, "/api/v1/auth/token", {"username": "lockme", "password": "Lock-me-pass-2026"})
        assert status == 429 and body["error"]["code"] == "rate_limited", body
        # The public lookup's 10 a minute per client holds across the workers too.
        answers = [_post(server.port, "/api/v1/public/lookup", {"name": "某人", "id_number": "x"})[0] for _ in range(14)]
        assert answers.count(404) == 10 and answers.count(429) == 4, answers
    finally:
        server.kill()
