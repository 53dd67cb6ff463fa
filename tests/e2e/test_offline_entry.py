"""A judge scores 20 sheets on a phone while the network comes and goes (issue 16): the service
worker serves the pages, every typed value is kept in IndexedDB through reloads and Back, and
the queue reaches the server exactly once per operation. Seeded, so every run is the same."""
import random
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import IdempotencyKey
from app.audit.models import AuditEvent
from app.competitions import operations as comps
from app.extensions import db
from app.judging import operations as jops
from app.judging.models import Sheet
from app.registration import operations as regs
from app.registration.models import Registration
from tests.conftest import PASSWORD, event_payload
from tests.scenarios import person

pytestmark = pytest.mark.e2e

SCHEME = {"aggregation": "mean", "min_judges": 1, "components": [{"key": "practical", "name": "实操", "weight": "1",
          "criteria": [
              {"key": "P1", "name": "工艺", "max_score": "30", "kind": "judgement", "scale": "wsi3",
               "descriptors": ["未达标", "达标", "良好", "优秀"]},
              {"key": "P2", "name": "尺寸", "max_score": "20", "kind": "measurement", "step": "0.25"},
              {"key": "P3", "name": "安全", "max_score": "10", "kind": "judgement", "step": "0.5"}]}]}


@pytest.fixture
def twenty(make_user, make_org, make_competition):
    """One judge with 20 drawn sheets of an event in judging."""
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    company = make_org("西藏天路股份有限公司", kind="enterprise", region_code="540100")
    school = make_org("日喀则市职业技术学校", kind="college", region_code="540200")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    event = comps.create_event(comp, event_payload(name="唐卡", scheme=SCHEME, tiebreak=[], max_entrants=None),
                               organizer)
    comps.change_status(comp, "registration_open", organizer)
    for i in range(20):
        reg = regs.register(event, {"person": person("选手" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "一二"[i // 10]), "organization_id": company.id}, organizer,
                            "organizer")
        regs.review(reg, "approve", None, organizer)
    comps.change_status(comp, "registration_closed", organizer)
    judge = make_user("judge", organization=school, username="judge_phone", name="次仁")
    jops.add_panel_member(event, judge, "judge", organizer)
    jops.draw_codes(event, "offline", organizer)
    comps.change_status(comp, "judging", organizer)
    db.session.commit()
    return event, judge


DRAFT_JS = """([id]) => new Promise((resolve) => {
  const r = indexedDB.open("jiangxuan", 1);
  r.onsuccess = () => { const g = r.result.transaction("drafts").objectStore("drafts").get(id);
    g.onsuccess = () => { resolve(g.result ? g.result.values : null); r.result.close(); }; };
  r.onerror = () => resolve(null);
})"""


def wait_js(page, expression: str, timeout: float = 15):
    """Poll a JavaScript expression (page.wait_for_function evaluates strings with eval, which the
    app's Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression):
                return
        except Exception:  # navigating: the next poll sees the new page
            pass
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def _values(rng: random.Random) -> dict:
    return {"P1": str(rng.randint(0, 3)), "P2": str(Decimal(rng.randint(0, 80)) / 4),
            "P3": str(Decimal(rng.randint(0, 20)) / 2)}


def _canon(v: str) -> str:
    return format(Decimal(v).normalize(), "f")


def _type(page, values):
    page.click(f"label.point:has(input[name=score_P1][value='{values['P1']}'])")
    page.fill("input[name=score_P2]", values["P2"])
    page.fill("input[name=score_P3]", values["P3"])


def _click_and_queue(page, selector, n):
    """Click Save or Submit and wait until its n operations are in the outbox."""
    before = int(page.evaluate("Number(document.body.dataset.queued || 0)"))
    page.click(selector)
    wait_js(page, f"Number(document.body.dataset.queued || 0) >= {before + n}")


def _kept(page, draft_id, values):
    """Wait until IndexedDB holds exactly the typed values (what the page says as 'kept')."""
    want = {k: _canon(v) for k, v in values.items()}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        got = page.evaluate(DRAFT_JS, [draft_id])
        if got and {k: _canon(v) for k, v in got.items() if v is not None} == want:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"draft {draft_id} never held {values}: {got}")


def _on_screen(page) -> dict:
    wait_js(page, "document.body.dataset.ready === '1'")
    p1 = page.eval_on_selector_all("input[name=score_P1]", "els => (els.find(e => e.checked) || {}).value || null")
    return {"P1": p1, "P2": page.input_value("input[name=score_P2]"), "P3": page.input_value("input[name=score_P3]")}


def test_twenty_sheets_through_network_loss_reloads_and_back(live_server, browser, twenty):
    event, judge = twenty
    rng = random.Random(1616)
    started = time.monotonic()
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, service_workers="allow")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda d: d.accept())  # "Submit the sheet?": yes
    page.goto(f"{live_server}/login")
    page.fill("#username", judge.username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/judge")        # a judge lands on their tasks
    event_url = f"{live_server}/judge/events/{event.id}"
    page.goto(event_url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()                                     # now controlled: the list asks to keep the sheet pages
    wait_js(page, "navigator.serviceWorker.controller !== null")
    codes = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))
    assert len(codes) == 20
    wait_js(page, "caches.open('jx-pages').then(c => c.keys()).then(k => k.length >= 21)")

    typed, submitted, saves, submits = {}, set(), 0, 0
    offline = False

    def flip():
        nonlocal offline
        offline = not offline
        ctx.set_offline(offline)

    for i, code in enumerate(codes):
        draft_id = f"{judge.id}:{event.id}:{code}"
        if rng.random() < 0.35:
            flip()
        page.goto(f"{event_url}/sheets/{code}")
        wait_js(page, "document.body.dataset.ready === '1'")
        values = _values(rng)
        _type(page, values)
        typed[code] = values
        _kept(page, draft_id, values)
        if rng.random() < 0.3:
            if rng.random() < 0.5:
                flip()
            page.reload()
            assert _on_screen(page) == values, (code, "after reload")
        if rng.random() < 0.25:
            page.go_back()
            page.wait_for_load_state()
            if rng.random() < 0.5:
                flip()
            page.go_forward()
            page.wait_for_load_state()
            assert _on_screen(page) == values, (code, "after Back and forward")
        if rng.random() < 0.5:
            _click_and_queue(page, "button[value=submit]", 2)
            submitted.add(code)
            submits += 1
            saves += 1
        else:
            _click_and_queue(page, "button[value=save]", 1)
            saves += 1
            if rng.random() < 0.3:                   # a second change to a saved draft
                values = {**values, "P2": str(Decimal(rng.randint(0, 80)) / 4)}
                page.fill("input[name=score_P2]", values["P2"])
                typed[code] = values
                _kept(page, draft_id, values)
                _click_and_queue(page, "button[value=save]", 1)
                saves += 1
        if rng.random() < 0.2 and page.is_visible("#jx-next"):  # on to the next contestant, mid-send
            page.click("#jx-next")
            page.wait_for_load_state()

    ctx.set_offline(False)
    page.goto(event_url)
    wait_js(page, "document.body.dataset.net === 'synced' && document.body.dataset.pending === '0'", timeout=30)
    ctx.close()

    db.session.expire_all()
    sheets = {s.registration.code: s for s in db.session.scalars(select(Sheet).where(Sheet.event_id == event.id))}
    for code, values in typed.items():
        stored = {k: (format(v.normalize(), "f") if v is not None else None) for k, v in sheets[code].values().items()}
        assert stored == {k: _canon(v) for k, v in values.items()}, code
        assert sheets[code].status == ("submitted" if code in submitted else "draft"), code
    count = lambda action: db.session.scalar(select(func.count()).select_from(AuditEvent)  # noqa: E731
                                             .where(AuditEvent.action == action))
    # One audit record per operation: nothing applied twice, nothing lost.
    assert count("sheet.save") == saves
    assert count("sheet.submit") == submits
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == saves + submits
    assert time.monotonic() - started < 90


def test_conflict_shows_both_values_and_sign_in_again_keeps_the_queue(live_server, browser, twenty, api_as):
    event, judge = twenty
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, service_workers="allow")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda d: d.accept())

    def sign_in():
        page.fill("#username", judge.username)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")

    page.goto(f"{live_server}/login")
    sign_in()
    page.wait_for_url(f"{live_server}/judge")
    code = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))[0]
    sheet_url = f"{live_server}/judge/events/{event.id}/sheets/{code}"
    page.goto(sheet_url)
    wait_js(page, "document.body.dataset.ready === '1' && document.body.dataset.net === 'synced'")
    # Offline, the judge saves 3 · 12.5 · 8; meanwhile the same sheet is saved from another device.
    ctx.set_offline(True)
    mine = {"P1": "3", "P2": "12.5", "P3": "8"}
    _type(page, mine)
    _kept(page, f"{judge.id}:{event.id}:{code}", mine)
    _click_and_queue(page, "button[value=save]", 1)
    api = api_as(judge)
    other = {s["code"]: s for s in api.get(f"/events/{event.id}/sheets").get_json()["items"]}[code]
    assert api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "1", "P2": "4"},
                                                             "version": other["version"]}).status_code == 200
    ctx.set_offline(False)
    page.wait_for_selector("#jx-conflict:not([hidden])")
    table = page.inner_text("#jx-conflict table")
    assert "12.5" in table and "4" in table          # mine and the server's, side by side
    assert _on_screen(page) == mine                  # nothing typed thrown away
    page.click("#jx-keep-mine")
    wait_js(page, "document.body.dataset.net === 'synced'")
    db.session.expire_all()
    sheet = db.session.scalar(select(Sheet).where(Sheet.judge_id == judge.id, Sheet.registration.has(code=code)))
    assert {k: format(v.normalize(), "f") for k, v in sheet.values().items()} == mine

    # The session expires and the device token with it: the queue stays on the phone.
    from app.accounts.models import ApiToken
    from app.models_base import utcnow
    for row in db.session.scalars(select(ApiToken).where(ApiToken.scope == "sheets")):
        row.revoked_at = utcnow()
    db.session.commit()
    ctx.clear_cookies()
    page.fill("input[name=score_P2]", "19.75")
    _click_and_queue(page, "button[value=save]", 1)
    wait_js(page, "document.body.dataset.net === 'signin'")
    page.reload()                                    # the sign-in page, served by the server
    page.wait_for_selector("#username")
    sign_in()
    page.wait_for_url(sheet_url)                     # back to the sheet, the queue sent
    wait_js(page, "document.body.dataset.net === 'synced' && document.body.dataset.pending === '0'")
    assert _on_screen(page)["P2"] == "19.75"
    db.session.expire_all()
    assert format(db.session.get(Sheet, sheet.id).values()["P2"].normalize(), "f") == "19.75"
    ctx.close()
