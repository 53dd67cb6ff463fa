"""Anonymity that holds (issue 15, item 6): the seed and the code map are sealed until decryption,
two layers of numbers, and decryption by the chief judge together with a supervisor, checked
against the seal committed at the draw."""
from __future__ import annotations

import re
import subprocess
import threading
import time

from sqlalchemy import func, select, text, update

from app.audit.models import AuditEvent
from app.competitions.models import Event
from app.domain import draw as draws
from app.extensions import db
from app.judging.models import Draw
from app.registration.models import Registration
from tests.conftest import csrf_from
from tests.scenarios import all_codes, theory_file, upload
from tests import scenarios

SEED = "sealed-seed-7731"
ORGS = ("拉萨职业技术学院", "西藏天路股份有限公司")


def _drawn_with_secret_seed(drawn, api_as):
    event = drawn["event"]
    assert api_as(drawn["organizer"]).post(f"/events/{event.id}/draw", json={"seed": SEED}).status_code == 200
    return event


def _lock(drawn, api_as):
    event = drawn["event"]
    scenarios.fill_sheets(drawn)
    upload(api_as(drawn["organizer"]), event.id, theory_file([(c, 60 + i) for i, c in enumerate(all_codes(event.id))]))
    assert api_as(drawn["chief"]).post(f"/events/{event.id}/lock").status_code == 200


def _regs(event_id):
    return db.session.scalars(select(Registration).where(Registration.event_id == event_id)
                              .order_by(Registration.id)).all()


def _assert_sealed(body: str, drawn, where: str):
    assert SEED not in body, where
    for key in ("registration_id", "person_id", "organization_id", "ticket_number", "ticket_seed", "seal_salt"):
        assert key not in body, f"{key} in {where}"
    for reg in drawn["entries"]:
        assert reg.person.name not in body, f"a contestant's name in {where}"
        # As a number of its own: "01007" also occurs inside a timestamp's microseconds or a hash.
        assert not re.search(rf"(?<![0-9A-Za-z]){reg.ticket_number}(?![0-9A-Za-z])", body), \
            f"a ticket number in {where}"
        assert f"/registrations/{reg.id}/" not in body, where
    for org in ORGS:
        assert org not in body, f"{org} in {where}"


def test_nothing_the_chief_reads_before_decryption_reveals_the_map(drawn, api_as, login):
    event = _drawn_with_secret_seed(drawn, api_as)
    organizer = api_as(drawn["organizer"])
    # Things that leave traces in the audit: a declared conflict, time used, an absence marked
    # and cleared (by code), a lock, a re-check draw by the supervisor.
    target = drawn["entries"][2]
    assert organizer.post(f"/events/{event.id}/conflicts", json={"user_id": drawn["judges"][2].id,
                                                                  "registration_id": target.id, "kind": "trainer",
                                                                  "note": f"{target.person.name}的教练"}).status_code == 201
    chief = api_as(drawn["chief"])
    code = all_codes(event.id)[0]
    assert chief.post(f"/events/{event.id}/entries/{code}/time-used", json={"time_used": 3000}).status_code == 200
    assert chief.post(f"/events/{event.id}/entries/{code}/attendance", json={"status": "absent"}).status_code == 200
    assert chief.post(f"/events/{event.id}/entries/{code}/attendance", json={"status": None}).status_code == 200
    _lock(drawn, api_as)
    assert api_as(drawn["supervisor"]).post(f"/events/{event.id}/recheck", json={"top_n": 2}).status_code == 201
    assert chief.post(f"/events/{event.id}/decrypt").get_json()["state"] == "requested"

    for path in ("audit", "panel", "sheets", "disagreements", "results", "recheck"):
        r = chief.get(f"/events/{event.id}/{path}")
        assert r.status_code == 200, path
        _assert_sealed(r.get_data(as_text=True), drawn, f"GET /events/{{id}}/{path}")
    audit = chief.get(f"/events/{event.id}/audit").get_json()["items"]
    actions = {i["action"] for i in audit}
    assert {"draw.codes", "conflict.declare", "registration.time_used", "registration.attendance", "event.lock",
            "recheck.draw", "event.decrypt_request"} <= actions
    assert not {"registration.create", "registration.review"} & actions
    draw = [i for i in audit if i["action"] == "draw.codes"][-1]  # the redraw with SEED
    assert draw["after"]["seal_hash"] == db.session.scalar(select(Draw.seal_hash).where(Draw.event_id == event.id))
    # A judge reads the panel too.
    _assert_sealed(api_as(drawn["judges"][0]).get(f"/events/{event.id}/panel").get_data(as_text=True), drawn, "judge panel")

    web = login(drawn["chief"])
    for url in (f"/judge/events/{event.id}", f"/events/{event.id}/audit", f"/judge/events/{event.id}/ties"):
        r = web.get(url)
        assert r.status_code == 200, url
        _assert_sealed(r.get_data(as_text=True), drawn, url)

    # The organizer's and the supervisor's audit stays whole.
    for who in (drawn["organizer"], drawn["supervisor"]):
        whole = api_as(who).get(f"/events/{event.id}/audit").get_data(as_text=True)
        assert "registration.create" in whole and "registration_id" in whole

    # After decryption (the supervisor confirms) the chief judge's audit is whole, and it holds
    # what reproduces the map.
    assert api_as(drawn["supervisor"]).post(f"/events/{event.id}/decrypt/confirm").get_json()["state"] == "decrypted"
    body = chief.get(f"/events/{event.id}/audit").get_data(as_text=True)
    assert SEED in body and "registration.create" in body and "person_id" in body
    items = chief.get(f"/events/{event.id}/audit").get_json()["items"]
    opened = next(i for i in items if i["action"] == "event.decrypt")["after"]
    regs = [r for r in _regs(event.id) if r.code]
    assert draws.draw_codes([r.id for r in regs], opened["seed"], "A") == {r.id: r.code for r in regs}
    assert draws.draw_tickets([r.id for r in regs], opened["ticket_seed"], "01") == {r.id: r.ticket_number for r in regs}
    assert draws.seal_hash(opened["seal_salt"], opened["seed"], opened["ticket_seed"],
                           {r.id: (r.code, r.ticket_number) for r in regs}) == draw["after"]["seal_hash"]


def test_two_layers_ticket_numbers_differ_from_codes_everywhere_they_are_shown(drawn, api_as, make_user, login):
    event = drawn["event"]
    regs = _regs(event.id)
    assert all(r.ticket_number and r.code and r.ticket_number != r.code for r in regs)
    # Not the same order either: the second layer is an independent draw.
    assert sorted(regs, key=lambda r: r.code) != sorted(regs, key=lambda r: r.ticket_number)
    reg = drawn["entries"][0]
    cand = make_user("candidate", username="ticket_owner")
    reg.person.user_id = cand.id
    db.session.commit()
    db.session.refresh(reg)
    pdf = api_as(cand).get(f"/registrations/{reg.id}/admission-ticket.pdf")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert reg.ticket_number in out and reg.code not in out
    # The candidate's own registration carries the ticket number, not the judges' code.
    mine = api_as(cand).get(f"/registrations/{reg.id}").get_json()
    assert mine["ticket_number"] == reg.ticket_number and "code" not in mine
    me = login(cand).get("/me").get_data(as_text=True)
    assert reg.code not in me
    # The judges' sheets use the code, never the ticket number.
    judge = api_as(drawn["judges"][1])
    sheets = judge.get(f"/events/{event.id}/sheets").get_data(as_text=True)
    assert reg.code in sheets and not any(r.ticket_number in sheets for r in regs)
    assert judge.get(f"/events/{event.id}/sheets/{reg.ticket_number}").status_code in (403, 405)
    page = login(drawn["judges"][1]).get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert reg.code in page and not any(r.ticket_number in page for r in regs)
    # The organizer sees both.
    managed = login(drawn["organizer"]).get(f"/manage/events/{event.id}/judging").get_data(as_text=True)
    assert reg.code in managed and reg.ticket_number in managed


def test_one_layer_when_the_event_turns_it_off(jworld, api_as):
    event = db.session.get(Event, jworld["event"].id)
    event.two_layer = False
    db.session.commit()
    organizer = api_as(jworld["organizer"])
    assert organizer.post(f"/events/{event.id}/draw", json={"seed": "one"}).status_code == 200
    regs = _regs(event.id)
    assert all(r.code and r.ticket_number is None and r.ticket_text == r.code for r in regs)
    # Once drawn, the setting cannot change.
    body = organizer.get(f"/events/{event.id}").get_json()
    r = organizer.patch(f"/events/{event.id}", json={"two_layer": True, "version": body["version"]})
    assert r.status_code in (409, 422)


def _tamper(event_id):
    """Swap the codes of two entries behind the application's back."""
    a, b = [r for r in _regs(event_id)][:2]
    code_a, code_b = a.code, b.code
    for rid, code in ((a.id, "TMP"), (b.id, code_a), (a.id, code_b)):
        db.session.execute(update(Registration).where(Registration.id == rid).values(code=code))
    db.session.commit()


def test_a_tampered_code_map_refuses_decryption_and_the_refusal_is_recorded(drawn, api_as, login):
    event = _drawn_with_secret_seed(drawn, api_as)
    _lock(drawn, api_as)
    chief = api_as(drawn["chief"])
    assert chief.post(f"/events/{event.id}/decrypt").status_code == 200
    _tamper(event.id)
    r = api_as(drawn["supervisor"]).post(f"/events/{event.id}/decrypt/confirm")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "seal_mismatch"
    db.session.expire_all()
    assert db.session.get(Event, event.id).decrypted_at is None
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "event.decrypt_refused")).all()
    assert len(refused) == 1 and refused[0].reason == "seal_mismatch"
    # The web page refuses the same way (and records it).
    web = login(drawn["supervisor"])
    page = web.get(f"/supervise/events/{event.id}")
    r = web.post(f"/supervise/events/{event.id}/decrypt", data={"csrf_token": csrf_from(page.data)})
    assert "封存值不符" in web.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "event.decrypt_refused")) == 2
    db.session.expire_all()
    assert db.session.get(Event, event.id).decrypted_at is None


def test_an_intact_seal_verifies(drawn, api_as):
    from app.judging.queries import verify_seal
    event = _drawn_with_secret_seed(drawn, api_as)
    holds, expected, found = verify_seal(db.session.get(Event, event.id))
    assert holds and expected == found
    db.session.execute(text("UPDATE draws SET seed = 'guess' WHERE event_id = :e"), {"e": event.id})
    db.session.commit()
    db.session.expire_all()
    assert not verify_seal(db.session.get(Event, event.id))[0]


def test_two_people_decrypt_in_either_order_and_no_one_alone(drawn, api_as, make_user):
    event = drawn["event"]
    _lock(drawn, api_as)
    chief, supervisor = api_as(drawn["chief"]), api_as(drawn["supervisor"])
    judge = api_as(drawn["judges"][1])
    # A user without the supervisor role cannot take part; neither can another event's chief.
    stranger = make_user("chief_judge", username="other_chief")
    assert api_as(stranger).post(f"/events/{event.id}/decrypt").status_code == 403
    assert api_as(drawn["organizer"]).post(f"/events/{event.id}/decrypt/confirm").status_code == 403
    # The supervisor first this time; asking twice changes nothing.
    assert supervisor.post(f"/events/{event.id}/decrypt/confirm").get_json()["state"] == "requested"
    assert supervisor.post(f"/events/{event.id}/decrypt/confirm").get_json()["state"] == "requested"
    # A supervisor not assigned to this competition takes no part.
    second_supervisor = make_user("supervisor", username="supervisor_two")
    assert api_as(second_supervisor).post(f"/events/{event.id}/decrypt/confirm").status_code == 403
    assert all("name" not in s for s in judge.get(f"/events/{event.id}/sheets").get_json()["items"])
    assert chief.post(f"/events/{event.id}/decrypt").get_json()["state"] == "decrypted"
    assert all("name" in s for s in judge.get(f"/events/{event.id}/sheets").get_json()["items"])
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("event.decrypt%"))
                                 .order_by(AuditEvent.seq)).all()
    assert actions == ["event.decrypt_request", "event.decrypt"]
    assert chief.post(f"/events/{event.id}/decrypt").get_json()["state"] == "decrypted"  # idempotent
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "event.decrypt")) == 1


def test_one_person_holding_both_roles_cannot_decrypt_alone(drawn, api_as, make_user):
    from app.judging.operations import add_panel_member
    event = db.session.get(Event, drawn["event"].id)
    both = make_user("chief_judge", "supervisor", username="both_roles")
    # Replace the panel's chief judge by the user holding both roles.
    from app.judging.models import PanelMember
    db.session.execute(PanelMember.__table__.delete().where(PanelMember.role == "chief_judge"))
    add_panel_member(event, both, "chief_judge", drawn["organizer"])
    from app.competitions.operations import assign_supervisor
    both.organization_id = drawn["host"].id  # a supervisor of the host, assigned to the competition
    db.session.flush()
    assign_supervisor(event.competition, both, drawn["organizer"])
    db.session.commit()
    drawn["chief"] = both
    _lock(drawn, api_as)
    api = api_as(both)
    assert api.post(f"/events/{event.id}/decrypt").get_json()["state"] == "requested"
    assert api.post(f"/events/{event.id}/decrypt/confirm").get_json()["state"] == "requested"
    db.session.expire_all()
    assert db.session.get(Event, event.id).decrypted_at is None


def test_decryption_needs_the_lock_and_a_recent_password(drawn, api_as, app):
    event = drawn["event"]
    r = api_as(drawn["chief"]).post(f"/events/{event.id}/decrypt")
    assert r.status_code == 409
    _lock(drawn, api_as)
    from datetime import timedelta

    from app.accounts.models import ApiToken
    api = api_as(drawn["supervisor"])
    from app.models_base import utcnow
    db.session.execute(update(ApiToken).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    r = api.post(f"/events/{event.id}/decrypt/confirm")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "reauth_required"


def test_five_simultaneous_confirmations_record_one_decryption(drawn, api_as):
    event = drawn["event"]
    _lock(drawn, api_as)
    assert api_as(drawn["chief"]).post(f"/events/{event.id}/decrypt").get_json()["state"] == "requested"
    apis = [api_as(drawn["supervisor"]) for _ in range(5)]
    barrier = threading.Barrier(len(apis))
    statuses = [None] * len(apis)

    def confirm(i):
        barrier.wait()
        for attempt in range(20):  # SQLite answers 503 when busy: a client retries
            r = apis[i].post(f"/events/{event.id}/decrypt/confirm")
            if r.status_code != 503:
                statuses[i] = (r.status_code, r.get_json()["state"])
                return
            time.sleep(0.02 * (attempt + 1))
    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(apis))]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]
    assert statuses == [(200, "decrypted")] * 5
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "event.decrypt")) == 1


def test_five_simultaneous_requests_record_one_request(drawn, api_as):
    event = drawn["event"]
    _lock(drawn, api_as)
    apis = [api_as(drawn["chief"]) for _ in range(5)]
    barrier = threading.Barrier(len(apis))
    statuses = [None] * len(apis)

    def request(i):
        barrier.wait()
        for attempt in range(20):
            r = apis[i].post(f"/events/{event.id}/decrypt")
            if r.status_code != 503:
                statuses[i] = (r.status_code, r.get_json()["state"])
                return
            time.sleep(0.02 * (attempt + 1))
    threads = [threading.Thread(target=request, args=(i,)) for i in range(len(apis))]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]
    assert statuses == [(200, "requested")] * 5
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "event.decrypt_request")) == 1


def test_imported_scores_may_name_entries_by_ticket_number_or_code(drawn, api_as):
    """An exam system knows contestants by their admission-ticket number: accepted like the code."""
    from app.judging.models import ImportedScore
    event = drawn["event"]
    regs = _regs(event.id)
    rows = [(r.ticket_number if i % 2 else r.code, 70 + i) for i, r in enumerate(regs)]
    assert upload(api_as(drawn["organizer"]), event.id, theory_file(rows)).status_code == 201
    got = dict(db.session.execute(select(ImportedScore.registration_id, ImportedScore.value)).all())
    assert {r.id: int(got[r.id]) for r in regs} == {r.id: 70 + i for i, r in enumerate(regs)}
    # The same entry twice (once by each number) is refused.
    r = upload(api_as(drawn["organizer"]), event.id, theory_file([(regs[0].code, 1), (regs[0].ticket_number, 2)]))
    assert r.status_code == 422
