"""Score sheets: validation, optimistic locking, concurrency, submission, corrections, lock,
decryption, imported scores, disagreement flags, the re-check protocol and the audit trail."""
import threading
from decimal import Decimal

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.judging.models import ImportedScore, Score, Sheet
from app.registration.models import Registration
from tests import scenarios
from tests.scenarios import FULL, all_codes, my_sheets, theory_file, upload  # noqa: F401 (FULL: for older imports)

def test_judge_saves_and_values_are_validated(drawn, api_as):
    event = drawn["event"]
    api = api_as(drawn["judges"][1])
    code, sheet = sorted(my_sheets(api, event.id).items())[0]
    assert sheet["status"] == "draft" and sheet["scores"] == {"P1": None, "P2": None, "P3": None}
    bad = {"P1": "2.5", "P2": "20.1", "P3": "8.3", "X9": "1"}
    r = api.put(f"/events/{event.id}/sheets/{code}", json={"scores": bad, "version": sheet["version"]})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert set(fields) == {"scores.P1", "scores.P2", "scores.P3", "scores.X9"}
    assert "0 至 3 的整数分" in fields["scores.P1"][0]
    r = api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P2": 17.25}, "version": sheet["version"]})
    assert r.status_code == 422  # binary floats are refused
    r = api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "3", "P2": "20"}, "version": sheet["version"]})
    assert r.status_code == 200 and r.get_json()["version"] == sheet["version"] + 1
    assert r.get_json()["scores"] == {"P1": "3", "P2": "20", "P3": None}


def test_stale_version_is_refused_and_nothing_is_overwritten(drawn, api_as):
    event = drawn["event"]
    api = api_as(drawn["judges"][1])
    code, sheet = sorted(my_sheets(api, event.id).items())[0]
    assert api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "1"}, "version": sheet["version"]}).status_code == 200
    r = api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "3"}, "version": sheet["version"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"
    assert my_sheets(api, event.id)[code]["scores"]["P1"] == "1"


def test_racing_saves_of_one_sheet_one_wins(drawn, api_as):
    event = drawn["event"]
    judge = drawn["judges"][1]
    code, sheet = sorted(my_sheets(api_as(judge), event.id).items())[0]
    apis = [api_as(judge) for _ in range(8)]
    barrier = threading.Barrier(len(apis))
    statuses = [None] * len(apis)

    def run(i):
        barrier.wait()
        statuses[i] = apis[i].put(f"/events/{event.id}/sheets/{code}",
                                  json={"scores": {"P2": f"{i}.25"}, "version": sheet["version"]}).status_code
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(apis))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 503}
    winner = statuses.index(200)
    assert my_sheets(apis[0], event.id)[code]["scores"]["P2"] == f"{winner}.25"


def test_concurrent_saves_by_different_judges_lose_nothing(drawn, api_as, make_user):
    event = drawn["event"]
    fourth = make_user("judge", username="judge_d", name="扎西")
    assert api_as(drawn["organizer"]).post(f"/events/{event.id}/panel",
                                           json={"user_id": fourth.id, "role": "judge"}).status_code == 201
    drawn["judges"].append(fourth)
    work = []
    for judge in drawn["judges"]:
        api = api_as(judge)
        for code, sheet in my_sheets(api, event.id).items():
            work.append((api_as(judge), code, sheet["version"], judge.id))
    barrier = threading.Barrier(len(work))
    statuses = [None] * len(work)

    def run(i):
        api, code, version, judge_id = work[i]
        barrier.wait()
        for attempt in range(5):  # a 503 (SQLite busy) is retried like a client would
            r = api.put(f"/events/{event.id}/sheets/{code}", json={
                "scores": {"P1": str(judge_id % 4), "P2": f"{10 + i % 10}.5", "P3": "5"}, "version": version})
            if r.status_code != 503:
                break
        statuses[i] = r.status_code
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(work) >= 20
    assert statuses == [200] * len(work), statuses
    db.session.expire_all()
    for i, (_api, code, _v, judge_id) in enumerate(work):
        sheet = db.session.scalar(select(Sheet).join(Registration).where(Registration.code == code, Sheet.judge_id == judge_id))
        assert sheet.values() == {"P1": Decimal(judge_id % 4), "P2": Decimal(f"{10 + i % 10}.5"), "P3": Decimal("5")}
    assert db.session.scalar(select(func.count()).select_from(Score)) == 3 * len(work)  # no duplicate rows


def test_submit_needs_every_criterion_then_only_the_chief_corrects(drawn, api_as):
    event = drawn["event"]
    api = api_as(drawn["judges"][1])
    code, sheet = sorted(my_sheets(api, event.id).items())[0]
    api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "2"}, "version": sheet["version"]})
    r = api.post(f"/events/{event.id}/sheets/{code}/submit")
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"scores.P2", "scores.P3"}
    v = my_sheets(api, event.id)[code]["version"]
    api.put(f"/events/{event.id}/sheets/{code}", json={"scores": FULL, "version": v})
    assert api.post(f"/events/{event.id}/sheets/{code}/submit").get_json()["status"] == "submitted"
    v = my_sheets(api, event.id)[code]["version"]
    assert api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "3"}, "version": v}).status_code == 409
    chief = api_as(drawn["chief"])
    url = f"/events/{event.id}/sheets/{code}?judge_id={drawn['judges'][1].id}"
    r = chief.put(url, json={"scores": {"P1": "3"}, "version": v})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    r = chief.put(url, json={"scores": {"P1": "3"}, "version": v, "reason": "裁判误录，现场复核视频确认"})
    assert r.status_code == 200 and r.get_json()["scores"]["P1"] == "3"
    ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sheet.correct")).one()
    assert ev.before == {"P1": "2"} and ev.after == {"P1": "3"} and ev.reason.startswith("裁判误录")
    assert ev.actor_id == drawn["chief"].id
    # Another judge cannot correct, nor reach someone else's sheet.
    other = api_as(drawn["judges"][2])
    assert other.put(url, json={"scores": {"P1": "0"}, "version": v + 1, "reason": "x"}).status_code == 403


def test_theory_import_is_all_or_nothing(drawn, api_as):
    event = drawn["event"]
    api = api_as(drawn["organizer"])
    codes = all_codes(event.id)
    rows = [(c, 80 + i) for i, c in enumerate(codes)]
    bad = rows[:2] + [("Z999", 90), (codes[2], 101), (codes[3], "八十"), (codes[0], 70)]
    r = upload(api, event.id, theory_file(bad))
    assert r.status_code == 422
    problems = {(p["row"], p["field"]) for p in r.get_json()["error"]["rows"]}
    assert problems == {(4, "code"), (5, "T1"), (6, "T1"), (7, "code")}
    assert db.session.scalar(select(func.count()).select_from(ImportedScore)) == 0
    r = upload(api, event.id, theory_file([(c, "85.5") for c in codes]))
    assert r.status_code == 201 and r.get_json() == {"imported": 6}
    assert upload(api, event.id, theory_file([(c, 86) for c in codes])).status_code == 201  # re-import replaces
    assert db.session.scalar(select(func.count()).select_from(ImportedScore)) == 6


def test_lock_lists_what_is_missing_then_freezes_the_sheets(drawn, api_as):
    event = drawn["event"]
    chief = api_as(drawn["chief"])
    r = chief.post(f"/events/{event.id}/lock")
    assert r.status_code == 409
    missing = r.get_json()["error"]["missing"]
    assert len([m for m in missing if m["kind"] == "sheet"]) == 16 and len([m for m in missing if m["kind"] == "imported"]) == 6
    scenarios.fill_sheets(drawn)
    r = chief.post(f"/events/{event.id}/lock")
    assert r.status_code == 409 and {m["kind"] for m in r.get_json()["error"]["missing"]} == {"imported"}
    upload(api_as(drawn["organizer"]), event.id, theory_file([(c, 75) for c in all_codes(event.id)]))
    assert chief.post(f"/events/{event.id}/lock").status_code == 200
    assert chief.post(f"/events/{event.id}/lock").status_code == 409  # once
    judge = api_as(drawn["judges"][1])
    code, sheet = sorted(my_sheets(judge, event.id).items())[0]
    assert sheet["status"] == "locked"
    assert judge.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "0"}, "version": sheet["version"]}).status_code == 409
    url = f"/events/{event.id}/sheets/{code}?judge_id={drawn['judges'][1].id}"
    assert chief.put(url, json={"scores": {"P1": "0"}, "version": sheet["version"], "reason": "x"}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "event.lock")) == 1
    # Names: still hidden until the chief judge decrypts, then shown to the panel.
    assert "name" not in sheet
    assert chief.post(f"/events/{event.id}/decrypt").get_json()["state"] == "requested"
    assert "name" not in my_sheets(judge, event.id)[code]  # the chief judge alone reveals nothing
    assert api_as(drawn["supervisor"]).post(f"/events/{event.id}/decrypt/confirm").get_json()["state"] == "decrypted"
    named = my_sheets(judge, event.id)[code]
    assert named["name"] in {r.person.name for r in drawn["entries"]}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "event.decrypt")) == 1


def test_disagreement_flags(drawn, api_as):
    event = drawn["event"]
    code = all_codes(event.id)[0]
    values = {drawn["judges"][0].id: "0", drawn["judges"][1].id: "3", drawn["judges"][2].id: "1"}
    for judge in drawn["judges"]:
        api = api_as(judge)
        sheets = my_sheets(api, event.id)
        if code in sheets:
            api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": values[judge.id], "P3": "1"},
                                                               "version": sheets[code]["version"]})
    flags = api_as(drawn["chief"]).get(f"/events/{event.id}/disagreements").get_json()["items"]
    assert [(f["code"], f["criterion"]) for f in flags] == [(code, "P1")]
    assert api_as(drawn["judges"][1]).get(f"/events/{event.id}/disagreements").status_code == 403


def test_recheck_is_reproducible_and_errors_force_a_full_recheck(drawn, api_as):
    event = drawn["event"]
    scenarios.fill_and_lock(drawn)
    sup = api_as(drawn["supervisor"])
    r = sup.post(f"/events/{event.id}/recheck", json={"seed": "rc-1", "top_n": 2, "share": "0.25"})
    assert r.status_code == 201
    body = r.get_json()
    assert [i["reason"] for i in body["items"]] == ["top", "top", "random"]  # 25% of 4 = 1
    from app.domain.draw import recheck_sample
    from app.results.compute import totals_ranked
    ranked = [rid for rid, _ in totals_ranked(db.session.get(type(event), event.id))]
    top, rest = recheck_sample(ranked, "rc-1", 2, Decimal("0.25"))
    assert [i["registration_id"] for i in body["items"]] == top + rest
    # Publication waits for the re-check.
    org = api_as(drawn["organizer"])
    r = org.post(f"/competitions/{drawn['comp'].id}/status", json={"status": "publicity"})
    assert r.status_code == 409 and "复核" in r.get_json()["error"]["message"]
    items = body["items"]
    sup.post(f"/recheck-items/{items[0]['id']}", json={"status": "wrong", "note": "P2 录入错误"})
    sup.post(f"/recheck-items/{items[1]['id']}", json={"status": "checked"})
    r = sup.post(f"/recheck-items/{items[2]['id']}", json={"status": "checked"})
    after = r.get_json()
    assert after["full_required"] and after["error_rate"].startswith("0.333")
    assert len(after["items"]) == 6 and [i["reason"] for i in after["items"]].count("full") == 3
    # The chief judge may now correct the sheet marked wrong (reason required), nothing else.
    wrong_code = items[0]["code"]
    chief = api_as(drawn["chief"])
    sheet = [s for s in chief.get(f"/events/{event.id}/sheets").get_json()["items"] if s["code"] == wrong_code][0]
    r = chief.put(f"/events/{event.id}/sheets/{wrong_code}?judge_id={sheet['judge_id']}",
                  json={"scores": {"P2": "16"}, "version": sheet["version"], "reason": "复核发现录入错误"})
    assert r.status_code == 200
    for item in after["items"][3:]:
        sup.post(f"/recheck-items/{item['id']}", json={"status": "checked"})
    assert org.post(f"/competitions/{drawn['comp'].id}/status", json={"status": "publicity"}).status_code == 200


def test_audit_shows_the_history_of_a_sheet(drawn, api_as):
    event = drawn["event"]
    api = api_as(drawn["judges"][1])
    code, sheet = sorted(my_sheets(api, event.id).items())[0]
    api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "1"}, "version": sheet["version"]})
    api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "2", "P2": "3"}, "version": sheet["version"] + 1})
    sheet_id = db.session.scalar(select(Sheet.id).join(Registration).where(Registration.code == code, Sheet.judge_id == drawn["judges"][1].id))
    history = api_as(drawn["chief"]).get(f"/events/{event.id}/audit?object_type=sheets&object_id={sheet_id}").get_json()["items"]
    assert [(h["action"], h["before"], h["after"]) for h in history] == [
        ("sheet.save", {"P1": None}, {"P1": "1"}), ("sheet.save", {"P1": "1", "P2": None}, {"P1": "2", "P2": "3"})]
    actions = {a["action"] for a in api_as(drawn["supervisor"]).get(f"/events/{event.id}/audit").get_json()["items"]}
    assert {"panel.add", "draw.codes", "sheet.save"} <= actions
    assert api_as(drawn["judges"][1]).get(f"/events/{event.id}/audit").status_code == 403
