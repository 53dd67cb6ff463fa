"""The contract served: /api/v1/openapi.json (generated, see app/api/contract.py) and the human
page /api/docs (Redoc, vendored in app/static/vendor/redoc: no CDN)."""
from __future__ import annotations

import copy
import hashlib
import json
import re
import sys

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.routing import parse_converter_args

from ..domain.errors import DomainError
from ..security import public
from . import bp
from .contract import MAX_ID, Out, contract_of, doc, spec

docs_bp = Blueprint("api_docs", __name__)

API_VERSION = "1.0.0"

DESCRIPTION = """\
The JSON API of JiangXuan (匠选) for provincial platforms, college systems and scripts. It calls the
same operations as the web pages and is generated from the code: every route of `/api/v1` is in this
document, and the test suite checks every answer against it.

## Authentication
`POST /api/v1/auth/token` with `{username, password}` gives a bearer token (default 12 hours); send
`Authorization: Bearer <token>`. `DELETE /api/v1/auth/token` revokes it. No cookies, no CSRF. Routes
marked without security (`/public/...`, the token and this document) need no token.
Publishing and freezing results, locking and decrypting an event, revoking a certificate and granting
roles need a **recent** sign-in: a token older than the re-authentication window (10 minutes by default)
is answered `401` with code `reauth_required` and `reauth_minutes`; request a new token and repeat.
Too many failed sign-ins for one account: `429 account_locked` with `retry_after_minutes`.

## Errors
Every refusal has the body `{"error": {"code", "message", "fields"?}}`. `code` is a stable name (the
enumeration of `ErrorDetail.code` lists every one); `message` follows `Accept-Language` (zh-CN by
default, en). `422 validation_error` carries `fields`: the messages for each field by its path
(`person.id_number`, `members[1].name`, `scores.P1`). Checks run in this order: authentication (401),
authorization (403, or 404 for an object of another organization), the body (400 malformed, 422),
then the state (409: the code names the precondition, e.g. `invalid_transition`, `wrong_state`,
`stale_version`, `incomplete`, `not_locked`).

## Conventions
- Lists: `?page=1&per_page=50` (at most 500) → `{items, page, per_page, total}`.
- Ids are integers; times ISO 8601 with offset; scores, totals and shares are **decimal strings**
  (`"87.25"`), never floats; enumerations use the code names of `app/domain` (listed in each schema).
- Writes a phone may retry (sheet save, submit, photo) take an `Idempotency-Key` header.
- Rate-limited routes answer with `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`,
  and `429 rate_limited` with `Retry-After` beyond the limit.
- Public result lists carry an `ETag`; send it back as `If-None-Match` to get `304 Not Modified`.

## Versioning and deprecation
The path carries the major version (`/api/v1`). Within v1: new routes, new optional request members,
new members in answers, new `code` names and new enumeration values may appear — clients ignore
members they do not know and treat an unknown `code` by its HTTP status. Nothing is removed or renamed,
no member changes type and no optional request member becomes required within v1. A route or member to
be retired is first marked `deprecated: true` in this document and in the answer's `Deprecation`
header, and stays for at least six months (two competition seasons) before v2. `info.version` follows
semantic versioning: minor for additions, patch for corrections of this document.
"""

# Codes answered by the request plumbing (app/web.py, app/security.py, handlers) besides the
# domain errors' own codes (collected from DomainError's subclasses).
HTTP_CODES = {
    400: {"bad_request", "idempotency_key_required", "idempotency_key_invalid"},
    401: {"unauthorized", "reauth_required"},
    403: {"forbidden"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    409: {"conflict", "not_locked"},
    413: {"too_large"},
    422: {"validation_error", "invalid_value"},
    429: {"rate_limited"},
    500: {"server_error"},
    503: {"busy"},
}
STATUS_TEXT = {
    204: "Done (no content).", 304: "Not modified: the ETag sent in If-None-Match is current.",
    400: "Malformed request (body not JSON or not an object, NUL characters, a number too large).",
    401: "No valid bearer token, or (`reauth_required`) a sign-in older than the re-authentication window.",
    403: "The caller's roles or organization may not do this.",
    404: "No such object (or one the caller may not know of).",
    409: "Refused by the current state.", 410: "Gone: deleted at the end of its retention period.",
    413: "The upload is too large.",
    422: "Invalid fields (`fields` names each).", 429: "Too many requests.",
    500: "An error on the server's side (reported to the operators; the fuzz tests keep it at none).",
    503: "The server is busy; try again in a moment.",
}
RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests allowed in the window.", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window.", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix time).", "schema": {"type": "integer"}},
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_codes() -> dict[int, set[str]]:
    """Every error code the API answers, by HTTP status."""
    codes = {status: set(names) for status, names in HTTP_CODES.items()}
    for cls in [DomainError, *_subclasses(DomainError)]:
        codes.setdefault(cls.status, set()).add(cls.code)
    return codes


def _path_and_params(rule) -> tuple[str, dict[str, dict]]:
    from spectree.plugins.werkzeug_utils import werkzeug_parse_rule
    path, params = "", {}
    for converter, arguments, variable in werkzeug_parse_rule(rule.rule):
        if converter is None:
            path += variable
            continue
        path += "{" + variable + "}"
        if converter == "int":
            kwargs = parse_converter_args(arguments)[1] if arguments else {}
            params[variable] = {"type": "integer", "format": "int64", "minimum": kwargs.get("min", 0),
                                "maximum": kwargs.get("max", MAX_ID)}
        else:
            params[variable] = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    return path, params


def _error_example(status: int) -> dict:
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "wrong_state",
            410: "gone", 413: "too_large", 422: "validation_error", 429: "rate_limited", 500: "server_error", 503: "busy"}.get(status, "conflict")
    body = {"error": {"code": code, "message": STATUS_TEXT.get(status, "")}}
    if status == 422:
        body["error"]["fields"] = {"name": ["This field is required."]}
    return body


def example_of(schema: dict, schemas: dict, depth: int = 0):
    """An example value of a JSON schema (its own `examples`, the first enumeration value, typical
    values by format), for operations whose answer has no hand-written example."""
    if "$ref" in schema:
        return example_of(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, depth)
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example_of(options[0], schemas, depth) if options else None
    kind = schema.get("type")
    if kind == "object":
        if depth > 6:
            return {}
        props = schema.get("properties")
        if props:
            return {name: example_of(sub, schemas, depth + 1) for name, sub in props.items()}
        extra = schema.get("additionalProperties")
        return {"key": example_of(extra, schemas, depth + 1)} if isinstance(extra, dict) and extra else {}
    if kind == "array":
        return [example_of(schema.get("items", {}), schemas, depth + 1)] if depth <= 6 else []
    if kind == "integer":
        return schema.get("minimum", 1) if schema.get("minimum", 1) > 0 else 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "string" and "pattern" in schema:
        for candidate in ("87.25", "1", "A001", "1:25:30", "K7M2-Q9XP", "text-value"):
            if re.search(schema["pattern"], candidate):
                return candidate
    if kind == "string":
        return {"date-time": "2026-05-01T09:00:00+08:00", "date": "2026-05-01",
                "binary": None}.get(schema.get("format"), "text")
    return None


def _operation_statuses(c, is_public: bool, method: str, reauth: bool) -> list[int]:
    statuses = {400, 404, 500, 503}
    if not is_public:
        statuses |= {401, 403}
    if c.body is not None or c.form is not None:
        statuses.add(413)
    if c.query is not None or method != "GET":
        statuses.add(422)
    if c.rate_limited:
        statuses.add(429)
    if reauth:
        statuses.add(401)
    statuses |= set(c.errors)
    return sorted(statuses)


_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _json_schema_bounds(node) -> None:
    """Bounds declared on top of a validator (Int, Id) reach pydantic's JSON schema under their
    Python names (ge, le): give them their JSON Schema names."""
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            for py, js in _BOUNDS.items():
                if py in node:
                    node[js] = node.pop(py)
        for value in node.values():
            _json_schema_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _json_schema_bounds(value)


def _first_sentence(text: str) -> str:
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{" and 1 or (ch in ")]}" and -1 or 0)
        if depth == 0 and ch in ".;" and (i + 1 == len(text) or text[i + 1] == " ") \
                and not text[max(0, i - 3):i + 1].endswith(("e.g.", "i.e.")):
            return text[:i]
    return text


def _summary(view, c) -> tuple[str, str]:
    text = " ".join(ln.strip() for ln in (view.__doc__ or "").strip().splitlines()).strip()
    if c.summary:
        return c.summary, text
    first = _first_sentence(text) or view.__name__.replace("_", " ").capitalize()
    return first[:120], text


def build(app) -> dict:
    """The OpenAPI 3.1 document of every /api/v1 route (spectree's paths and components, then the
    parts spectree has no notion of: error answers, examples, security, headers)."""
    models = copy.deepcopy(spec.models)  # spectree lifts nested $defs out of them in place
    try:
        with app.app_context():
            raw = spec._generate_spec()
    finally:
        spec.models = models
    doc_ = copy.deepcopy(raw)
    codes = error_codes()
    all_codes = sorted(set().union(*codes.values()))
    paths: dict = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        c = contract_of(view)
        if c is None:
            continue
        path, param_schemas = _path_and_params(rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            op = raw["paths"].get(path, {}).get(method.lower())
            if op is None:
                continue
            op = copy.deepcopy(op)
            access = getattr(view, "_access", None)
            is_public = bool(access and access.public)
            reauth = getattr(view, "_reauth", False)
            name = rule.endpoint.split(".", 1)[1]
            op["operationId"] = name if len(methods) == 1 else f"{name}_{method.lower()}"
            module = sys.modules[view.__module__]  # its OPENAPI_TAG, else the module's name
            op["tags"] = [getattr(module, "OPENAPI_TAG", None) or view.__module__.rsplit(".", 1)[-1]]
            op["summary"], description = _summary(view, c)
            who = "anyone (no token)" if is_public else (
                ", ".join(sorted(access.roles)) if access and access.roles else "any signed-in user")
            op["description"] = (description + "\n\n" if description else "") + f"**Who:** {who}." + (
                " Needs a recent sign-in (`401 reauth_required` otherwise)." if reauth else "")
            op["security"] = [] if is_public else [{"bearer": []}]
            params = []
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    p = {**p, "schema": param_schemas[p["name"]]}
                    p.pop("description", None) if not p.get("description") else None
                params.append(p)
            if c.idempotent:
                params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                               "description": "One new id per operation (8–255 printable ASCII); a retry with "
                                              "the same key gets the stored answer. Device tokens must send it.",
                               "schema": {"type": "string", "minLength": 8, "maxLength": 255,
                                          "pattern": "^[\\x21-\\x7e]+$"}})
            if c.etag:
                params.append({"name": "If-None-Match", "in": "header", "required": False,
                               "description": "The ETag of an earlier answer: 304 when unchanged.",
                               "schema": {"type": "string"}})
            op["parameters"] = params
            if "requestBody" in op:
                if c.body_optional:
                    op["requestBody"]["required"] = False
                if c.example is not None:
                    for media in op["requestBody"]["content"].values():
                        media["example"] = c.example
            responses = {}
            for status, model in c.ok.items():
                entry = op["responses"].get(str(status), {"description": ""})
                entry["description"] = entry.get("description") or "OK"
                if isinstance(model, (str, tuple)):
                    entry["content"] = {media: {"schema": {"type": "string", "format": "binary"}}
                                        for media in ((model,) if isinstance(model, str) else model)}
                elif model is None:
                    entry.pop("content", None)
                    entry["description"] = STATUS_TEXT[204]
                else:
                    media = entry["content"]["application/json"]
                    media["example"] = (c.response_example if c.response_example is not None
                                        else example_of(media["schema"], raw["components"]["schemas"]))
                responses[str(status)] = entry
            if c.etag:
                for status in c.ok:
                    responses[str(status)].setdefault("headers", {})["ETag"] = {
                        "description": "A validator of this answer (send as If-None-Match).",
                        "schema": {"type": "string"}}
                responses["304"] = {"description": STATUS_TEXT[304]}
            for status in _operation_statuses(c, is_public, method, reauth):
                names = sorted(codes.get(status, ()))
                responses[str(status)] = {
                    "description": STATUS_TEXT.get(status, "Refused.") + (
                        " Codes: " + ", ".join(f"`{n}`" for n in names) + "." if names else ""),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"},
                                                     "example": _error_example(status)}}}
            if c.rate_limited:
                for status, entry in responses.items():
                    if status != "304":
                        entry.setdefault("headers", {}).update(copy.deepcopy(RATE_HEADERS))
                responses["429"]["headers"]["Retry-After"] = {"description": "Seconds to wait.",
                                                               "schema": {"type": "integer"}}
            if c.deprecated:
                op["deprecated"] = True
                for entry in responses.values():
                    entry.setdefault("headers", {})["Deprecation"] = {
                        "description": "This operation is deprecated (see the versioning note).",
                        "schema": {"type": "string", "enum": ["true"]}}
            op["responses"] = dict(sorted(responses.items()))
            paths.setdefault(path, {})[method.lower()] = op
    doc_["paths"] = paths
    doc_["info"] = {"title": "JiangXuan API", "version": API_VERSION, "description": DESCRIPTION,
                    "license": {"name": "Proprietary", "identifier": "LicenseRef-JiangXuan"}}
    doc_["servers"] = [{"url": "/", "description": "This server (paths include /api/v1)."}]
    doc_.pop("security", None)
    schemas = doc_["components"]["schemas"]
    detail = schemas["ErrorDetail"]
    detail["properties"]["code"] = {**detail["properties"]["code"], "enum": all_codes}
    _json_schema_bounds(doc_)
    doc_["tags"] = [{"name": t} for t in sorted({op["tags"][0] for ops in paths.values() for op in ops.values()})]
    return doc_


def document(app=None) -> dict:
    app = app or current_app
    cached = app.extensions.get("openapi")
    if cached is None:
        cached = app.extensions["openapi"] = build(app)
    return cached


@bp.after_request
def deprecation_header(response):
    """Answers of a deprecated operation say so (RFC 9745)."""
    c = contract_of(current_app.view_functions.get(request.endpoint)) if request.endpoint else None
    if c is not None and c.deprecated:
        response.headers["Deprecation"] = "true"
    return response


class OpenAPIDocument(Out):
    openapi: str
    info: dict
    paths: dict
    components: dict


@bp.route("/openapi.json", methods=["GET"])
@public
@doc(ok=OpenAPIDocument, etag=True)
def openapi_json():
    """This document (OpenAPI 3.1)."""
    raw = current_app.extensions.get("openapi_bytes")
    if raw is None:
        raw = current_app.extensions["openapi_bytes"] = json.dumps(document(), ensure_ascii=False).encode()
    response = Response(raw, mimetype="application/json")
    response.set_etag(hashlib.sha256(raw).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@docs_bp.route("/api/docs", methods=["GET"])
@public
def api_docs():
    """The human page of the contract (Redoc, served from this site)."""
    html = render_template("api/docs.html", spec_url=url_for("api.openapi_json"))
    response = Response(html, mimetype="text/html")
    # Redoc styles itself with inline <style> and searches in a worker made from a blob.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; "
        "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'none'")
    response.headers["Cache-Control"] = "no-cache"
    return response
