"""Shared fixtures: the app on a migrated test database (SQLite, or PostgreSQL via
TEST_DATABASE_URL), a clean database per test, clients, and factories."""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from datetime import datetime, timedelta, timezone

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

os.environ.setdefault("JIANGXUAN_ENV", "testing")
# The issuing bodies' signing keys of this test session: made on first use in a temporary
# directory (never instance/keys); subprocesses (flask run-job, RQ workers) inherit it.
if "CERT_KEY_DIR" not in os.environ:
    os.environ["CERT_KEY_DIR"] = tempfile.mkdtemp(prefix="jx-test-keys-")
    atexit.register(shutil.rmtree, os.environ["CERT_KEY_DIR"], ignore_errors=True)

from app import create_app  # noqa: E402
from app.audit import triggers  # noqa: E402
from app.audit.models import AuditHead  # noqa: E402
from app.audit.operations import GENESIS  # noqa: E402
from app.extensions import db as _db  # noqa: E402

PASSWORD = "Test-pass-2026"
CN_TZ = timezone(timedelta(hours=8))


def _reset_schema(app) -> None:
    """Start from an empty database and build it with the migrations (never create_all)."""
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            _db.engine.dispose()
            path = engine.url.database
            if path and os.path.exists(path):
                os.remove(path)
        upgrade()


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context (own `g`, own database session), as in a
    real server, even though the test itself holds an application context open."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def app():
    """The application in testing mode, on a freshly migrated database (signing keys: above)."""
    application = create_app("testing")
    application.test_client_class = IsolatedClient
    _reset_schema(application)
    return application


def _clean(app) -> None:
    from app import cache
    cache._local.clear()  # ids restart with the tables: cached public pages must go too
    cache._hot.clear()
    with app.app_context():
        _db.session.remove()
        tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name != "audit_heads"]
        # The audit trail is append-only and final results are frozen by database triggers: wiping
        # the test database between tests lifts them inside the same transaction (tests only).
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn, triggers.suspended(conn):
                conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
                conn.execute(text("UPDATE audit_heads SET seq = 0, hash = :h"), {"h": GENESIS})
        else:
            with _db.engine.begin() as conn, triggers.suspended(conn):
                for t in tables:
                    conn.execute(t.delete())
                conn.execute(AuditHead.__table__.update().values(seq=0, hash=GENESIS))


@pytest.fixture(autouse=True)
def db(app):
    """A clean database for each test, inside an application context."""
    ctx = app.test_request_context()
    ctx.push()
    yield _db
    _db.session.remove()
    ctx.pop()
    _clean(app)
    from app.accounts import throttle
    with app.app_context():
        throttle.reset()  # user names repeat between tests: failed sign-ins must not carry over


_addresses = iter(range(1, 16_000_000))


def new_client(app):
    """A test client with its own client address, so per-client rate limits never leak between tests."""
    client = app.test_client()
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    return client


@pytest.fixture
def client(app):
    """A browser-like test client (cookies, CSRF tokens read from pages)."""
    return new_client(app)


def csrf_from(html: bytes | str) -> str:
    if isinstance(html, bytes):
        html = html.decode()
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


@pytest.fixture
def make_org(db):
    """make_org(name=..., kind=..., region_code=...) → Organization."""
    from app.people.operations import create_organization
    counter = iter(range(1, 10_000))

    def make(name=None, kind="college", region_code="540100"):
        org = create_organization({"name": name or f"单位{next(counter)}", "kind": kind, "region_code": region_code})
        db.session.commit()
        return org
    return make


@pytest.fixture
def make_user(db):
    """make_user("judge", organization=org, username=...) → User with password PASSWORD. Accounts
    that act for an organization (organizer, contact, judge, chief judge) get one of their own
    (in Lhasa, 540100) when none is given: the product requires it."""
    from app.accounts.access import NEEDS_ORGANIZATION
    from app.accounts.operations import create_user
    from app.people.operations import create_organization
    counter = iter(range(1, 10_000))

    def make(*roles, organization=None, username=None, name="测试用户"):
        n = next(counter)
        username = username or f"{(roles or ('user',))[0]}{n}"
        if organization is None and set(roles) & NEEDS_ORGANIZATION:
            organization = create_organization({"name": f"{username}的单位", "kind": "college", "region_code": "540100"})
        user = create_user({"username": username,
                            "password": PASSWORD, "name": name, "roles": list(roles) or ["candidate"],
                            "organization_id": organization.id if organization else None})
        db.session.commit()
        return user
    return make


def competition_payload(**over) -> dict:
    now = datetime.now(CN_TZ)
    data = {
        "name": "2026年西藏自治区职业技能大赛", "year": 2026, "level": "provincial_1", "kind": "skills",
        "jurisdiction": "CN-XZ",
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=10)).isoformat(),
        "starts_on": (now + timedelta(days=20)).date().isoformat(),
        "ends_on": (now + timedelta(days=21)).date().isoformat(),
        "publicity_days": 7, "appeal_window_hours": 2,
    }
    data.update(over)
    return data


def event_payload(**over) -> dict:
    data = {
        "name": "电工", "occupation": "电工", "track": "staff", "team_size": 1, "max_entrants": 50,
        "scheme": {"aggregation": "mean", "components": [
            {"key": "theory", "name": "理论", "weight": "0.30",
             "criteria": [{"key": "T1", "name": "理论考试", "max_score": "100", "kind": "measurement"}]},
            {"key": "practical", "name": "实操", "weight": "0.70",
             "criteria": [{"key": "P1", "name": "安装", "max_score": "20", "kind": "judgement", "scale": "wsi3",
                           "descriptors": ["差", "达标", "良好", "优秀"]},
                          {"key": "P2", "name": "排故", "max_score": "50", "kind": "measurement", "step": "0.5"}]},
        ]},
        "awards": {"preset": "prizes"},
        "tiebreak": ["component:practical", "criterion:P1", "time_used"],
    }
    data.update(over)
    return data


@pytest.fixture
def make_competition(db):
    """make_competition(actor, events=1, **fields) → Competition (draft) with its events."""
    from app.competitions import operations

    def make(actor, events=1, **over):
        comp = operations.create_competition(competition_payload(**over), actor)
        for i in range(events):
            operations.create_event(comp, event_payload(name=f"赛项{i + 1}"), actor)
        db.session.commit()
        return comp
    return make


class Api:
    """A JSON API client holding a bearer token."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self, headers=None):
        h = {"Accept-Language": "zh-CN"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(headers or {})
        return h

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api_as(app):
    """api_as(user) → Api client authenticated with a fresh bearer token (api_as(None): anonymous)."""
    def make(user):
        client = new_client(app)
        if user is None:
            return Api(client)
        r = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        return Api(client, r.get_json()["token"])
    return make


@pytest.fixture
def login(app):
    """login(user) → a web test client signed in as that user."""
    def make(user):
        client = new_client(app)
        page = client.get("/login")
        r = client.post("/login", data={"csrf_token": csrf_from(page.data), "username": user.username,
                                         "password": PASSWORD})
        assert r.status_code == 302, r.data[:500]
        return client
    return make


# Scenario fixtures shared across areas (judging → results → selection → browser tests).
from tests.judging.conftest import drawn, jworld  # noqa: E402,F401
