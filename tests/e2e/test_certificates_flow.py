"""An organizer prints every certificate in the browser and watches the progress bar; a visitor
verifies one by typing its code."""
import pytest
from sqlalchemy import select

from app.certificates.models import Certificate
from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_batch_printing_shows_progress_and_offers_the_files(live_server, page, browser, final):  # noqa: F811
    page.goto(f"{live_server}/login")
    page.fill("#username", final["organizer"].username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/manage/competitions/{final['comp'].id}/certificates")
    assert "已颁发证书" in page.inner_text("main") or "证书" in page.inner_text("main")
    page.click("text=打印全部证书")
    page.wait_for_selector("progress")
    stem = f"certificates-c{final['comp'].id}-"
    page.wait_for_selector(f"a:has-text('{stem}')", timeout=60_000)
    text = page.inner_text("main")
    assert "4 / 4" in text and "-print-01.pdf" in text
    with page.expect_download() as download:
        page.click("a:has-text('.zip')")
    name = download.value.suggested_filename
    assert name.startswith(stem) and name.endswith(".zip")

    cert = db.session.scalar(select(Certificate).order_by(Certificate.seq))
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server}/verify")
    visitor.fill("#code", "-".join(cert.code[i:i + 4] for i in range(0, 21, 4)).lower())
    visitor.click("main button[type=submit]")
    visitor.wait_for_selector(".verify-result")
    shown = visitor.inner_text("main")
    assert "真实有效" in shown and cert.serial in shown and cert.name not in shown
