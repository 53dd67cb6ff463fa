"""Paper marking forms: the PDF per judge, and double entry by two clerks — agreeing entries
accepted (serial and both clerks in the audit), one differing cell refused with its position."""
import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.judging.models import PaperEntry, PaperForm, Sheet
from tests.conftest import csrf_from
from tests.scenarios import my_sheets


def _issue(client, event_id, judge_id) -> str:
    page = client.get(f"/manage/events/{event_id}/paper")
    assert page.status_code == 200
    r = client.post(f"/manage/events/{event_id}/paper", data={"csrf_token": csrf_from(page.data), "judge_id": judge_id})
    assert r.status_code == 302
    return db.session.scalars(select(PaperForm.serial).order_by(PaperForm.id.desc())).first()


def _type(client, serial, rows: dict):
    page = client.get(f"/manage/paper-forms/{serial}/entry")
    data = {"csrf_token": csrf_from(page.data)}
    for code, cells in rows.items():
        for key, value in cells.items():
            data[f"v-{code}-{key}"] = value
    return client.post(f"/manage/paper-forms/{serial}/entry", data=data, follow_redirects=True)


def test_marking_form_pdf_lists_the_judges_codes_and_criteria(drawn, login, api_as, tmp_path):
    event, judge = drawn["event"], drawn["judges"][1]
    org = login(drawn["organizer"])
    serial = _issue(org, event.id, judge.id)
    assert re.fullmatch(r"\d{4}-\d{4}-[0-9A-F]{6}", serial)
    r = org.get(f"/manage/paper-forms/{serial}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "form.pdf"
    path.write_bytes(r.data)
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    for code in my_sheets(api_as(judge), event.id):
        assert code in text
    assert serial in text and "优秀" in text and "裁判签名" in text and "录入员二签名" in text
    assert drawn["entries"][0].person.name not in text  # codes only
    # Another organization's organizer, a judge: refused.
    assert login(drawn["judges"][0]).get(f"/manage/paper-forms/{serial}.pdf").status_code == 403


def test_two_agreeing_entries_accept_the_sheets(drawn, login, make_user, api_as):
    event, judge = drawn["event"], drawn["judges"][1]
    clerk1 = login(drawn["organizer"])
    clerk2_user = make_user("organizer", organization=drawn["host"], username="clerk_two", name="央金")
    clerk2 = login(clerk2_user)
    serial = _issue(clerk1, event.id, judge.id)
    codes = sorted(my_sheets(api_as(judge), event.id))
    rows = {code: {"P1": str(i % 4), "P2": "12.25", "P3": "7.5"} for i, code in enumerate(codes)}
    rows[codes[-1]] = {"P1": "", "P2": "", "P3": ""}     # an absent contestant: the row left blank
    _type(clerk1, serial, rows)
    assert db.session.scalar(select(func.count()).select_from(PaperEntry)) == 1
    # The same clerk typing again is no double entry.
    _type(clerk1, serial, rows)
    assert db.session.scalar(select(PaperForm.accepted_at).where(PaperForm.serial == serial)) is None
    # Written differently, the same values ("12.250", "7.50") agree.
    second = {c: {**v, "P2": "12.250" if v["P2"] else ""} for c, v in rows.items()}
    r = _type(clerk2, serial, second)
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(PaperForm.accepted_at).where(PaperForm.serial == serial)) is not None
    sheets = {c: s for c, s in my_sheets(api_as(judge), event.id).items()}
    for i, code in enumerate(codes[:-1]):
        assert sheets[code]["status"] == "submitted"
        assert sheets[code]["scores"] == {"P1": str(i % 4), "P2": "12.25", "P3": "7.5"}
    assert sheets[codes[-1]]["status"] == "draft"
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sheet.paper")).all()
    assert len(audit) == len(codes) - 1
    assert all(a.after["serial"] == serial for a in audit)
    assert {c["name"] for c in audit[0].after["clerks"]} == {drawn["organizer"].name, "央金"}


def test_one_differing_cell_is_refused_with_its_position(drawn, login, make_user, api_as):
    event, judge = drawn["event"], drawn["judges"][1]
    clerk1 = login(drawn["organizer"])
    clerk2 = login(make_user("organizer", organization=drawn["host"], username="clerk_two", name="央金"))
    serial = _issue(clerk1, event.id, judge.id)
    codes = sorted(my_sheets(api_as(judge), event.id))
    rows = {code: {"P1": "2", "P2": "10", "P3": "5"} for code in codes}
    _type(clerk1, serial, rows)
    typo = {c: dict(v) for c, v in rows.items()}
    typo[codes[1]]["P2"] = "16"
    r = _type(clerk2, serial, typo)
    html = r.get_data(as_text=True)
    assert "1 个单元格不一致" in html
    assert f"{codes[1]}</span> · P2" in html and "10" in html and "16" in html
    db.session.expire_all()
    assert db.session.scalar(select(PaperForm.accepted_at).where(PaperForm.serial == serial)) is None
    assert all(s.status == "draft" for s in db.session.scalars(select(Sheet).where(Sheet.judge_id == judge.id)))
    # The second clerk checks the paper and types the cell again: accepted.
    r = _type(clerk2, serial, rows)
    db.session.expire_all()
    assert db.session.scalar(select(PaperForm.accepted_at).where(PaperForm.serial == serial)) is not None
    # A cell off the step names its position; nothing is stored.
    serial2 = _issue(clerk1, event.id, drawn["judges"][2].id)
    codes2 = sorted(my_sheets(api_as(drawn["judges"][2]), event.id))
    bad = {code: {"P1": "2", "P2": "10", "P3": "5"} for code in codes2}
    bad[codes2[0]]["P3"] = "5.3"
    html = _type(clerk1, serial2, bad).get_data(as_text=True)
    assert "0.5 的整数倍" in html


def test_sheets_submitted_online_are_printed_as_such_and_not_typed(drawn, login, make_user, api_as):
    event, judge = drawn["event"], drawn["judges"][1]
    api = api_as(judge)
    codes = sorted(my_sheets(api, event.id))
    first = my_sheets(api, event.id)[codes[0]]
    saved = api.put(f"/events/{event.id}/sheets/{codes[0]}", json={"scores": {"P1": "3", "P2": "20", "P3": "10"},
                                                                   "version": first["version"]}).get_json()
    assert api.post(f"/events/{event.id}/sheets/{codes[0]}/submit", json={"version": saved["version"]}).status_code == 200
    clerk1 = login(drawn["organizer"])
    clerk2 = login(make_user("organizer", organization=drawn["host"], username="clerk_two", name="央金"))
    serial = _issue(clerk1, event.id, judge.id)
    pdf = PdfReader(io.BytesIO(clerk1.get(f"/manage/paper-forms/{serial}.pdf").data))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "已在线提交，此行不填" in text
    page = clerk1.get(f"/manage/paper-forms/{serial}/entry").get_data(as_text=True)
    assert f'name="v-{codes[0]}-P1"' not in page and f'name="v-{codes[1]}-P1"' in page
    rows = {code: {"P1": "1", "P2": "5", "P3": "5"} for code in codes[1:]}
    _type(clerk1, serial, rows)
    _type(clerk2, serial, rows)
    sheets = my_sheets(api, event.id)
    assert sheets[codes[0]]["scores"] == {"P1": "3", "P2": "20", "P3": "10"}   # the phone's, untouched
    assert all(sheets[c]["status"] == "submitted" and sheets[c]["scores"]["P2"] == "5" for c in codes[1:])
    # Every sheet in: no form is issued for nothing.
    page = clerk1.get(f"/manage/events/{event.id}/paper")
    r = clerk1.post(f"/manage/events/{event.id}/paper", data={"csrf_token": csrf_from(page.data), "judge_id": judge.id},
                    follow_redirects=True)
    assert "该裁判没有需要填写的评分表" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PaperForm)) == 1
