"""Delegations (参赛队/集训队, issue 21 part 1): a squad selected from published results (top N, a
minimum total, per-event quotas) and by hand with a reason; staff; training camp sessions with
attendance and internal assessments ranking the squad; the final nomination and its xlsx; the
members' outside results back into their record; the delegation seen by its organization only."""
import io

from openpyxl import load_workbook

from app.extensions import db
from app.results.models import Result


def _make(api, quota=2):
    r = api.post("/delegations", json={"name": "西藏代表团·电工", "target_competition": "第三届全国技能大赛",
                                       "target_level": "national_1", "year": 2026, "occupation": "电工",
                                       "members_quota": quota})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_a_delegation_from_selection_to_nomination(final, api_as, make_user, make_org):
    org = final["organizer"]
    api = api_as(org)
    did = _make(api)
    ev = final["event"].id
    ranked = db.session.query(Result).filter(Result.event_id == ev).order_by(Result.rank).all()
    # Top 4 with a minimum total, at most 3 from this event.
    r = api.post(f"/delegations/{did}/selection", json={"events": [{"event_id": ev, "top_n": 4, "quota": 3,
                                                                    "min_total": "0"}]})
    assert r.status_code == 200, r.get_json()
    added = r.get_json()["added"]
    assert [m["source_rank"] for m in added] == [1, 2, 3] and all(m["source"] == "selection" for m in added)
    # Selecting again adds nobody twice; a rule that selects everyone is refused.
    assert api.post(f"/delegations/{did}/selection", json={"events": [{"event_id": ev, "top_n": 3}]}).get_json()["added"] == []
    r = api.post(f"/delegations/{did}/selection", json={"events": [{"event_id": ev}]})
    assert r.status_code == 422 and "events[0].top_n" in r.get_json()["error"]["fields"]
    # A manual pick needs a reason; staff too.
    fourth = ranked[3].registration.person_id
    r = api.post(f"/delegations/{did}/members", json={"person_id": fourth, "role": "reserve", "reason": ""})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    assert api.post(f"/delegations/{did}/members", json={"person_id": fourth, "role": "reserve",
                                                         "reason": "集训基础好，实操稳定"}).status_code == 201
    coach = ranked[5].registration.person_id
    assert api.post(f"/delegations/{did}/members", json={"person_id": coach, "role": "coach",
                                                         "reason": "技能大师工作室领办人"}).status_code == 201
    # The camp: a training day (attendance) and an assessment out of 50 that reverses the order.
    t = api.post(f"/delegations/{did}/sessions", json={"title": "集训第一周", "kind": "training", "held_on": "2026-04-01"}).get_json()
    a = api.post(f"/delegations/{did}/sessions", json={"title": "内部考核一", "kind": "assessment",
                                                       "held_on": "2026-04-08", "max_score": "50"}).get_json()
    athletes = [m["person_id"] for m in added] + [fourth]
    scores = dict(zip(athletes, ["30", "40", "45", "48"]))
    r = api.put(f"/camp-sessions/{a['id']}/marks", json={"marks": [
        {"person_id": p, "present": True, "score": s} for p, s in scores.items()]})
    assert r.status_code == 200, r.get_json()
    assert api.put(f"/camp-sessions/{t['id']}/marks", json={"marks": [{"person_id": p, "present": True}
                                                                       for p in athletes]}).status_code == 200
    r = api.put(f"/camp-sessions/{a['id']}/marks", json={"marks": [{"person_id": coach, "present": True, "score": "1"}]})
    assert r.status_code == 422                                        # staff are not marked
    r = api.put(f"/camp-sessions/{a['id']}/marks", json={"marks": [{"person_id": fourth, "present": True, "score": "51"}]})
    assert r.status_code == 422 and "marks[0].score" in r.get_json()["error"]["fields"]
    got = api.get(f"/delegations/{did}").get_json()
    assert [x["person_id"] for x in got["ranking"]] == list(reversed(athletes))
    assert got["ranking"][0]["score"] == "96.00" and got["status"] == "training"
    # The nomination: the first two of the camp ranking are members, the others reserves; then final.
    r = api.post(f"/delegations/{did}/nomination")
    assert r.status_code == 200, r.get_json()
    roles = {m["person_id"]: m["role"] for m in r.get_json()["members"]}
    assert [roles[p] for p in athletes] == ["reserve", "reserve", "member", "member"] and roles[coach] == "coach"
    assert api.post(f"/delegations/{did}/members", json={"person_id": ranked[4].registration.person_id,
                                                         "role": "member", "reason": "x"}).status_code == 409
    ws = load_workbook(io.BytesIO(api.get(f"/delegations/{did}/nomination.xlsx").data)).active
    rows = list(ws.iter_rows(values_only=True))
    # The layout of a national contest's 报名汇总表 (序号, 参赛项目, 姓名 … 身份 … 联系电话).
    assert rows[0][:4] == ("序号", "参赛项目", "姓名", "性别") and rows[0][7] == "身份证号" and rows[0][11] == "联系电话"
    assert [r[9] for r in rows[1:]] == ["选手", "选手", "候补", "候补", "教练"]
    assert all(r[1] for r in rows[1:])  # every row names the 参赛项目
    # The outside result comes back into the member's record, for review by another organizer.
    member = next(m for m in r.get_json()["members"] if m["person_id"] == athletes[3])
    r = api.post(f"/delegation-members/{member['id']}/outcome", json={"result_date": "2026-09-20", "rank": 2,
                                                                      "award": "silver"})
    assert r.status_code == 201 and r.get_json()["competition_name"] == "第三届全国技能大赛"
    reviewer = make_user("organizer", organization=db.session.get(type(org), org.id).organization, username="org_rev")
    r = api_as(reviewer).post(f"/external-results/{r.get_json()['id']}/decision", json={"decision": "approve", "note": "核对"})
    assert r.status_code == 200 and r.get_json()["entitlements"]
    f = api.get(f"/people/{athletes[3]}/file").get_json()
    assert any(c["external"] and c["competition"] == "第三届全国技能大赛" for c in f["competitions"])
    # Another organization's organizer sees nothing of it.
    gx = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    other = api_as(make_user("organizer", organization=gx, username="org_gx_d"))
    assert other.get(f"/delegations/{did}").status_code == 404
    assert other.get("/delegations").get_json()["total"] == 0
    d2 = _make(other)
    r = other.post(f"/delegations/{d2}/selection", json={"events": [{"event_id": ev, "top_n": 3}]})
    assert r.status_code == 422 and "events[0].event_id" in r.get_json()["error"]["fields"]


def test_the_delegation_pages(final, login):
    client = login(final["organizer"])
    from tests.conftest import csrf_from
    page = client.get("/manage/delegations").get_data(as_text=True)
    r = client.post("/manage/delegations", data={"csrf_token": csrf_from(page), "name": "西藏集训队", "target_competition":
                                                  "第48届世界技能大赛", "target_level": "world", "year": "2026",
                                                  "members_quota": "1"})
    assert r.status_code == 302
    url = r.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "第48届世界技能大赛" in page
    did = int(url.rstrip("/").split("/")[-1])
    token = csrf_from(page)
    assert client.post(f"/manage/delegations/{did}/select", data={"csrf_token": token, "event_id": final["event"].id,
                                                                  "top_n": "2"}).status_code == 302
    assert client.post(f"/manage/delegations/{did}/sessions", data={"csrf_token": token, "title": "考核", "kind": "assessment",
                                                                    "held_on": "2026-03-01", "max_score": "100"}).status_code == 302
    from app.delegations.models import CampSession, Delegation
    d = db.session.get(Delegation, did)
    s = db.session.query(CampSession).one()
    form = {"csrf_token": token}
    for m, score in zip(d.members, ("70", "90")):
        form[f"present-{m.person_id}"] = "1"
        form[f"score-{m.person_id}"] = score
    assert client.post(f"/manage/camp-sessions/{s.id}/marks", data=form).status_code == 302
    assert client.post(f"/manage/delegations/{did}/nominate", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    d = db.session.get(Delegation, did)
    assert d.status == "nominated" and [m.role for m in sorted(d.members, key=lambda m: m.camp_rank)] == ["member", "reserve"]
    assert client.get(f"/manage/delegations/{did}/nomination.xlsx").status_code == 200
