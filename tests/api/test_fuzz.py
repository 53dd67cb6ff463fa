"""Schemathesis fuzzes every operation of the OpenAPI document against the live app (in process,
through its WSGI interface) on a seeded world with real objects of two tenants
(tests/tenancy_world.py), on whichever database the suite runs on (SQLite, or PostgreSQL with
TEST_DATABASE_URL). Each operation runs as a role allowed to use it; half of the cases address the
world's real objects (the other half random ids). Checks: no server error, and every answer
conforms to the document — status code, media type, headers and body schema.

Examples per operation: FUZZ_EXAMPLES (default 5 in the ordinary suite, where this test is the
smoke run: every operation of the document is fuzzed at every `make test`; a fifth of it, at least
5, for the HEAVY operations). The deep run is `make fuzz` (FUZZ_EXAMPLES=250, two shards on two
workers, FUZZ_BUDGET seconds per shard; README, "The deep fuzz"), which CI runs on both databases
after the suite. The suite's PostgreSQL run leaves the smoke run out (marker `fuzz_smoke`,
tests/conftest.py): `make fuzz-postgres` follows it in CI with 50 times the cases. Knobs:
- FUZZ_BUDGET: a wall-clock bound in seconds on one test (shard), from loading the document on.
  Each operation may use the time left divided by the operations left (so fast ones leave time to
  slow ones); an operation that reaches its share stops early and the summary names it (not a
  failure; it has run at least MIN_CASES cases).
- FUZZ_SHARDS: the operations are dealt round-robin to this many tests (`test_fuzz_every_operation[k]`),
  each on its own seeded world, so that pytest-xdist runs them in parallel. Default 1.
- FUZZ_ONLY names endpoints to fuzz alone, e.g. FUZZ_ONLY=api.draw,api.lock.

A failure prints the failing case as a curl command and as an ordinary test (`reproduction`):
paste it into tests/api/test_fuzz_regressions.py, which has its `world` and `bearer_for`, see it
fail, fix the app, then sharpen its assertion to the answer the document promises.
"""
from __future__ import annotations

import os
import time

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts import operations as accounts
from tests.test_access_matrix import params_for, world  # noqa: F401
from tests.test_hostile_inputs import _role_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
ONLY = set(filter(None, os.environ.get("FUZZ_ONLY", "").split(",")))  # e.g. FUZZ_ONLY=api.draw,api.lock
BUDGET = float(os.environ.get("FUZZ_BUDGET") or 0) or None  # seconds per shard; None: unbounded
SHARDS = max(1, int(os.environ.get("FUZZ_SHARDS") or 1))
MIN_CASES = 5  # an operation cut short by the budget still runs these
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# Slow by nature (each answer is a rendered PDF or spreadsheet): fewer cases.
HEAVY = {"api.certificate_pdf", "api.admission_ticket_pdf", "api.bulletin_pdf", "api.entitlements_roster_pdf",
         "api.entitlements_roster", "api.registrations_export", "api.registrations_template",
         "api.analytics_statistics_pdf", "api.analytics_statistics_xlsx", "api.my_record_pdf", "api.people_file_pdf",
         "api.delegations_nomination_xlsx"}
# They end the caller's token: fuzzed last, with a token of their own.
LAST = {"api.token_delete"}


class _OutOfTime(Exception):
    """The operation has used its share of FUZZ_BUDGET: Hypothesis stops generating for it."""


def _isolated(app):
    """Each request in its own application context (as in a real server), like tests' IsolatedClient."""
    def wsgi(environ, start_response):
        token = _cv_app.set(None)
        try:
            return app.wsgi_app(environ, start_response)
        finally:
            _cv_app.reset(token)
    return wsgi


def reproduction(case, role: str, endpoint: str) -> str:
    """The case as a curl command and as an ordinary test, ready for tests/api/test_fuzz_regressions.py
    (its `world` is the one fuzzed here, so the seeded ids are the same; the autouse fixture
    api_answers_conform checks the answer against the document, as the fuzz run did)."""
    kwargs = case.as_transport_kwargs()
    headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items()
               if k not in ("User-Agent", "Accept-Encoding", "Accept", "Connection", "X-Schemathesis-TestCaseId",
                            "Authorization")}
    path, method, query = kwargs.pop("path"), kwargs.pop("method"), kwargs.pop("query_string", None)
    rest = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return (f"  curl: {case.as_curl_command()}\n  as an ordinary test:\n\n"
            f"def test_fuzz_{endpoint.replace('.', '_')}(app, world):\n"
            f"    r = new_client(app).open({path!r}, method={method!r}, query_string={query!r},\n"
            f"                             headers={{**bearer_for(app, world, {role!r}), **{headers!r}}}{rest})\n"
            f"    assert r.status_code < 500\n")


@pytest.mark.fuzz_smoke
@pytest.mark.parametrize("shard", range(SHARDS))
def test_fuzz_every_operation(app, world, shard):
    users, params = world
    started = time.monotonic()  # FUZZ_BUDGET counts from here: loading the document included
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))  # the served document
    endpoints = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            from app.api.openapi import _path_and_params
            path, _ = _path_and_params(rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                endpoints[(method, path)] = rule.endpoint
    operations = [r.ok() for r in schema.get_all_operations()
                  if not ONLY or endpoints[(r.ok().method.upper(), r.ok().path)] in ONLY]
    operations.sort(key=lambda op: (op.path, op.method))
    operations = operations[shard::SHARDS]
    operations.sort(key=lambda op: endpoints[(op.method.upper(), op.path)] in LAST)
    failures, ran = [], 0
    answered: dict[str, dict[int, int]] = {}
    timings: dict[str, tuple[int, float]] = {}  # endpoint: (cases, seconds)
    cut_short: list[str] = []
    fuzzing = time.monotonic()
    for index, op in enumerate(operations):
        endpoint = endpoints[(op.method.upper(), op.path)]
        op_started = time.monotonic()
        share = None if BUDGET is None else max(0.0, (BUDGET - (op_started - started)) / (len(operations) - index))
        role = _role_for(endpoint)
        headers = {}
        if role != "anonymous":
            token, _row = accounts.issue_token(users[role], 1)
            from app.extensions import db
            db.session.commit()
            headers["Authorization"] = f"Bearer {token}"
        seeded = {k: v for k, v in params_for(endpoint, params).items() if f"{{{k}}}" in op.path}
        seen = []

        @settings(max_examples=max(5, EXAMPLES // 5) if endpoint in HEAVY else EXAMPLES, deadline=None,
                  database=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        @given(case=op.as_strategy(), real=st.booleans())
        def run(case, real):
            if share is not None and len(seen) >= MIN_CASES and time.monotonic() - op_started > share:
                raise _OutOfTime
            if real and seeded:
                case.path_parameters = {**(case.path_parameters or {}), **seeded}
            seen.append(case)
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            counts = answered.setdefault(endpoint, {})
            counts[response.status_code] = counts.get(response.status_code, 0) + 1

        try:
            run()
        except _OutOfTime:
            cut_short.append(endpoint)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - schemathesis' FailureGroup; all reported
            case = seen[-1] if seen else None
            failures.append(f"{op.method.upper()} {op.path} as {role}: {str(exc).strip()[:1500]}\n"
                            + (reproduction(case, role, endpoint) if case is not None else ""))
            print(f"\nFAILED {failures[-1]}", flush=True)  # at once too, for `-s` during a long run
        ran += len(seen)
        timings[endpoint] = (len(seen), time.monotonic() - op_started)
    elapsed = time.monotonic() - started
    print(f"\n[fuzz shard {shard + 1}/{SHARDS}] {ran} cases over {len(operations)} operations in {elapsed:.0f} s "
          f"({fuzzing - started:.0f} s of it loading the document) "
          f"(FUZZ_EXAMPLES={EXAMPLES}, FUZZ_BUDGET={BUDGET or 'none'}); answers by status per operation "
          "(cases, seconds):")
    for endpoint, counts in sorted(answered.items()):
        cases, seconds = timings.get(endpoint, (0, 0.0))
        print(f"  {endpoint}: " + ", ".join(f"{k}×{v}" for k, v in sorted(counts.items()))
              + f"  ({cases}, {seconds:.1f} s)")
    slowest = sorted(timings.items(), key=lambda item: -item[1][1])[:5]
    print("  slowest: " + ", ".join(f"{e} {s:.0f} s" for e, (_n, s) in slowest))
    if cut_short:
        print(f"  cut short by the time budget ({len(cut_short)}): "
              + ", ".join(f"{e} after {timings[e][0]}" for e in cut_short))
    print(f"  server errors or nonconforming answers: {len(failures)} operation(s)")
    assert ran >= len(operations) * 5 and operations
    # The seeded world is reached: most operations answered a success at least once.
    succeeded = [e for e, counts in answered.items() if any(200 <= k < 300 for k in counts)]
    if not ONLY:
        assert len(succeeded) >= len(operations) // 3, sorted(set(answered) - set(succeeded))
    assert not failures, f"{len(failures)} of {len(operations)} operations failed:\n\n" + "\n\n".join(failures)

