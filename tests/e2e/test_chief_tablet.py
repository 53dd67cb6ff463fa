"""The chief judge's pages on a tablet (issue 23): at 768×1024 (portrait) and 1024×768 (landscape)
no page of the chief judge scrolls sideways, and the score-sheet matrix scrolls inside its own box
with its header row and its code column held in place (sticky). Screenshots as in the layout walk
(tests/e2e/test_layout_fits.py: of a page that fails; of every page with LAYOUT_SCREENSHOTS)."""
from __future__ import annotations

import re

import pytest

from tests.e2e.test_layout_fits import ALL_SHOTS, OVERFLOW_JS, SHOTS, _pages, _sign_in

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


def test_the_chief_judges_pages_fit_a_tablet_and_the_matrix_scrolls_in_its_box(app, demo, browser, live_server):
    ctx = browser.new_context(locale="zh-CN", viewport=TABLETS["tablet_landscape"], has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    failures, matrices = [], 0

    def inspect(name: str, path: str) -> None:
        nonlocal matrices
        viewport = TABLETS[name]
        found = []
        fit = page.evaluate(OVERFLOW_JS)
        if fit["scroll"] > fit["inner"]:
            found.append(f"{name} {path}: scrollWidth {fit['scroll']} > {fit['inner']} {fit['wide']}")
        if found or ALL_SHOTS:
            slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}_chief_{slug}.png"), full_page=True)
        sticky = page.evaluate(STICKY_JS)
        if sticky is not None:
            matrices += 1
            if sticky["firstSticky"] != "sticky" or sticky["headSticky"] != "sticky":
                found.append(f"{name} {path}: the matrix's code column or header is not sticky {sticky}")
            if sticky["box"]["right"] > viewport["width"] + 1:
                found.append(f"{name} {path}: the matrix's box is wider than the screen {sticky['box']}")
            if not (sticky["scrolledX"] and sticky["scrolledY"]):
                found.append(f"{name} {path}: the matrix's box does not scroll both ways {sticky}")
            if abs(sticky["after"]["left"] - sticky["box"]["left"]) > 2:
                found.append(f"{name} {path}: the code column scrolled away {sticky}")
            if abs(sticky["after"]["top"] - sticky["box"]["top"]) > 2:
                found.append(f"{name} {path}: the header row scrolled away {sticky}")
        failures.extend(found)

    _sign_in(page, live_server, "chief")
    # Found in landscape and checked there as found; then each again in portrait.
    paths = _pages(page, live_server, set(), lambda path: inspect("tablet_landscape", path))
    assert any(re.fullmatch(r"/judge/events/\d+", p.split("?")[0]) for p in paths), paths
    page.set_viewport_size(TABLETS["tablet_portrait"])
    for path in paths:
        page.goto(live_server + path)
        inspect("tablet_portrait", path)
    ctx.close()
    assert matrices >= 2, f"no matrix met on the chief judge's pages: {paths}"
    assert not failures, "\n".join(failures)
