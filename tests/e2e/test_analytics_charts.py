"""The HR department's statistics and an event's judge consistency in a real browser: the
server-drawn charts show (titles, axis names with units, bars in the brand colours) under the
app's Content-Security-Policy, and the lenient judge stands out on the event page."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.analytics.conftest import aworld  # noqa: F401  (the fixture)
from tests.conftest import PASSWORD

# The charts are drawn by the server and looked at in the browser; the figures behind them and the
# pages' data paths run on both databases (tests/analytics, through the test client).
pytestmark = [pytest.mark.e2e, pytest.mark.database_free]

BAR_RED = (0xA8, 0x20, 0x1A)
BAR_GOLD = (0xC9, 0xA1, 0x4A)


def _sign_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its own tasks


def _count(png: bytes, colour) -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for px in img.get_flattened_data() if all(abs(a - b) <= 12 for a, b in zip(px, colour)))


def test_statistics_charts_render_in_the_browser(live_server, page, aworld):  # noqa: F811
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, live_server, aworld["organizer"])
    page.goto(f"{live_server}/analytics/statistics?period=2025")
    charts = page.locator("svg.chart")
    assert charts.count() == 6
    first = charts.nth(0)
    assert "举办竞赛数（按级别）" in first.locator("title").text_content()
    texts = first.locator("text").all_text_contents()
    assert "竞赛数（项）" in texts and "级别" in texts  # axis names with the unit
    region = charts.nth(1)
    region_texts = region.locator("text").all_text_contents()
    assert "人次" in region_texts and "参赛人次" in region_texts and "获奖人次" in region_texts
    box = region.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    shot = region.screenshot()
    assert _count(shot, BAR_RED) > 200 and _count(shot, BAR_GOLD) > 100  # both series drawn
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    page.screenshot(path="instance/e2e-analytics-statistics.png", full_page=True)


def test_event_page_shows_the_lenient_judge(live_server, page, aworld):  # noqa: F811
    _sign_in(page, live_server, aworld["organizer"])
    event = aworld["q2"].events[0]
    page.goto(f"{live_server}/analytics/events/{event.id}")
    flagged = page.locator("#judges-table tr[data-status=discuss]")
    assert flagged.count() == 1 and "扎西" in flagged.inner_text() and "+2.00" in flagged.inner_text()
    assert "需沟通" in page.locator("ul.verdicts").first.inner_text()
    page.screenshot(path="instance/e2e-analytics-event.png", full_page=True)
