"""Shared fixtures: the app on a migrated test database of its own per test process (SQLite, or
PostgreSQL via TEST_DATABASE_URL; see tests/testdb.py), a clean database per test, clients,
factories, the scenario fixtures (tests/scenarios.py) and the services some tests need (Redis)."""
from __future__ import annotations

import atexit
import contextvars
import fcntl
import gc
import itertools
import os
import re
import shutil
import tempfile
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, settings

# Property tests check invariants, not speed: on a loaded 2-core machine input generation and each
# example may take longer than Hypothesis' defaults (a "too slow" health check failed CI runs), so
# neither time limit applies here.
settings.register_profile("jiangxuan", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("jiangxuan")
from flask.globals import _cv_app
from flask.testing import FlaskClient

os.environ.setdefault("JIANGXUAN_ENV", "testing")
# The issuing bodies' signing keys of this test process: made on first use in a temporary
# directory (never instance/keys); subprocesses (flask run-job, RQ workers) inherit it. One per
# xdist worker: the workers inherit the controller's environment, and a test that rotates or
# revokes keys must not revoke the keys another worker's test is signing with at that moment.
_KEYS_OWNER = os.environ.get("PYTEST_XDIST_WORKER") or "main"
if os.environ.get("JX_TEST_KEYS_OWNER") != _KEYS_OWNER:
    os.environ["CERT_KEY_DIR"] = tempfile.mkdtemp(prefix=f"jx-test-keys-{_KEYS_OWNER}-")
    os.environ["JX_TEST_KEYS_OWNER"] = _KEYS_OWNER
    atexit.register(shutil.rmtree, os.environ["CERT_KEY_DIR"], ignore_errors=True)

from tests import testdb  # noqa: E402

testdb.configure_environment()  # before the app's configuration reads TEST_DATABASE_URL

from app import create_app  # noqa: E402
from app.extensions import db as _db  # noqa: E402

PASSWORD = "Test-pass-2026"
CN_TZ = timezone(timedelta(hours=8))
CI = os.environ.get("CI") == "true"


def unavailable(reason: str):
    """Skip a test whose service (Redis, a PostgreSQL cluster) is missing; in CI (CI=true) fail
    instead, so that CI never passes without having run it."""
    if CI:
        pytest.fail(f"{reason} (CI=true: this test must run here)", pytrace=False)
    pytest.skip(reason)


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
    """The application in testing mode, on this process's copy of the migrated template."""
    testdb.create_worker_database(create_app)
    application = create_app("testing")
    application.test_client_class = IsolatedClient
    with application.app_context():
        testdb.durability_off(_db.engine)
        _db.engine.dispose()
    application.extensions["jx_test_reset"] = testdb.Resetter(_db)
    from tests.contract_check import ContractChecker
    checker = application.extensions["contract_checker"] = ContractChecker(application)
    application.after_request(checker.after_request)
    yield application
    with application.app_context():
        application.extensions["jx_test_reset"].close()
        _db.session.remove()
        _db.engine.dispose()
    testdb.drop_worker_database()


def pytest_collection_finish(session):
    """What collection loaded (the application, the test modules, their libraries) lives as long as
    the process: out of the garbage collector's way (gc.freeze), so that each full collection
    during the run walks only what the tests made. Measured on the SQLite run: the workers' full
    collections took 27 s instead of 31 s."""
    gc.collect()
    gc.freeze()


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the xdist controller, or a run without xdist
        testdb.drop_template()


# ---- what the PostgreSQL run leaves out ------------------------------------------------------------
# CI runs the suite twice, on SQLite and on PostgreSQL. A test that never touches the run's database
# runs the very same code both times, so the PostgreSQL run leaves it out (JX_TEST_ALL=1 keeps it):
# the pure domain rules (tests/domain: no application, no database), tests of `flask` commands on
# scratch SQLite files of their own (the `flask_cli` fixture), and tests marked `database_free`
# (the browser layout walk, the catalogs, the import graph). So does a test marked `browser_variant`:
# it repeats a test that runs on both databases with another browser behaviour (the back-forward
# cache on), sending the server the same kinds of requests. And so does the suite's smoke pass of
# the API fuzz (tests/api/test_fuzz.py, 5 cases per operation): on PostgreSQL, CI runs the same
# test right after with 250 cases per operation (`make fuzz-postgres`, which sets FUZZ_EXAMPLES and
# so keeps it).

def _database_free(item) -> bool:
    return (item.get_closest_marker("database_free") is not None
            or item.get_closest_marker("browser_variant") is not None
            or "flask_cli" in getattr(item, "fixturenames", ())
            or "tests/domain/" in item.nodeid.replace("\\", "/")
            or (item.get_closest_marker("fuzz_smoke") is not None and not os.environ.get("FUZZ_EXAMPLES")))


def pytest_collection_modifyitems(config, items):
    if not testdb.is_postgres() or os.environ.get("JX_TEST_ALL") == "1":
        return
    left_out = [item for item in items if _database_free(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not _database_free(item)]


def pytest_report_header(config):
    if testdb.is_postgres() and os.environ.get("JX_TEST_ALL") != "1":
        return ("PostgreSQL run: the tests that never touch the run's database (tests/domain, flask_cli, "
                "database_free, browser_variant) ran on the SQLite run and are deselected here, as is the smoke pass of the "
                "API fuzz (`make fuzz-postgres` runs it deep); JX_TEST_ALL=1 keeps them")
    return None


@pytest.fixture(autouse=True)
def api_answers_conform(app):
    """Every /api/v1 answer a test received conforms to the OpenAPI document (tests/contract_check.py)."""
    checker = app.extensions["contract_checker"]
    checker.violations.clear()
    yield checker
    found, checker.violations[:] = list(checker.violations), []
    if found:
        pytest.fail("answers that do not conform to the API document:\n" + "\n".join(found[:20]), pytrace=False)


def _clean(app) -> None:
    from app import cache
    cache._local.clear()  # ids restart with the tables: cached public pages must go too
    cache._hot.clear()
    with app.app_context():
        app.extensions["jx_test_reset"]()


# ---- tests that need the machine to themselves (xdist) -----------------------------------------
# A test marked `exclusive` (the PostgreSQL cluster restart) takes an exclusive lock that every
# other test holds shared while it runs: under xdist the other workers wait between two tests
# until it is over. Without xdist the lock is never contended.

_GATE = testdb.INSTANCE / f".{testdb.key()}.exclusive.lock"


@pytest.fixture
def _exclusive_gate(request):
    if not testdb.XDIST:
        yield
        return
    # Exclusive only when it will really take the machine: the PostgreSQL restart runs on
    # PostgreSQL in CI (or when asked); elsewhere the test skips and needs no one to wait.
    exclusive = (request.node.get_closest_marker("exclusive") is not None and testdb.is_postgres()
                 and (CI or os.environ.get("JX_PG_RESTART_TEST") == "1"))
    pending = _GATE.with_suffix(".pending")
    with open(_GATE, "a") as fh:
        if exclusive:
            pending.touch()  # new shared holders wait, so the exclusive one is not starved
            fcntl.flock(fh, fcntl.LOCK_EX)
        else:
            while pending.exists():
                time.sleep(0.05)
            fcntl.flock(fh, fcntl.LOCK_SH)
        try:
            yield
        finally:
            if exclusive:
                pending.unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def db(app, _exclusive_gate):
    """A clean database for each test, inside an application context."""
    ctx = app.test_request_context()
    ctx.push()
    yield _db
    _db.session.remove()
    ctx.pop()
    # A batch job the test started in a thread of this process (no Redis) finishes before the
    # database is reset: otherwise it went on writing into the next test's rows and failed there.
    from app.jobs import runner
    runner.wait_all(timeout=30)
    _clean(app)
    from app.accounts import throttle
    with app.app_context():
        throttle.reset()  # user names repeat between tests: failed sign-ins must not carry over


# ---- the command line, in this process -----------------------------------------------------------

class FlaskCli:
    """`flask …` commands of an application, run in this process through Flask's CLI runner: the
    same commands without ~3 s of interpreter and app start-up each. Tests of the process itself
    (start-up refusal, kill -9, gunicorn) keep real subprocesses."""

    def __init__(self, application):
        self.app = application

    @classmethod
    def on(cls, url: str, config: str = "testing") -> "FlaskCli":
        """A new application of this configuration on the database at `url`."""
        cli = cls(create_app(config, SQLALCHEMY_DATABASE_URI=url))
        with cli.app.app_context():
            testdb.durability_off(_db.engine)
        return cli

    def __call__(self, *args: str, input: str | None = None):
        """→ click's Result (exit_code, stdout, stderr, output)."""
        import logging
        import sys
        from unittest import mock

        from alembic.config import Config

        def invoke():
            with self.app.app_context():  # as `flask` does for every command
                return self.app.test_cli_runner().invoke(args=list(args), input=input)

        saved = logging.root.handlers[:], {n: logging.getLogger(n).level for n in ("alembic", "flask_migrate")}
        # alembic prints to the sys.stdout of when it was imported: make it the runner's.
        stdout = property(lambda _self: sys.stdout, lambda _self, _value: None)
        try:
            with mock.patch.object(Config, "stdout", stdout, create=True):
                # In an empty context: the test's own app context must not stand in for this app's.
                return contextvars.Context().run(invoke)
        finally:
            # alembic's env.py re-configures logging to the runner's captured stream: put it back.
            logging.root.handlers[:] = saved[0]
            for name, level in saved[1].items():
                logging.getLogger(name).setLevel(level)

    def close(self) -> None:
        with self.app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """The path of an empty, migrated SQLite file (the run's template on SQLite; migrated once per
    process on PostgreSQL runs): copy it, never write to it."""
    if not testdb.is_postgres():
        return testdb.sqlite_template_path()
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"
    cli = FlaskCli.on(f"sqlite:///{path}")
    result = cli("db", "upgrade")
    cli.close()
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def flask_cli(tmp_path, migrated_sqlite):
    """flask_cli("name.db") → FlaskCli on a scratch SQLite file in tmp_path, empty;
    flask_cli("name.db", migrated=True): starting as a copy of the migrated schema."""
    made: list[FlaskCli] = []

    def make(filename: str = "cli.db", migrated: bool = False, config: str = "testing") -> FlaskCli:
        if migrated:
            testdb.copy_sqlite(migrated_sqlite, tmp_path / filename)
        cli = FlaskCli.on(f"sqlite:///{tmp_path / filename}", config)
        made.append(cli)
        return cli
    yield make
    for cli in made:
        cli.close()


# ---- Redis --------------------------------------------------------------------------------------
# Each test process has a Redis database number of its own (tests flush it): 8 + the xdist worker
# number (a run without xdist: 8). TEST_REDIS_URL names the server (default 127.0.0.1:6379).

def redis_test_url() -> str:
    n = int(testdb.WORKER[2:]) if testdb.WORKER.startswith("gw") else 0
    base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    return f"{base}/{8 + n % 8}"


@pytest.fixture
def redis_url():
    """The URL of this process's Redis database, emptied before and after the test; the test fails
    in CI (CI=true) and is skipped elsewhere when no Redis answers."""
    import redis

    url = redis_test_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        unavailable(f"no Redis at {url}")
    yield url
    client.flushdb()
    client.close()


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


# Numbers for made-up names, per process rather than per test: a test that starts from a restored
# scenario snapshot (tests/snapshots.py) must not make a name the snapshot holds already.
_org_numbers = itertools.count(1)
_user_numbers = itertools.count(1)


@pytest.fixture
def make_org(db):
    """make_org(name=..., kind=..., region_code=...) → Organization."""
    from app.people.operations import create_organization

    def make(name=None, kind="college", region_code="540100"):
        org = create_organization({"name": name or f"单位{next(_org_numbers)}", "kind": kind, "region_code": region_code})
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

    def make(*roles, organization=None, username=None, name="测试用户"):
        n = next(_user_numbers)
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


# ---- scenarios (tests/scenarios.py: built through the operations) -------------------------------

@pytest.fixture
def world(make_user, make_org, make_competition):
    """An organizer's open competition (events: 电工 individual, 电子商务 team of 3), a college, an
    enterprise, their contacts, and a candidate."""
    from tests import scenarios
    return scenarios.world(make_user, make_org, make_competition)


@pytest.fixture
def jworld(make_user, make_org, make_competition):
    """An event (theory imported, practical judged) with 6 approved entries, 3 judges (one recused
    from the college's 2), a chief judge, a supervisor, the organizer; registration closed."""
    from tests import scenarios
    return scenarios.jworld(make_user, make_org, make_competition)


@pytest.fixture
def drawn(request):
    """jworld with the panel set, codes drawn (seed 'fixed') and the competition in judging
    (a scenario snapshot: tests/snapshots.py)."""
    from tests import scenarios, snapshots
    return snapshots.scenario("drawn", lambda: scenarios.draw(request.getfixturevalue("jworld")))


@pytest.fixture
def demo(db):
    """The demo data (app/demo), as `flask demo` loads it (a scenario snapshot: tests/snapshots.py;
    tests/test_demo.py loads it for real)."""
    from app.demo import load_demo
    from tests import snapshots
    snapshots.scenario("demo", lambda: (load_demo(), None)[1])


@pytest.fixture
def final(request):
    """The judged event, published and final: 6 ranked entries (ranks follow the codes), 4 award
    winners; the first ranked entrant's name is Tibetan and Chinese; drawn["codes"] (a scenario
    snapshot: tests/snapshots.py)."""
    from tests import scenarios, snapshots
    return snapshots.scenario("final", lambda: scenarios.final(request.getfixturevalue("drawn")))
