"""Every answer of /api/v1 in the test suite is checked against the published OpenAPI document:
its status must be documented for the operation, its media type too, and a JSON body must match
the documented schema *closed* (every object's members documented: the contract lets v1 add
members, so the document must list each one the code sends). conftest.py installs the check on
the test app and fails the test that received a non-conforming answer."""
from __future__ import annotations

import copy
import json

import jsonschema_rs
from flask import request

from app.api.contract import contract_of
from app.api.openapi import _path_and_params, document


def _close(node):
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


class ContractChecker:
    def __init__(self, app):
        self.app = app
        self.violations: list[str] = []
        self._validators: dict = {}
        self._components = None

    def _doc(self):
        doc = document(self.app)
        if self._components is None:
            schemas = copy.deepcopy(doc["components"]["schemas"])
            _close(schemas)
            self._components = {"schemas": schemas}
        return doc

    def validator(self, schema: dict):
        key = json.dumps(schema, sort_keys=True)
        v = self._validators.get(key)
        if v is None:
            v = self._validators[key] = jsonschema_rs.Draft202012Validator(
                {**schema, "components": self._components})
        return v

    def problems(self, method: str, rule, response) -> list[str]:
        doc = self._doc()
        path, _ = _path_and_params(rule)
        op = doc["paths"].get(path, {}).get(method.lower())
        where = f"{method} {request.full_path.rstrip('?')} → {response.status_code}"
        if op is None:
            return [f"{where}: the operation is not in the OpenAPI document"]
        entry = op["responses"].get(str(response.status_code))
        if entry is None:
            return [f"{where}: status {response.status_code} is not documented "
                    f"(documented: {', '.join(op['responses'])})"]
        content = entry.get("content")
        if not content:
            if response.status_code not in (204, 304) and response.get_data():
                return [f"{where}: a body where the document has none"]
            return []
        mimetype = response.mimetype
        if mimetype not in content:
            return [f"{where}: media type {mimetype} not documented ({', '.join(content)})"]
        schema = content[mimetype].get("schema")
        if mimetype != "application/json" or schema is None:
            return []
        try:
            body = json.loads(response.get_data())
        except ValueError:
            return [f"{where}: not JSON"]
        errors = list(self.validator(schema).iter_errors(body))
        return [f"{where}: {e.message} at {'/'.join(str(p) for p in e.instance_path)}" for e in errors[:5]]

    def after_request(self, response):
        rule = request.url_rule
        if rule is not None and rule.rule.startswith("/api/v1/") and request.method not in ("HEAD", "OPTIONS"):
            if contract_of(self.app.view_functions.get(rule.endpoint)) is None:
                return response  # no schema yet: tests/api/test_openapi.py names the route once
            if not response.direct_passthrough:
                self.violations.extend(self.problems(request.method, rule, response))
            else:  # files: the status and media type only
                self.violations.extend(p for p in self.problems(request.method, rule, response)
                                       if "not JSON" not in p)
        return response
