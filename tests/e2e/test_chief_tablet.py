"""The chief judge's pages on a tablet (issue 23): at 768×1024 (portrait) and 1024×768 (landscape)
no page of the chief judge scrolls sideways, and the score-sheet matrix scrolls inside its own box
with its header row and its code column held in place (sticky). Screenshots go with the layout
walk's (instance/screenshots/, LAYOUT_SCREENSHOTS overrides it)."""
from __future__ import annotations

import re

import pytest

from app.demo import load_demo
from tests.e2e.test_layout_fits import OVERFLOW_JS, SHOTS, _pages, _sign_in

# Layout at tablet sizes: the pages' data paths run on both databases in the integration tests.
pytestmark = [pytest.mark.e2e, pytest.mark.database_free]

TABLETS = {"tablet_portrait": {"width": 768, "height": 1024}, "tablet_landscape": {"width": 1024, "height": 768}}

# Where the matrix's first code cell and first header cell sit before and after its box is
# scrolled right and down: sticky cells stay at the box's edges.
STICKY_JS = """() => {
  const wrap = document.querySelector('.matrix-wrap');
  if (!wrap) return null;
  // The demo panel is small: narrow and shorten the box as a panel of many judges and entries would
  // overflow it, so that both scrolls are exercised.
  const table = wrap.querySelector('table');
  if (wrap.scrollWidth <= wrap.clientWidth) wrap.style.width = Math.floor(table.scrollWidth * 0.6) + 'px';
  if (wrap.scrollHeight <= wrap.clientHeight) wrap.style.maxHeight = Math.floor(table.scrollHeight * 0.6) + 'px';
  const cell = wrap.querySelector('tbody tr:first-child td:first-child');
  const head = wrap.querySelector('thead th:last-child');
  const before = {left: cell.getBoundingClientRect().left, top: head.getBoundingClientRect().top};
  wrap.scrollLeft = wrap.scrollWidth; wrap.scrollTop = wrap.scrollHeight;
  const after = {left: cell.getBoundingClientRect().left, top: head.getBoundingClientRect().top};
  const box = wrap.getBoundingClientRect();
  const out = {before, after, box: {left: box.left, top: box.top, right: box.right},
               scrolledX: wrap.scrollLeft, scrolledY: wrap.scrollTop,
               firstSticky: getComputedStyle(cell).position, headSticky: getComputedStyle(head).position};
  wrap.scrollLeft = 0; wrap.scrollTop = 0; wrap.style.width = ''; wrap.style.maxHeight = '';
  return out;
}"""


def test_the_chief_judges_pages_fit_a_tablet_and_the_matrix_scrolls_in_its_box(app, browser, live_server):
    load_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(locale="zh-CN", viewport=TABLETS["tablet_landscape"], has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, live_server, "chief")
    paths = _pages(page, live_server, set())
    assert any(re.fullmatch(r"/judge/events/\d+", p.split("?")[0]) for p in paths), paths
    failures, matrices = [], 0
    for name, viewport in TABLETS.items():
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(live_server + path)
            page.wait_for_load_state("load")
            fit = page.evaluate(OVERFLOW_JS)
            slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            page.screenshot(path=str(SHOTS / f"{name}_chief_{slug}.png"), full_page=True)
            if fit["scroll"] > fit["inner"]:
                failures.append(f"{name} {path}: scrollWidth {fit['scroll']} > {fit['inner']} {fit['wide']}")
            sticky = page.evaluate(STICKY_JS)
            if sticky is None:
                continue
            matrices += 1
            if sticky["firstSticky"] != "sticky" or sticky["headSticky"] != "sticky":
                failures.append(f"{name} {path}: the matrix's code column or header is not sticky {sticky}")
            if sticky["box"]["right"] > viewport["width"] + 1:
                failures.append(f"{name} {path}: the matrix's box is wider than the screen {sticky['box']}")
            if not (sticky["scrolledX"] and sticky["scrolledY"]):
                failures.append(f"{name} {path}: the matrix's box does not scroll both ways {sticky}")
            if abs(sticky["after"]["left"] - sticky["box"]["left"]) > 2:
                failures.append(f"{name} {path}: the code column scrolled away {sticky}")
            if abs(sticky["after"]["top"] - sticky["box"]["top"]) > 2:
                failures.append(f"{name} {path}: the header row scrolled away {sticky}")
    ctx.close()
    assert matrices >= 2, f"no matrix met on the chief judge's pages: {paths}"
    assert not failures, "\n".join(failures)
