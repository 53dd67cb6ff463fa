"""Advancement into an event hosted by another organizer, by invitation and acceptance: the source
invites entries of its published results; the target's organizer accepts (they are registered under
the target event's rules: window, duplicates, capacity, all or nothing) or declines with a reason;
both sides see the status; only the two organizations see the invitation; every step is audited."""
import pytest
from sqlalchemy import select

from app import uow
from app.audit.models import AuditEvent
from app.competitions import operations as comps
from app.competitions.models import Competition, Event
from app.extensions import db
from app.registration import operations as regs
from app.registration.models import Registration
from app.selection.models import Invitation
from tests.conftest import csrf_from, event_payload


@pytest.fixture
def two(final, make_org, make_user, make_competition):
    """The Tibet HR department's final event (6 ranked entries) and a national organizer's open
    competition with a 电工 event (3 places)."""
    national = make_org("人力资源社会保障部职业技能鉴定中心", kind="government", region_code="000000")
    nat = make_user("organizer", organization=national, username="national")
    comp = make_competition(nat, events=0, name="第三届全国技能大赛", level="national_1", jurisdiction="CN")
    target = comps.create_event(comp, event_payload(name="电工", max_entrants=3), nat)
    comps.change_status(comp, "registration_open", nat)
    uow.commit()
    guangxi = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    return {**final, "national": nat, "target": target, "target_comp": comp,
            "stranger": make_user("organizer", organization=guangxi, username="guangxi")}


def _invite(api, w, **over):
    data = {"target_event_id": w["target"].id, "mode": "top_n", "n": 2, "message": "我区选拔前两名，请接收参加全国决赛。"}
    data.update(over)
    return api.post(f"/events/{w['event'].id}/invitations", json=data)


def test_invite_accept_registers_them_in_the_target_event(two, api_as):
    source, target = api_as(two["organizer"]), api_as(two["national"])
    r = _invite(source, two)
    assert r.status_code == 201, r.get_json()
    inv = r.get_json()
    assert inv["status"] == "pending" and [e["rank"] for e in inv["entries"]] == [1, 2]
    assert inv["target"]["event_id"] == two["target"].id and inv["message"].startswith("我区")
    # The target sees it among its incoming invitations, the source among its outgoing.
    assert [i["id"] for i in target.get("/invitations?direction=incoming").get_json()["items"]] == [inv["id"]]
    assert [i["id"] for i in source.get("/invitations?direction=outgoing").get_json()["items"]] == [inv["id"]]
    assert source.get("/invitations?direction=incoming").get_json()["items"] == []

    r = target.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "accepted" and all(e["registration_id"] for e in body["entries"])
    db.session.expire_all()
    made = db.session.scalars(select(Registration).where(Registration.event_id == two["target"].id)).all()
    assert {r.status for r in made} == {"approved"} and {r.source for r in made} == {"advancement"}
    invited = {e["members"][0]["person_id"] for e in body["entries"]}
    assert {r.person_id for r in made} == invited
    assert db.session.get(Event, two["target"].id).entrant_count == 2
    # The source sees the outcome; a second answer is refused.
    assert source.get(f"/invitations/{inv['id']}").get_json()["status"] == "accepted"
    assert target.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"}).status_code == 409
    # Audited: the invitation, the registrations, the decision.
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert "invitation.create" in actions and "invitation.decision" in actions
    assert actions.count("registration.create") >= 2 + 6
    # The same entries cannot be invited to that event again.
    assert _invite(source, two).status_code == 409


def test_acceptance_respects_capacity_duplicates_and_the_window(two, api_as):
    source, target = api_as(two["organizer"]), api_as(two["national"])
    inv = _invite(source, two, n=4).get_json()           # four entries, three places
    r = target.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"})
    assert r.status_code == 409 and r.get_json()["error"]["rules"][0]["rule"] == "capacity"
    assert db.session.scalars(select(Registration).where(Registration.event_id == two["target"].id)).all() == []
    assert target.get(f"/invitations/{inv['id']}").get_json()["status"] == "pending"
    source.post(f"/invitations/{inv['id']}/withdraw")

    # One of the invited is already registered there: refused, naming the person; nothing registered.
    inv = _invite(source, two, n=2).get_json()
    first = db.session.get(Registration, inv["entries"][0]["source_registration_id"]).person
    regs.register(two["target"], {"person": {"name": first.name, "id_type": first.id_type,
                                             "id_number": first.id_number}}, two["national"], "organizer")
    uow.commit()
    r = target.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"})
    rules = r.get_json()["error"]["rules"]
    assert r.status_code == 409 and [(x["rule"], x["person"]) for x in rules] == [("duplicate", first.name)]
    db.session.expire_all()
    assert db.session.get(Event, two["target"].id).entrant_count == 1

    # The target's registration window closed: acceptance is refused with that reason.
    comp = db.session.get(Competition, two["target_comp"].id)
    comps.change_status(comp, "registration_closed", two["national"])
    uow.commit()
    r = target.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "registration_closed"


def test_decline_needs_a_reason_and_the_source_sees_it(two, api_as):
    source, target = api_as(two["organizer"]), api_as(two["national"])
    inv = _invite(source, two).get_json()
    r = target.post(f"/invitations/{inv['id']}/decision", json={"decision": "decline"})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    r = target.post(f"/invitations/{inv['id']}/decision", json={"decision": "decline", "reason": "名额已满"})
    assert r.status_code == 200 and r.get_json()["status"] == "declined"
    seen = source.get(f"/invitations/{inv['id']}").get_json()
    assert seen["status"] == "declined" and seen["decision_reason"] == "名额已满"
    assert source.post(f"/invitations/{inv['id']}/withdraw").status_code == 409


def test_only_the_two_organizers_see_and_act(two, api_as):
    source, target, stranger = api_as(two["organizer"]), api_as(two["national"]), api_as(two["stranger"])
    inv = _invite(source, two).get_json()
    for path in (f"/invitations/{inv['id']}",):
        assert stranger.get(path).status_code == 404
    assert stranger.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"}).status_code == 404
    assert stranger.post(f"/invitations/{inv['id']}/withdraw").status_code == 404
    assert stranger.get("/invitations").get_json()["items"] == []
    # The source cannot accept its own invitation; the target cannot withdraw it.
    assert source.post(f"/invitations/{inv['id']}/decision", json={"decision": "accept"}).status_code == 403
    assert target.post(f"/invitations/{inv['id']}/withdraw").status_code == 403
    # Nobody but the source's organizers invites from its results.
    assert _invite(stranger, two).status_code == 404
    assert source.post(f"/invitations/{inv['id']}/withdraw").get_json()["status"] == "withdrawn"


def test_invitation_rules(two, api_as, make_competition):
    source = api_as(two["organizer"])
    r = _invite(source, two, message="", target_event_id=0)
    assert r.status_code == 422
    r = _invite(source, two, message=" ", mode=None)
    assert r.status_code == 422 and {"message", "registration_ids"} <= set(r.get_json()["error"]["fields"])
    # Into the source organizer's own event: advancement does that, not an invitation.
    own = make_competition(two["organizer"], name="2027年西藏自治区职业技能大赛")
    comps.change_status(own, "registration_open", two["organizer"])
    uow.commit()
    r = _invite(source, two, target_event_id=own.events[0].id)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "wrong_state"
    assert db.session.scalars(select(Invitation)).all() == []
    # Entries that are not in the source event's results.
    r = _invite(source, two, mode=None, registration_ids=[999999])
    assert r.status_code == 422 and "registration_ids" in r.get_json()["error"]["fields"]
    # Picked entries by number.
    reg_ids = [e.id for e in two["entries"][:1]]
    r = _invite(source, two, mode=None, registration_ids=reg_ids)
    assert r.status_code == 201 and [e["source_registration_id"] for e in r.get_json()["entries"]] == reg_ids


def test_unpublished_results_cannot_be_invited(drawn, make_org, make_user, make_competition, api_as):
    national = make_org("人力资源社会保障部职业技能鉴定中心", kind="government", region_code="000000")
    nat = make_user("organizer", organization=national, username="national")
    comp = make_competition(nat, name="第三届全国技能大赛", level="national_1", jurisdiction="CN")
    comps.change_status(comp, "registration_open", nat)
    uow.commit()
    r = api_as(drawn["organizer"]).post(f"/events/{drawn['event'].id}/invitations", json={
        "target_event_id": comp.events[0].id, "mode": "top_n", "n": 1, "message": "邀请"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "wrong_state"


def test_web_pages_invite_accept_and_show_the_status(two, login):
    web_src, web_tgt = login(two["organizer"]), login(two["national"])
    page = web_src.get("/manage/invitations")
    assert page.status_code == 200 and two["target"].name.encode() in page.data
    r = web_src.post("/manage/invitations", data={
        "csrf_token": csrf_from(page.data), "source_event_id": two["event"].id, "target_event_id": two["target"].id,
        "mode": "top_n", "n": "1", "message": "请接收我区第一名"})
    assert r.status_code == 302
    inv = db.session.scalars(select(Invitation)).one()
    page = web_tgt.get(f"/manage/invitations/{inv.id}")
    assert page.status_code == 200 and "请接收我区第一名" in page.get_data(as_text=True)
    r = web_tgt.post(f"/manage/invitations/{inv.id}/decision",
                     data={"csrf_token": csrf_from(page.data), "decision": "accept"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).status == "accepted"
    page = web_src.get(f"/manage/invitations/{inv.id}")
    assert f"#{inv.entries[0].registration_id}" in page.get_data(as_text=True)
    # A stranger organizer's web client gets a 404.
    assert login(two["stranger"]).get(f"/manage/invitations/{inv.id}").status_code == 404


def test_web_acceptance_names_every_refused_person(two, login, api_as):
    inv = _invite(api_as(two["organizer"]), two, n=1).get_json()
    first = db.session.get(Registration, inv["entries"][0]["source_registration_id"]).person
    regs.register(two["target"], {"person": {"name": first.name, "id_type": first.id_type,
                                             "id_number": first.id_number}}, two["national"], "organizer")
    uow.commit()
    web = login(two["national"])
    page = web.get(f"/manage/invitations/{inv['id']}")
    web.post(f"/manage/invitations/{inv['id']}/decision", data={"csrf_token": csrf_from(page.data), "decision": "accept"})
    text = web.get(f"/manage/invitations/{inv['id']}").get_data(as_text=True)
    db.session.expire_all()
    assert first.name in text and db.session.get(Invitation, inv["id"]).status == "pending"
