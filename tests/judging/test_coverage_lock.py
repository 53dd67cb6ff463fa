"""Coverage before lock (issue 15, item 5): an entry with fewer judges' sheets than min_judges
(after recusal) blocks the lock, named by its code; the trimmed mean says what happens below 5
judges — refuse the lock, or the plain mean, flagged on the results."""
from sqlalchemy import select

from app.competitions.models import Event
from app.extensions import db
from app.judging.models import Sheet
from tests.conftest import csrf_from, event_payload
from tests.scenarios import FULL, all_codes, my_sheets, theory_file, upload
from tests import scenarios


def _codes(event_id):
    from app.registration.models import Registration
    return {r.id: r.code for r in db.session.scalars(select(Registration).where(Registration.event_id == event_id))}


def _theory(drawn, api_as):
    event = drawn["event"]
    assert upload(api_as(drawn["organizer"]), event.id,
                  theory_file([(c, 70 + i) for i, c in enumerate(all_codes(event.id))])).status_code == 201


def test_lock_is_refused_with_the_codes_of_short_entries_until_a_judge_is_added(drawn, api_as, make_user, login):
    event = drawn["event"]
    organizer = api_as(drawn["organizer"])
    target = drawn["entries"][3]  # a company entry: judged by all three until two conflicts are declared
    for judge, kind in ((drawn["judges"][1], "trainer"), (drawn["judges"][2], "relative")):
        assert organizer.post(f"/events/{event.id}/conflicts", json={"user_id": judge.id, "registration_id": target.id,
                                                                      "kind": kind}).status_code == 201
    code = _codes(event.id)[target.id]
    scenarios.fill_sheets(drawn)
    _theory(drawn, api_as)
    chief = api_as(drawn["chief"])
    r = chief.post(f"/events/{event.id}/lock")
    body = r.get_json()["error"]
    assert r.status_code == 409 and body["code"] == "insufficient_judges" and body["codes"] == [code]
    assert code in body["message"] and "registration_id" not in r.get_data(as_text=True)
    assert str(target.id) not in body["message"]
    # The chief judge's page shows the shortfall by code, the organizer's by name.
    chief_page = login(drawn["chief"]).get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert "妨碍锁定的问题" in chief_page and code in chief_page and "裁判评分表 1 份，规定 2 份" in chief_page
    assert target.person.name not in chief_page
    manage_page = login(drawn["organizer"]).get(f"/manage/events/{event.id}/judging").get_data(as_text=True)
    # The organizer's warning names the entry, its organization and the judges recused from it (no ids).
    warning = manage_page.split('class="coverage-list"')[1].split("</ul>")[0]
    assert f"<strong>{target.person.name}</strong>（{target.organization.name}）" in warning and code in warning
    assert drawn["judges"][1].name in warning and drawn["judges"][2].name in warning
    assert f"#{target.id}" not in manage_page

    # The organizer adds a judge; once that judge's sheets are in, the event locks.
    extra = make_user("judge", username="judge_extra", name="次旦")
    r = organizer.post(f"/events/{event.id}/panel", json={"user_id": extra.id, "role": "judge"})
    assert r.status_code == 201 and r.get_json()["coverage_warnings"] == []
    assert chief.post(f"/events/{event.id}/lock").get_json()["error"]["code"] == "incomplete"
    api = api_as(extra)
    for c, sheet in my_sheets(api, event.id).items():
        assert api.put(f"/events/{event.id}/sheets/{c}", json={"scores": FULL, "version": sheet["version"]}).status_code == 200
        assert api.post(f"/events/{event.id}/sheets/{c}/submit").status_code == 200
    assert chief.post(f"/events/{event.id}/lock").status_code == 200


def test_trimmed_mean_needs_its_rule_below_five_judges(jworld, api_as):
    organizer = api_as(jworld["organizer"])
    scheme = {**event_payload()["scheme"], "aggregation": "trimmed_mean"}
    comp_id = jworld["comp"].id
    r = organizer.post(f"/competitions/{comp_id}/events", json=event_payload(name="钳工", scheme=scheme))
    assert r.status_code == 422 and "scheme.trim_fallback" in r.get_json()["error"]["fields"]
    r = organizer.post(f"/competitions/{comp_id}/events",
                       json=event_payload(name="钳工", scheme={**scheme, "trim_fallback": "sometimes"}))
    assert r.status_code == 422 and "scheme.trim_fallback" in r.get_json()["error"]["fields"]
    r = organizer.post(f"/competitions/{comp_id}/events",
                       json=event_payload(name="钳工", scheme={**scheme, "trim_fallback": "refuse"}))
    assert r.status_code == 201 and r.get_json()["scheme"]["trim_fallback"] == "refuse"


def _trimmed(drawn, fallback):
    ev = db.session.get(Event, drawn["event"].id)
    ev.scheme = {**ev.scheme, "aggregation": "trimmed_mean", "trim_fallback": fallback}
    db.session.commit()


def test_trimmed_mean_refuse_blocks_the_lock_below_five_sheets(drawn, api_as):
    _trimmed(drawn, "refuse")
    scenarios.fill_sheets(drawn)
    _theory(drawn, api_as)
    r = api_as(drawn["chief"]).post(f"/events/{drawn['event'].id}/lock")
    body = r.get_json()["error"]
    assert r.status_code == 409 and body["code"] == "trimmed_mean_short"
    assert body["codes"] == all_codes(drawn["event"].id)  # 2 or 3 judges each, 5 needed


def test_trimmed_mean_with_the_mean_rule_ranks_by_the_plain_mean_and_says_so(drawn, api_as, login):
    _trimmed(drawn, "mean")
    event = drawn["event"]
    codes = all_codes(event.id)
    # Judges give different P2 values, so trimming would matter with 5 of them.
    for j, judge in enumerate(drawn["judges"]):
        api = api_as(judge)
        for code, sheet in my_sheets(api, event.id).items():
            scores = {**FULL, "P2": str(5 + 2 * j + codes.index(code))}
            assert api.put(f"/events/{event.id}/sheets/{code}", json={"scores": scores, "version": sheet["version"]}).status_code == 200
            assert api.post(f"/events/{event.id}/sheets/{code}/submit").status_code == 200
    _theory(drawn, api_as)
    assert api_as(drawn["chief"]).post(f"/events/{event.id}/lock").status_code == 200
    items = api_as(drawn["organizer"]).get(f"/events/{event.id}/results").get_json()["items"]
    assert {i["aggregation_note"] for i in items} == {"mean_below_5"} and len(items) == 6
    # The totals are those of the plain mean of every judge's value.
    from decimal import Decimal
    from fractions import Fraction

    from app.domain.scoring import round_half_up
    for item in items:
        p2 = [Decimal(s.values()["P2"]) for s in db.session.scalars(select(Sheet).join(Sheet.registration)
                                                                      .where(Sheet.event_id == event.id))
              if s.registration.code == item["code"]]
        practical = (Fraction(20) + sum(Fraction(v) for v in p2) / len(p2) + Fraction("8.5")) / 60 * 100
        assert item["components"]["practical"] == str(round_half_up(practical))
    page = login(drawn["organizer"]).get(f"/manage/competitions/{drawn['comp'].id}/results").get_data(as_text=True)
    assert "算术平均" in page and "评分裁判不足 5 名" in page


def test_coverage_warnings_on_the_panel_carry_codes_and_counts_only(drawn, api_as):
    event = drawn["event"]
    organizer = api_as(drawn["organizer"])
    target = drawn["entries"][4]
    for judge in drawn["judges"][1:]:
        organizer.post(f"/events/{event.id}/conflicts", json={"user_id": judge.id, "registration_id": target.id,
                                                               "kind": "other"})
    for who in (drawn["judges"][0], drawn["chief"], drawn["organizer"]):
        r = api_as(who).get(f"/events/{event.id}/panel")
        assert r.get_json()["coverage_warnings"] == [{"code": _codes(event.id)[target.id], "judges": 1, "needed": 2}]
        assert "registration_id" not in r.get_data(as_text=True)


def test_the_lock_button_is_off_while_something_blocks_it(drawn, api_as, login):
    event = drawn["event"]
    chief = login(drawn["chief"])
    scenarios.fill_sheets(drawn)
    _theory(drawn, api_as)
    page = chief.get(f"/judge/events/{event.id}")
    assert "妨碍锁定的问题" not in page.get_data(as_text=True)
    r = chief.post(f"/judge/events/{event.id}/lock", data={"csrf_token": csrf_from(page.data)})
    db.session.expire_all()
    assert r.status_code == 302 and db.session.get(Event, event.id).locked_at is not None


def test_sheets_the_session_holds_read_locked_after_the_lock(drawn):
    """The lock's one UPDATE brings the sheets already loaded up to date (no reload of every sheet)."""
    from app.judging import operations as jops
    from app.judging.models import Sheet
    from app.judging.queries import my_sheets as sheets_of
    from app.extensions import db
    from sqlalchemy import select
    from tests import scenarios

    scenarios.fill_sheets(drawn)
    scenarios.import_theory(drawn, {c: 70 for c in scenarios.all_codes(drawn["event"].id)})
    held = list(sheets_of(drawn["event"], drawn["judges"][0]))
    assert held and {s.status for s in held} == {"submitted"}
    jops.lock_event(drawn["event"], drawn["chief"])
    assert {s.status for s in held} == {"locked"}   # without a refresh
    db.session.commit()
    db.session.expire_all()
    statuses = set(db.session.scalars(select(Sheet.status).where(Sheet.event_id == drawn["event"].id)))
    assert statuses == {"locked"}
