"""A judge scores a contestant on a phone-sized screen; the chief judge locks the event."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.judging.models import Sheet
from tests.conftest import PASSWORD
from tests.scenarios import FULL, all_codes, my_sheets, theory_file, upload

pytestmark = pytest.mark.e2e


def _login(page, base, user, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def test_judge_scores_on_a_phone_and_chief_locks(live_server, browser, drawn, api_as):
    """Without JavaScript (the plain form; tests/e2e/test_offline_entry.py drives the script)."""
    event = drawn["event"]
    judge = drawn["judges"][1]
    # Every other sheet is already in, so that this judge's last sheet completes the event.
    code = sorted(all_codes(event.id))[-1]
    for j in drawn["judges"]:
        api = api_as(j)
        for c, sheet in my_sheets(api, event.id).items():
            if j.id == judge.id and c == code:
                continue
            api.put(f"/events/{event.id}/sheets/{c}", json={"scores": FULL, "version": sheet["version"]})
            api.post(f"/events/{event.id}/sheets/{c}/submit")
    upload(api_as(drawn["organizer"]), event.id, theory_file([(c, 88) for c in all_codes(event.id)]))

    phone_ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, java_script_enabled=False)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(15_000)
    _login(phone, live_server, judge)
    assert phone.url.endswith("/judge")  # a judge lands on their tasks
    phone.click(f"text={event.name}")
    phone.click(f"a.sheet-link:has-text('{code}')")
    phone.wait_for_selector("text=优秀")
    assert phone.viewport_size["width"] == 390
    phone.click("label.point:has-text('良好')")          # P1 on the 0–3 scale: 2
    phone.fill("input[name=score_P2]", "18.75")
    phone.click("text=保存草稿")
    phone.wait_for_selector("text=草稿已保存")
    phone.fill("input[name=score_P3]", "9.3")            # off the 0.5 step
    phone.click("text=提交评分表")
    phone.wait_for_selector("text=分数必须是 0.5 的整数倍")
    phone.fill("input[name=score_P3]", "9.5")
    phone.click("text=提交评分表")
    phone.wait_for_selector("text=号评分表已提交")
    phone.screenshot(path="instance/e2e-judge-phone.png", full_page=True)
    sheet = db.session.scalar(select(Sheet).where(Sheet.judge_id == judge.id, Sheet.status == "submitted",
                                                  Sheet.registration.has(code=code)))
    db.session.refresh(sheet)
    assert {k: str(v) for k, v in sheet.values().items()} == {"P1": "2.00", "P2": "18.75", "P3": "9.50"}

    phone_ctx.close()
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 820, "height": 1180})
    tablet = ctx.new_page()
    tablet.set_default_timeout(15_000)
    _login(tablet, live_server, drawn["chief"])
    tablet.goto(f"{live_server}/judge/events/{event.id}")
    tablet.once("dialog", lambda d: d.accept())
    tablet.click("text=锁定赛项")
    tablet.wait_for_selector("text=赛项已锁定")
    # Two-person decryption: the chief judge requests, a supervisor confirms.
    tablet.once("dialog", lambda d: d.accept())
    tablet.click("text=申请解密（须监督确认）")
    tablet.wait_for_selector("text=解密申请已记录")
    assert drawn["entries"][0].person.name not in tablet.inner_text("main")
    desk = browser.new_context(locale="zh-CN").new_page()
    desk.set_default_timeout(15_000)
    _login(desk, live_server, drawn["supervisor"])
    desk.goto(f"{live_server}/supervise/events/{event.id}")
    desk.once("dialog", lambda d: d.accept())
    desk.click("text=确认裁判长的解密申请")
    desk.wait_for_selector("text=已向裁判组显示选手姓名")
    tablet.goto(f"{live_server}/judge/events/{event.id}")
    assert drawn["entries"][0].person.name in tablet.inner_text("main")
    desk.context.close()
    ctx.close()
