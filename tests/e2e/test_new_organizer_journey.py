"""A new organizer from creation to certificates, in the browser only (issue 23, "done when"): the
accounts are made by operations (an administrator's job); everything else is clicked — the
competition and its event with a scoring scheme, opening registration, two contestants entered by
hand and approved, the panel, the draw, a judge's score sheets, the chief judge's lock, publicity
(the ranks), final, the certificates and one certificate downloaded. Forms are found by what they
do (their action), not by wording, so that the test reads the same in any language."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.certificates.models import Certificate
from app.competitions.models import Competition, Event
from app.extensions import db
from app.registration.models import Registration
from tests.conftest import CN_TZ, PASSWORD
from tests.scenarios import resident_id

pytestmark = pytest.mark.e2e


def _sign_in(browser, base, username, **context):
    ctx = browser.new_context(locale="zh-CN", **context)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, username
    return page


def _submitted(page, leaving: str):
    """Wait until the page left `leaving` (a form accepted); else fail with the form's messages."""
    try:
        page.wait_for_url(lambda url: leaving not in url, timeout=10_000)
    except Exception:  # noqa: BLE001 - the messages say more than the timeout
        errors = page.locator(".error, .flash").all_inner_texts()
        pytest.fail(f"the form at {page.url} was refused: {errors}")


def _move(page, base, comp_id, target, reason=None):
    """The competition page's life-cycle button for `target` (a confirm dialog first)."""
    page.goto(f"{base}/manage/competitions/{comp_id}")
    form = page.locator(f"form:has(input[name=status][value={target}])")
    if reason:
        form.locator("input[name=reason]").fill(reason)
    page.once("dialog", lambda d: d.accept())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    db.session.expire_all()
    assert db.session.get(Competition, comp_id).status == target, page.inner_text("main")[:600]


def test_a_new_organizer_runs_a_competition_from_creation_to_certificates(live_server, browser, make_user,
                                                                         make_org):
    base = live_server
    host = make_org("拉萨市人力资源和社会保障局", kind="government", region_code="540100")
    company = make_org("拉萨城投建设有限公司", kind="enterprise", region_code="540100")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    organizer = make_user("organizer", organization=host, username="new_organizer", name="央金")
    judge = make_user("judge", organization=college, username="judge_a", name="扎西")
    chief = make_user("chief_judge", organization=college, username="chief_a", name="格桑")

    # 1. The competition and its event, through the forms.
    page = _sign_in(browser, base, organizer.username)
    page.goto(f"{base}/manage/competitions/new")
    now = datetime.now(CN_TZ)
    page.fill("#name", "拉萨市电工技能竞赛")
    page.fill("#year", str(now.year))
    page.select_option("#level", "municipal")
    page.select_option("#kind", "skills")
    page.select_option("#jurisdiction", "CN-XZ")
    page.fill("#registration_opens_at", (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#registration_closes_at", (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#starts_on", (now + timedelta(days=20)).date().isoformat())
    page.fill("#ends_on", (now + timedelta(days=21)).date().isoformat())
    page.fill("#publicity_days", "0")
    page.click("main form button[type=submit]")
    _submitted(page, "/new")
    comp = db.session.scalar(select(Competition))
    assert comp is not None and comp.host_organization_id == host.id

    page.goto(f"{base}/manage/competitions/{comp.id}/events/new")
    page.fill("#name", "电工")
    page.select_option("#track", "staff")
    page.fill("#min_judges", "1")
    # Both components scored on the judges' sheets: theory (its criterion is on the form already)
    # and practical, one measured criterion.
    page.select_option("#components-0-entry", "judges")
    page.select_option("#criteria-1-component", "1")
    page.fill("#criteria-1-name", "线路安装")
    page.fill("#criteria-1-max_score", "100")
    page.select_option("#criteria-1-kind", "measurement")
    page.fill("#share_first", "0.50")
    page.fill("#share_second", "0.50")
    page.fill("#share_third", "0")
    page.locator("form:has(#criteria-0-name) button[type=submit]").last.click()
    _submitted(page, "/events/new")
    event = db.session.scalar(select(Event))
    assert event is not None, page.inner_text("main")[:800]
    assert [c["entry"] for c in event.scheme["components"]] == ["judges", "judges"], event.scheme

    # 2. Registration opens; the organizer enters two contestants by hand and approves them.
    _move(page, base, comp.id, "registration_open")
    for name in ("次仁多吉", "拉巴卓嘎"):
        page.goto(f"{base}/manage/events/{event.id}/register")
        page.fill("#name", name)
        page.fill("#id_number", resident_id())
        page.select_option("#organization_id", str(company.id))
        page.locator("form:has(#id_number) button[type=submit]").last.click()
        _submitted(page, "/register")
    page.goto(f"{base}/manage/competitions/{comp.id}/registrations")
    assert "次仁多吉" in page.inner_text("main") and "拉巴卓嘎" in page.inner_text("main")
    page.check("[data-check-all]")
    page.select_option("#decision", "approve")
    page.click("form[data-bulk] button[type=submit]")
    page.wait_for_selector(".bulk-confirm")
    page.click(".bulk-confirm button[type=submit]")
    page.wait_for_load_state()
    db.session.expire_all()
    assert set(db.session.scalars(select(Registration.status))) == {"approved"}

    # 3. Registration closes; the panel (a judge, a chief judge); the draw; judging starts.
    _move(page, base, comp.id, "registration_closed")
    page.goto(f"{base}/manage/events/{event.id}/judging")
    for user, role in ((judge, "judge"), (chief, "chief_judge")):
        panel = page.locator(f"form[action$='/manage/events/{event.id}/panel']")
        panel.locator("select[name=user_id]").select_option(str(user.id))
        panel.locator("select[name=role]").select_option(role)
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
    draw = page.locator(f"form[action$='/manage/events/{event.id}/draw']")
    page.once("dialog", lambda d: d.accept())
    draw.locator("button[value=codes]").click()
    page.wait_for_load_state()
    db.session.expire_all()
    codes = sorted(db.session.scalars(select(Registration.code)))
    assert all(codes), "no codes drawn"
    _move(page, base, comp.id, "judging")

    # 4. The judge scores both entries (the plain form, without scripts), and submits.
    judge_page = _sign_in(browser, base, judge.username, java_script_enabled=False,
                          viewport={"width": 390, "height": 844})
    for n, code in enumerate(codes):
        judge_page.goto(f"{base}/judge/events/{event.id}/sheets/{code}")
        for box in judge_page.locator("input[name^=score_]").all():
            box.fill(str(90 - 10 * n))
        judge_page.locator("button[name=action][value=submit], button[value=submit]").first.click()
        judge_page.wait_for_load_state()
    judge_page.context.close()

    # 5. The chief judge locks the event.
    chief_page = _sign_in(browser, base, chief.username)
    chief_page.goto(f"{base}/judge/events/{event.id}")
    chief_page.once("dialog", lambda d: d.accept())
    chief_page.locator(f"form[action$='/judge/events/{event.id}/lock'] button[type=submit]").click()
    chief_page.wait_for_load_state()
    db.session.expire_all()
    assert db.session.get(Event, event.id).locked_at is not None, chief_page.inner_text("main")[:800]
    chief_page.context.close()

    # 6. Publicity (the ranks are computed and shown), then final: the certificates are issued.
    _move(page, base, comp.id, "publicity")
    page.goto(f"{base}/manage/competitions/{comp.id}/results")
    assert "次仁多吉" in page.inner_text("main") or "拉巴卓嘎" in page.inner_text("main")
    _move(page, base, comp.id, "final", reason="公示期满，无异议")
    certs = db.session.scalars(select(Certificate)).all()
    assert sorted(c.award for c in certs) == ["first", "second"], certs

    # 7. One certificate downloaded from the certificates page.
    page.goto(f"{base}/manage/competitions/{comp.id}/certificates")
    link = page.locator("a[href^='/manage/certificates/'][href$='.pdf']").first
    # The link opens the PDF (shown inline by a desktop browser): fetched here with the page's session.
    answer = page.request.get(base + link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/pdf")
    assert answer.body()[:5] == b"%PDF-"
    page.context.close()
