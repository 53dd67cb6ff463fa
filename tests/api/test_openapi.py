"""The published contract (issue 20): the OpenAPI 3.1 document covers every /api/v1 route, is
served with its human page (assets from this site), states the error codes, and the edge refuses
wrong types with a 422 naming the field. Every API answer of the whole suite is also checked
against the document (tests/contract_check.py)."""
from __future__ import annotations

import inspect
import re

from app.api.contract import contract_of
from app.api.openapi import _path_and_params, document, error_codes
from app.domain.errors import DomainError
from tests.conftest import PASSWORD, new_client


def _api_operations(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_api_route_is_in_the_document(app):
    doc = document(app)
    missing = []
    for rule, method in _api_operations(app):
        path, _ = _path_and_params(rule)
        view = app.view_functions[rule.endpoint]
        if contract_of(view) is None or method.lower() not in doc["paths"].get(path, {}):
            source = inspect.getsourcefile(inspect.unwrap(view)) or "?"
            missing.append(f"{method} {rule.rule} (endpoint {rule.endpoint}, {source.split('/app/')[-1]}): "
                           "declare its models with @doc(...) directly above the def (app/api/contract.py)")
    assert not missing, "API routes without a schema in the OpenAPI document:\n" + "\n".join(missing)
    operations = [op for ops in doc["paths"].values() for op in ops.values()]
    assert len(operations) == len(list(_api_operations(app)))
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_document_states_auth_errors_pagination_and_decimals(app):
    doc = document(app)
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/token."}
    codes = set(doc["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"])
    domain = {cls.code for cls in _all(DomainError)}
    assert domain <= codes and {"reauth_required", "rate_limited", "not_locked", "account_locked",
                                 "invalid_transition", "stale_version", "validation_error"} <= codes
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            assert op["summary"] and "**Who:**" in op["description"], where
            public = op["security"] == []
            assert public or {"401", "403"} <= set(op["responses"]), where
            for status, entry in op["responses"].items():
                if status.startswith(("4", "5")):
                    media = entry["content"]["application/json"]
                    assert media["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, where
                    assert media["example"]["error"]["code"] in codes, where
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                assert "example" in body, f"{where}: a request example"
            for status, entry in op["responses"].items():
                media = entry.get("content", {}).get("application/json")
                if status.startswith("2") and media is not None and path != "/api/v1/openapi.json":
                    assert _closed_validator(doc, media["schema"]).is_valid(media["example"]), \
                        f"{where}: the {status} example does not match its schema"
    auth_paths = {p for p, ops in doc["paths"].items() for op in ops.values()
                  if "reauth_required" in op["description"]}
    assert {"/api/v1/events/{event_id}/lock", "/api/v1/competitions/{competition_id}/status",
            "/api/v1/certificates/{code}/revoke"} <= auth_paths
    page = doc["components"]["schemas"]["CompetitionPage"]
    assert set(page["required"]) == {"items", "page", "per_page", "total"}
    params = {p["name"] for p in doc["paths"]["/api/v1/competitions"]["get"]["parameters"]}
    assert {"page", "per_page", "status"} <= params
    total = doc["components"]["schemas"]["ResultItem"]["properties"]["total"]
    assert {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}.items() <= total["anyOf"][0].items()
    levels = doc["components"]["schemas"]["CompetitionIn"]["properties"]["level"]["enum"]
    from app.domain.refdata import LEVELS
    assert levels == sorted(LEVELS)
    assert "409" in doc["paths"]["/api/v1/events/{event_id}/lock"]["post"]["responses"]
    assert "Versioning and deprecation" in doc["info"]["description"]


def _closed_validator(doc, schema):
    import copy

    import jsonschema_rs

    from tests.contract_check import _close
    schemas = copy.deepcopy(doc["components"]["schemas"])
    _close(schemas)
    return jsonschema_rs.Draft202012Validator({**schema, "components": {"schemas": schemas}})


def _all(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all(sub)


def test_error_codes_group_by_status():
    codes = error_codes()
    assert {"invalid_transition", "wrong_state", "stale_version", "incomplete", "not_locked"} <= codes[409]
    assert {"validation_error", "import_rejected", "idempotency_key_reused"} <= codes[422]
    assert {"account_locked", "rate_limited"} <= codes[429]


def test_the_document_and_its_page_are_served_without_a_cdn(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json" and r.get_json()["openapi"] == "3.1.0"
    etag = r.headers["ETag"]
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "/api/v1/openapi.json" in html
    scripts = re.findall(r'src="([^"]+)"', html)
    assert scripts and all(s.startswith("/static/") for s in scripts), scripts
    assert "http://" not in html and "https://" not in html
    for src in scripts:
        assert client.get(src).status_code == 200, src
    assert "'unsafe-eval'" not in page.headers["Content-Security-Policy"]


def test_wrong_types_are_422_naming_the_field_in_the_users_language(app, make_user):
    organizer = make_user("organizer")
    client = new_client(app)
    token = client.post("/api/v1/auth/token", json={"username": organizer.username,
                                                    "password": PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/v1/competitions", json={"name": 12, "year": [2026], "level": "provincial_1"},
                    headers=auth)
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert fields["name"] == ["此项须为文本。"] and fields["year"] == ["此项须为整数。"]
    r = client.post("/api/v1/competitions", json={"name": "x", "scheme": 1, "publicity_days": True},
                    headers={**auth, "Accept-Language": "en"})
    assert r.get_json()["error"]["fields"]["publicity_days"] == ["This field must be a whole number."]
    r = client.post("/api/v1/competitions/1/events", json={"name": "焊工", "track": "staff", "scheme": {
        "components": [{"key": "p", "name": "实操", "weight": "1", "criteria": {"key": "P1"}}]}}, headers=auth)
    assert r.status_code in (403, 404)  # someone else's (or no) competition: refused before the body
    r = client.get("/api/v1/competitions?page=abc&per_page=100000", headers=auth)
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"page", "per_page"}
    r = client.get("/api/v1/audit?competition_id=99999999999999999999", headers=auth)
    assert r.status_code in (403, 422)


def test_nested_paths_and_unions_name_the_field(app, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    client = new_client(app)
    token = client.post("/api/v1/auth/token", json={"username": organizer.username,
                                                    "password": PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    r = client.post(f"/api/v1/competitions/{comp.id}/events", json={"name": "焊工", "track": "staff", "scheme": {
        "components": [{"key": "p", "name": "实操", "weight": "1", "criteria": [{"key": "P1", "name": 5}]},
                       {"key": "q", "name": "理论", "weight": "0", "criteria": "none"}]}}, headers=auth)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {
        "scheme.components[0].criteria[0].name": ["This field must be text."],
        "scheme.components[1].criteria": ["This field must be a list."]}
    event = comp.events[0]
    r = client.post(f"/api/v1/events/{event.id}/ties", json={"order": [{"x": 1}], "reason": "r"}, headers=auth)
    assert r.status_code == 403  # a chief judge's route: the role is checked first


def test_rate_limited_routes_send_their_headers(client):
    r = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-password"})
    assert r.status_code == 401
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(r.headers.keys())
    op = document(client.application)["paths"]["/api/v1/auth/token"]["post"]
    assert "X-RateLimit-Limit" in op["responses"]["200"]["headers"]
    assert "Retry-After" in op["responses"]["429"]["headers"]


def test_a_deprecated_operation_says_so_in_the_document_and_its_answers(app, monkeypatch):
    from app.api.openapi import build
    contract = contract_of(app.view_functions["api.public_competitions_list"])
    monkeypatch.setattr(contract, "deprecated", True)
    op = build(app)["paths"]["/api/v1/public/competitions"]["get"]
    assert op["deprecated"] is True and "Deprecation" in op["responses"]["200"]["headers"]
    r = new_client(app).get("/api/v1/public/competitions")
    assert r.status_code == 200 and r.headers["Deprecation"] == "true"
    monkeypatch.undo()
    assert "Deprecation" not in new_client(app).get("/api/v1/public/competitions").headers


def test_public_result_lists_answer_304_to_their_etag(client):
    r = client.get("/api/v1/public/competitions")
    assert r.status_code == 200 and r.headers["ETag"] and r.headers["Cache-Control"] == "no-store"
    same = client.get("/api/v1/public/competitions", headers={"If-None-Match": r.headers["ETag"]})
    assert same.status_code == 304 and not same.get_data()
    other = client.get("/api/v1/public/competitions", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_json() == r.get_json()
    op = document(client.application)["paths"]["/api/v1/public/competitions/{competition_id}/results"]["get"]
    assert "ETag" in op["responses"]["200"]["headers"] and "304" in op["responses"]
    assert any(p["name"] == "If-None-Match" for p in op["parameters"])
