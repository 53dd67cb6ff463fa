"""Each entry path and each refusal rule, through the API (the web forms call the same service)."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.competitions.models import Competition, Event
from app.extensions import db
from app.people.models import Person
from app.registration.models import Registration, RegistrationMember
from tests.scenarios import person, resident_id


def rules(resp):
    return [r["rule"] for r in resp.get_json()["error"].get("rules", [])]


def test_organizer_registers_a_person(api_as, world):
    api = api_as(world["organizer"])
    r = api.post(f"/events/{world['event'].id}/registrations",
                 json={"person": person("བསྟན་འཛིན་ནོར་བུ", ethnicity="04"), "organization_id": world["company"].id})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "submitted" and body["person"]["name"] == "བསྟན་འཛིན་ནོར་བུ"
    assert body["person"]["birth_date"] == "1995-03-04" and body["organization_id"] == world["company"].id
    assert len(body["person"]["id_number"]) == 18  # organizers see the full number
    db.session.expire_all()
    assert db.session.get(Event, world["event"].id).entrant_count == 1


def test_org_contact_registers_own_people_only(api_as, world):
    api = api_as(world["contact"])
    team_event = world["team_event"]
    members = [person("央金"), person("格桑")]
    r = api.post(f"/events/{team_event.id}/registrations",
                 json={"person": person("次仁"), "team_name": "拉职电商一队", "members": members})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["organization_id"] == world["college"].id and [m["name"] for m in body["members"]] == ["央金", "格桑"]
    assert "*" in body["person"]["id_number"]  # contacts see masked ID numbers
    r = api.post(f"/events/{world['event'].id}/registrations",
                 json={"person": person("达瓦"), "organization_id": world["company"].id})
    assert r.status_code == 403


def test_candidate_registers_themselves(api_as, world):
    api = api_as(world["candidate"])
    me = person("次仁多吉", phone="13812345678")
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": me})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["person"]["id_number"] == me["id_number"] and body["person"]["phone"] == "13812345678"
    assert db.session.scalar(select(Person).where(Person.id_number == me["id_number"])).user_id == world["candidate"].id
    # Someone else's entry from a candidate account is refused.
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": person("别人")})
    assert r.status_code == 403
    mine = api.get("/me/registrations").get_json()
    assert mine["total"] == 1


def test_window_refusals(api_as, world):
    api = api_as(world["organizer"])
    comp = db.session.get(Competition, world["comp"].id)
    comp.registration_closes_at = datetime.utcnow() - timedelta(minutes=1)
    comp.registration_opens_at = datetime.utcnow() - timedelta(days=3)
    db.session.commit()
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": person()})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "registration_closed"
    comp.registration_closes_at = datetime.utcnow() + timedelta(days=1)
    comp.status = "registration_closed"
    db.session.commit()
    assert api.post(f"/events/{world['event'].id}/registrations", json={"person": person()}).status_code == 409


def test_capacity_refusal(api_as, world):
    api = api_as(world["organizer"])
    for i in range(5):
        assert api.post(f"/events/{world['event'].id}/registrations", json={"person": person(f"选手{'甲乙丙丁戊'[i]}")}).status_code == 201
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": person("己")})
    assert r.status_code == 409 and rules(r) == ["capacity"]
    db.session.expire_all()
    assert db.session.get(Event, world["event"].id).entrant_count == 5


def test_one_person_once_per_event_and_one_event_per_competition(api_as, world):
    api = api_as(world["organizer"])
    p = person("扎西顿珠")
    assert api.post(f"/events/{world['event'].id}/registrations", json={"person": p}).status_code == 201
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": p})
    assert r.status_code == 409 and rules(r) == ["duplicate"]
    # Another event of the same competition: refused unless the competition allows several.
    r = api.post(f"/events/{world['team_event'].id}/registrations", json={
        "person": p, "organization_id": world["college"].id, "team_name": "队", "members": [person("甲"), person("乙")]})
    assert r.status_code == 409 and "one_event" in rules(r)
    comp = db.session.get(Competition, world["comp"].id)
    comp.allow_multiple_events = True
    db.session.commit()
    r = api.post(f"/events/{world['team_event'].id}/registrations", json={
        "person": p, "organization_id": world["college"].id, "team_name": "队", "members": [person("甲"), person("乙")]})
    assert r.status_code == 201, r.get_json()


def test_withdrawn_person_may_register_again(api_as, world):
    api = api_as(world["organizer"])
    p = person("尼玛")
    reg = api.post(f"/events/{world['event'].id}/registrations", json={"person": p}).get_json()
    assert api.post(f"/registrations/{reg['id']}/withdraw").get_json()["status"] == "withdrawn"
    db.session.expire_all()
    assert db.session.get(Event, world["event"].id).entrant_count == 0
    assert api.post(f"/events/{world['event'].id}/registrations", json={"person": p}).status_code == 201


def test_eligibility_rules_each_name_themselves(api_as, world):
    api = api_as(world["organizer"])
    event_id = world["event"].id
    assert api.patch(f"/events/{event_id}", json={"eligibility": {"min_age": 18, "max_age": 35, "min_skill_grade": 3,
                                                                   "organization_kinds": ["enterprise"]}}).status_code == 200
    day = db.session.get(Competition, world["comp"].id).starts_on
    too_young = day.replace(year=day.year - 17)
    r = api.post(f"/events/{event_id}/registrations", json={
        "person": person("小明", id_number=resident_id(birth=too_young), skill_grade=4),
        "organization_id": world["college"].id})
    assert r.status_code == 409 and rules(r) == ["age", "skill_grade", "organization_kind"]
    messages = [x["message"] for x in r.get_json()["error"]["rules"]]
    assert "须年满 18 周岁" in messages[0]
    old = day.replace(year=day.year - 36)
    r = api.post(f"/events/{event_id}/registrations", json={
        "person": person("老王", id_number=resident_id(birth=old), skill_grade=2), "organization_id": world["company"].id})
    assert rules(r) == ["age"]
    # The day before the 36th birthday counts as 35.
    ok = (day + timedelta(days=1)).replace(year=day.year - 36)
    r = api.post(f"/events/{event_id}/registrations", json={
        "person": person("刚好", id_number=resident_id(birth=ok), skill_grade=3), "organization_id": world["company"].id})
    assert r.status_code == 201, r.get_json()


def test_limits_are_off_unless_the_event_sets_them(api_as, world):
    api = api_as(world["organizer"])
    old = date(1950, 1, 1)
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": person("老匠人", id_number=resident_id(birth=old))})
    assert r.status_code == 201


def test_student_track_needs_a_school(api_as, world):
    api = api_as(world["organizer"])
    r = api.post(f"/events/{world['team_event'].id}/registrations", json={
        "person": person("甲"), "organization_id": world["company"].id, "team_name": "队",
        "members": [person("乙"), person("丙")]})
    assert rules(r) == ["track"]


def test_team_shape_is_checked(api_as, world):
    api = api_as(world["contact"])
    r = api.post(f"/events/{world['team_event'].id}/registrations", json={"person": person("甲"), "members": [person("乙")]})
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"members", "team_name"}
    same = person("乙")
    r = api.post(f"/events/{world['team_event'].id}/registrations", json={
        "person": person("甲"), "team_name": "队", "members": [same, dict(same)]})
    assert r.status_code == 422 and "members[1].id_number" in r.get_json()["error"]["fields"]
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": person("甲"), "members": [person("乙")]})
    assert r.status_code == 422 and "members" in r.get_json()["error"]["fields"]


def test_bad_person_details_name_each_field(api_as, world):
    api = api_as(world["organizer"])
    r = api.post(f"/events/{world['event'].id}/registrations", json={
        "person": {"name": "张\u202e三", "id_number": "540102199503041230", "gender": "alien", "phone": "call me",
                   "status": "approved"}})
    fields = r.get_json()["error"]["fields"]
    assert r.status_code == 422
    assert {"person.name", "person.id_number", "person.gender", "person.phone", "person.status"} <= set(fields)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_known_id_under_another_name_is_refused(api_as, world):
    api = api_as(world["organizer"])
    p = person("旦增")
    api.post(f"/events/{world['event'].id}/registrations", json={"person": p})
    r = api.post(f"/events/{world['team_event'].id}/registrations", json={
        "person": {**p, "name": "冒名"}, "organization_id": world["college"].id, "team_name": "队",
        "members": [person("乙"), person("丙")]})
    assert r.status_code == 422 and "person.name" in r.get_json()["error"]["fields"]


def test_review_and_withdraw_rules(api_as, world):
    org_api = api_as(world["organizer"])
    reg = org_api.post(f"/events/{world['event'].id}/registrations", json={"person": person("拉巴")}).get_json()
    r = org_api.post(f"/registrations/{reg['id']}/review", json={"decision": "reject"})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    r = org_api.post(f"/registrations/{reg['id']}/review", json={"decision": "approve"})
    assert r.get_json()["status"] == "approved"
    r = org_api.post(f"/registrations/{reg['id']}/review", json={"decision": "approve"})
    assert r.status_code == 409
    r = org_api.post(f"/registrations/{reg['id']}/review", json={"decision": "reject", "reason": "资格证书不符"})
    assert r.get_json()["status"] == "rejected" and r.get_json()["review_reason"] == "资格证书不符"
    assert org_api.post(f"/registrations/{reg['id']}/withdraw").status_code == 409
    members = db.session.scalars(select(RegistrationMember)).all()
    assert all(not m.is_active for m in members)


def test_candidate_sees_the_rejection_reason(api_as, world, login):
    cand_api = api_as(world["candidate"])
    reg = cand_api.post(f"/events/{world['event'].id}/registrations", json={"person": person("格桑卓玛")}).get_json()
    api_as(world["organizer"]).post(f"/registrations/{reg['id']}/review",
                                    json={"decision": "reject", "reason": "未提供单位推荐表"})
    assert cand_api.get(f"/registrations/{reg['id']}").get_json()["review_reason"] == "未提供单位推荐表"
    page = login(world["candidate"]).get("/me").get_data(as_text=True)
    assert "未提供单位推荐表" in page and "未通过" in page


def test_who_sees_which_registration(api_as, world):
    reg = api_as(world["contact"]).post(f"/events/{world['event'].id}/registrations",
                                        json={"person": person("米玛")}).get_json()
    assert api_as(world["contact"]).get(f"/registrations/{reg['id']}").status_code == 200
    # Everyone else: as if it did not exist (no id enumeration).
    assert api_as(world["contact_other"]).get(f"/registrations/{reg['id']}").status_code == 404
    assert api_as(world["candidate"]).get(f"/registrations/{reg['id']}").status_code == 404
    assert api_as(world["judge"]).get(f"/registrations/{reg['id']}").status_code == 403  # not a reader at all
    assert api_as(world["contact_other"]).post(f"/registrations/{reg['id']}/withdraw").status_code == 403
    listed = api_as(world["contact_other"]).get(f"/events/{world['event'].id}/registrations").get_json()
    assert listed["total"] == 0
    assert api_as(world["organizer"]).get(f"/events/{world['event'].id}/registrations?status=submitted").get_json()["total"] == 1


def test_a_bullet_between_name_parts_is_stored_as_the_middle_dot(api_as, world):
    api = api_as(world["organizer"])
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": person("玛丽亚•阿依古丽")})
    assert r.status_code == 201, r.get_json()
    assert db.session.scalar(select(Person.name)) == "玛丽亚·阿依古丽"
    # Typed again with the katakana dot, she is the same person (not "on record under another name").
    number = db.session.scalar(select(Person.id_number))
    again = api.post(f"/events/{world['event'].id}/registrations",
                     json={"person": person("玛丽亚・阿依古丽", id_number=number)})
    assert again.status_code == 409 and rules(again) == ["duplicate"], again.get_json()
