"""Judging pages: the judge scores on the entry page, the chief judge locks and decrypts, the
organizer runs the panel and the draw, the supervisor re-checks, the audit page."""
import re

from sqlalchemy import select

from app.extensions import db
from app.judging.models import Sheet
from app.registration.models import Registration
from tests.conftest import csrf_from
from tests.scenarios import all_codes, theory_file, upload
from tests import scenarios


def test_judge_saves_a_draft_then_submits_on_the_entry_page(drawn, login):
    event = drawn["event"]
    judge = drawn["judges"][1]
    client = login(judge)
    listing = client.get(f"/judge/events/{event.id}").get_data(as_text=True)
    code = sorted(all_codes(event.id))[0]
    assert code in listing and "0/3" in listing
    page = client.get(f"/judge/events/{event.id}/sheets/{code}")
    text = page.get_data(as_text=True)
    assert "优秀" in text and "工艺" in text and "0 至 20，分度 0.25" in text
    form = {"csrf_token": csrf_from(page.data), "version": "1", "score_P1": "2", "score_P2": "19.3", "score_P3": ""}
    r = client.post(f"/judge/events/{event.id}/sheets/{code}", data={**form, "action": "save"})
    assert "分数必须是 0.25 的整数倍" in r.get_data(as_text=True)
    r = client.post(f"/judge/events/{event.id}/sheets/{code}", data={**form, "score_P2": "20", "action": "save"})
    assert r.status_code == 302
    page = client.get(f"/judge/events/{event.id}/sheets/{code}")
    assert 'value="20"' in page.get_data(as_text=True)
    r = client.post(f"/judge/events/{event.id}/sheets/{code}", data={**form, "version": "2", "score_P2": "20", "action": "submit"})
    assert "提交前请为“安全”评分" in r.get_data(as_text=True)
    r = client.post(f"/judge/events/{event.id}/sheets/{code}", data={**form, "version": "2", "score_P2": "20",
                                                                      "score_P3": "9.5", "action": "submit"})
    assert r.status_code == 302
    sheet = db.session.scalar(select(Sheet).join(Registration).where(Registration.code == code, Sheet.judge_id == judge.id))
    db.session.refresh(sheet)
    assert sheet.status == "submitted"
    # A stale form (version 1) is refused with a clear message, nothing overwritten.
    r = client.post(f"/judge/events/{event.id}/sheets/{code}", data={**form, "action": "save"})
    assert "已提交" in r.get_data(as_text=True)


def test_chief_judge_page_lock_and_decrypt(drawn, login, api_as):
    event = drawn["event"]
    chief = login(drawn["chief"])
    page = chief.get(f"/judge/events/{event.id}")
    text = page.get_data(as_text=True)
    assert "锁定前尚缺（22）" in text and "回避" in text
    scenarios.fill_sheets(drawn)
    upload(api_as(drawn["organizer"]), event.id, theory_file([(c, 80) for c in all_codes(event.id)]))
    page = chief.get(f"/judge/events/{event.id}")
    r = chief.post(f"/judge/events/{event.id}/lock", data={"csrf_token": csrf_from(page.data)})
    assert r.status_code == 302
    text = chief.get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert "已锁定" in text and "申请解密（须监督确认）" in text and drawn["entries"][0].person.name not in text
    # Two people decrypt: the chief judge's request alone reveals nothing; the supervisor confirms.
    chief.post(f"/judge/events/{event.id}/decrypt", data={"csrf_token": csrf_from(page.data)})
    text = chief.get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert "已申请解密；监督确认后显示姓名。" in text and drawn["entries"][0].person.name not in text
    supervisor = login(drawn["supervisor"])
    page = supervisor.get(f"/supervise/events/{event.id}")
    assert "确认裁判长的解密申请" in page.get_data(as_text=True)
    r = supervisor.post(f"/supervise/events/{event.id}/decrypt", data={"csrf_token": csrf_from(page.data)})
    assert r.status_code == 302
    assert drawn["entries"][0].person.name in chief.get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert "已于" in supervisor.get(f"/supervise/events/{event.id}").get_data(as_text=True)


def test_organizer_judging_page_panel_draw_and_import(jworld, login):
    event = jworld["event"]
    client = login(jworld["organizer"])
    page = client.get(f"/manage/events/{event.id}/judging")
    assert page.status_code == 200
    token = csrf_from(page.data)
    for judge in jworld["judges"]:
        client.post(f"/manage/events/{event.id}/panel", data={"csrf_token": token, "user_id": judge.id, "role": "judge"})
    r = client.post(f"/manage/events/{event.id}/draw", data={"csrf_token": token, "seed": "web-seed", "kind": "codes"})
    text = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "web-seed" in text and "A001" in text and "种子" not in text  # the draw code, in the user's words
    r = client.post(f"/manage/events/{event.id}/draw", data={"csrf_token": token, "seed": "st", "kind": "stations"})
    text = client.get(r.headers["Location"]).get_data(as_text=True)
    assert re.search(r"\bst\b", text) and "种子" not in text


def test_supervisor_page_and_recheck(drawn, login, api_as):
    scenarios.fill_and_lock(drawn)
    client = login(drawn["supervisor"])
    page = client.get(f"/supervise/events/{drawn['event'].id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "抽取复核名单" in text and 'name="top_n"' in text and "种子" not in text
    r = client.post(f"/supervise/events/{drawn['event'].id}/recheck",
                    data={"csrf_token": csrf_from(page.data), "top_n": "3", "share": "0.5", "seed": "s"})
    text = client.get(r.headers["Location"]).get_data(as_text=True)
    assert text.count("待复核") == 5 and "种子" not in text
    assert client.get("/supervise").status_code == 200
    assert "sheet.submit" in client.get(f"/events/{drawn['event'].id}/audit").get_data(as_text=True)


def test_recheck_found_correct_reads_no_error_while_the_chiefs_correct_link_reads_correction(drawn, login, api_as):
    """无误 (a finding) and 更正 (the chief judge's action) are two messages, not one."""
    import re
    event = drawn["event"]
    scenarios.fill_sheets(drawn)
    chief_page = login(drawn["chief"]).get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert re.search(r'/correct/\d+">更正</a>', chief_page)
    upload(api_as(drawn["organizer"]), event.id, theory_file([(c, 60 + i * 3) for i, c in enumerate(all_codes(event.id))]))
    assert api_as(drawn["chief"]).post(f"/events/{event.id}/lock").status_code == 200
    client = login(drawn["supervisor"])
    page = client.get(f"/supervise/events/{event.id}")
    r = client.post(f"/supervise/events/{event.id}/recheck",
                    data={"csrf_token": csrf_from(page.data), "top_n": "2", "share": "0", "seed": "s"})
    text = client.get(r.headers["Location"]).get_data(as_text=True)
    # The select's options are short and whole.
    assert re.search(r'<option value="checked">无误</option><option value="wrong">有误</option>', text)
    items = api_as(drawn["supervisor"]).get(f"/events/{event.id}/recheck").get_json()["items"]
    token = csrf_from(text)
    client.post(f"/supervise/recheck-items/{items[0]['id']}", data={"csrf_token": token, "status": "checked"})
    client.post(f"/supervise/recheck-items/{items[1]['id']}", data={"csrf_token": token, "status": "wrong", "note": "P2 录入错误"})
    text = client.get(f"/supervise/events/{event.id}").get_data(as_text=True)
    table = text[text.index("复核"):]
    rows = re.findall(r'<tr><td class="code">(\w+)</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>', table)
    assert [r[1] for r in rows][:2] == ["无误", "有误"] and set(r[1] for r in rows[2:]) <= {"待复核"}, rows
    assert "更正</td>" not in table
    from flask_babel import force_locale, gettext
    with force_locale("zh"):
        assert gettext("No error") == "无误" and gettext("Correct") == "更正"
