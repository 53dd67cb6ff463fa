"""The person's electronic record (电子档案, issue 21): grades per occupation with their history and
source (assessment, promotion by a rule, 破格/越级 with application and decision), titles and the
技能大师工作室 eligibility they open (004 四(五)), training records, outside results; the candidate's
own record (page, API, PDF with a Tibetan name); each tenant sees only its own rows."""
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.domain import person_file as rules
from app.domain.errors import ValidationFailed
from app.extensions import db
from app.people.models import Person
from app.records.models import OccupationGrade
from tests.conftest import csrf_from
from tests.scenarios import resident_id

TODAY = date(2026, 12, 7)


# ---- pure rules -------------------------------------------------------------------------------

def test_skip_level_must_skip_a_grade_and_exceptional_must_rise():
    assert rules.skip_needed("exceptional", 3, 2) is None
    assert rules.skip_needed("exceptional", 3, 3) is not None          # not higher
    assert rules.skip_needed("skip_level", 3, 2) is not None           # one step is not a skip
    assert rules.skip_needed("skip_level", 3, 1) is None
    assert rules.skip_needed("skip_level", None, 5) is not None        # no grade: 初级工 is no skip
    assert rules.skip_needed("skip_level", None, 4) is None


def test_studio_eligibility_follows_the_titles_of_004_four_five():
    assert rules.studio_eligibility(["全国技术能手"]) is None
    got = rules.studio_eligibility(["西藏工匠", "非遗传承人", "西藏工匠"])
    assert got["titles"] == ["西藏工匠", "非物质文化遗产传承人"] and "四（五）" in got["citation"]


def test_training_fields_are_checked_and_named():
    with pytest.raises(ValidationFailed) as exc:
        rules.parse_training({"program": "", "provider": "x" * 201, "kind": "nap", "started_on": "2026-05-02",
                              "ended_on": "2026-05-01", "hours": "-3"}, TODAY)
    assert {e.field for e in exc.value.errors} == {"program", "provider", "kind", "ended_on", "hours"}


# ---- through the API and the pages ------------------------------------------------------------

@pytest.fixture
def rec(make_user, make_org):
    hr = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    gx = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    cand_user = make_user("candidate", username="cand_zg")
    person = Person(name="卓嘎", name_bo="སྒྲོལ་དཀར།", id_type="resident_id", id_number=resident_id(), gender="female",
                    birth_date=date(1996, 5, 4), organization_id=college.id, skill_grade=4,
                    created_by_organization_id=hr.id, user_id=cand_user.id, is_frontline_worker=True)
    db.session.add(person)
    db.session.commit()
    return {"a": make_user("organizer", organization=hr, username="org_a"),
            "b": make_user("organizer", organization=hr, username="org_b"),
            "gx": make_user("organizer", organization=gx, username="org_gx"),
            "cand": cand_user, "other_cand": make_user("candidate", username="cand_other"),
            "person": person, "hr": hr}


def test_grades_in_two_occupations_with_history_titles_training(rec, api_as):
    a, pid = api_as(rec["a"]), rec["person"].id
    for occ, grade, day in (("唐卡制作", 4, "2022-06-30"), ("唐卡制作", 3, "2024-06-30"), ("电工", 5, "2023-01-15")):
        r = a.post(f"/people/{pid}/grades", json={"occupation": occ, "grade": grade, "awarded_on": day,
                                                  "certificate_number": f"S{grade}{day[:4]}"})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["source"] == "assessment"
    assert a.post(f"/people/{pid}/titles", json={"title": "西藏工艺美术大师", "conferred_by": "西藏自治区人民政府",
                                                 "conferred_on": "2025-03-01"}).status_code == 201
    r = a.post(f"/people/{pid}/trainings", json={"program": "唐卡绘制高级研修班", "provider": "西藏大学", "kind": "high_skill",
                                                 "started_on": "2025-04-01", "ended_on": "2025-05-30", "hours": "120"})
    assert r.status_code == 201 and r.get_json()["hours"] == "120"
    f = a.get(f"/people/{pid}/file").get_json()
    occ = {o["occupation"]: o for o in f["occupations"]}
    assert set(occ) == {"唐卡制作", "电工"}
    assert occ["唐卡制作"]["current_grade"] == 3 and [g["grade"] for g in occ["唐卡制作"]["history"]] == [4, 3]
    assert occ["唐卡制作"]["history"][1]["grade_from"] == 4 and occ["电工"]["current_grade"] == 5
    assert f["studio"]["titles"] == ["西藏工艺美术大师"]
    assert f["trainings"][0]["program"] == "唐卡绘制高级研修班"
    # The candidate sees the same record, on the API and on their page.
    mine = api_as(rec["cand"]).get("/me/record").get_json()
    assert {o["occupation"] for o in mine["occupations"]} == {"唐卡制作", "电工"}
    assert mine["person"]["name_bo"] == "སྒྲོལ་དཀར།" and mine["studio"] is not None
    # A candidate without a record has none to see; organizers of another tenant do not see the person.
    assert api_as(rec["other_cand"]).get("/me/record").status_code == 404
    assert api_as(rec["gx"]).get(f"/people/{pid}/file").status_code == 404
    assert api_as(rec["gx"]).post(f"/people/{pid}/grades", json={"occupation": "电工", "grade": 1,
                                                                 "awarded_on": "2025-01-01"}).status_code == 404


def test_fields_are_refused_with_their_names(rec, api_as):
    a, pid = api_as(rec["a"]), rec["person"].id
    r = a.post(f"/people/{pid}/grades", json={"occupation": "", "grade": 7, "awarded_on": "2099-01-01"})
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"occupation", "grade", "awarded_on"}
    r = a.post(f"/people/{pid}/grades", json={"occupation": "电工", "grade": "three", "awarded_on": "2025-01-01"})
    assert r.status_code == 422 and "grade" in r.get_json()["error"]["fields"]
    r = a.post(f"/people/{pid}/titles", json={"title": "西藏工匠"})
    assert r.status_code == 422 and {"conferred_by", "conferred_on"} <= set(r.get_json()["error"]["fields"])


def test_exceptional_assessment_is_filed_and_decided_by_another_organizer(rec, api_as):
    a, b, pid = api_as(rec["a"]), api_as(rec["b"]), rec["person"].id
    assert a.post(f"/people/{pid}/grades", json={"occupation": "汽车维修工", "grade": 4,
                                                 "awarded_on": "2020-01-01"}).status_code == 201
    r = a.post(f"/people/{pid}/grade-applications", json={"occupation": "汽车维修工", "kind": "skip_level",
                                                          "grade_to": 3, "reason": "一线工作十二年"})
    assert r.status_code == 422 and "grade_to" in r.get_json()["error"]["fields"]   # 4 → 3 skips nothing
    r = a.post(f"/people/{pid}/grade-applications", json={"occupation": "汽车维修工", "kind": "skip_level",
                                                          "grade_to": 2, "reason": "一线工作十二年，获省级一类竞赛一等奖。"})
    assert r.status_code == 201, r.get_json()
    app_id = r.get_json()["id"]
    assert r.get_json()["grade_from"] == 4
    assert a.post(f"/people/{pid}/grade-applications", json={"occupation": "汽车维修工", "kind": "exceptional",
                                                             "grade_to": 3, "reason": "x"}).status_code == 409
    r = a.post(f"/grade-applications/{app_id}/decision", json={"decision": "approve", "note": "自审"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "own_record"
    assert api_as(rec["gx"]).post(f"/grade-applications/{app_id}/decision",
                                  json={"decision": "approve", "note": "x"}).status_code == 404
    assert b.post(f"/grade-applications/{app_id}/decision", json={"decision": "approve"}).status_code == 422
    r = b.post(f"/grade-applications/{app_id}/decision", json={"decision": "approve", "note": "业绩材料属实"})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert r.get_json()["grade"]["source"] == "exception" and r.get_json()["grade"]["grade"] == 2
    occ = {o["occupation"]: o for o in a.get(f"/people/{pid}/file").get_json()["occupations"]}
    assert occ["汽车维修工"]["current_grade"] == 2
    assert b.post(f"/grade-applications/{app_id}/decision", json={"decision": "reject", "note": "再议"}).status_code == 409


def test_each_tenant_sees_the_rows_it_recorded(rec, api_as, make_user, make_org):
    """Another organization that sees the person (it entered them too) does not see A's rows."""
    other = make_org("拉萨市人力资源和社会保障局", kind="government", region_code="540100")
    person = rec["person"]
    api_as(rec["a"]).post(f"/people/{person.id}/grades", json={"occupation": "电工", "grade": 3,
                                                               "awarded_on": "2024-01-01"})
    org_other = make_user("organizer", organization=other, username="org_lhasa")
    person.organization_id = other.id   # now employed by it: the other organization sees the person
    db.session.commit()
    f = api_as(org_other).get(f"/people/{person.id}/file").get_json()
    assert f["occupations"] == [] and f["person"]["name"] == "卓嘎"
    assert len(api_as(rec["a"]).get(f"/people/{person.id}/file").get_json()["occupations"]) == 1


def test_the_pdf_prints_the_tibetan_name(rec, api_as, login):
    a, pid = api_as(rec["a"]), rec["person"].id
    a.post(f"/people/{pid}/grades", json={"occupation": "唐卡制作", "grade": 3, "awarded_on": "2024-06-30"})
    r = api_as(rec["cand"]).get("/me/record.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF") and r.headers["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(r.data))
    fonts = set()
    for page in reader.pages:
        for f in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert any("Tibetan" in f for f in fonts), fonts
    text = "".join(p.extract_text() for p in reader.pages)
    assert "职业技能电子档案" in text and "唐卡制作" in text
    page = login(rec["cand"]).get("/me/record")
    assert page.status_code == 200 and "唐卡制作" in page.get_data(as_text=True)
    assert login(rec["cand"]).get("/me/record.pdf").status_code == 200
    assert api_as(rec["a"]).get(f"/people/{pid}/file.pdf").data.startswith(b"%PDF")


def test_the_organizer_page_writes_each_part(rec, login):
    person = rec["person"]
    a = login(rec["a"])
    page = a.get(f"/manage/people/{person.id}/file").get_data(as_text=True)
    token = csrf_from(page)
    for url, data in ((f"/manage/people/{person.id}/grades", {"occupation": "电工", "grade": "3", "awarded_on": "2024-01-01"}),
                      (f"/manage/people/{person.id}/titles", {"title": "非遗传承人", "conferred_by": "西藏自治区文化厅",
                                                              "conferred_on": "2023-05-01"}),
                      (f"/manage/people/{person.id}/trainings", {"program": "电工培训", "provider": "拉萨职业技术学院",
                                                                 "kind": "upskilling", "started_on": "2024-02-01"}),
                      (f"/manage/people/{person.id}/grade-applications", {"occupation": "电工", "kind": "exceptional",
                                                                          "grade_to": "2", "reason": "一线十年"})):
        r = a.post(url, data={**data, "csrf_token": token})
        assert r.status_code == 302, url
    page = a.get(f"/manage/people/{person.id}/file").get_data(as_text=True)
    assert "电工培训" in page and "非物质文化遗产传承人" in page and "一线十年" in page
    app_row = db.session.scalars(select(OccupationGrade)).all()
    assert len(app_row) == 1
    from app.records.models import GradeApplication
    ga = db.session.scalars(select(GradeApplication)).one()
    assert f"/manage/grade-applications/{ga.id}/decision" not in page      # the filer gets no buttons
    b = login(rec["b"])
    page = b.get(f"/manage/people/{person.id}/file").get_data(as_text=True)
    assert f"/manage/grade-applications/{ga.id}/decision" in page
    r = b.post(f"/manage/grade-applications/{ga.id}/decision", data={"decision": "approve", "note": "核实",
                                                                     "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(GradeApplication, ga.id).status == "approved"


# ---- promotion by a rule: the entitlement engine's hook ----------------------------------------

def test_a_grade_promotion_by_rule_lands_in_the_events_occupation(drawn, api_as):
    """A national class-1 gold promotes in the event's occupation; a grade already recorded in that
    occupation (not the person's one skill grade) is the one the rule starts from."""
    from app.competitions.models import Competition, Event
    from app.records import operations as records
    from app.registration.models import Registration
    from app.selection.models import Entitlement
    from tests import scenarios
    comp = db.session.get(Competition, drawn["comp"].id)
    comp.level, comp.jurisdiction = "national_1", "CN"
    ev = db.session.get(Event, drawn["event"].id)
    ev.awards = {"preset": "medals"}
    occupation = ev.occupation or ev.name
    db.session.commit()
    codes = scenarios.setup_scores(drawn)
    first = db.session.scalar(select(Registration).where(Registration.code == codes[0]))
    first.person.skill_grade = 4                      # 中级工 overall …
    records.add_grade(first.person, {"occupation": occupation, "grade": "2", "awarded_on": "2024-01-01"},
                      drawn["organizer"])             # … but 技师 in this occupation
    db.session.commit()
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    promo = db.session.scalars(select(Entitlement).where(Entitlement.kind == "grade_promotion",
                                                         Entitlement.registration_id == first.id)).one()
    assert (promo.grade_from, promo.grade_to) == (2, 1)
    rows = db.session.scalars(select(OccupationGrade).where(OccupationGrade.person_id == first.person_id)
                              .order_by(OccupationGrade.id)).all()
    assert [(r.occupation, r.grade, r.source) for r in rows] == [(occupation, 2, "assessment"), (occupation, 1, "promotion")]
    assert rows[1].entitlement_id == promo.id and rows[1].recorded_by_organization_id == comp.host_organization_id
    f = api_as(drawn["organizer"]).get(f"/people/{first.person_id}/file").get_json()
    assert f["occupations"][0]["current_grade"] == 1
    assert [g["source"] for g in f["occupations"][0]["history"]] == ["assessment", "promotion"]
