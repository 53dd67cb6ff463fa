"""Tables that fit (issue 23): every main page of every role, on the demo data, at a phone's 390 px
and a desktop's 1366 px, never scrolls the page sideways (document scrollWidth ≤ innerWidth): a
wide table scrolls inside its own box. A page that fails is photographed into instance/screenshots/;
LAYOUT_SCREENSHOTS=<directory> photographs every page visited there (the full walk's pictures, for a
review by eye: about half the walk's time goes to them, so they are not taken by default).

The pages are found, not listed: each role's landing page (its own tasks), what it links to, the
links of its menu, and so on breadth first, one page per URL shape (digits stand for any id), so a
new page is covered as soon as a link leads to it. Below 640 px list tables read as cards (the
cells labelled by static/js/app.js); the chief judge's matrix and form tables scroll in their box."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.demo import DEMO_PASSWORD

# Page layout in the browser: the pages' data paths run on both databases in the integration tests.
pytestmark = [pytest.mark.e2e, pytest.mark.database_free]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ROLES = ["anonymous", "admin", "organizer_xz", "judge1", "chief", "supervisor", "contact_lasa", "candidate"]
PER_ROLE = 40  # pages per role, at most
SKIP = re.compile(r"(/logout|/lang/|\.(pdf|xlsx|csv|zip|json|png|jpg|svg)$|/files/|/download|/api/|/static/"
                  r"|/healthz|/project-files/|/agreement$|/offline|/sw\.js|/\.well-known/|template\.xlsx)")
ALL_SHOTS = bool(os.environ.get("LAYOUT_SCREENSHOTS"))
SHOTS = Path(os.environ.get("LAYOUT_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "instance" / "screenshots")

OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const wide = [];
  if (doc.scrollWidth > window.innerWidth) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && el.offsetParent !== null) {
        let inner = false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { inner = true; break; }
        }
        if (!inner) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
                              + ' right=' + Math.round(r.right));
      }
      if (wide.length > 4) break;
    }
  }
  return {scroll: doc.scrollWidth, inner: window.innerWidth, wide};
}"""

# A name squeezed to one character per line: a table cell whose text is two or more characters
# but whose box is narrower than two of them.
STACKED_JS = """() => {
  const out = [];
  for (const td of document.querySelectorAll('td, th')) {
    const text = td.innerText.trim();
    if (text.length < 2 || td.offsetParent === null || td.querySelector('input, select, textarea, svg')) continue;
    const size = parseFloat(getComputedStyle(td).fontSize) || 16;
    const pad = parseFloat(getComputedStyle(td).paddingLeft) + parseFloat(getComputedStyle(td).paddingRight);
    if (/[\\u4e00-\\u9fff]{2}/.test(text) && td.clientWidth - pad < size * 1.9) out.push(text.slice(0, 12));
    if (out.length > 4) break;
  }
  return out;
}"""


def _shape(path: str) -> str:
    """/manage/events/16/edit → /manage/events/N/edit; a certificate's code counts as an id too."""
    return re.sub(r"[A-Z0-9]{10,}|\d+", "N", path)


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or not href.startswith("/") or href.startswith("//") or "#" in href:
            continue
        path = urlsplit(href).path
        if SKIP.search(path):
            continue
        out.append(href)
    return out


def _check(page, viewport: str, role: str, path: str) -> list[str]:
    """The loaded page's layout faults at this viewport (none: it fits); a page that fails, or every
    page with LAYOUT_SCREENSHOTS set, is photographed."""
    fit = page.evaluate(OVERFLOW_JS)
    stacked = page.evaluate(STACKED_JS)
    faults = []
    if fit["scroll"] > fit["inner"]:
        faults.append(f"{viewport} {role} {path}: scrollWidth {fit['scroll']} > {fit['inner']} {fit['wide']}")
    if stacked:
        faults.append(f"{viewport} {role} {path}: squeezed cells {stacked}")
    if faults or ALL_SHOTS:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{viewport}_{role}_{slug}.png"), full_page=True)
    return faults


def _pages(page, base, covered: set[str], on_page=None) -> list[str]:
    """The role's landing page (its own tasks) and what it links to first, then its menu; one page
    per URL shape, and none that an earlier role's walk covered (the public pages). Each page found
    is handed, loaded, to `on_page(path)` (checked at the walk's viewport as it is found)."""
    start = urlsplit(page.url).path or "/"
    queue = [start] + _links(page, "main a") + _links(page, "#nav a") + ["/"]
    seen, found = set(), []
    while queue and len(found) < PER_ROLE:
        href = queue.pop(0)
        shape = _shape(urlsplit(href).path)
        if shape in seen or shape in covered:
            continue
        seen.add(shape)
        response = page.goto(base + href)
        if response is None or response.status >= 400 or "/login" in page.url:
            continue
        found.append(href)
        if on_page is not None:
            on_page(href)
        queue += _links(page, "main a")
    covered |= {_shape(urlsplit(h).path) for h in found if not h.startswith(("/manage", "/judge", "/supervise",
                                                                               "/org", "/me", "/claims"))}
    return found


def test_no_page_of_any_role_scrolls_sideways(app, demo, browser, live_server):
    failures, visited, covered = [], 0, set()
    for role in ROLES:
        ctx = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["desktop"])
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        if role == "anonymous":
            page.goto(f"{live_server}/")
        else:
            _sign_in(page, live_server, role)
        def both(path):
            # Found at the desktop's width and checked there; then, the same page narrowed to the
            # phone's width and checked again. The layout follows the width through the style
            # sheet's media queries alone (no script reads the width, and the cards' labels are set
            # whatever the width: static/js/app.js), so narrowing the loaded page lays it out as
            # loading it on the phone would, without fetching and parsing it twice.
            failures.extend(_check(page, "desktop", role, path))
            page.set_viewport_size(VIEWPORTS["phone"])
            failures.extend(_check(page, "phone", role, path))
            page.set_viewport_size(VIEWPORTS["desktop"])

        paths = _pages(page, live_server, covered, both)
        assert paths, f"{role}: no page found"
        visited += 2 * len(paths)
        ctx.close()
    assert visited > 120, visited
    assert not failures, "\n".join(failures)
