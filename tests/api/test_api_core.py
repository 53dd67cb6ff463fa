"""API: tokens, users, organizations, people, competitions, events, status moves, errors."""
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.accounts.models import ApiToken
from app.audit.models import AuditEvent
from app.competitions.models import Competition, Event
from app.domain.idcard import make_resident_id
from app.extensions import db
from tests.conftest import PASSWORD, competition_payload, event_payload


def test_token_issue_use_and_revoke(api_as, make_user, app):
    user = make_user("organizer")
    api = api_as(user)
    me = api.get("/me")
    assert me.status_code == 200 and me.get_json()["username"] == user.username
    assert api.delete("/auth/token").status_code == 204
    assert api.get("/me").status_code == 401


def test_token_response_shape_and_wrong_credentials(api_as, make_user):
    user = make_user("judge")
    anon = api_as(None)
    r = anon.post("/auth/token", json={"username": user.username, "password": PASSWORD})
    body = r.get_json()
    assert set(body) == {"token", "expires_at", "user"} and body["user"]["roles"] == ["judge"]
    assert "+08:00" in body["expires_at"]
    r = anon.post("/auth/token", json={"username": user.username, "password": "nope"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_expired_token_is_refused(api_as, make_user):
    api = api_as(make_user("organizer"))
    db.session.execute(update(ApiToken).values(expires_at=datetime(2000, 1, 1)))
    db.session.commit()
    assert api.get("/me").status_code == 401


def test_api_ignores_the_session_cookie(login, make_user):
    client = login(make_user("organizer"))
    assert client.get("/api/v1/competitions").status_code == 401  # cookies are not credentials here


def test_errors_follow_accept_language(api_as, make_user):
    api = api_as(make_user("organizer"))
    zh = api.post("/competitions", json={**competition_payload(), "level": "galactic"})
    en = api.post("/competitions", json={**competition_payload(), "level": "galactic"},
                  headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert zh.get_json()["error"]["fields"]["level"] == ["请选择竞赛级别。"]
    assert en.get_json()["error"]["fields"]["level"] == ["Choose the competition level."]


def test_malformed_body_is_400(api_as, make_user):
    api = api_as(make_user("organizer"))
    r = api.client.post("/api/v1/competitions", data="{not json", headers={
        **api._headers(), "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    assert api.post("/competitions", json=[1, 2]).status_code == 400


def test_create_competition_and_event_through_the_api(api_as, make_user, make_org):
    org = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    organizer = make_user("organizer", organization=org)
    api = api_as(organizer)
    r = api.post("/competitions", json=competition_payload())
    assert r.status_code == 201, r.get_json()
    comp = r.get_json()
    assert comp["status"] == "draft" and comp["host_organization_id"] == org.id
    r = api.post(f"/competitions/{comp['id']}/events", json=event_payload())
    assert r.status_code == 201, r.get_json()
    event = r.get_json()
    assert event["scheme"]["components"][1]["criteria"][1]["step"] == "0.5"
    assert api.get(f"/events/{event['id']}").get_json()["name"] == "电工"
    listed = api.get("/competitions").get_json()
    assert listed["total"] == 1 and listed["items"][0]["events"][0]["id"] == event["id"]


def test_event_validation_reports_every_field(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer, events=0)
    api = api_as(organizer)
    bad = event_payload(track="pilots", team_size=0)
    bad["scheme"]["components"][0]["weight"] = "0.5"
    bad["scheme"]["components"][1]["criteria"][1]["max_score"] = "0"
    r = api.post(f"/competitions/{comp.id}/events", json=bad)
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert {"track", "team_size", "scheme.components",
            "scheme.components[1].criteria[1].max_score"} <= set(fields)
    assert db.session.scalar(select(Event.id)) is None  # nothing saved


def test_mass_assignment_is_refused(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    api = api_as(organizer)
    r = api.post("/competitions", json={**competition_payload(), "status": "final", "id": 99})
    assert r.status_code == 422 and {"status", "id"} <= set(r.get_json()["error"]["fields"])
    comp = make_competition(organizer)
    r = api.patch(f"/competitions/{comp.id}", json={"status": "final"})
    assert r.status_code == 422
    assert db.session.get(Competition, comp.id).status == "draft"


def test_patch_with_stale_version_is_409(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    api = api_as(organizer)
    v = api.get(f"/competitions/{comp.id}").get_json()["version"]
    assert api.patch(f"/competitions/{comp.id}", json={"name": "新名称", "version": v}).status_code == 200
    r = api.patch(f"/competitions/{comp.id}", json={"name": "另一个名称", "version": v})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"
    db.session.expire_all()
    assert db.session.get(Competition, comp.id).name == "新名称"


def test_dates_must_be_in_order(api_as, make_user):
    api = api_as(make_user("organizer"))
    p = competition_payload()
    p["registration_closes_at"], p["registration_opens_at"] = p["registration_opens_at"], p["registration_closes_at"]
    p["ends_on"] = "2020-01-01"
    fields = api.post("/competitions", json=p).get_json()["error"]["fields"]
    assert {"registration_closes_at", "ends_on"} <= set(fields)


def test_status_moves_are_audited_and_checked(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer, events=0)
    api = api_as(organizer)
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "registration_open"})
    assert r.status_code == 409 and "至少添加一个赛项" in r.get_json()["error"]["message"]
    api.post(f"/competitions/{comp.id}/events", json=event_payload())
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "registration_open", "reason": "开始报名"})
    assert r.status_code == 200 and r.get_json()["status"] == "registration_open"
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "final"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "competition.status")).all()
    assert [(e.before, e.after, e.reason) for e in events] == [
        ({"status": "draft"}, {"status": "registration_open"}, "开始报名")]


def test_final_waits_for_the_end_of_publicity(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    comp.status = "publicity"
    db.session.commit()
    api = api_as(organizer)
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "final"})
    assert r.status_code == 409 and "公示期尚未结束" in r.get_json()["error"]["message"]
    comp = db.session.get(Competition, comp.id)
    comp.status_changed_at = comp.status_changed_at - timedelta(days=8)
    db.session.commit()
    assert api.post(f"/competitions/{comp.id}/status", json={"status": "final"}).status_code == 200


def test_events_frozen_once_judging_starts(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    comp.status = "judging"
    db.session.commit()
    api = api_as(organizer)
    event_id = comp.events[0].id
    assert api.patch(f"/events/{event_id}", json={"name": "改名"}).status_code == 409
    assert api.post(f"/competitions/{comp.id}/events", json=event_payload()).status_code == 409


def test_organizer_of_another_host_cannot_touch_a_competition(api_as, make_user, make_org, make_competition):
    xz = make_org("西藏人社厅", kind="government", region_code="540000")
    gx = make_org("广西人社厅", kind="government", region_code="450000")
    owner = make_user("organizer", organization=xz)
    other = make_user("organizer", organization=gx)
    comp = make_competition(owner)
    api = api_as(other)
    assert api.get(f"/competitions/{comp.id}").status_code == 403
    assert api.patch(f"/competitions/{comp.id}", json={"name": "x"}).status_code == 403
    assert api.get(f"/events/{comp.events[0].id}").status_code == 403
    assert api.get("/competitions").get_json()["total"] == 0


def test_users_and_organizations(api_as, make_user):
    admin = make_user("admin")
    api = api_as(admin)
    r = api.post("/organizations", json={"name": "拉萨职业技术学院", "kind": "college", "region_code": "540100"})
    assert r.status_code == 201
    org_id = r.get_json()["id"]
    r = api.post("/users", json={"username": "judge_a", "password": "Judge-pass-99", "name": "平措",
                                 "roles": ["judge"], "organization_id": org_id})
    assert r.status_code == 201 and r.get_json()["roles"] == ["judge"]
    assert api.get("/users?role=judge").get_json()["total"] == 1
    r = api.post("/users", json={"username": "judge_a", "password": "123456", "name": "", "roles": ["king"]})
    assert set(r.get_json()["error"]["fields"]) == {"username", "password", "name", "roles"}


def test_organizer_cannot_grant_admin(api_as, make_user):
    api = api_as(make_user("organizer"))
    r = api.post("/users", json={"username": "boss", "password": "Boss-pass-99", "name": "王", "roles": ["admin"]})
    assert r.status_code == 422 and "roles" in r.get_json()["error"]["fields"]


def test_people_with_resident_id_derive_birth_and_gender(api_as, make_user):
    api = api_as(make_user("organizer"))
    number = make_resident_id("540102", datetime(1990, 5, 17).date(), 13)
    r = api.post("/people", json={"name": "བསྟན་འཛིན་ནོར་བུ", "id_type": "resident_id", "id_number": number,
                                  "ethnicity": "藏族"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["birth_date"] == "1990-05-17" and body["gender"] == "male" and body["ethnicity"] == "04"
    assert body["name"] == "བསྟན་འཛིན་ནོར་བུ"
    again = api.post("/people", json={"name": "别人", "id_number": number.lower()})
    assert again.status_code == 422 and "id_number" in again.get_json()["error"]["fields"]
    bad = api.post("/people", json={"name": "张三", "id_number": number[:-1] + ("0" if number[-1] != "0" else "1")})
    assert bad.get_json()["error"]["fields"]["id_number"] == ["身份证号码校验码不正确，请检查是否输错。"]
    numeric = api.post("/people", json={"name": "张三", "id_number": 110105194912310021})
    assert "文本" in numeric.get_json()["error"]["fields"]["id_number"][0]


def test_people_with_other_id_types_need_birth_and_gender(api_as, make_user):
    api = api_as(make_user("organizer"))
    r = api.post("/people", json={"name": "Maria Silva", "id_type": "passport", "id_number": "P1234567"})
    assert set(r.get_json()["error"]["fields"]) == {"gender", "birth_date"}
    r = api.post("/people", json={"name": "Maria Silva", "id_type": "passport", "id_number": "P1234567",
                                  "gender": "female", "birth_date": "1995-03-02"})
    assert r.status_code == 201


def test_pagination(api_as, make_user):
    admin = make_user("admin")
    for i in range(5):
        make_user("judge")
    api = api_as(admin)
    body = api.get("/users?per_page=2&page=2").get_json()
    assert body["page"] == 2 and body["per_page"] == 2 and len(body["items"]) == 2 and body["total"] == 6
    r = api.get("/users?per_page=abc")
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["per_page"]
