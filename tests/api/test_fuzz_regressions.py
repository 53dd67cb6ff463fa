"""Failures the schemathesis run (tests/api/test_fuzz.py, `make fuzz`) found, kept as ordinary tests.
The run prints a failing case as a test for this module: `world` is the seeded world it fuzzed (the
same ids), `bearer_for` the token of the role it used; the autouse fixture api_answers_conform
checks every answer against the document, as the fuzz run does."""
from __future__ import annotations

from tests.conftest import PASSWORD, new_client
from tests.test_access_matrix import world  # noqa: F401


def _bearer(app, user) -> dict:
    client = new_client(app)
    token = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


def bearer_for(app, world, role: str) -> dict:  # noqa: F811 - `world` is the fixture's value
    users, _params = world
    return {} if role == "anonymous" else _bearer(app, users[role])


def test_adding_a_role_to_an_account_keeps_its_other_roles(app, make_user):
    # PATCH /users/{id} {"roles": ["judge", "chief_judge"]} on a judge was a 409: the judge row was
    # re-inserted before the old one was deleted (unique user/role index).
    admin, judge = make_user("admin"), make_user("judge")
    client = new_client(app)
    r = client.patch(f"/api/v1/users/{judge.id}", json={"roles": ["judge", "chief_judge"]}, headers=_bearer(app, admin))
    assert r.status_code == 200 and r.get_json()["roles"] == ["chief_judge", "judge"]
    r = client.patch(f"/api/v1/users/{judge.id}", json={"roles": ["chief_judge"]}, headers=_bearer(app, admin))
    assert r.status_code == 200 and r.get_json()["roles"] == ["chief_judge"]


def test_a_multipart_part_without_a_name_is_refused_not_a_500(app, make_user, make_competition):
    # A multipart part whose name ends in a backslash (name="a\") has no name for Werkzeug (None),
    # and reached the NUL-character check as None: a 500.
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    body = (b"--b\r\nContent-Disposition: form-data; name=\"a\\\"\r\n\r\nx\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\n\r\n--b--\r\n")
    r = new_client(app).post(f"/api/v1/events/{comp.events[0].id}/registrations/import", data=body,
                             headers={**_bearer(app, organizer), "Content-Type": "multipart/form-data; boundary=b"})
    assert 400 <= r.status_code < 500 and r.get_json()["error"]["message"]


def test_a_time_in_year_3_is_refused(app, make_user):
    # registration_opens_at "0003-02-01T00:12:07Z" was stored and written back as
    # "0003-02-01T08:17:50+08:05:43" (Shanghai's local mean time): not an RFC 3339 date-time.
    from tests.conftest import competition_payload
    organizer = make_user("organizer")
    r = new_client(app).post("/api/v1/competitions", headers=_bearer(app, organizer), json=competition_payload(
        registration_opens_at="0003-02-01T00:12:07Z", starts_on="0001-01-01"))
    assert r.status_code == 422 and {"registration_opens_at", "starts_on"} <= set(r.get_json()["error"]["fields"])


def test_an_idempotent_upload_with_a_nameless_part_is_not_a_500(app, make_user):
    # The Idempotency-Key fingerprint sorted the multipart fields, and a part without a readable
    # name (None) could not be sorted with the others: a 500 (found on PostgreSQL, 60 cases each).
    judge = make_user("judge")
    body = (b"--b\r\nContent-Disposition: form-data; name=\"a\\\"\r\n\r\nx\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"criterion\"\r\n\r\nP1\r\n--b--\r\n")
    r = new_client(app).post("/api/v1/events/999/sheets/A001/photos", data=body, headers={
        **_bearer(app, judge), "Idempotency-Key": "op-12345678", "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 404


def test_fuzz_api_analytics_statistics_xlsx(app, world):  # noqa: F811
    # An issuer with control characters ("\x0c", from the query string) reached openpyxl, which
    # refuses them in a cell: a 500 (make fuzz, SQLite, 250 cases). They are dropped from the export.
    r = new_client(app).open('/api/v1/analytics/statistics.xlsx', method='GET',
                             query_string={'kind': 'craftsman_selection', 'issuer': '\x984 |%\x0cùY'},
                             headers=bearer_for(app, world, 'admin'))
    assert r.status_code == 200 and r.data[:2] == b"PK"

