"""Hostile input through every write route (web forms and API, enumerated from app.url_map) and
through the forms that take free text: never a server error; a refusal is a 4xx with a message
naming the field; accepted text is never reflected unescaped in any page; ID numbers typed with
full-width digits or a lowercase x are normalized and accepted when the check character is right.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.people.models import Organization, Person
from tests.conftest import csrf_from, new_client
from tests.test_access_matrix import EXPECTED, PUBLIC, ANY, routes, world, _client_for  # noqa: F401

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>",
       "javascript:alert(1)//<a href=x>", "</textarea><script>alert(1)</script>"]
CORPUS = XSS + [
    "\u202e\u6df7\u6dc6\u202c",          # right-to-left override around text
    "扎\u200b西",                         # zero-width space inside a name
    "张" * 5_001,                         # one character over the longest text any field takes (5,000)
    "'; DROP TABLE people;--",
    "Robert'); DELETE FROM registrations; --",
    "１１０１０５１９４９１２３１００２Ｘ",   # full-width digits
    "11010519491231002x",                # lowercase x
    "{{7*7}}", "%(name)s %s %n", "\x00NUL", "", "   ", "=HYPERLINK(\"http://evil.example\")",
]
RAW_MARKERS = [p for p in XSS]  # none of these may appear verbatim in any HTML page

# Keys under which the routes read free text (JSON bodies and form fields alike).
TEXT_KEYS = ["name", "reason", "note", "description", "title", "occupation", "venue", "award_title",
             "team_name", "seed", "username", "id_number", "phone", "decision", "comment", "status",
             "code", "time_used", "password", "current_password", "new_password", "text", "statement",
             "achievements", "document", "decision_number"]


def _body(payload):
    body = {k: payload for k in TEXT_KEYS}
    body["person"] = {"name": payload, "id_type": "resident_id", "id_number": payload}
    body["scores"] = {"P1": payload, "P2": payload}
    return body


def _role_for(endpoint):
    who, _scoped = EXPECTED.get(endpoint, (None, False))
    if who in (PUBLIC, None):
        return "anonymous"
    if who == ANY:
        return "organizer"
    for role in ("admin", "organizer", "chief_judge", "judge", "supervisor", "org_contact", "candidate"):
        if role in who:
            return role
    return "admin"


SKIP = {"accounts.logout", "api.token_delete", "main.set_language"}  # they end the session or just switch language


def _write_routes(app):
    return [(rule, method) for rule, method in routes(app)
            if method in ("POST", "PUT", "PATCH") and rule.endpoint not in SKIP]


# The routes are dealt into shards, each its own test, so that test processes share the work.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_write_route_survives_the_corpus(app, world, shard):
    """Each payload in every text field of every write route, as a role allowed to use it."""
    users, params = world
    clients = {}
    failures, answered = [], 0
    statuses: dict[int, int] = {}
    routes = _write_routes(app)[shard::SHARDS]
    for rule, method in routes:
        role = _role_for(rule.endpoint)
        if role not in clients:
            clients[role] = _client_for(app, role, users)
        client, token, csrf = clients[role]
        url = rule.build(params, append_unknown=False)[1]
        for payload in CORPUS:
            body = _body(payload)
            if url.startswith("/api/"):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                r = client.open(url, method=method, json=body, headers=headers)
            else:
                form = {k: v for k, v in body.items() if isinstance(v, str)}
                form["csrf_token"] = csrf
                r = client.open(url, method=method, data=form)
            answered += 1
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code >= 500:
                failures.append(f"{method} {url} as {role} with {payload[:30]!r}: {r.status_code}")
                continue
            if url.startswith("/api/") and 400 <= r.status_code < 500:
                err = (r.get_json(silent=True) or {}).get("error") or {}
                if not err.get("message"):
                    failures.append(f"{method} {url}: {r.status_code} without a message")
                elif r.status_code == 422 and err.get("code") == "validation_error" and not err.get("fields"):
                    failures.append(f"{method} {url}: validation error names no field")
            if r.mimetype == "text/html":
                html = r.get_data(as_text=True)
                for marker in RAW_MARKERS:
                    if marker in html:
                        failures.append(f"{method} {url}: reflects {marker!r} unescaped")
    print(f"\nhostile corpus, shard {shard}: {answered} requests over {len(routes)} write routes, "
          f"{len(CORPUS)} payloads; answers {dict(sorted(statuses.items()))}; {len(failures)} failures")
    assert statuses.get(403, 0) < answered / 4, statuses  # the roles chosen may use the routes
    assert not failures, "\n".join(failures[:50])


# ---- the free-text forms and endpoints, one by one ---------------------------------------------

def _api(api_as, user):
    return api_as(user)


def _field_refusal(r, field):
    assert r.status_code == 422, (r.status_code, r.get_json())
    fields = r.get_json()["error"]["fields"]
    assert any(k == field or k.endswith("." + field) for k in fields), fields
    return fields


@pytest.mark.parametrize("payload", XSS)
def test_accepted_text_is_escaped_on_every_page(app, world, api_as, login, payload):
    users, params = world
    admin = api_as(users["admin"])
    org_api = api_as(users["organizer"])
    # Organizations, competitions and events take any printable text.
    r = admin.post("/organizations", json={"name": "单位" + payload, "kind": "college", "region_code": "540100"})
    assert r.status_code == 201, r.get_json()
    r = org_api.patch(f"/competitions/{params['competition_id']}", json={
        "description": payload, "award_title": "能手" + payload,
        "version": org_api.get(f"/competitions/{params['competition_id']}").get_json()["version"]})
    assert r.status_code in (200, 409, 422), r.get_json()
    ev = org_api.get(f"/events/{params['event_id']}").get_json()
    org_api.patch(f"/events/{params['event_id']}", json={"venue": payload, "version": ev["version"]})
    # Review reasons (the candidate reads them) and appeal reasons.
    reg_id = params["registration_id"]
    org_api.post(f"/registrations/{reg_id}/review", json={"action": "reject", "reason": payload})
    api_as(users["candidate"]).post(f"/registrations/{reg_id}/appeals", json={"reason": payload})
    # A person's name is letters only: the payload is refused, naming the field.
    r = org_api.post("/people", json={"name": payload, "id_type": "passport", "id_number": "E7654321"})
    _field_refusal(r, "name")
    pages = {
        "admin": ["/manage/organizations", "/manage/people", "/manage/users", "/audit"],
        "organizer": [f"/manage/competitions/{params['competition_id']}", f"/manage/competitions/{params['competition_id']}/edit",
                      f"/manage/events/{params['event_id']}/edit", f"/manage/competitions/{params['competition_id']}/registrations",
                      f"/manage/registrations/{reg_id}", f"/manage/events/{params['event_id']}/judging"],
        "candidate": ["/me/registrations", "/"],
        "supervisor": ["/supervise/appeals", "/audit"],
        "anonymous": [f"/competitions/{params['competition_id']}", "/competitions", "/results"],
    }
    seen = 0
    for role, paths in pages.items():
        client = new_client(app) if role == "anonymous" else login(users[role])
        for path in paths:
            r = client.get(path)
            if r.status_code != 200:
                continue
            seen += 1
            html = r.get_data(as_text=True)
            assert payload not in html, (role, path)
    assert seen >= 10


LONG = "张" * 10_000


def test_refusals_name_their_field(world, api_as):
    users, params = world
    org_api = api_as(users["organizer"])
    _field_refusal(org_api.post("/people", json={"name": LONG, "id_type": "passport", "id_number": "E7654321"}), "name")
    _field_refusal(org_api.post("/people", json={"name": "扎\u200b西", "id_type": "passport", "id_number": "E7654321"}), "name")
    _field_refusal(org_api.post("/people", json={"name": "\u202e扎西", "id_type": "passport", "id_number": "E7654321"}), "name")
    _field_refusal(org_api.post("/people", json={"name": "扎西", "id_type": "resident_id",
                                                 "id_number": "'; DROP TABLE people;--"}), "id_number")
    _field_refusal(api_as(users["admin"]).post("/organizations", json={"name": LONG, "kind": "college",
                                                                       "region_code": "540100"}), "name")
    _field_refusal(org_api.post("/competitions", json={"name": LONG}), "name")
    # The table is still there.
    assert org_api.get("/people").status_code == 200


@pytest.mark.parametrize("typed, stored", [
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),   # full-width digits and X
    ("11010519491231002x", "11010519491231002X"),                  # lowercase x
    (" 11010519491231002X ", "11010519491231002X"),                # spaces around
    ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),   # full-width lowercase x
])
def test_id_numbers_are_normalized_and_accepted(world, api_as, db, typed, stored):
    users, _params = world
    r = api_as(users["organizer"]).post("/people", json={"name": "张三", "id_type": "resident_id", "id_number": typed})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["id_number"] == stored
    assert db.session.scalar(select(Person.id_number).where(Person.name == "张三")) == stored


@pytest.mark.parametrize("typed", ["１１０１０５１９４９１２３１００２１", "110105194912310021", "11010519491231002Y"])
def test_id_numbers_with_a_wrong_check_character_are_refused(world, api_as, typed):
    users, _params = world
    _field_refusal(api_as(users["organizer"]).post("/people", json={"name": "张三", "id_type": "resident_id",
                                                                   "id_number": typed}), "id_number")


def test_web_forms_refuse_by_field_and_escape(app, world, login):
    users, params = world
    org = login(users["organizer"])
    organizations_before, organizations_created = db_count(Organization), 0
    for payload in CORPUS:
        page = org.get("/manage/people/new")
        r = org.post("/manage/people/new", data={"csrf_token": csrf_from(page.data), "name": payload,
                                                 "id_type": "resident_id", "id_number": payload})
        assert r.status_code in (200, 302, 400, 422), r.status_code
        if r.status_code == 400:  # NUL characters are refused before any form sees them, naming the field
            assert "\x00" in payload and "NUL" in r.get_data(as_text=True) and "name" in r.get_data(as_text=True)
        elif r.status_code != 302:
            html = r.get_data(as_text=True)
            assert 'class="error"' in html  # beside the field
            assert all(m not in html for m in RAW_MARKERS)
        page = org.get("/manage/organizations/new")
        r = org.post("/manage/organizations/new", data={"csrf_token": csrf_from(page.data), "name": payload,
                                                        "kind": "college", "region_code": "540100"})
        assert r.status_code < 500
        organizations_created += r.status_code == 302
        html = org.get("/manage/organizations").get_data(as_text=True)
        assert all(m not in html for m in RAW_MARKERS)
    # Sign-up (public) with hostile names and IDs.
    anon = new_client(app)
    for payload in CORPUS:
        page = anon.get("/signup")
        r = anon.post("/signup", data={"csrf_token": csrf_from(page.data), "name": payload, "id_number": payload,
                                       "id_type": "resident_id", "username": payload, "password": payload})
        assert r.status_code < 500
        html = r.get_data(as_text=True)
        assert all(m not in html for m in RAW_MARKERS)
    # Exactly the accepted organization names were stored (some hostile-looking names are legal).
    assert organizations_created > 0
    assert db_count(Organization) == organizations_before + organizations_created


def db_count(model):
    from sqlalchemy import func
    from app.extensions import db
    return db.session.scalar(select(func.count()).select_from(model))
