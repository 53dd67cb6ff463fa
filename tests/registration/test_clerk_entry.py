"""Issue 23, every role does its job in the web UI: an organizer registers contestants by hand
(single and team) within their own competitions; sign-up asks for the password twice and warns at
once about a name the certificate fonts cannot print; each role lands on its own tasks."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.pdf.fonts import missing_glyphs
from app.registration.models import Registration
from tests.conftest import PASSWORD, csrf_from, new_client
from tests.scenarios import resident_id

RARE = "张𪚥"  # U+2A6A5: in no certificate font


def test_organizer_registers_a_contestant_by_hand(login, world):
    client = login(world["organizer"])
    event = world["event"]
    queue = client.get(f"/manage/competitions/{world['comp'].id}/registrations").get_data(as_text=True)
    assert f"/manage/events/{event.id}/register" in queue  # the button is on the queue
    page = client.get(f"/manage/events/{event.id}/register")
    assert page.status_code == 200 and 'name="organization_id"' in page.get_data(as_text=True)
    number = resident_id()
    r = client.post(f"/manage/events/{event.id}/register", data={
        "csrf_token": csrf_from(page.data), "name": "次仁", "id_type": "resident_id", "id_number": number,
        "organization_id": str(world["company"].id)})
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/manage/competitions/{world['comp'].id}/registrations?event_id={event.id}")
    reg = db.session.scalar(select(Registration))
    assert reg.source == "organizer" and reg.organization_id == world["company"].id
    assert reg.person.name == "次仁" and reg.status == "submitted"
    # The same person twice is refused on the page, and nothing more is stored.
    r = client.post(f"/manage/events/{event.id}/register", data={
        "csrf_token": csrf_from(page.data), "name": "次仁", "id_type": "resident_id", "id_number": number})
    assert r.status_code == 200 and "已报名" in r.get_data(as_text=True)
    assert len(db.session.scalars(select(Registration)).all()) == 1


def test_organizer_registers_a_team_and_field_errors_are_shown(login, world):
    client = login(world["organizer"])
    event = world["team_event"]
    page = client.get(f"/manage/events/{event.id}/register")
    data = {"csrf_token": csrf_from(page.data), "name": "次仁", "id_type": "resident_id", "id_number": resident_id(),
            "team_name": "拉职一队", "organization_id": str(world["college"].id)}
    for i, name in enumerate(["央金", "格桑"]):
        data.update({f"members-{i}-name": name, f"members-{i}-id_type": "resident_id",
                     f"members-{i}-id_number": resident_id()})
    data["members-1-id_number"] = "bad"
    r = client.post(f"/manage/events/{event.id}/register", data=data)
    assert r.status_code == 200 and "居民身份证号码应为 18 位" in r.get_data(as_text=True)
    assert db.session.scalar(select(Registration)) is None
    data["members-1-id_number"] = resident_id()
    r = client.post(f"/manage/events/{event.id}/register", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    reg = db.session.scalar(select(Registration))
    assert reg.team_name == "拉职一队" and [m.person.name for m in reg.members] == ["次仁", "央金", "格桑"]


def test_hand_registration_stays_within_the_organizers_tenancy(login, world, make_user, make_org):
    other = make_user("organizer", organization=make_org("广西壮族自治区人力资源和社会保障厅", kind="government",
                                                            region_code="450000"))
    client = login(other)
    url = f"/manage/events/{world['event'].id}/register"
    assert client.get(url).status_code == 403
    r = client.post(url, data={"csrf_token": csrf_from(client.get("/").data), "name": "次仁",
                               "id_type": "resident_id", "id_number": resident_id()})
    assert r.status_code == 403
    assert db.session.scalar(select(Registration)) is None
    # A contact and a candidate have their own entry page, not this one.
    for user in (world["contact"], world["candidate"]):
        assert login(user).get(url).status_code == 403


def test_hand_registration_outside_the_window_goes_back_to_the_queue(login, world):
    from app.competitions import operations as comps
    comps.change_status(world["comp"], "registration_closed", world["organizer"])
    db.session.commit()
    client = login(world["organizer"])
    r = client.get(f"/manage/events/{world['event'].id}/register")
    assert r.status_code == 302 and "/registrations" in r.headers["Location"]
    queue = client.get(f"/manage/competitions/{world['comp'].id}/registrations").get_data(as_text=True)
    assert f"/manage/events/{world['event'].id}/register" not in queue


def _signup(app, **over):
    client = new_client(app)
    page = client.get("/signup")
    data = {"csrf_token": csrf_from(page.data), "username": "tashi", "password": PASSWORD,
            "password_confirm": PASSWORD, "name": "扎西", "id_type": "resident_id", "id_number": resident_id()}
    data.update(over)
    return client, client.post("/signup", data=data)


def test_signup_asks_for_the_password_twice(app, world):
    page = new_client(app).get("/signup").get_data(as_text=True)
    assert 'name="password_confirm"' in page and 'type="password"' in page
    client, r = _signup(app, password_confirm=PASSWORD + "x")
    assert r.status_code == 200 and 'id="password_confirm-error"' in r.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "tashi")) is None
    client, r = _signup(app)
    assert r.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "tashi")) is not None


@pytest.fixture
def bmp_fonts(monkeypatch):
    """Certificate fonts that cover the Basic Multilingual Plane only (as the Noto CJK cuts do, near
    enough), whether or not the fonts are installed on this machine."""
    from app.pdf import fonts
    monkeypatch.setattr(fonts, "covered_codepoints", lambda: frozenset(range(0x20, 0x10000)))


def test_signup_warns_at_once_about_a_name_the_fonts_cannot_print(app, world, bmp_fonts):
    assert missing_glyphs(RARE) == ["𪚥"]
    anon = new_client(app)
    answer = anon.get("/signup/name-check", query_string={"name": RARE}).get_json()
    assert answer["missing"] == ["𪚥"] and "𪚥" in answer["message"]
    assert anon.get("/signup/name-check", query_string={"name": "扎西"}).get_json() == {"missing": [], "message": ""}
    assert anon.get("/signup/name-check").get_json()["missing"] == []
    assert 'data-name-check="/signup/name-check"' in anon.get("/signup").get_data(as_text=True)
    # And on the first page after the account is made, before any registration.
    client, r = _signup(app, name=RARE)
    assert r.status_code == 302
    landing = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "flash-warning" in landing and "𪚥" in landing


@pytest.mark.parametrize("roles, where", [
    (("organizer",), "/manage/competitions"), (("admin",), "/manage/competitions"),
    (("judge",), "/judge"), (("chief_judge",), "/judge"), (("supervisor",), "/supervise"),
    (("org_contact",), "/org/registrations"), (("candidate",), "/me"),
])
def test_each_role_lands_on_its_own_tasks(app, make_user, roles, where):
    user = make_user(*roles)
    client = new_client(app)
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf_from(page.data), "username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == where
    assert client.get(where).status_code == 200
    assert client.get("/login").headers["Location"] == where  # signed in already: the same place
