"""Lists read in a bounded number of queries (issue 22: a province's year at full size): the pages
and API lists that show many entries, sheets or entitlements read each kind of row in one query per
page, not one query per row (an N + 1). Walked on the demo data, signed in as each role; a page
whose SQL repeats one statement three times or more fails, with the statement (batch reads,
`… IN (…)`, excepted: they repeat once per relationship to the same table, not per row)."""
from __future__ import annotations

import collections
import re
from urllib.parse import urlsplit

from sqlalchemy import event as sa_event

from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.conftest import csrf_from, new_client

# URL shapes (digits: N) checked, by the role that reaches them from its landing page.
CHECKED = {
    "judge1": ["/judge", "/judge/events/N"],
    "chief": ["/judge/events/N"],
    "supervisor": ["/supervise", "/supervise/events/N"],
    "organizer_xz": ["/manage/entitlements", "/manage/competitions", "/manage/invitations", "/manage/events/N/judging"],
    "admin": ["/manage/users", "/manage/people"],
    "contact_lasa": ["/org/registrations"],
    "anonymous": ["/results/N"],
}


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _statements(app, role: str) -> dict[str, list[str]]:
    """Walk from the role's landing page (links breadth first, one page per shape) and return the
    statements each checked page ran."""
    client = new_client(app)
    start = "/"
    if role != "anonymous":
        form = client.get("/login").get_data(as_text=True)
        answer = client.post("/login", data={"username": role, "password": DEMO_PASSWORD, "csrf_token": csrf_from(form)})
        start = urlsplit(answer.headers.get("Location", "/")).path
    run: list[str] = []

    def log(conn, cursor, statement, params, context, executemany):
        run.append(re.sub(r"\s+", " ", statement))

    found: dict[str, list[str]] = {}
    queue, seen = [start, "/results"], set()
    sa_event.listen(db.engine, "before_cursor_execute", log)
    try:
        while queue and len(seen) < 100 and len(found) < len(CHECKED[role]):
            href = queue.pop(0)
            shape = _shape(urlsplit(href).path)
            if shape in seen or "/logout" in href or "/lang/" in href:
                continue
            seen.add(shape)
            run.clear()
            response = client.get(href)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            if shape in CHECKED[role]:
                found[shape] = list(run)
            queue += [m.group(1) for m in re.finditer(r'href="(/[^"#?]*)"', response.get_data(as_text=True))]
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", log)
    return found


def test_list_pages_read_each_kind_of_row_once(app, demo):
    problems = []
    for role, shapes in CHECKED.items():
        found = _statements(app, role)
        assert sorted(found) == sorted(shapes), f"{role}: pages not reached: {set(shapes) - set(found)}"
        for shape, statements in found.items():
            for statement, n in collections.Counter(statements).items():
                # A batch read (… IN (…)) may repeat, once per relationship to the same table.
                if n >= 3 and " IN (" not in statement:
                    problems.append(f"{role} {shape}: {n}× {statement[:160]}")
    assert not problems, "\n".join(problems)


def test_the_judges_sheet_list_and_a_save_do_not_read_per_sheet(drawn, api_as):
    """A judge's phone lists its sheets (6 here) in the same few queries as for one; a save writes
    the sheet once."""
    event_id, judge = drawn["event"].id, drawn["judges"][1]
    api = api_as(judge)
    run: list[str] = []

    def log(conn, cursor, statement, params, context, executemany):
        run.append(re.sub(r"\s+", " ", statement).strip())

    sa_event.listen(db.engine, "before_cursor_execute", log)
    try:
        sheets = api.get(f"/events/{event_id}/sheets").get_json()["items"]
        listed = list(run)
        run.clear()
        first = sheets[0]
        assert api.put(f"/events/{event_id}/sheets/{first['code']}",
                       json={"scores": {"P1": "2"}, "version": first["version"]}).status_code == 200
        saved = list(run)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", log)
    assert len(sheets) >= 5
    by_id = re.compile(r"FROM registrations WHERE registrations\.id = ")   # a registration read on its own
    assert not any(by_id.search(s) for s in listed), "\n".join(s[:200] for s in listed)
    assert max(collections.Counter(listed).values()) == 1, "\n".join(s[:200] for s in listed)
    assert sum(s.startswith("UPDATE sheets") for s in saved) == 1, "\n".join(s[:200] for s in saved)
    assert not any(by_id.search(s) for s in saved), "\n".join(s[:200] for s in saved)
