"""A judge scores 20 sheets on a phone while the network comes and goes (issue 16): the service
worker serves the pages, every typed value is kept in IndexedDB through reloads, Back (with and
without the browser's back-forward cache), closed tabs and an expired session, and the queue
reaches the server exactly once per operation even when answers are lost on the way. Seeded: the
same choices every run (only the timing differs, and nothing here depends on it)."""
import io
import random
import time
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.accounts.models import ApiToken, IdempotencyKey
from app.audit.models import AuditEvent
from app.competitions import operations as comps
from app.extensions import db
from app.judging import operations as jops
from app.judging.models import Sheet, SheetPhoto
from app.models_base import utcnow
from app.registration import operations as regs
from app.registration.models import Registration
from tests.conftest import PASSWORD, event_payload
from tests.scenarios import person

pytestmark = pytest.mark.e2e

# Generous: the machine running the suite may be busy; a passing run never waits for these.
WAIT = 60

SCHEME = {"aggregation": "mean", "min_judges": 1, "components": [{"key": "practical", "name": "实操", "weight": "1",
          "criteria": [
              {"key": "P1", "name": "工艺", "max_score": "30", "kind": "judgement", "scale": "wsi3",
               "descriptors": ["未达标", "达标", "良好", "优秀"]},
              {"key": "P2", "name": "尺寸", "max_score": "20", "kind": "measurement", "step": "0.25"},
              {"key": "P3", "name": "安全", "max_score": "10", "kind": "judgement", "step": "0.5"}]}]}


@pytest.fixture
def twenty(make_user, make_org, make_competition):
    """One judge with 20 drawn sheets of an event in judging, and the event's chief judge."""
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
    chief = make_user("chief_judge", organization=school, username="chief_phone", name="扎西")
    jops.add_panel_member(event, judge, "judge", organizer)
    jops.add_panel_member(event, chief, "chief_judge", organizer)
    jops.draw_codes(event, "offline", organizer)
    comps.change_status(comp, "judging", organizer)
    db.session.commit()
    event.chief = chief
    return event, judge


DRAFT_JS = """([id]) => new Promise((resolve) => {
  const r = indexedDB.open("jiangxuan", 1);
  r.onsuccess = () => { const g = r.result.transaction("drafts").objectStore("drafts").get(id);
    g.onsuccess = () => { resolve(g.result ? g.result.values : null); r.result.close(); }; };
  r.onerror = () => resolve(null);
})"""


def wait_js(page, expression: str, timeout: float = WAIT):
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


def _type(page, values, between=None):
    page.click(f"label.point:has(input[name=score_P1][value='{values['P1']}'])")
    page.fill("input[name=score_P2]", values["P2"])
    if between:
        between()
    page.fill("input[name=score_P3]", values["P3"])


def _click_and_queue(page, selector, n):
    """Click Save or Submit and wait until its n operations are in the outbox."""
    before = int(page.evaluate("Number(document.body.dataset.queued || 0)"))
    page.click(selector)
    wait_js(page, f"Number(document.body.dataset.queued || 0) >= {before + n}")


def _kept(page, draft_id, values):
    """Wait until IndexedDB holds exactly the typed values (what the page says as 'kept')."""
    want = {k: _canon(v) for k, v in values.items()}
    deadline = time.monotonic() + WAIT
    got = None
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


def _phone(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, service_workers="allow")
    ctx.set_default_timeout(WAIT * 1000)
    return ctx


def _new_page(ctx):
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())  # "Submit the sheet?": yes
    return page


def _sign_in(page, user):
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def _stored(sheet) -> dict:
    return {k: (format(v.normalize(), "f") if v is not None else None) for k, v in sheet.values().items()}


def _count(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.parametrize("bfcache", [False, pytest.param(True, marks=pytest.mark.browser_variant)],
                         ids=["back-reloads", "back-from-bfcache"])
def test_twenty_sheets_through_network_loss_reloads_and_back(live_server, browser, bfcache_browser, twenty, bfcache):
    event, judge = twenty
    rng = random.Random(1616 + bfcache)       # the test's choices: the same every run
    lose = random.Random(16)                    # which answers are lost (drawn as requests come)
    ctx = _phone(bfcache_browser if bfcache else browser)
    offline = False
    lost = []

    def api(route):
        # The network's state as the test set it; some answers are lost after the server applied
        # the request (the phone never hears back and sends it again, with the same key).
        if offline:
            return route.abort("internetdisconnected")
        if lose.random() < 0.2:
            route.fetch()
            lost.append(route.request.url)
            return route.abort("connectionreset")
        return route.continue_()
    ctx.route("**/api/v1/events/*/sheets/**", api)

    def flip():
        nonlocal offline
        offline = not offline
        ctx.set_offline(offline)
        if offline:   # the banner says so at once
            wait_js(page, "!document.getElementById('jx-banner') || document.body.dataset.net === 'offline'")

    page = _new_page(ctx)
    page.goto(f"{live_server}/login")
    _sign_in(page, judge)
    page.wait_for_url(f"{live_server}/judge")        # a judge lands on their tasks …
    codes = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))
    assert len(codes) == 20
    # … which has the worker keep the event's list and all 20 sheet pages for offline use.
    wait_js(page, "caches.open('jx-pages').then(c => c.keys()).then(k => k.length >= 22)")
    event_url = f"{live_server}/judge/events/{event.id}"

    typed, submitted, saves, submits, from_memory = {}, set(), 0, 0, 0
    for code in codes:
        draft_id = f"{judge.id}:{event.id}:{code}"
        if rng.random() < 0.1:                        # the tab is closed; a new one opens the list
            page.close()
            page = _new_page(ctx)
            page.goto(event_url)
        if rng.random() < 0.35:
            flip()
        page.goto(f"{event_url}/sheets/{code}")
        wait_js(page, "document.body.dataset.ready === '1'")
        values = _values(rng)
        _type(page, values, between=flip if rng.random() < 0.15 else None)
        typed[code] = values
        _kept(page, draft_id, values)
        if rng.random() < 0.3:
            if rng.random() < 0.5:
                flip()
            page.reload()
            assert _on_screen(page) == values, (code, "after reload")
        if rng.random() < 0.35:
            page.evaluate("window.jxMark = 1")        # still there after Back and Forward: from memory
            # (A page from the back-forward cache fires no load events: wait for the address.)
            sheet_path = f"/judge/events/{event.id}/sheets/{code}"
            page.go_back(wait_until="commit")
            wait_js(page, f"location.pathname !== '{sheet_path}' && document.readyState === 'complete'")
            if rng.random() < 0.5:
                flip()
            page.go_forward(wait_until="commit")
            wait_js(page, f"location.pathname === '{sheet_path}' && document.readyState === 'complete'")
            from_memory += page.evaluate("window.jxMark === 1")
            assert _on_screen(page) == values, (code, "after Back and Forward")
        if rng.random() < 0.5:
            _click_and_queue(page, "button[value=submit]", 2)
            submitted.add(code)
            submits += 1
            saves += 1
        else:
            _click_and_queue(page, "button[value=save]", 1)
            saves += 1
            if rng.random() < 0.3:                    # the network goes while the save is on its way
                flip()
            if rng.random() < 0.3:                    # a second change to a saved draft
                values = {**values, "P2": str(Decimal(rng.randint(0, 80)) / 4)}
                page.fill("input[name=score_P2]", values["P2"])
                typed[code] = values
                _kept(page, draft_id, values)
                _click_and_queue(page, "button[value=save]", 1)
                saves += 1
        if rng.random() < 0.2 and page.query_selector("#jx-next"):  # on to the next contestant, mid-send
            page.click("#jx-next")                    # (shown once the sheet is queued)
            page.wait_for_load_state()

    offline = False
    ctx.set_offline(False)
    page.goto(event_url)
    wait_js(page, "document.body.dataset.net === 'synced' && document.body.dataset.pending === '0'")
    assert page.inner_text("#jx-banner") == "所有修改均已发送。"
    ctx.close()

    print("LOST", len(lost), "FROM MEMORY", from_memory)
    assert lost, "no answer was lost on the way: the retries were not exercised"
    if bfcache:
        assert from_memory > 0, "Back never came from the back-forward cache"
    else:
        assert from_memory == 0
    db.session.expire_all()
    sheets = {s.registration.code: s for s in db.session.scalars(select(Sheet).where(Sheet.event_id == event.id))}
    for code, values in typed.items():
        assert _stored(sheets[code]) == {k: _canon(v) for k, v in values.items()}, code
        assert sheets[code].status == ("submitted" if code in submitted else "draft"), code
    # One audit record per operation: nothing applied twice, nothing lost.
    assert _count("sheet.save") == saves
    assert _count("sheet.submit") == submits
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == saves + submits


def test_conflict_shows_both_values_and_sign_in_again_keeps_the_queue(live_server, browser, twenty, api_as):
    event, judge = twenty
    ctx = _phone(browser)
    page = _new_page(ctx)
    page.goto(f"{live_server}/login")
    _sign_in(page, judge)
    page.wait_for_url(f"{live_server}/judge")
    code = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))[0]
    sheet_url = f"{live_server}/judge/events/{event.id}/sheets/{code}"
    page.goto(sheet_url)
    wait_js(page, "document.body.dataset.ready === '1' && document.body.dataset.net === 'synced'")
    # Offline, the judge saves and submits 3 · 12.5 · 8; meanwhile the sheet is saved from another device.
    ctx.set_offline(True)
    wait_js(page, "document.body.dataset.net === 'offline'")
    assert "离线" in page.inner_text("#jx-banner")
    mine = {"P1": "3", "P2": "12.5", "P3": "8"}
    _type(page, mine)
    _kept(page, f"{judge.id}:{event.id}:{code}", mine)
    assert "1 张评分表" in page.inner_text("#jx-banner")     # offline, 1 sheet's changes kept here
    _click_and_queue(page, "button[value=submit]", 2)
    api = api_as(judge)
    other = {s["code"]: s for s in api.get(f"/events/{event.id}/sheets").get_json()["items"]}[code]
    assert api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "1", "P2": "4"},
                                                             "version": other["version"]}).status_code == 200
    ctx.set_offline(False)
    page.wait_for_selector("#jx-conflict:not([hidden])")
    rows = page.eval_on_selector_all("#jx-conflict tbody tr", "trs => trs.map(tr => [...tr.children].map(c => c.textContent))")
    assert rows == [["P1 工艺", "3", "1"], ["P2 尺寸", "12.5", "4"], ["P3 安全", "8", "—"]]  # mine | on the server
    assert _on_screen(page) == mine                  # nothing typed thrown away
    assert page.is_enabled("button[value=submit]")   # not submitted: the judge submits again after choosing
    assert _count("sheet.submit") == 0
    page.click("#jx-keep-mine")
    wait_js(page, "document.body.dataset.net === 'synced'")
    db.session.expire_all()
    sheet = db.session.scalar(select(Sheet).where(Sheet.judge_id == judge.id, Sheet.registration.has(code=code)))
    assert _stored(sheet) == mine and sheet.status == "draft"

    # The session expires, and the device token with it: the queue stays on the phone.
    for row in db.session.scalars(select(ApiToken).where(ApiToken.scope == "sheets")):
        row.revoked_at = utcnow()
    db.session.commit()
    ctx.clear_cookies()
    page.fill("input[name=score_P2]", "19.75")
    _click_and_queue(page, "button[value=save]", 1)
    wait_js(page, "document.body.dataset.net === 'signin'")
    assert page.is_visible("#jx-banner a[href*='/login']")
    page.fill("input[name=score_P3]", "9.5")         # typed while signed out: kept on the phone
    _kept(page, f"{judge.id}:{event.id}:{code}", {**mine, "P2": "19.75", "P3": "9.5"})
    page.reload()                                    # the sign-in page, served by the server
    page.wait_for_selector("#username")
    _sign_in(page, judge)
    page.wait_for_url(sheet_url)                     # back to the sheet, the queue sent
    wait_js(page, "document.body.dataset.net === 'pending' && document.body.dataset.pending === '0'")
    assert _on_screen(page) == {**mine, "P2": "19.75", "P3": "9.5"}
    db.session.expire_all()
    assert _stored(db.session.get(Sheet, sheet.id))["P2"] == "19.75"   # the queued save
    _click_and_queue(page, "button[value=submit]", 2)
    wait_js(page, "document.body.dataset.net === 'synced'")
    db.session.expire_all()
    assert _stored(db.session.get(Sheet, sheet.id)) == {**mine, "P2": "19.75", "P3": "9.5"}
    assert db.session.get(Sheet, sheet.id).status == "submitted"
    ctx.close()


def test_a_closed_tab_keeps_typing_and_its_queue_goes_from_the_tasks_page(live_server, browser, twenty):
    event, judge = twenty
    ctx = _phone(browser)
    page = _new_page(ctx)
    page.goto(f"{live_server}/login")
    _sign_in(page, judge)
    page.wait_for_url(f"{live_server}/judge")
    wait_js(page, "caches.open('jx-pages').then(c => c.keys()).then(k => k.length >= 22)")
    codes = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))
    ctx.set_offline(True)
    # Typed, never saved, and the tab closed: the next tab shows the values.
    page.goto(f"{live_server}/judge/events/{event.id}/sheets/{codes[3]}")   # never opened before: kept
    wait_js(page, "document.body.dataset.ready === '1'")
    typed = {"P1": "2", "P2": "7.75", "P3": "4.5"}
    _type(page, typed)
    _kept(page, f"{judge.id}:{event.id}:{codes[3]}", typed)
    page.close()
    page = _new_page(ctx)
    page.goto(f"{live_server}/judge/events/{event.id}/sheets/{codes[3]}")
    assert _on_screen(page) == typed
    _click_and_queue(page, "button[value=save]", 1)
    page.goto(f"{live_server}/judge/events/{event.id}")               # the list marks it as kept here
    wait_js(page, f"document.querySelector(\"a.sheet-link[data-code='{codes[3]}']\").classList.contains('has-local')")
    assert page.eval_on_selector_all("a.sheet-link.has-local", "els => els.map(e => e.dataset.code)") == [codes[3]]
    alerts = []
    page.on("dialog", lambda d: alerts.append(d.message))
    page.click("[data-toggle-nav]")
    page.click("form[action$='/logout'] button")                           # not while a sheet is unsent
    page.wait_for_timeout(300)
    assert alerts and "尚未发送" in alerts[0] and page.url.endswith(f"/judge/events/{event.id}")
    page.close()
    # Back online, the judge opens only the tasks page: it sends the queue of every event.
    ctx.set_offline(False)
    page = _new_page(ctx)
    page.goto(f"{live_server}/judge")
    wait_js(page, "document.body.dataset.net === 'synced' && document.body.dataset.pending === '0'")
    db.session.expire_all()
    sheet = db.session.scalar(select(Sheet).where(Sheet.judge_id == judge.id, Sheet.registration.has(code=codes[3])))
    assert _stored(sheet) == {k: _canon(v) for k, v in typed.items()}
    assert _count("sheet.save") == 1
    # Everything sent: signing out is allowed, and the pages kept on the phone go with it.
    page.click("[data-toggle-nav]")
    page.click("form[action$='/logout'] button")
    page.wait_for_url(f"{live_server}/")
    assert page.evaluate("caches.has('jx-pages')") is False
    ctx.close()


def _jpeg_from_lhasa() -> bytes:
    img = Image.new("RGB", (800, 600), (150, 60, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (29.0, 39.0, 0.0), 3: "E", 4: (91.0, 7.0, 0.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_taken_offline_is_sent_later_without_its_location(live_server, browser, twenty, login):
    event, judge = twenty
    ctx = _phone(browser)
    page = _new_page(ctx)
    page.goto(f"{live_server}/login")
    _sign_in(page, judge)
    page.wait_for_url(f"{live_server}/judge")
    wait_js(page, "caches.open('jx-pages').then(c => c.keys()).then(k => k.length >= 22)")
    code = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))[0]
    page.goto(f"{live_server}/judge/events/{event.id}/sheets/{code}")
    wait_js(page, "document.body.dataset.ready === '1'")
    page.click("fieldset[data-key=P1] details.photos summary")
    # Judges are reminded what not to photograph.
    assert "不要拍人脸、胸牌" in page.inner_text("fieldset[data-key=P1] details.photos")
    ctx.set_offline(True)
    before = int(page.evaluate("Number(document.body.dataset.queued || 0)"))
    page.set_input_files("fieldset[data-key=P1] input[type=file]",
                         files=[{"name": "work.jpg", "mimeType": "image/jpeg", "buffer": _jpeg_from_lhasa()}])
    wait_js(page, f"Number(document.body.dataset.queued || 0) >= {before + 1}")
    page.wait_for_selector("fieldset[data-key=P1] li.photo-queued", state="visible")
    page.reload()                                    # still queued, still shown as waiting
    page.wait_for_selector("fieldset[data-key=P1] li.photo-queued", state="visible")
    assert db.session.scalar(select(func.count()).select_from(SheetPhoto)) == 0
    ctx.set_offline(False)
    wait_js(page, "document.body.dataset.net === 'synced' && document.body.dataset.pending === '0'")
    ctx.close()
    db.session.expire_all()
    photo = db.session.scalar(select(SheetPhoto))
    assert photo.criterion_key == "P1"
    kept = Image.open(io.BytesIO(photo.data))
    assert kept.format == "JPEG" and not kept.getexif() and "exif" not in kept.info
    assert _count("sheet.photo") == 1
    # The chief judge sees it with the entry's code; the photo is served to the chief judge.
    chief = login(event.chief)
    overview = chief.get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert f"/judge/photos/{photo.id}" in overview
    assert chief.get(f"/judge/photos/{photo.id}").status_code == 200


def test_a_sheet_submitted_elsewhere_keeps_the_phones_values_until_the_judge_removes_them(
        live_server, browser, twenty, api_as):
    event, judge = twenty
    ctx = _phone(browser)
    page = _new_page(ctx)
    page.goto(f"{live_server}/login")
    _sign_in(page, judge)
    page.wait_for_url(f"{live_server}/judge")
    code = sorted(db.session.scalars(select(Registration.code).where(Registration.event_id == event.id)))[1]
    page.goto(f"{live_server}/judge/events/{event.id}/sheets/{code}")
    wait_js(page, "document.body.dataset.ready === '1'")
    assert not page.is_visible("#jx-readonly") and not page.is_visible("#jx-conflict")
    ctx.set_offline(True)
    mine = {"P1": "1", "P2": "3.5", "P3": "2"}
    _type(page, mine)
    _click_and_queue(page, "button[value=save]", 1)
    # Meanwhile the sheet is filled and submitted from another device (or typed in from paper).
    api = api_as(judge)
    sheet = {s["code"]: s for s in api.get(f"/events/{event.id}/sheets").get_json()["items"]}[code]
    saved = api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "3", "P2": "20", "P3": "10"},
                                                               "version": sheet["version"]}).get_json()
    assert api.post(f"/events/{event.id}/sheets/{code}/submit", json={"version": saved["version"]}).status_code == 200
    ctx.set_offline(False)
    page.wait_for_selector("#jx-readonly:not([hidden])")
    assert "已提交" in page.inner_text("#jx-errors")
    assert _on_screen(page) == mine and not page.is_enabled("button[value=save]")   # shown, not lost
    assert page.evaluate("document.body.dataset.unsent") == "1"
    page.click("#jx-discard")
    wait_js(page, "document.body.dataset.ready === '1' && document.body.dataset.net === 'synced'")
    assert _on_screen(page) == {"P1": "3", "P2": "20", "P3": "10"}
    db.session.expire_all()
    assert _count("sheet.save") == 1 and _count("sheet.submit") == 1        # the phone's save was not applied
    ctx.close()
