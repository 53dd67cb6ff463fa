"""Entitlements from final results: issued at final with rule and clause, grade promotions applied,
an appeal that moves someone across a threshold, team results, registry, roster, status, record."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.competitions.models import Competition, Event
from app.extensions import db
from app.people.models import Person
from app.registration.models import Registration
from app.selection.models import Entitlement
from tests import scenarios


def test_final_issues_teacher_eligibility_and_rewards_with_their_clause(drawn, api_as):
    codes = scenarios.setup_scores(drawn)   # ranks 1..6 in code order; provincial_1 in CN-XZ
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    ents = db.session.scalars(select(Entitlement).order_by(Entitlement.rank, Entitlement.rule_id)).all()
    by_code = {}
    for e in ents:
        code = db.session.get(Registration, e.registration_id).code
        by_code.setdefault(code, set()).add(e.rule_id)
    assert by_code == {codes[0]: {"xz-teacher-regional", "xz-reward-regional"},
                       codes[1]: {"xz-teacher-regional", "xz-reward-regional"},
                       codes[2]: {"xz-reward-regional"}}
    teacher = [e for e in ents if e.kind == "teacher_eligibility"][0]
    assert teacher.citation == "西藏自治区职业技能提升行动实施方案（2019－2021年） 五(三)"
    assert teacher.policy_version == "2019-08-09"
    # Final in 2026: the 2019–2021 plan applies as continued, and the record says so.
    assert teacher.policy_note == "按原政策延续执行（原政策有效期 2019-08-09 至 2021-12-31）"
    body = api_as(drawn["organizer"]).get("/entitlements?kind=teacher_eligibility&jurisdiction=CN-XZ").get_json()
    assert body["total"] == 2 and body["items"][0]["person"]["id_number_masked"].count("*") == 8
    assert body["items"][0]["rule_id"] == "xz-teacher-regional" and "前三名" in body["items"][0]["quote"]


def test_an_upheld_appeal_moves_someone_across_the_threshold(drawn, api_as, make_user):
    codes = scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    third = db.session.scalar(select(Registration).where(Registration.code == codes[2]))
    cand = make_user("candidate", username="third")
    third.person.user_id = cand.id
    db.session.commit()
    appeal = api_as(cand).post(f"/registrations/{third.id}/appeals", json={"reason": "实操尺寸测量有误，请复核"}).get_json()
    api_as(drawn["supervisor"]).post(f"/appeals/{appeal['id']}/decision", json={"decision": "upheld", "note": "复核属实"})
    chief = api_as(drawn["chief"])
    for s in [s for s in chief.get(f"/events/{drawn['event'].id}/sheets").get_json()["items"] if s["code"] == codes[2]]:
        chief.put(f"/events/{drawn['event'].id}/sheets/{codes[2]}?judge_id={s['judge_id']}",
                  json={"scores": {"P1": "3", "P2": "20", "P3": "10"}, "version": s["version"], "reason": "申诉成立"})
    assert chief.post(f"/events/{drawn['event'].id}/lock").status_code == 200
    scenarios.finalize(drawn)
    teachers = {db.session.get(Registration, e.registration_id).code for e in db.session.scalars(
        select(Entitlement).where(Entitlement.kind == "teacher_eligibility"))}
    assert codes[2] in teachers and len(teachers) == 2   # moved into the top 2; someone moved out


def test_team_results_entitle_every_member_and_grades_are_promoted(drawn, api_as):
    """A national class-1 team event: gold → every member promoted to 技师 (or one grade up)."""
    comp = db.session.get(Competition, drawn["comp"].id)
    comp.level, comp.jurisdiction = "national_1", "CN"
    ev = db.session.get(Event, drawn["event"].id)
    ev.awards = {"preset": "medals"}
    db.session.commit()
    codes = scenarios.setup_scores(drawn)
    first = db.session.scalar(select(Registration).where(Registration.code == codes[0]))
    first.person.skill_grade = 2  # 技师 already → 高级技师
    db.session.commit()
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    promo = db.session.scalars(select(Entitlement).where(Entitlement.kind == "grade_promotion",
                                                         Entitlement.registration_id == first.id)).one()
    assert (promo.grade_from, promo.grade_to, promo.rule_id) == (2, 1, "cn-grade-medal")
    db.session.expire_all()
    assert db.session.get(Person, first.person_id).skill_grade == 1  # later registrations see it
    titles = db.session.scalars(select(Entitlement).where(Entitlement.kind == "title")).all()
    assert {t.title for t in titles} == {"全国技术能手"} and len(titles) == 5


def test_status_updates_need_a_note_and_follow_the_cycle(drawn, api_as):
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    api = api_as(drawn["organizer"])
    ent_id = api.get("/entitlements?kind=teacher_eligibility").get_json()["items"][0]["id"]
    assert api.post(f"/entitlements/{ent_id}/status", json={"status": "confirmed"}).status_code == 422
    assert api.post(f"/entitlements/{ent_id}/status", json={"status": "used", "note": "x"}).status_code == 409
    r = api.post(f"/entitlements/{ent_id}/status", json={"status": "confirmed", "note": "人社厅审核确认"})
    assert r.get_json()["status"] == "confirmed"
    r = api.post(f"/entitlements/{ent_id}/status", json={"status": "used", "note": "拉萨职业技术学院录用为实训教师"})
    assert r.get_json()["status"] == "used"


def test_roster_page_download_and_talent_record(drawn, api_as, login):
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    client = login(drawn["organizer"])
    page = client.get("/manage/entitlements?kind=teacher_eligibility").get_data(as_text=True)
    # The rule id is an administrator's detail (issue 23): the organizer reads the citation.
    assert "xz-teacher-regional" not in page and "西藏自治区职业技能提升行动实施方案（2019－2021年） 五(三)" in page
    assert "按原政策延续执行" in page
    r = client.get("/manage/entitlements.xlsx?kind=teacher_eligibility")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.title == "任教资格名册" and ws.max_row == 3 and [c.value for c in ws[1]][8:10] == ["规则", "依据条款"]
    person_id = db.session.scalars(select(Entitlement.person_id)).first()
    record = api_as(drawn["organizer"]).get(f"/people/{person_id}/record").get_json()
    assert record["entries"][0]["result"]["rank"] in (1, 2) and record["entitlements"]
    assert "任教资格" in client.get(f"/manage/people/{person_id}/record").get_data(as_text=True)
    policies = client.get("/policies").get_data(as_text=True)
    assert "省级（自治区级）一类职业技能竞赛（职业技能竞赛、职业院校技能大赛、岗位练兵/技术比武、传统技艺、工艺美术大赛），决赛名次前2名 → 任教资格" in policies
    assert "xz-teacher-regional" not in policies and "rank_max" not in policies  # text, not JSON
    assert len(api_as(drawn["organizer"]).get("/policies").get_json()["items"]) == 3
