"""An organizer signs in, creates a competition and an event with its scoring scheme, in Chinese."""
import pytest
from sqlalchemy import select

from app.competitions.models import Competition, Event
from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_organizer_creates_competition_and_event_in_the_browser(live_server, page, make_user, make_org):
    org = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    organizer = make_user("organizer", organization=org, username="zhuoma", name="卓玛")

    page.goto(f"{live_server}/login")
    assert "登录" in page.title()
    page.fill("#username", organizer.username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/manage/competitions")  # an organizer lands on their competitions
    assert "卓玛" in page.inner_text("header")

    page.click("text=新建竞赛")
    page.fill("#name", "2026年西藏自治区职业技能大赛")
    page.fill("#year", "2026")
    page.select_option("#level", "provincial_1")
    page.select_option("#kind", "skills")
    page.select_option("#jurisdiction", "CN-XZ")
    page.fill("#registration_opens_at", "2026-12-01T09:00")
    page.fill("#registration_closes_at", "2026-12-20T18:00")
    page.fill("#starts_on", "2027-01-05")
    page.fill("#ends_on", "2027-01-07")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=竞赛已创建")

    page.click("text=新建赛项")
    page.fill("#name", "唐卡制作")
    page.select_option("#track", "staff")
    page.fill("#max_entrants", "60")
    # The form starts with theory 0.30 (imported) and practical 0.70; add two practical criteria.
    # No codes to type: the component is chosen from the list of the components above.
    assert page.locator("#criteria-1-key").get_attribute("type") == "hidden"
    page.select_option("#criteria-1-component", "1")
    page.fill("#criteria-1-name", "勾线")
    page.fill("#criteria-1-max_score", "30")
    page.select_option("#criteria-1-kind", "judgement")
    page.select_option("#criteria-1-scale", "wsi3")
    page.fill("#criteria-1-descriptors", "未达标\n达标\n良好\n优秀")
    page.select_option("#criteria-2-component", "1")
    page.fill("#criteria-2-name", "着色")
    page.fill("#criteria-2-max_score", "70")
    page.fill("#criteria-2-step", "0.5")
    page.dispatch_event("#criteria-2-name", "change")
    # The tie-break chain is chosen from the rows: the practical total, then the criterion 勾线.
    page.select_option("#tiebreak-0", "component#1")
    page.select_option("#tiebreak-1", "criterion#1")
    # A mistake first: weights that do not add up to 1 are refused with a message beside the field
    # (and the total shows as it is typed).
    page.fill("#components-1-weight", "0.60")
    assert "0.9" in page.inner_text("[data-weight-total]")
    page.click("text=保存赛项")
    page.wait_for_selector("text=各模块权重之和必须为 1")
    assert db.session.scalar(select(Event)) is None
    page.fill("#components-1-weight", "0.70")
    page.click("text=保存赛项")
    page.wait_for_selector("text=赛项“唐卡制作”已保存")
    assert "唐卡制作" in page.inner_text("main")

    comp = db.session.scalar(select(Competition))
    event = db.session.scalar(select(Event))
    assert comp.name == "2026年西藏自治区职业技能大赛" and comp.host_organization_id == org.id
    assert [k["name"] for k in event.scheme["components"][1]["criteria"]] == ["勾线", "着色"]
    first = event.scheme["components"][1]["criteria"][0]["key"]
    assert event.tiebreak == ["component:practical", f"criterion:{first}"]
    assert event.scheme["components"][1]["criteria"][0]["descriptors"] == ["未达标", "达标", "良好", "优秀"]
    page.screenshot(path="instance/e2e-organizer.png", full_page=True)
