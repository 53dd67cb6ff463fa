"""No-shows and disqualification (issue 15, item 7): the chief judge marks an entry absent (缺考)
or disqualified (取消成绩, reason required, a supervisor confirms); such entries are not ranked, do
not block the lock, do not count in the prize-share base; audited; shown as such."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.competitions import operations as comps
from app.extensions import db
from app.judging import operations as jops
from app.registration import operations as regs
from app.registration.models import Registration
from tests.conftest import csrf_from, event_payload
from tests.scenarios import person

SCHEME = {"aggregation": "mean", "min_judges": 2, "components": [
    {"key": "practical", "name": "实操", "weight": "1", "criteria": [
        {"key": "P1", "name": "工艺", "max_score": "100", "kind": "measurement", "step": "1"}]}]}


@pytest.fixture
def ten(make_user, make_org, make_competition):
    """An event in judging with 10 drawn entries, two independent judges, a chief judge and a
    supervisor; prizes 10/20/30 %."""
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    event = comps.create_event(comp, event_payload(name="焊工", scheme=SCHEME, max_entrants=None, tiebreak=[]),
                               organizer)
    comps.change_status(comp, "registration_open", organizer)
    for i in range(10):
        reg = regs.register(event, {"person": person(f"参赛者{'甲乙丙丁戊己庚辛壬癸'[i]}"), "organization_id": college.id},
                            organizer, "organizer")
        regs.review(reg, "approve", None, organizer)
    comps.change_status(comp, "registration_closed", organizer)
    judges = [make_user("judge", username=f"judge_ten{i}", name=f"裁判{'甲乙'[i]}") for i in range(2)]
    chief = make_user("chief_judge", username="chief10", name="达瓦")
    for j in judges:
        jops.add_panel_member(event, j, "judge", organizer)
    jops.add_panel_member(event, chief, "chief_judge", organizer)
    jops.draw_codes(event, "ten", organizer)
    comps.change_status(comp, "judging", organizer)
    supervisor = make_user("supervisor", organization=host, username="sup10")
    comps.assign_supervisor(comp, supervisor, organizer)
    db.session.commit()
    return {"comp": comp, "event": event, "organizer": organizer, "judges": judges, "chief": chief,
            "supervisor": supervisor}


def _codes(event_id):
    return sorted(c for (c,) in db.session.execute(select(Registration.code).where(Registration.event_id == event_id)))


def _score(world, api_as, skip=()):
    """Every judge scores every entry but those in `skip`: better codes score higher (99, 97 …)."""
    event = world["event"]
    codes = _codes(event.id)
    for judge in world["judges"]:
        api = api_as(judge)
        for sheet in api.get(f"/events/{event.id}/sheets").get_json()["items"]:
            if sheet["code"] in skip:
                continue
            value = str(99 - 2 * codes.index(sheet["code"]))
            assert api.put(f"/events/{event.id}/sheets/{sheet['code']}",
                           json={"scores": {"P1": value}, "version": sheet["version"]}).status_code == 200
            assert api.post(f"/events/{event.id}/sheets/{sheet['code']}/submit").status_code == 200


def _audit(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def test_absent_entries_do_not_block_the_lock_and_shares_are_of_those_ranked(ten, api_as):
    event = ten["event"]
    codes = _codes(event.id)
    absent = [codes[1], codes[4]]
    chief = api_as(ten["chief"])
    # A judge typed a value on one of them before the mark: it is kept in the audit.
    judge = api_as(ten["judges"][0])
    sheet = next(s for s in judge.get(f"/events/{event.id}/sheets").get_json()["items"] if s["code"] == absent[0])
    assert judge.put(f"/events/{event.id}/sheets/{absent[0]}", json={"scores": {"P1": "40"},
                                                                      "version": sheet["version"]}).status_code == 200
    for code in absent:
        r = chief.post(f"/events/{event.id}/entries/{code}/attendance", json={"status": "absent"})
        assert r.status_code == 200 and r.get_json()["attendance"] == "absent" and r.get_json()["excluded"]
    marks = _audit("registration.attendance")
    assert len(marks) == 2 and marks[0].after["sheets"] == {str(ten["judges"][0].id): {"status": "draft", "scores": {"P1": "40"}}}
    assert marks[0].before["attendance"] is None and marks[0].after["attendance"] == "absent"
    # Marking again changes nothing and records nothing.
    assert chief.post(f"/events/{event.id}/entries/{absent[1]}/attendance", json={"status": "absent"}).status_code == 200
    assert len(_audit("registration.attendance")) == 2
    _score(ten, api_as, skip=absent)
    assert chief.post(f"/events/{event.id}/lock").status_code == 200
    # Their sheets were left as drafts.
    db.session.expire_all()
    from app.judging.models import Sheet
    statuses = {(s.registration.code, s.status) for s in db.session.scalars(select(Sheet).where(Sheet.event_id == event.id))}
    assert {st for c, st in statuses if c in absent} == {"draft"} and {st for c, st in statuses if c not in absent} == {"locked"}
    body = api_as(ten["organizer"]).get(f"/events/{event.id}/results").get_json()
    ranked = [i for i in body["items"] if i["status"] == "ranked"]
    assert len(ranked) == 8 and [i["rank"] for i in ranked] == list(range(1, 9))
    assert not {i["code"] for i in ranked} & set(absent)
    # 8 ranked: 10 % → 1 first, 20 % → 2 second, 30 % → 2 third (of 10 it would be 3).
    awards = [i["award"] for i in ranked]
    assert awards.count("first") == 1 and awards.count("second") == 2 and awards.count("third") == 2
    shown = [i for i in body["items"] if i["status"] == "absent"]
    assert sorted(i["code"] for i in shown) == absent and all(i["rank"] is None and i["total"] is None for i in shown)
    # After the lock a mark cannot change.
    assert chief.post(f"/events/{event.id}/entries/{absent[0]}/attendance", json={"status": None}).status_code == 409


def test_disqualification_needs_a_reason_and_the_supervisors_confirmation(ten, api_as, make_user, login):
    event = ten["event"]
    codes = _codes(event.id)
    dq = codes[0]
    chief = api_as(ten["chief"])
    r = chief.post(f"/events/{event.id}/entries/{dq}/attendance", json={"status": "disqualified"})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    assert chief.post(f"/events/{event.id}/entries/{dq}/attendance", json={"status": "late"}).status_code == 422
    r = chief.post(f"/events/{event.id}/entries/{dq}/attendance",
                   json={"status": "disqualified", "reason": "携带违禁资料进入赛场"})
    assert r.status_code == 200 and r.get_json()["confirmed"] is False and not r.get_json()["excluded"]
    _score(ten, api_as, skip=[dq])
    # Pending: the lock is refused, naming the code.
    r = chief.post(f"/events/{event.id}/lock")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "disqualification_unconfirmed"
    assert r.get_json()["error"]["codes"] == [dq]
    # Only a supervisor confirms (not the chief judge, not someone without the role).
    assert chief.post(f"/events/{event.id}/entries/{dq}/attendance/confirm").status_code == 403
    assert api_as(make_user("judge", username="nosup")).post(f"/events/{event.id}/entries/{dq}/attendance/confirm").status_code == 403
    sup = login(ten["supervisor"])
    page = sup.get(f"/supervise/events/{event.id}")
    assert "携带违禁资料进入赛场" in page.get_data(as_text=True) and "确认取消成绩" in page.get_data(as_text=True)
    r = sup.post(f"/supervise/events/{event.id}/entries/{dq}/attendance/confirm", data={"csrf_token": csrf_from(page.data)})
    assert r.status_code == 302
    assert len(_audit("registration.attendance_confirm")) == 1
    again = api_as(ten["supervisor"]).post(f"/events/{event.id}/entries/{dq}/attendance/confirm")
    assert again.status_code == 200 and again.get_json()["confirmed"] and len(_audit("registration.attendance_confirm")) == 1
    assert chief.post(f"/events/{event.id}/lock").status_code == 200
    items = api_as(ten["organizer"]).get(f"/events/{event.id}/results").get_json()["items"]
    assert [i for i in items if i["code"] == dq] == [{**[i for i in items if i["code"] == dq][0], "status": "disqualified",
                                                      "rank": None, "award": None}]
    assert len([i for i in items if i["status"] == "ranked"]) == 9


def test_a_mark_can_be_cleared_before_the_lock_and_the_chief_uses_the_page(ten, api_as, login):
    event = ten["event"]
    code = _codes(event.id)[3]
    web = login(ten["chief"])
    page = web.get(f"/judge/events/{event.id}")
    assert "缺考" in page.get_data(as_text=True)
    token = csrf_from(page.data)
    r = web.post(f"/judge/events/{event.id}/entries/{code}/attendance", data={"csrf_token": token, "status": "absent"})
    assert "已将 %s 标记为缺考" % code in web.get(r.headers["Location"]).get_data(as_text=True)
    r = web.post(f"/judge/events/{event.id}/entries/{code}/attendance",
                 data={"csrf_token": token, "status": "disqualified", "reason": ""})
    assert "取消成绩必须说明理由" in web.get(r.headers["Location"]).get_data(as_text=True)
    r = web.post(f"/judge/events/{event.id}/entries/{code}/attendance", data={"csrf_token": token, "status": ""})
    assert "已清除" in web.get(r.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    reg = db.session.scalar(select(Registration).where(Registration.code == code))
    assert reg.attendance is None and reg.attendance_marked_at is None
    assert [(a.before["attendance"], a.after["attendance"]) for a in _audit("registration.attendance")] == [
        (None, "absent"), ("absent", None)]


def test_bulletin_public_results_and_organizer_page_show_absent_and_disqualified(ten, api_as, login, app):
    event = ten["event"]
    codes = _codes(event.id)
    chief, sup = api_as(ten["chief"]), api_as(ten["supervisor"])
    assert chief.post(f"/events/{event.id}/entries/{codes[2]}/attendance", json={"status": "absent"}).status_code == 200
    assert chief.post(f"/events/{event.id}/entries/{codes[5]}/attendance",
                      json={"status": "disqualified", "reason": "冒名顶替"}).status_code == 200
    assert sup.post(f"/events/{event.id}/entries/{codes[5]}/attendance/confirm").status_code == 200
    _score(ten, api_as, skip=[codes[2], codes[5]])
    assert chief.post(f"/events/{event.id}/lock").status_code == 200
    organizer = api_as(ten["organizer"])
    assert organizer.post(f"/competitions/{ten['comp'].id}/status", json={"status": "publicity"}).status_code == 200
    pdf = organizer.get(f"/events/{event.id}/results.pdf")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "缺考" in out and "取消成绩" in out
    by_code = {r.code: r for r in db.session.scalars(select(Registration))}
    assert by_code[codes[2]].person.name in out and by_code[codes[5]].person.name in out
    public = api_as(None).get(f"/public/competitions/{ten['comp'].id}/results").get_json()["events"][0]["items"]
    assert [i["status"] for i in public].count("ranked") == 8
    assert sorted(i["status"] for i in public if i["status"] != "ranked") == ["absent", "disqualified"]
    assert all(i["rank"] is None and i["total"] is None for i in public if i["status"] != "ranked")
    text = api_as(None).client.get(f"/results/{ten['comp'].id}").get_data(as_text=True)
    assert "缺考" in text and "取消成绩" in text
    web = login(ten["organizer"])
    page = web.get(f"/manage/competitions/{ten['comp'].id}/results").get_data(as_text=True)
    assert "缺考" in page and "冒名顶替" in page
    import io

    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(web.get(f"/manage/events/{event.id}/results.xlsx").data)).active
    first_column = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert first_column[:8] == list(range(1, 9)) and sorted(first_column[8:]) == ["取消成绩", "缺考"]
