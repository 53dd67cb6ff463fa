"""Panels, automatic and declared recusal, coverage warnings, the seeded draw and anonymity."""
from sqlalchemy import select

from app.domain.draw import draw_codes, draw_stations, recheck_sample
from app.extensions import db
from app.judging.models import Sheet
from app.registration.models import Registration


def codes(event_id):
    return {rid: code for rid, code in db.session.execute(
        select(Registration.id, Registration.code).where(Registration.event_id == event_id))}


def test_draw_is_reproducible_from_its_seed():
    ids = [5, 3, 9, 1, 7]
    a = draw_codes(ids, "seed-1", "A")
    assert a == draw_codes(list(reversed(ids)), "seed-1", "A")  # input order does not matter
    assert sorted(a.values()) == ["A001", "A002", "A003", "A004", "A005"]
    assert a != draw_codes(ids, "seed-2", "A")
    assert draw_stations(list(a.values()), "s") == draw_stations(sorted(a.values()), "s")


def test_recheck_sample_takes_the_top_and_a_share_of_the_rest():
    ranked = list(range(100, 140))  # 40 entries, best first
    top, rest = recheck_sample(ranked, "seed", top_n=10)
    assert top == ranked[:10] and len(rest) == 5  # 15% of 30 = 4.5 → 5 (half up)
    assert set(rest) <= set(ranked[10:])
    assert recheck_sample(ranked, "seed", 10) == (top, rest)
    assert recheck_sample(ranked, "other", 10)[1] != rest


def test_automatic_recusal_for_the_judges_own_organization(drawn, api_as):
    event, entries = drawn["event"], drawn["entries"]
    college_ids = {r.id for r in entries[:2]}
    sheets = db.session.scalars(select(Sheet).where(Sheet.event_id == event.id)).all()
    by_judge = {}
    for s in sheets:
        by_judge.setdefault(s.judge_id, set()).add(s.registration_id)
    college_judge, other_b, other_c = drawn["judges"]
    assert by_judge[college_judge.id] == {r.id for r in entries} - college_ids
    assert by_judge[other_b.id] == by_judge[other_c.id] == {r.id for r in entries}
    # The recused contestants never appear in that judge's list, nor can the sheet be opened.
    api = api_as(college_judge)
    listed = {s["code"] for s in api.get(f"/events/{event.id}/sheets").get_json()["items"]}
    college_codes = {codes(event.id)[rid] for rid in college_ids}
    assert listed and not listed & college_codes
    for code in college_codes:
        assert api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": "2"}, "version": 1}).status_code == 403


def test_declared_conflict_recuses_and_coverage_is_warned(drawn, api_as):
    event = drawn["event"]
    api = api_as(drawn["organizer"])
    target = drawn["entries"][3]
    r = api.post(f"/events/{event.id}/conflicts", json={"user_id": drawn["judges"][1].id,
                                                         "registration_id": target.id, "kind": "trainer",
                                                         "note": "赛前集训教练"})
    assert r.status_code == 201
    # min_judges is 2: this entry now has judge_c only (the college judge is not recused from it
    # either: it is a company entry) → 2 judges, no warning; a second conflict leaves 1.
    assert not [w for w in r.get_json()["coverage_warnings"] if w["code"] == codes(event.id)[target.id]]
    r = api.post(f"/events/{event.id}/conflicts", json={"user_id": drawn["judges"][2].id,
                                                         "registration_id": target.id, "kind": "relative"})
    warnings = r.get_json()["coverage_warnings"]
    # Codes and counts only, never registration ids (the panel reads these warnings too).
    assert {"code": codes(event.id)[target.id], "judges": 1, "needed": 2} in warnings
    assert all(set(w) == {"code", "judges", "needed"} for w in warnings)
    remaining = db.session.scalars(select(Sheet.judge_id).where(Sheet.registration_id == target.id)).all()
    assert remaining == [drawn["judges"][0].id]
    assert api.post(f"/events/{event.id}/conflicts", json={"user_id": drawn["judges"][2].id,
                                                            "registration_id": target.id, "kind": "crush"}).status_code == 422


def test_same_seed_redraw_gives_the_same_codes_and_scores_freeze_the_draw(drawn, api_as):
    event = drawn["event"]
    first = codes(event.id)
    api = api_as(drawn["organizer"])
    assert api.post(f"/events/{event.id}/draw", json={"seed": "fixed"}).status_code == 200
    assert codes(event.id) == first
    assert api.post(f"/events/{event.id}/draw", json={"seed": "another"}).status_code == 200
    assert codes(event.id) != first
    judge = api_as(drawn["judges"][1])
    sheet = judge.get(f"/events/{event.id}/sheets").get_json()["items"][0]
    assert judge.put(f"/events/{event.id}/sheets/{sheet['code']}", json={"scores": {"P1": "2"}, "version": sheet["version"]}).status_code == 200
    r = api.post(f"/events/{event.id}/draw", json={"seed": "third"})
    assert r.status_code == 409


def test_draw_needs_registration_closed(jworld, api_as, db):
    from app.competitions.models import Competition
    comp = db.session.get(Competition, jworld["comp"].id)
    comp.status = "registration_open"
    db.session.commit()
    r = api_as(jworld["organizer"]).post(f"/events/{jworld['event'].id}/draw", json={})
    assert r.status_code == 409


def test_judging_needs_every_event_drawn(jworld, api_as):
    r = api_as(jworld["organizer"]).post(f"/competitions/{jworld['comp'].id}/status", json={"status": "judging"})
    assert r.status_code == 409 and "电工" in r.get_json()["error"]["message"]


def test_names_are_hidden_from_judges_until_lock_and_decryption(drawn, api_as, login):
    event = drawn["event"]
    names = [r.person.name for r in drawn["entries"]] + ["拉萨职业技术学院", "西藏天路股份有限公司"]
    judge = drawn["judges"][1]
    body = api_as(judge).get(f"/events/{event.id}/sheets").get_data(as_text=True)
    client = login(judge)
    pages = [client.get(f"/judge/events/{event.id}").get_data(as_text=True), client.get("/judge").get_data(as_text=True)]
    code = api_as(judge).get(f"/events/{event.id}/sheets").get_json()["items"][0]["code"]
    pages.append(client.get(f"/judge/events/{event.id}/sheets/{code}").get_data(as_text=True))
    chief_pages = [login(drawn["chief"]).get(f"/judge/events/{event.id}").get_data(as_text=True)]
    for text in [body] + pages + chief_pages:
        assert not any(n in text for n in names), "a name leaked before lock"
    assert "002" in "".join(pages)  # codes are shown


def test_each_judges_sheets_are_numbered_in_code_order_with_an_empty_score_per_criterion(drawn):
    """Sheet ids are visible to the panel: within a judge's sheets they follow the drawn codes,
    so they say nothing of the order in which people registered."""
    from app.judging.models import Score
    from app.judging.queries import judge_criteria

    event = drawn["event"]
    code_of = codes(event.id)
    sheets = db.session.scalars(select(Sheet).where(Sheet.event_id == event.id).order_by(Sheet.id)).all()
    assert sheets
    by_judge = {}
    for s in sheets:
        by_judge.setdefault(s.judge_id, []).append(code_of[s.registration_id])
    for judge_codes in by_judge.values():
        assert judge_codes == sorted(judge_codes)
    keys = sorted(c["key"] for c in judge_criteria(event))
    for s in sheets:
        assert (s.status, s.version) == ("draft", 1)
        assert sorted(sc.criterion_key for sc in s.scores) == keys
    assert db.session.scalar(select(Score.id).join(Sheet).where(Sheet.event_id == event.id,
                                                                Score.value.is_not(None))) is None
