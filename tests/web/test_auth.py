"""Web sign-in, sign-out, CSRF, password change and server-side session revocation."""
from app.accounts import operations
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "登录" in page.get_data(as_text=True)


def test_language_switch_to_english(client):
    r = client.get("/lang/en?next=/login")
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_wrong_password_shows_message_beside_field(client, make_user):
    user = make_user("organizer")
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf_from(page.data), "username": user.username,
                                     "password": "wrong-password"})
    assert r.status_code == 200
    assert "用户名或密码错误" in r.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user("organizer")
    r = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 400


def test_login_logout_cycle(login, make_user):
    user = make_user("organizer")
    client = login(user)
    assert client.get("/manage/competitions").status_code == 200
    page = client.get("/")
    r = client.post("/logout", data={"csrf_token": csrf_from(page.data)})
    assert r.status_code == 302
    assert client.get("/manage/competitions").status_code == 302  # back to the login page


def test_login_redirects_only_to_local_next(client, make_user):
    user = make_user("organizer")
    page = client.get("/login")
    r = client.post("/login?next=https://evil.example/x", data={
        "csrf_token": csrf_from(page.data), "username": user.username, "password": PASSWORD})
    assert r.headers["Location"] == "/manage/competitions"  # the organizer's own tasks, not evil.example


def test_disabled_account_loses_its_session(login, make_user):
    user = make_user("organizer")
    client = login(user)
    admin = make_user("admin")
    operations.update_user(user, {"is_enabled": False}, actor=admin)
    db.session.commit()
    assert client.get("/manage/competitions").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(login, make_user):
    user = make_user("organizer")
    first, second = login(user), login(user)
    page = first.get("/account/password")
    r = first.post("/account/password", data={"csrf_token": csrf_from(page.data),
                                              "current_password": PASSWORD, "new_password": "Another-pass-77"})
    assert r.status_code == 302
    assert first.get("/manage/competitions").status_code == 200
    assert second.get("/manage/competitions").status_code == 302


def test_password_rules_are_shown(login, make_user):
    user = make_user("organizer")
    client = login(user)
    page = client.get("/account/password")
    r = client.post("/account/password", data={"csrf_token": csrf_from(page.data),
                                               "current_password": "nope", "new_password": "12345678"})
    text = r.get_data(as_text=True)
    assert "当前密码不正确" in text and "该密码过于常见" in text


def test_login_is_throttled_per_client(client, make_user):
    # A different user name each time, so only the per-client limit can refuse (not the per-account one).
    statuses = []
    for i in range(12):
        page = client.get("/login")
        statuses.append(client.post("/login", data={"csrf_token": csrf_from(page.data),
                                                    "username": f"nobody{i}", "password": "bad-pass-1"}).status_code)
    assert statuses[:10] == [200] * 10 and 429 in statuses[10:]


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_friendly_404_page(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)
