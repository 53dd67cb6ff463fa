"""An organizer takes a locked competition to publicity and then to final in the browser; the
public sees masked results."""
import pytest
from sqlalchemy import select

from app.competitions.models import Competition
from app.extensions import db
from app.results.models import Result
from tests.conftest import PASSWORD
from tests.scenarios import FULL, all_codes, my_sheets, theory_file, upload

pytestmark = pytest.mark.e2e


def test_organizer_moves_from_lock_to_publicity_to_final(live_server, page, browser, drawn, api_as):
    event, comp = drawn["event"], drawn["comp"]
    c = db.session.get(Competition, comp.id)
    c.publicity_days = 0  # an internal contest: final may follow publicity at once
    db.session.commit()
    for judge in drawn["judges"]:
        api = api_as(judge)
        for code, sheet in my_sheets(api, event.id).items():
            api.put(f"/events/{event.id}/sheets/{code}", json={"scores": FULL, "version": sheet["version"]})
            api.post(f"/events/{event.id}/sheets/{code}/submit")
    upload(api_as(drawn["organizer"]), event.id, theory_file([(code, 60 + i * 5) for i, code in enumerate(all_codes(event.id))]))
    assert api_as(drawn["chief"]).post(f"/events/{event.id}/lock").status_code == 200

    page.goto(f"{live_server}/login")
    page.fill("#username", drawn["organizer"].username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/manage/competitions")  # signed in (an organizer lands on their competitions)
    page.goto(f"{live_server}/manage/competitions/{comp.id}/results")
    assert "暂定" in page.inner_text("main")
    page.goto(f"{live_server}/manage/competitions/{comp.id}")
    page.once("dialog", lambda d: d.accept())
    page.click("text=转为：公示中")
    page.wait_for_selector("text=竞赛当前状态：公示中")
    assert db.session.scalar(select(Result).where(Result.rank == 1)) is not None

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server}/results/{comp.id}")
    text = public.inner_text("main")
    assert "一等奖" in text and "*" in text
    assert not any(r.person.name in text for r in drawn["entries"])

    page.once("dialog", lambda d: d.accept())
    page.fill("input[name=reason]", "公示期满，无申诉")
    page.click("text=转为：已定榜")
    page.wait_for_selector("text=竞赛当前状态：已定榜")
    db.session.expire_all()
    assert all(r.is_final for r in db.session.scalars(select(Result)))
    page.goto(f"{live_server}/manage/competitions/{comp.id}/results")
    assert "已定榜" in page.inner_text("main")
    page.screenshot(path="instance/e2e-results.png", full_page=True)
