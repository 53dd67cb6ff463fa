"""A candidate signs up and registers in the browser; the organizer approves; the candidate sees it."""
import pytest
from sqlalchemy import select

from app.competitions import operations as comps
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import PASSWORD, event_payload
from tests.scenarios import resident_id

pytestmark = pytest.mark.e2e


def test_candidate_self_registers_and_organizer_approves(live_server, browser, make_user, make_org, make_competition):
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    company = make_org("西藏天路股份有限公司", kind="enterprise", region_code="540100")
    organizer = make_user("organizer", organization=host, username="zhuoma")
    comp = make_competition(organizer, events=0, name="2026年西藏自治区职业技能大赛")
    comps.create_event(comp, event_payload(name="唐卡制作"), organizer)
    comps.change_status(comp, "registration_open", organizer)
    db.session.commit()

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/signup")
    page.fill("#username", "tsering")
    page.fill("#password", "Tsering-2026")
    page.fill("#password_confirm", "Tsering-2026")
    page.fill("#name", "次仁多吉")
    number = resident_id()
    page.fill("#id_number", number[:-1] + ("0" if number[-1] != "0" else "1"))  # a typo first
    page.select_option("#ethnicity", "04")
    page.select_option("#organization_id", str(company.id))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=校验码不正确")
    page.fill("#password", "Tsering-2026")
    page.fill("#password_confirm", "Tsering-2026")
    page.fill("#id_number", number)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=账号已创建")
    page.click("text=报名 >> nth=-1")
    page.wait_for_selector("text=报名“唐卡制作”")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已提交“唐卡制作”的报名")
    assert "待审核" in page.inner_text("main")
    ctx.close()

    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.fill("#username", organizer.username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/manage/competitions/{comp.id}/registrations")
    assert "次仁多吉" in page.inner_text("main")
    page.check("input[name=ids]")
    page.select_option("#decision", "approve")
    page.click("form[data-bulk] button[type=submit]")
    # The second step: what will happen to whom, before anything changes.
    page.wait_for_selector(".bulk-confirm")
    assert "次仁多吉" in page.inner_text(".bulk-confirm")
    page.click(".bulk-confirm button[type=submit]")
    page.wait_for_selector("text=已审核 1 条报名")
    ctx.close()

    reg = db.session.scalar(select(Registration))
    db.session.refresh(reg)
    assert reg.status == "approved" and reg.source == "self"

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", "tsering")
    page.fill("#password", "Tsering-2026")
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/me")
    assert "已通过" in page.inner_text("main")
    page.screenshot(path="instance/e2e-candidate.png", full_page=True)
    ctx.close()
