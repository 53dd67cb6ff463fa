"""Security headers on every kind of answer, HSTS over TLS, no-store on personal data, and the
production start that refuses a missing or weak SECRET_KEY."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import check_production
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]


def _csp_ok(response):
    csp = response.headers.get("Content-Security-Policy", "")
    return ("object-src 'none'" in csp and "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
            and "default-src 'self'" in csp)


@pytest.mark.parametrize("path", ["/", "/login", "/competitions", "/results", "/lookup", "/no/such/page",
                                  "/api/v1/public/competitions", "/api/v1/me"])
def test_every_kind_of_answer_has_the_headers(client, path):
    r = client.get(path)
    assert _csp_ok(r), (path, r.headers.get("Content-Security-Policy"))
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    r = client.get("/", base_url="https://jiangxuan.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_trusted_proxy_https_is_seen(app):
    from werkzeug.middleware.proxy_fix import ProxyFix
    original = app.wsgi_app
    app.wsgi_app = ProxyFix(original, x_for=1, x_proto=1)
    try:
        r = app.test_client().get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert "Strict-Transport-Security" in r.headers
    finally:
        app.wsgi_app = original


def test_no_store_on_personal_data_and_cacheable_public_pages(client, login, make_user):
    assert "no-store" not in client.get("/competitions").headers.get("Cache-Control", "")
    # Any answer to a form (here a lookup with a name and ID number) is never stored.
    page = client.get("/lookup")
    r = client.post("/lookup", data={"csrf_token": csrf_from(page.data), "name": "张三",
                                     "id_number": "11010519491231002X"})
    assert r.headers["Cache-Control"] == "no-store"
    page = client.get("/signup")
    r = client.post("/signup", data={"csrf_token": csrf_from(page.data), "name": "张三"})
    assert r.headers["Cache-Control"] == "no-store"
    # Signed-in pages and the whole API.
    signed_in = login(make_user("organizer"))
    for path in ("/", "/manage/competitions", "/account/password"):
        assert signed_in.get(path).headers["Cache-Control"] == "no-store", path
    assert client.get("/api/v1/public/competitions").headers["Cache-Control"] == "no-store"


def test_production_cookies_are_secure():
    # The cookie a production app sets (on the test database), not the configuration's constants.
    from app import create_app
    production = create_app("production", SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI=os.environ["TEST_DATABASE_URL"],
                            RATELIMIT_STORAGE_URI="memory://", RATELIMIT_STORAGE_OPTIONS={})
    cookie = production.test_client().get("/login").headers["Set-Cookie"]
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert ("secure" in attributes) is (os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"), cookie
    assert "httponly" in attributes and attributes["samesite"] == "SameSite=Lax", cookie


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "short-but-not-empty", "x" * 31])
def test_production_refuses_a_missing_or_weak_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production({"ENV_NAME": "production", "SECRET_KEY": key})


def _start(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "JIANGXUAN_ENV")}
    env.update({"JIANGXUAN_ENV": "production", "DATABASE_URL": "sqlite:////tmp/h1_never_used.db"}, **env_extra)
    return subprocess.run([sys.executable, "-c", "import wsgi; print('started')"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_real_process_refuses_to_start_without_a_secret_key():
    for extra in ({}, {"SECRET_KEY": "dev-only-not-secret"}, {"SECRET_KEY": "changeme"}):
        out = _start(extra)
        assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr, out.stdout + out.stderr[-500:]
    out = _start({"SECRET_KEY": "k" * 48})
    assert out.returncode == 0 and "started" in out.stdout, out.stderr[-2000:]
