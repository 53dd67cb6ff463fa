"""Login throttling per account (whatever the client address, web and API, shared across processes
through Redis) and re-authentication before lock, publish and finalize (web and API)."""
from __future__ import annotations

import time
import uuid
from datetime import timedelta

from limits import parse
from sqlalchemy import func, select

from app.accounts.models import ApiToken
from app.audit.models import AuditEvent
from app.competitions.models import Competition, Event
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from, new_client
from tests import scenarios
from tests.scenarios import all_codes, theory_file, upload


def _web_login(app, username, password):
    client = new_client(app)  # a new client address every time
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_from(page.data), "username": username,
                                       "password": password})


def _token(app, username, password):
    return new_client(app).post("/api/v1/auth/token", json={"username": username, "password": password})


# ---- throttling per account ---------------------------------------------------------------------

def test_five_failed_passwords_lock_the_account_from_every_address(app, make_user):
    user, bystander = make_user("organizer"), make_user("organizer")
    for _ in range(5):
        r = _web_login(app, user.username, "wrong-pass-1")
        assert r.status_code == 200 and "用户名或密码错误" in r.get_data(as_text=True)
    # The right password, from yet another address, is refused now, with a clear message.
    r = _web_login(app, user.username, PASSWORD)
    text = r.get_data(as_text=True)
    assert r.status_code == 429 and "该账号登录失败次数过多" in text and "分钟后再试" in text
    # The user name is matched after normalization (NFKC, case), so variants do not escape.
    assert _web_login(app, " " + user.username.upper(), PASSWORD).status_code == 429
    # The API token endpoint shares the count.
    r = _token(app, user.username, PASSWORD)
    body = r.get_json()["error"]
    assert r.status_code == 429 and body["code"] == "account_locked" and body["retry_after_minutes"] >= 1
    # Other accounts are not affected.
    assert _web_login(app, bystander.username, PASSWORD).status_code == 302


def test_lock_ends_when_the_window_has_passed(app, make_user, monkeypatch):
    throttle = app.extensions["account_throttle"]
    monkeypatch.setattr(throttle, "limit", parse("5 per 2 seconds"))
    user = make_user("organizer")
    for _ in range(5):
        _web_login(app, user.username, "wrong-pass-1")
    assert _web_login(app, user.username, PASSWORD).status_code == 429
    # The window passes: the clock the counters read (the `limits` storage reads time.time())
    # moves 2.1 s on instead of the test sleeping.
    later = time.time() + 2.1
    monkeypatch.setattr(time, "time", lambda: later)
    assert _web_login(app, user.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(app, make_user):
    user = make_user("organizer")
    for _ in range(4):
        _web_login(app, user.username, "wrong-pass-1")
    assert _web_login(app, user.username, PASSWORD).status_code == 302
    for _ in range(4):
        _web_login(app, user.username, "wrong-pass-1")
    assert _web_login(app, user.username, PASSWORD).status_code == 302


def test_unknown_user_names_get_the_same_answers(app):
    answers = [_web_login(app, "no-such-user", "wrong-pass-1").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_api_token_login_is_throttled_per_account(app, make_user):
    user = make_user("judge")
    for _ in range(5):
        r = _token(app, user.username, "wrong-pass-1")
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    r = _token(app, user.username, PASSWORD)
    assert r.status_code == 429 and "该账号登录失败次数过多" in r.get_json()["error"]["message"]
    assert _web_login(app, user.username, PASSWORD).status_code == 429


def _instance(storage, prefix, mode):
    """One application instance (as in another gunicorn worker: nothing shared in memory with the
    other instances; only the rate-limit storage named by `storage` is common) → "locked"/"open"."""
    from app import create_app
    from app.accounts import throttle
    other = create_app("testing", RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=prefix)
    with other.app_context():
        if mode == "fail":
            for _ in range(5):
                throttle.failed("shared-user")
        return "locked" if other.extensions["account_throttle"].retry_minutes("shared-user") else "open"


def test_the_account_count_is_shared_across_processes_through_redis(redis_url):
    url = redis_url
    prefix = "jx-test-" + uuid.uuid4().hex
    try:
        assert _instance(url, prefix, "fail") == "locked"   # one instance fails five times
        assert _instance(url, prefix, "check") == "locked"  # another instance sees the lock
    finally:
        import redis
        r = redis.Redis.from_url(url)
        for key in r.scan_iter(f"*{prefix}*"):
            r.delete(key)
    # Without Redis each instance counts for itself (the in-memory fallback).
    assert _instance("memory://", prefix, "check") == "open"


# ---- re-authentication before lock, publish and finalize ---------------------------------------

def _age_session(client, minutes=11):
    with client.session_transaction() as s:
        assert isinstance(s.get("auth_at"), int)  # recorded at sign-in
        s["auth_at"] -= minutes * 60


def _age_tokens(minutes=11):
    for row in db.session.scalars(select(ApiToken)):
        row.created_at -= timedelta(minutes=minutes)
    db.session.commit()


def _ready_to_lock(drawn, api_as):
    scenarios.fill_sheets(drawn)
    codes = all_codes(drawn["event"].id)
    assert upload(api_as(drawn["organizer"]), drawn["event"].id,
                  theory_file([(c, 60 + i * 3) for i, c in enumerate(codes)])).status_code == 201


def _post_following_307(client, url, data):
    """POST, then do what a browser does with a 307: the same POST (same body) to the new place,
    then follow ordinary redirects. (Werkzeug's test client drops a form body on a 307.)"""
    r = client.post(url, data=data)
    assert r.status_code == 307, r.status_code
    return client.post(r.headers["Location"], data=data, follow_redirects=True)


def _locked_at(event_id):
    db.session.expire_all()
    return db.session.get(Event, event_id).locked_at


def _audit_count(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_web_lock_asks_for_the_password_again_then_locks(drawn, api_as, login):
    _ready_to_lock(drawn, api_as)
    event = drawn["event"]
    chief = login(drawn["chief"])
    _age_session(chief)
    page = chief.get(f"/judge/events/{event.id}")
    r = chief.post(f"/judge/events/{event.id}/lock", data={"csrf_token": csrf_from(page.data)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/reauth")
    assert _locked_at(event.id) is None
    form = chief.get("/account/reauth")
    assert form.status_code == 200 and "确认密码" in form.get_data(as_text=True)
    token = csrf_from(form.data)
    # Without the CSRF token: refused; with a wrong password: asked again, nothing done.
    assert chief.post("/account/reauth", data={"password": PASSWORD}).status_code == 400
    r = chief.post("/account/reauth", data={"csrf_token": token, "password": "wrong-pass-1"})
    assert r.status_code == 200 and "密码错误" in r.get_data(as_text=True)
    assert _locked_at(event.id) is None
    # The right password: the lock goes ahead (307 repeats the POST) and lands on the event page.
    r = _post_following_307(chief, "/account/reauth", {"csrf_token": token, "password": PASSWORD})
    assert r.status_code == 200 and "赛项已锁定" in r.get_data(as_text=True)
    assert _locked_at(event.id) is not None and _audit_count("event.lock") == 1


def test_reauth_without_csrf_or_with_a_guessed_password_is_throttled(drawn, login):
    chief = login(drawn["chief"])
    _age_session(chief)
    token = csrf_from(chief.get("/account/reauth").data)
    for _ in range(5):
        chief.post("/account/reauth", data={"csrf_token": token, "password": "wrong-pass-1"})
    r = chief.post("/account/reauth", data={"csrf_token": token, "password": PASSWORD})
    assert r.status_code == 429 and "该账号登录失败次数过多" in r.get_data(as_text=True)


def test_fresh_sign_in_needs_no_reauth_and_other_moves_never_ask(login, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    client = login(organizer)
    _age_session(client)
    page = client.get(f"/manage/competitions/{comp.id}")
    r = client.post(f"/manage/competitions/{comp.id}/status", data={
        "csrf_token": csrf_from(page.data), "status": "registration_open", "version": str(comp.version)})
    assert r.status_code == 302 and "/account/reauth" not in r.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Competition, comp.id).status == "registration_open"


def test_web_publish_and_finalize_ask_for_the_password(drawn, api_as, login):
    _ready_to_lock(drawn, api_as)
    assert api_as(drawn["chief"]).post(f"/events/{drawn['event'].id}/lock").status_code == 200
    comp = drawn["comp"]
    org = login(drawn["organizer"])
    _age_session(org)
    page = org.get(f"/manage/competitions/{comp.id}")
    db.session.expire_all()
    version = str(db.session.get(Competition, comp.id).version)
    r = org.post(f"/manage/competitions/{comp.id}/status", data={
        "csrf_token": csrf_from(page.data), "status": "publicity", "version": version, "reason": "公示"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/reauth")
    db.session.expire_all()
    assert db.session.get(Competition, comp.id).status == "judging"
    form = org.get("/account/reauth")
    html = form.get_data(as_text=True)
    assert 'name="status" value="publicity"' in html and 'name="reason" value="公示"' in html
    r = _post_following_307(org, "/account/reauth", {"csrf_token": csrf_from(form.data), "password": PASSWORD,
                                                     "status": "publicity", "version": version, "reason": "公示"})
    assert r.status_code == 200 and "公示" in r.get_data(as_text=True)
    db.session.expire_all()
    comp_now = db.session.get(Competition, comp.id)
    assert comp_now.status == "publicity"
    # Within the window the next move (finalize) does not ask again; it is refused only by its own
    # rule (publicity has not ended).
    r = org.post(f"/manage/competitions/{comp.id}/status", data={
        "csrf_token": csrf_from(page.data), "status": "final", "version": str(comp_now.version)})
    assert "/account/reauth" not in r.headers["Location"]
    # Aged again: finalize asks for the password.
    _age_session(org)
    r = org.post(f"/manage/competitions/{comp.id}/status", data={
        "csrf_token": csrf_from(page.data), "status": "final", "version": str(comp_now.version)})
    assert r.headers["Location"].endswith("/account/reauth")


def test_api_lock_needs_a_recent_token(drawn, api_as):
    _ready_to_lock(drawn, api_as)
    event = drawn["event"]
    chief = api_as(drawn["chief"])
    _age_tokens()
    r = chief.post(f"/events/{event.id}/lock")
    body = r.get_json()["error"]
    assert r.status_code == 401 and body["code"] == "reauth_required" and "10 分钟" in body["message"]
    assert body["reauth_minutes"] == 10
    assert _locked_at(event.id) is None and _audit_count("event.lock") == 0
    # The old token still works for everything else.
    assert chief.get(f"/events/{event.id}/sheets").status_code == 200
    # A token from a fresh password login locks.
    assert api_as(drawn["chief"]).post(f"/events/{event.id}/lock").status_code == 200


def test_api_publish_and_finalize_need_a_recent_token(drawn, api_as):
    _ready_to_lock(drawn, api_as)
    assert api_as(drawn["chief"]).post(f"/events/{drawn['event'].id}/lock").status_code == 200
    comp = drawn["comp"]
    org = api_as(drawn["organizer"])
    _age_tokens()
    for status in ("publicity", "final"):
        r = org.post(f"/competitions/{comp.id}/status", json={"status": status})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "reauth_required"
    # Moves that publish nothing do not ask (refused here by the life cycle, not by re-auth).
    r = org.post(f"/competitions/{comp.id}/status", json={"status": ["final"]})
    assert r.get_json()["error"]["code"] != "reauth_required"
    db.session.expire_all()
    assert db.session.get(Competition, comp.id).status == "judging"
    r = api_as(drawn["organizer"]).post(f"/competitions/{comp.id}/status", json={"status": "publicity"})
    assert r.status_code == 200 and r.get_json()["status"] == "publicity"


# ---- password hash parameters -------------------------------------------------------------------

def test_hashes_use_the_configured_parameters_and_older_ones_are_made_again_at_sign_in(app, make_user):
    """ARGON2_* set the parameters of new hashes (production: OWASP's 46 MiB, one pass, one lane);
    a stored hash made with others (argon2-cffi's default, the earlier setting) still signs in and
    is made again with the configured ones."""
    from argon2 import PasswordHasher

    from app.accounts import passwords
    from app.config import Config

    from flask import Flask
    production_like = Flask("hasher")
    passwords.configure(production_like, Config.ARGON2_TIME_COST, Config.ARGON2_MEMORY_COST, Config.ARGON2_PARALLELISM)
    with production_like.app_context():
        made = passwords.hash_password("Another-pass-2026")
        assert passwords.verify_password(made, "Another-pass-2026")
        # A user name nobody has costs a verification with the same parameters (timing).
        passwords.verify_nobody("Another-pass-2026")
        assert any(k[:3] == (Config.ARGON2_TIME_COST, Config.ARGON2_MEMORY_COST, Config.ARGON2_PARALLELISM)
                   and v.startswith(made[:made.index("$", 20)]) for k, v in passwords._nobody.items())
    assert made.startswith(f"$argon2id$v=19$m={Config.ARGON2_MEMORY_COST},t={Config.ARGON2_TIME_COST},"
                           f"p={Config.ARGON2_PARALLELISM}$")
    user = make_user("organizer")
    user.password_hash = PasswordHasher().hash(PASSWORD)  # m=65536, t=3, p=4
    db.session.commit()
    assert passwords.needs_rehash(user.password_hash)
    assert _web_login(app, user.username, PASSWORD).status_code == 302
    db.session.expire_all()
    assert user.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # the test configuration's
    assert _web_login(app, user.username, PASSWORD).status_code == 302
