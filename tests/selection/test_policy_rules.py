"""The rules as the seeds write them, through the API and the pages: whose regional set (the
contestant's province at national levels), the kinds each rule covers, titles from craftsman and
traditional contests, the continued Tibet set on the record, the final date as the policy day,
the organizer told when no regional set applies; results of competitions held outside the system
recorded, reviewed by another organizer of the same organization, and counted."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.competitions.models import Competition, Event
from app.extensions import db
from app.people.models import Person
from app.registration.models import Registration
from app.selection import operations
from app.selection.models import Entitlement, ExternalResult
from tests.conftest import csrf_from
from tests.scenarios import resident_id
from tests import scenarios

CONTINUED = "按原政策延续执行（原政策有效期 2019-08-09 至 2021-12-31）"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _configure(drawn, **fields):
    comp = db.session.get(Competition, drawn["comp"].id)
    for k, v in fields.pop("event", {}).items():
        setattr(db.session.get(Event, drawn["event"].id), k, v)
    for k, v in fields.items():
        setattr(comp, k, v)
    db.session.commit()


def _run(drawn, api_as, **fields):
    """Configure the competition, score (ranks 1..6 in code order), publish and finalize."""
    _configure(drawn, **fields)
    codes = scenarios.setup_scores(drawn)
    return codes


def _close(drawn, api_as):
    scenarios.publish(drawn)
    scenarios.finalize(drawn)


def _rules_by_code(kind=None):
    out = {}
    stmt = select(Entitlement).where(Entitlement.status != "superseded")
    for e in db.session.scalars(stmt):
        out.setdefault(db.session.get(Registration, e.registration_id).code, set()).add(e.rule_id)
    return out


@pytest.mark.parametrize("filed_under", ["CN", "CN-XZ"])
def test_national_competitions_apply_the_contestants_own_province(drawn, api_as, make_org, filed_under):
    """A national class-1 competition filed under CN or under CN-XZ: the Tibetan units' top 3 get
    五(三); a Guangxi unit's contestant ranked first gets no Tibet rule, only national practice."""
    codes = _run(drawn, api_as, level="national_1", jurisdiction=filed_under, event={"awards": {"preset": "medals"}})
    guangxi = make_org("柳州五菱汽车工业有限公司", kind="enterprise", region_code="450200")
    beijing = make_org("北京市工业技师学院", kind="college", region_code="110100")
    first = db.session.scalar(select(Registration).where(Registration.code == codes[0]))
    first.organization_id = guangxi.id
    db.session.scalar(select(Registration).where(Registration.code == codes[4])).organization_id = beijing.id
    db.session.commit()
    _close(drawn, api_as)
    rules = _rules_by_code()
    assert rules[codes[0]] == {"cn-national-expert", "cn-grade-medal"}
    assert rules[codes[4]] == {"cn-national-expert"}   # rank 5, no medal; Beijing has no regional set
    assert {"xz-teacher-national", "xz-reward-national", "cn-national-expert", "cn-grade-medal"} == rules[codes[1]]
    assert "xz-teacher-national" in rules[codes[2]] and "xz-teacher-national" not in rules.get(codes[3], set())
    teacher = db.session.scalars(select(Entitlement).where(Entitlement.kind == "teacher_eligibility")).all()
    assert {t.jurisdiction for t in teacher} == {"CN-XZ"} and all(t.policy_note == CONTINUED for t in teacher)
    practice = db.session.scalars(select(Entitlement).where(Entitlement.rule_id == "cn-national-expert")).first()
    assert practice.quote == "" and "通行做法" in practice.citation and "通行做法" in practice.policy_note
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entitlements.issue")).one()
    assert audit.after["policy_sets"] == ["CN@practice-2019", "CN-GX@2019-04-03", "CN-XZ@2019-08-09 (continued)"]
    assert audit.after["no_regional_set"] == [{"jurisdiction": "CN-BJ", "reason": "no_set", "contestants": 1,
                                               "policy": None}]


def test_national_class_1_prizes_promote_as_medals(drawn, api_as):
    codes = _run(drawn, api_as, level="national_1", jurisdiction="CN")   # prizes: first, second, third, third
    people = {c: db.session.scalar(select(Registration).where(Registration.code == c)).person for c in codes}
    people[codes[0]].skill_grade, people[codes[1]].skill_grade, people[codes[2]].skill_grade = 4, 2, 1
    db.session.commit()
    _close(drawn, api_as)
    promos = {db.session.get(Registration, e.registration_id).code: (e.award, e.grade_from, e.grade_to)
              for e in db.session.scalars(select(Entitlement).where(Entitlement.kind == "grade_promotion"))}
    # first → 技师; a 技师 with a second prize → 高级技师; a 高级技师: nothing; third prizes → 技师.
    assert promos == {codes[0]: ("first", 4, 2), codes[1]: ("second", 2, 1), codes[3]: ("third", None, 2)}


@pytest.mark.parametrize("kind", ["entrepreneurship", "trainer"])
def test_no_skills_rule_for_contests_that_are_not_skills_competitions(drawn, api_as, kind):
    _run(drawn, api_as, kind=kind)   # provincial_1, CN-XZ: no 五(三), no 四(四)
    _close(drawn, api_as)
    assert db.session.scalars(select(Entitlement)).all() == []


def test_a_craftsman_selection_grants_the_title_it_sets(drawn, api_as):
    codes = _run(drawn, api_as, kind="craftsman_selection", award_title="西藏工匠")
    _close(drawn, api_as)
    rules = _rules_by_code()
    assert rules == {c: {"xz-competition-title"} for c in codes[:4]}   # the four award winners
    titles = db.session.scalars(select(Entitlement)).all()
    assert {t.title for t in titles} == {"西藏工匠"} and titles[0].citation.endswith(" 四(四)")
    assert "未写明称号的授予办法" in titles[0].policy_note and "西藏工匠选拔赛" in titles[0].quote


def test_a_traditional_contest_grants_its_title_and_the_material_reward(drawn, api_as):
    codes = _run(drawn, api_as, kind="traditional", level="municipal", award_title="技术能手")
    _close(drawn, api_as)
    rules = _rules_by_code()
    assert rules == {c: {"xz-traditional-title", "xz-traditional-reward"} for c in codes[:4]}
    body = api_as(drawn["organizer"]).get("/entitlements?kind=title").get_json()
    assert {i["title"] for i in body["items"]} == {"技术能手"} and body["items"][0]["policy_note"].startswith(CONTINUED)


def test_the_final_date_not_today_chooses_the_sets(drawn, api_as):
    """A post-final re-run uses the competition's final date: moved before the Tibet plan began,
    the Tibet grants no longer hold and are superseded; the national ones stay."""
    _run(drawn, api_as)
    _close(drawn, api_as)
    db.session.expire_all()
    comp = db.session.get(Competition, drawn["comp"].id)
    assert comp.finalized_at is not None and comp.finalized_at == comp.status_changed_at
    assert db.session.scalars(select(Entitlement)).all()
    comp.finalized_at = datetime(2019, 1, 10, 4, 0)
    operations.issue_for_competition(comp, drawn["organizer"], event_id=drawn["event"].id, reason="复核")
    db.session.commit()
    assert {e.status for e in db.session.scalars(select(Entitlement))} == {"superseded"}
    comp.finalized_at = datetime(2020, 6, 1, 4, 0)
    operations.issue_for_competition(comp, drawn["organizer"], event_id=drawn["event"].id, reason="复核")
    db.session.commit()
    fresh = db.session.scalars(select(Entitlement).where(Entitlement.status == "eligible")).all()
    assert fresh and all(e.policy_note is None for e in fresh)   # in force in 2020: no continuation


def test_the_organizer_is_told_when_no_regional_set_applies(drawn, api_as, login):
    _run(drawn, api_as, jurisdiction="CN-BJ")   # a provincial competition of a jurisdiction without a file
    scenarios.publish(drawn)
    comp = db.session.get(Competition, drawn["comp"].id)
    comp.status_changed_at -= timedelta(days=30)
    db.session.commit()
    client = login(drawn["organizer"])
    page = client.get(f"/manage/competitions/{comp.id}").get_data(as_text=True)
    assert "不授予地区待遇：CN-BJ 北京市：系统未收录该地区的政策文件。" in page
    assert "适用政策（以" in page and "国家级职业技能竞赛通行做法" in page
    r = client.post(f"/manage/competitions/{comp.id}/status",
                    data={"csrf_token": csrf_from(page), "status": "final", "version": comp.version})
    assert r.status_code == 302
    shown = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "不授予地区待遇：CN-BJ 北京市：系统未收录该地区的政策文件。" in shown
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entitlements.issue")).one()
    assert audit.after["policy_sets"] == ["CN@practice-2019"]
    assert audit.after["no_regional_set"] == [{"jurisdiction": "CN-BJ", "reason": "no_set", "contestants": 0,
                                               "policy": None}]
    assert db.session.scalars(select(Entitlement)).all() == []


def test_policies_page_reads_as_text_and_the_api_gives_the_new_citation(client, api_as, make_user, make_org):
    page = client.get("/policies").get_data(as_text=True)
    assert "国家级一类职业技能竞赛（职业技能竞赛、职业院校技能大赛、岗位练兵/技术比武、传统技艺、工艺美术大赛），决赛名次前3名 → 任教资格" in page
    assert "有效期 2019-08-09 至 2021-12-31，期满后按原政策延续执行" in page
    assert "西藏自治区职业技能提升行动实施方案（2019－2021年） 五(三)" in page
    assert "通行做法，并非政策文件原文：无条款原文。" in page and "一等奖、二等奖、三等奖分别按金牌、银牌、铜牌对待" in page
    assert "获金牌、银牌、铜牌、一等奖、二等奖、三等奖" in page
    assert "xz-teacher-national" not in page and "rank_max" not in page and ".txt" not in page
    admin = make_user("admin", organization=make_org("自治区人社厅信息中心", kind="government", region_code="540000"))
    items = api_as(admin).get("/policies").get_json()["items"]
    xz = next(i for i in items if i["jurisdiction"] == "CN-XZ")
    assert (xz["effective_to"], xz["continued"]) == ("2021-12-31", True)
    teacher = next(r for r in xz["rules"] if r["id"] == "xz-teacher-national")
    assert teacher["citation"] == "西藏自治区职业技能提升行动实施方案（2019－2021年） 五(三)" and teacher["practice"] is False
    cn = next(i for i in items if i["jurisdiction"] == "CN")
    assert all(r["practice"] and r["text"] is None and r["note"] for r in cn["rules"])
    en = client.get("/lang/en", follow_redirects=True)
    assert en.status_code == 200
    page = client.get("/policies").get_data(as_text=True)
    assert "National class-1 vocational skills competitions" in page and "final rank 3 or better → Teacher eligibility" in page


# ---- results of competitions held outside the system -----------------------------------------

@pytest.fixture
def ext(make_user, make_org):
    """Two organizers of Tibet's HR department, one of Guangxi's, and a Tibetan college's teacher."""
    hr = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    gx = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    person = Person(name="次仁多吉", id_type="resident_id", id_number=resident_id(), gender="male",
                    birth_date=date(1995, 3, 4), organization_id=college.id, skill_grade=3,
                    created_by_organization_id=hr.id)  # entered by the HR department, which sees him
    db.session.add(person)
    db.session.commit()
    return {"a": make_user("organizer", organization=hr, username="org_a"),
            "b": make_user("organizer", organization=hr, username="org_b"),
            "gx": make_user("organizer", organization=gx, username="org_gx"),
            "admin": make_user("admin", username="admin_x"), "person": person, "college": college}


NATIONAL_SILVER = {"competition_name": "中华人民共和国第二届职业技能大赛", "level": "national_1", "kind": "skills",
                   "jurisdiction": "CN-TJ", "occupation": "电工", "track": "staff", "result_date": "2023-09-19",
                   "rank": "2", "award": "silver", "certificate_number": "GS2023-0457"}


def _record(api, person_id, fields=NATIONAL_SILVER, evidence=PDF):
    data = dict(fields)
    if evidence is not None:
        data["evidence"] = (io.BytesIO(evidence), "获奖证书.pdf")
    return api.post(f"/people/{person_id}/external-results", data=data, content_type="multipart/form-data")


def test_an_external_result_reviewed_by_another_organizer_counts(ext, api_as):
    a, b, person = api_as(ext["a"]), api_as(ext["b"]), ext["person"]
    r = _record(a, person.id)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "submitted" and body["evidence"]["content_type"] == "application/pdf"
    assert body["organization_id"] == ext["college"].id and body["year"] == 2023
    rid = body["id"]
    assert db.session.scalars(select(Entitlement)).all() == []             # nothing before review
    # The recorder cannot approve their own record.
    r = a.post(f"/external-results/{rid}/decision", json={"decision": "approve", "note": "自审"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "own_record"
    # Another organization's organizer neither sees nor decides.
    gx = api_as(ext["gx"])
    assert gx.post(f"/external-results/{rid}/decision", json={"decision": "approve", "note": "x"}).status_code == 403
    assert gx.get(f"/external-results/{rid}/evidence").status_code == 403
    assert gx.get(f"/people/{person.id}/external-results").status_code == 404  # not a person of theirs
    # A note is required; then the approval runs the engine for this result (national + Tibet, by its date).
    assert b.post(f"/external-results/{rid}/decision", json={"decision": "approve"}).status_code == 422
    r = b.post(f"/external-results/{rid}/decision", json={"decision": "approve", "note": "与大赛组委会公布的获奖名单核对一致"})
    assert r.status_code == 200, r.get_json()
    granted = {e["rule_id"]: e for e in r.get_json()["entitlements"]}
    assert set(granted) == {"cn-national-expert", "cn-grade-medal", "xz-teacher-national", "xz-reward-national"}
    assert granted["xz-teacher-national"]["policy_note"] == CONTINUED
    assert granted["xz-teacher-national"]["competition"] == {"id": None, "name": "中华人民共和国第二届职业技能大赛"}
    assert (granted["cn-grade-medal"]["grade_from"], granted["cn-grade-medal"]["grade_to"]) == (3, 2)
    db.session.expire_all()
    assert db.session.get(Person, person.id).skill_grade == 2
    assert b.post(f"/external-results/{rid}/decision", json={"decision": "reject", "note": "再审"}).status_code == 409
    # The evidence comes back as stored, as a download.
    ev = a.get(f"/external-results/{rid}/evidence")
    assert ev.status_code == 200 and ev.data == PDF and ev.headers["Content-Disposition"].startswith("attachment")
    # The talent record (API) lists it beside the in-system entries, and its entitlements.
    rec = a.get(f"/people/{person.id}/record").get_json()
    assert [x["competition_name"] for x in rec["external_results"]] == ["中华人民共和国第二届职业技能大赛"]
    assert {e["rule_id"] for e in rec["entitlements"]} == set(granted)
    # Registry, rosters and the API list work with no in-system competition behind the records.
    listing = a.get("/entitlements?kind=teacher_eligibility").get_json()
    assert listing["total"] == 1 and listing["items"][0]["event"]["name"] == "电工"
    ws = load_workbook(io.BytesIO(a.get("/entitlements.xlsx").data)).active
    assert {row[2].value for row in ws.iter_rows(min_row=2)} == {"中华人民共和国第二届职业技能大赛"}
    assert a.get("/entitlements.pdf?kind=teacher_eligibility").status_code == 200
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert "external_result.create" in actions and "external_result.decision" in actions


def test_a_rejected_external_result_grants_nothing(ext, api_as):
    a, admin = api_as(ext["a"]), api_as(ext["admin"])
    rid = _record(a, ext["person"].id, evidence=None).get_json()["id"]
    r = admin.post(f"/external-results/{rid}/decision", json={"decision": "reject", "note": "证书编号与名单不符"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected" and r.get_json()["entitlements"] == []
    assert db.session.scalars(select(Entitlement)).all() == []
    assert a.get(f"/people/{ext['person'].id}/record").get_json()["external_results"] == []


def test_external_result_fields_and_evidence_are_checked(ext, api_as):
    a = api_as(ext["a"])
    bad = {**NATIONAL_SILVER, "level": "galactic", "rank": "0", "result_date": "2099-01-01", "award": "platinum"}
    r = _record(a, ext["person"].id, bad)
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"level", "rank", "result_date", "award"}
    r = _record(a, ext["person"].id, evidence=b"GIF89a....")
    assert r.status_code == 422 and "evidence" in r.get_json()["error"]["fields"]
    r = a.post(f"/people/{ext['person'].id}/external-results", json={**NATIONAL_SILVER, "rank": 1})
    assert r.status_code == 201 and r.get_json()["evidence"] is None
    assert db.session.scalar(select(ExternalResult).where(ExternalResult.rank == 1)) is not None


def test_an_external_merit_never_promotes_a_technician(ext, api_as):
    ext["person"].skill_grade = 2   # 技师
    db.session.commit()
    rid = _record(api_as(ext["a"]), ext["person"].id, {**NATIONAL_SILVER, "rank": "8", "award": "merit"}).get_json()["id"]
    granted = api_as(ext["b"]).post(f"/external-results/{rid}/decision",
                                    json={"decision": "approve", "note": "核对一致"}).get_json()
    assert {e["rule_id"] for e in granted["entitlements"]} == {"xz-reward-national"}
    db.session.expire_all()
    assert db.session.get(Person, ext["person"].id).skill_grade == 2


def test_a_guangxi_contestants_external_national_result_gets_no_tibet_rule(ext, api_as, make_org):
    a, b = api_as(ext["a"]), api_as(ext["b"])
    gx_company = make_org("柳州五菱汽车工业有限公司", kind="enterprise", region_code="450200")
    rid = _record(a, ext["person"].id, {**NATIONAL_SILVER, "organization_id": str(gx_company.id), "rank": "1",
                                        "award": "gold"}).get_json()["id"]
    granted = b.post(f"/external-results/{rid}/decision", json={"decision": "approve", "note": "核对一致"}).get_json()
    assert {e["rule_id"] for e in granted["entitlements"]} == {"cn-national-expert", "cn-grade-medal"}


def test_the_talent_record_page_records_and_reviews_external_results(ext, login):
    person = ext["person"]
    a = login(ext["a"])
    page = a.get(f"/manage/people/{person.id}/record").get_data(as_text=True)
    assert "录入外部竞赛成绩" in page
    r = a.post(f"/manage/people/{person.id}/external-results", data={
        **NATIONAL_SILVER, "csrf_token": csrf_from(page), "evidence": (io.BytesIO(PDF), "证书.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    result = db.session.scalars(select(ExternalResult)).one()
    page = a.get(f"/manage/people/{person.id}/record").get_data(as_text=True)
    assert "中华人民共和国第二届职业技能大赛" in page and "须由本单位其他组织者审核" in page
    assert f"/manage/external-results/{result.id}/decision" not in page   # the recorder gets no buttons
    b = login(ext["b"])
    page = b.get(f"/manage/people/{person.id}/record").get_data(as_text=True)
    assert f"/manage/external-results/{result.id}/decision" in page
    r = b.post(f"/manage/external-results/{result.id}/decision",
               data={"csrf_token": csrf_from(page), "decision": "approve", "note": "核对证书原件"})
    assert r.status_code == 302
    page = b.get(f"/manage/people/{person.id}/record").get_data(as_text=True)
    assert "外部竞赛成绩" in page and "任教资格" in page and CONTINUED in page
    assert b.get(f"/manage/external-results/{result.id}/evidence").data == PDF
    gx = login(ext["gx"])
    assert gx.get(f"/manage/external-results/{result.id}/evidence").status_code == 403
    assert gx.get(f"/manage/people/{person.id}/record").status_code == 404  # not a person of theirs
