"""Analytics through the pages and the API: the lenient judge flagged on the event page, totals
cross-checked against the raw rows, scopes (HR department, organizer, other tenant), the judge's
own page and the rule that a judge never sees an event they are on before lock, exports."""
from __future__ import annotations

import io
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.judging.models import Sheet
from app.registration.models import Registration, RegistrationMember
from app.results.models import Result
from app.selection.models import Entitlement
from app.spreadsheets import formula_cells
from tests.analytics.conftest import event_spec
from tests.conftest import competition_payload

YEAR = "period=2025"


def test_event_page_flags_the_lenient_judge_and_no_one_else(aworld, api_as, login):
    event = aworld["q2"].events[0]
    body = api_as(aworld["organizer"]).get(f"/analytics/events/{event.id}/consistency").get_json()
    assert body["available"] and body["flagged"] == [aworld["lenient"].id]
    judges = {j["judge_id"]: j for j in body["judges"]}
    lenient = judges[aworld["lenient"].id]
    assert lenient["status"] == "discuss" and lenient["leniency"]["marks"] == pytest.approx(2.0)
    assert lenient["raw"]["marks"] == pytest.approx(2.0) and lenient["sheets"] == 12
    for j in aworld["judges"][:3]:
        assert judges[j.id]["status"] == "none" and judges[j.id]["leniency"]["marks"] == pytest.approx(0.0)
        assert judges[j.id]["raw"]["marks"] == pytest.approx(-2 / 3, abs=1e-3)
    assert {c["key"] for c in body["criteria"]} == {"P1", "P2", "P3"}
    assert body["reliability"]["meaning"]
    page = login(aworld["chief"]).get(f"/analytics/events/{event.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "扎西" in text and 'data-status="discuss"' in text and text.count('data-status="discuss"') == 1


def _raw_totals(comp_ids):
    regs = db.session.scalars(select(Registration).where(Registration.competition_id.in_(comp_ids))).all()
    awarded = {r.registration_id for r in db.session.scalars(select(Result).where(Result.award.is_not(None)))}
    members = db.session.scalars(select(RegistrationMember).where(
        RegistrationMember.registration_id.in_([r.id for r in regs]))).all()
    status = {r.id: r.status for r in regs}
    return {"registrations": len(regs),
            "contestants": sum(1 for m in members if status[m.registration_id] == "approved"),
            "winners": sum(1 for m in members if m.registration_id in awarded and status[m.registration_id] == "approved")}


def test_statistics_totals_add_up_and_match_the_raw_rows(aworld, api_as):
    body = api_as(aworld["organizer"]).get(f"/analytics/statistics?{YEAR}").get_json()
    ids = [aworld["q2"].id, aworld["q4"].id, aworld["open"].id]
    assert sorted(c["id"] for c in body["competitions"]["list"]) == sorted(ids)  # not Guangxi's
    raw = _raw_totals(ids)
    for key in ("registrations", "contestants", "winners"):
        assert body["totals"][key] == raw[key] > 0
        for dim, data in body["breakdowns"].items():
            assert sum(r[key] for r in data["rows"]) == raw[key], (dim, key)
    assert body["totals"]["competitions"] == 3
    assert body["competitions"]["by_level"] == {"provincial_1": 2, "municipal": 1}
    results = db.session.scalars(select(Result).where(Result.competition_id.in_(ids), Result.award.is_not(None))).all()
    assert sum(n for v in body["awards_by_level"].values() for n in v.values()) == len(results) > 0
    ents = db.session.scalars(select(Entitlement).where(Entitlement.competition_id.in_(ids))).all()
    assert body["entitlements"] == {k: dict(v) for k, v in _by_kind_status(ents).items()} and ents
    tracks = {r["key"]: r for r in body["breakdowns"]["track"]["rows"]}
    student_event = aworld["q2"].events[1]
    assert tracks["student"]["registrations"] == db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.event_id == student_event.id))
    genders = {r["key"] for r in body["breakdowns"]["gender"]["rows"]}
    assert genders <= {"male", "female", "unknown"}
    assert body["issuer"] == "西藏自治区人力资源和社会保障厅"


def _by_kind_status(ents):
    out = {}
    for (kind, status), n in Counter((e.kind, e.status) for e in ents).items():
        out.setdefault(kind, {})[status] = n
    return out


def test_a_quarter_and_filters_narrow_the_report(aworld, api_as):
    api = api_as(aworld["organizer"])
    q2 = api.get("/analytics/statistics?period=2025-Q2").get_json()
    assert [c["id"] for c in q2["competitions"]["list"]] == [aworld["q2"].id]
    custom = api.get("/analytics/statistics?period=2025-10-01..2025-12-31&level=municipal").get_json()
    assert [c["id"] for c in custom["competitions"]["list"]] == [aworld["q4"].id]
    student = api.get(f"/analytics/statistics?{YEAR}&track=student").get_json()
    assert {r["key"] for r in student["breakdowns"]["track"]["rows"]} == {"student"}


@pytest.mark.parametrize("query, field", [("period=abc", "period"), ("period=2025-13-01..2025-12-31", "period"),
                                          ("period=2025-12-01..2025-01-01", "period"), ("period=2025&level=galactic", "level"),
                                          ("period=2025&jurisdiction=CN-ZZ", "jurisdiction")])
def test_bad_input_is_refused_naming_the_field(aworld, api_as, login, query, field):
    r = api_as(aworld["admin"]).get(f"/analytics/statistics?{query}")
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]
    page = login(aworld["admin"]).get(f"/analytics/statistics?{query}")
    assert page.status_code == 422 and f'id="{field}-error"' in page.get_data(as_text=True)


def test_scopes_follow_the_hr_department_and_the_host(aworld, api_as):
    def ids(user, query=YEAR):
        r = api_as(user).get(f"/analytics/statistics?{query}")
        assert r.status_code == 200, r.get_json()
        return sorted(c["id"] for c in r.get_json()["competitions"]["list"])
    tibet = sorted([aworld["q2"].id, aworld["q4"].id, aworld["open"].id])
    assert ids(aworld["organizer"]) == tibet
    assert ids(aworld["gx_organizer"]) == [aworld["gx"].id]
    assert ids(aworld["admin"]) == sorted(tibet + [aworld["gx"].id])
    assert ids(aworld["admin"], f"{YEAR}&jurisdiction=CN-GX") == [aworld["gx"].id]
    # A prefecture's HR department: its province's competitions hosted in the prefecture (none here).
    assert ids(aworld["lhasa_organizer"]) == []
    # An organizer of a college sees the competitions the college hosts (none).
    assert ids(aworld["college_organizer"]) == []
    # Asking for another jurisdiction is refused, not silently answered with one's own.
    assert api_as(aworld["gx_organizer"]).get(f"/analytics/statistics?{YEAR}&jurisdiction=CN-XZ").status_code == 403
    assert api_as(aworld["organizer"]).get(f"/analytics/statistics?{YEAR}&issuer=x").status_code == 403
    for user in (aworld["judges"][0], aworld["chief"], aworld["supervisor"]):
        assert api_as(user).get(f"/analytics/statistics?{YEAR}").status_code == 403
    # Another tenant's event and judge stay out of reach.
    event = aworld["q2"].events[0]
    assert api_as(aworld["gx_organizer"]).get(f"/analytics/events/{event.id}/consistency").status_code == 403
    assert api_as(aworld["gx_organizer"]).get(f"/analytics/judges/{aworld['lenient'].id}").status_code == 404
    pool = api_as(aworld["gx_organizer"]).get("/analytics/judges").get_json()["items"]
    assert {j["judge_id"] for j in pool} == {j.id for j in aworld["gx_judges"]}


def test_a_judge_never_sees_an_event_they_are_on_before_lock(aworld, api_as, login, make_user):
    from app.accounts.models import UserRole
    open_event = aworld["open"].events[0]
    judge = aworld["judges"][0]
    # Even holding the organizer role of the host organization does not open it before lock.
    db.session.add(UserRole(user_id=judge.id, role="organizer"))
    judge.organization_id = aworld["hr"].id
    db.session.commit()
    assert api_as(judge).get(f"/analytics/events/{open_event.id}/consistency").status_code == 403
    assert login(judge).get(f"/analytics/events/{open_event.id}").status_code == 403
    assert api_as(judge).get(f"/analytics/events/{aworld['q2'].events[0].id}/consistency").status_code == 200
    # The judge pool leaves the open event out of their view.
    pool = api_as(judge).get("/analytics/judges").get_json()["items"]
    events = {h["event_id"] for j in pool for h in api_as(judge).get(f"/analytics/judges/{j['judge_id']}").get_json()["events"]}
    assert open_event.id not in events and aworld["q2"].events[0].id in events
    # The chief judge oversees every sheet already: the event's figures are theirs before lock.
    assert api_as(aworld["chief"]).get(f"/analytics/events/{open_event.id}/consistency").status_code == 200
    assert api_as(aworld["supervisor"]).get(f"/analytics/events/{open_event.id}/consistency").status_code == 200


def test_a_judge_reads_their_own_figures_from_locked_events_only(aworld, api_as, login):
    lenient = aworld["lenient"]
    own = api_as(lenient).get(f"/analytics/judges/{lenient.id}").get_json()
    events = {h["event_id"] for h in own["events"]}
    assert aworld["open"].events[0].id not in events
    assert events == {e.id for e in aworld["q2"].events + aworld["q4"].events}
    assert own["pooled"]["flags"] == 3 and own["pooled"]["sd"] > 0
    assert api_as(lenient).get(f"/analytics/judges/{aworld['judges'][0].id}").status_code == 403
    assert api_as(lenient).get("/analytics/judges").status_code == 403
    page = login(lenient).get(f"/analytics/judges/{lenient.id}")
    assert page.status_code == 200 and "扎西" in page.get_data(as_text=True)


def test_the_judge_pool_puts_the_lenient_judge_first(aworld, api_as, login):
    items = api_as(aworld["organizer"]).get("/analytics/judges").get_json()["items"]
    # Four events: the open one (not locked, marked so) counts for the organizer too.
    assert items[0]["judge_id"] == aworld["lenient"].id and items[0]["pooled"]["flags"] == 4
    assert {j["judge_id"] for j in items} == {j.id for j in aworld["judges"]}
    page = login(aworld["supervisor"]).get("/analytics/judges")
    assert page.status_code == 200 and "扎西" in page.get_data(as_text=True)
    assert login(aworld["organizer"]).get("/analytics").status_code == 200


def test_xlsx_export_is_formula_safe_and_carries_the_same_totals(aworld, login, api_as):
    from openpyxl import load_workbook
    r = login(aworld["organizer"]).get(f"/analytics/statistics.xlsx?{YEAR}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert len(wb.sheetnames) >= 10
    for name in wb.sheetnames:
        assert formula_cells(r.data, name) == []
    comps = wb[wb.sheetnames[1]]
    names = [row[0] for row in comps.iter_rows(min_row=2, values_only=True)]
    assert "'=2025年拉萨市岗位练兵" in names  # the competition named like a formula stays text
    body = api_as(aworld["organizer"]).get(f"/analytics/statistics?{YEAR}").get_json()
    summary = {row[0]: row[1] for row in wb[wb.sheetnames[0]].iter_rows(values_only=True)}
    assert body["totals"]["registrations"] in summary.values()
    api = api_as(aworld["admin"]).get(f"/analytics/statistics.xlsx?{YEAR}&jurisdiction=CN-GX")
    assert api.status_code == 200


def test_printable_report_names_the_issuing_department(aworld, login, api_as):
    from pypdf import PdfReader
    r = login(aworld["organizer"]).get(f"/analytics/statistics.pdf?{YEAR}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "西藏自治区人力资源和社会保障厅" in text and "年报" in text and "合计" in text
    r = api_as(aworld["admin"]).get("/analytics/statistics.pdf?period=2025-Q2&issuer=自治区技能竞赛办公室")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert r.status_code == 200 and "自治区技能竞赛办公室" in text and "季报" in text


def test_event_without_sheets_says_so(aworld, api_as):
    from app.competitions import operations as comps
    comp = comps.create_competition(competition_payload(), aworld["organizer"])
    event = comps.create_event(comp, event_spec("空赛项"), aworld["organizer"])
    db.session.commit()
    body = api_as(aworld["organizer"]).get(f"/analytics/events/{event.id}/consistency").get_json()
    assert body["available"] is False
    assert db.session.scalar(select(Sheet.id).where(Sheet.event_id == event.id)) is None
