"""Bad input of any shape is a 4xx with a clear message, never a 500 (security review M6, L1):
every JSON route (enumerated from the URL map) gets deeply nested JSON, bare scalars as the body,
NaN and Infinity, numbers where text is expected and the reverse, lists and objects everywhere,
numbers beyond 2^63, and query parameters of the wrong type; every web route gets the same in its
query string, and a partly filled event form. Run as a role allowed to use each route, on a world
with real objects (tests/tenancy_world.py), so that the handlers get past their loaders."""
from __future__ import annotations

import json

import pytest

from tests.test_access_matrix import routes, params_for, world, _client_for  # noqa: F401
from tests.test_hostile_inputs import _role_for, SKIP

HUGE = 2**70
NESTED = '{"a":' + "[" * 3000 + "]" * 3000 + "}"
RAW_BODIES = [NESTED, '"text"', "42", "null", "true", "[]", "[1, 2]", "Infinity", "NaN",
              '{"version": Infinity}', '{"version": NaN, "score": -Infinity}', "{"]
KEYS = ["name", "reason", "note", "description", "title", "occupation", "venue", "team_name", "seed", "username",
        "password", "id_number", "id_type", "phone", "decision", "status", "code", "time_used", "version",
        "user_id", "role", "registration_id", "organization_id", "event_id", "target_event_id", "appeal_id", "kind",
        "top_n", "share", "order", "scores", "person", "members", "dossier", "roles", "level", "jurisdiction",
        "year", "publicity_days", "appeal_window_hours", "registration_opens_at", "registration_closes_at",
        "starts_on", "ends_on", "scheme", "awards", "tiebreak", "eligibility", "track", "team_size",
        "max_entrants", "printed_name", "print_as_is", "rank", "award", "result_date", "competition_name",
        "mode", "n", "min_total", "by", "dry_run", "region_code", "is_enabled", "skill_grade", "birth_date",
        "gender", "ethnicity", "template", "issuing_body", "serial_pattern", "event_id", "certificate_number"]
VALUES = [12345, -1, 1.5, HUGE, True, [], ["x", 1], {}, {"a": {"b": 1}}, "", "x" * 300, None]
QUERY = ("?page=99999999999999999999999&per_page=abc&competition_id=99999999999999999999999&event_id=x"
         "&object_id=-5&status=%5B%5D&kind=1&year=99999999999999999999&organization_id=1e9&judge_id=abc"
         "&person_id=18446744073709551616&role=%00")


def _bodies():
    for raw in RAW_BODIES:
        yield raw
    for value in VALUES:
        yield json.dumps({k: value for k in KEYS})
    for shift in range(len(VALUES)):  # each key a different wrong type, rotating
        yield json.dumps({k: VALUES[(i + shift) % len(VALUES)] for i, k in enumerate(KEYS)})


# The API routes are dealt into shards, each its own test, so that test processes share the work.
SHARDS = 3


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_json_route_answers_500_to_any_shape(app, world, shard):
    users, params = world
    clients, failures, tried = {}, [], 0
    api = [(rule, method) for rule, method in routes(app)
           if rule.endpoint not in SKIP and rule.rule.startswith("/api/")]
    for rule, method in api[shard::SHARDS]:
        role = _role_for(rule.endpoint)
        if role not in clients:
            clients[role] = _client_for(app, role, users)
        client, token, _csrf = clients[role]
        url = rule.build(params_for(rule.endpoint, params), append_unknown=False)[1]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"} if token else \
            {"Content-Type": "application/json"}
        bodies = list(_bodies()) if method in ("POST", "PUT", "PATCH") else [None]
        for body in bodies:
            r = client.open(url + QUERY if method == "GET" else url, method=method, data=body, headers=headers)
            tried += 1
            if r.status_code >= 500:
                failures.append(f"{method} {url} as {role} with {str(body)[:80]!r}: {r.status_code}")
            elif r.status_code >= 400 and r.is_json:
                error = r.get_json().get("error", {})
                if not error.get("message"):
                    failures.append(f"{method} {url}: a {r.status_code} without a message")
    assert tried > 1000 // SHARDS
    assert not failures, f"{len(failures)} of {tried}:\n" + "\n".join(failures[:60])


def test_no_web_route_answers_500_to_a_wrong_query_or_a_nested_body(app, world):
    users, params = world
    clients, failures = {}, []
    for rule, method in routes(app):
        if rule.endpoint in SKIP or rule.rule.startswith("/api/"):
            continue
        role = _role_for(rule.endpoint)
        if role not in clients:
            clients[role] = _client_for(app, role, users)
        client, _token, csrf = clients[role]
        url = rule.build(params_for(rule.endpoint, params), append_unknown=False)[1]
        if method == "GET":
            r = client.get(url + QUERY)
        else:
            r = client.open(url + QUERY, method=method, data={"csrf_token": csrf, "ids": ["1", "x", str(HUGE)],
                                                              "user_id": str(HUGE), "registration_id": "abc",
                                                              "event_id": str(HUGE), "target_event_id": "-1"})
        nested = client.open(url, method=method, data=NESTED, headers={"Content-Type": "application/json"})
        for resp in (r, nested):
            if resp.status_code >= 500:
                failures.append(f"{method} {url} as {role}: {resp.status_code}")
    assert not failures, "\n".join(failures[:60])


def test_ids_beyond_what_the_databases_store_are_not_found(client):
    for url in ("/results/99999999999999999999999999", "/competitions/9223372036854775808",
                "/api/v1/public/competitions/99999999999999999999/results"):
        assert client.get(url).status_code == 404, url
    page = client.get("/signup")
    from tests.conftest import csrf_from
    r = client.post("/signup", data={"csrf_token": csrf_from(page.data), "username": "huge_org", "password": "x",
                                     "name": "某人", "id_type": "resident_id", "id_number": "1",
                                     "organization_id": "99999999999999999999"})
    assert r.status_code == 200 and "单位不存在" in r.get_data(as_text=True)


def test_a_partly_filled_event_form_is_refused_with_messages(login, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    client = login(organizer)
    from tests.conftest import csrf_from
    page = client.get(f"/manage/competitions/{comp.id}/events/new")
    r = client.post(f"/manage/competitions/{comp.id}/events/new", data={
        "csrf_token": csrf_from(page.data), "name": "焊工", "components-0-key": "practical",
        "criteria-0-component": "practical", "criteria-0-key": "P1"})  # the rows' other fields left out
    assert r.status_code == 200 and "error" in r.get_data(as_text=True)
