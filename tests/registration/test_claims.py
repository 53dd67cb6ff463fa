"""Sign-up cannot claim a person (security review H4, M1): an account that signs up with the name
and ID number of someone on file sees nothing of that record until it proves it is that person
(the claim code, or an approval), and the sign-up answers the same whether the number is on file."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.people.claims import claim_code
from app.people.models import Person, PersonClaim
from app.registration.models import Registration
from tests.conftest import PASSWORD, csrf_from, new_client
from tests.scenarios import person, resident_id


def _signup(app, name, number, username, phone=None):
    client = new_client(app)
    page = client.get("/signup")
    data = {"csrf_token": csrf_from(page.data), "username": username, "password": PASSWORD,
            "password_confirm": PASSWORD, "name": name, "id_type": "resident_id", "id_number": number}
    if phone:
        data["phone"] = phone
    return client, client.post("/signup", data=data)


def _flash(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_sign_up_answers_the_same_whether_the_number_is_on_file(app, world, api_as):
    on_file = person("米玛", phone="13811112222")
    reg = api_as(world["contact"]).post(f"/events/{world['event'].id}/registrations", json={"person": on_file}).get_json()
    c1, r1 = _signup(app, "米玛", on_file["id_number"], "claimer", phone="13000000001")
    c2, r2 = _signup(app, "新人", resident_id(), "newcomer")
    c3, r3 = _signup(app, "别人", on_file["id_number"], "impostor")  # a wrong name: the same answer too
    assert r1.status_code == r2.status_code == r3.status_code == 302
    assert r1.headers["Location"] == r2.headers["Location"] == r3.headers["Location"]
    for client, r in ((c1, r1), (c2, r2), (c3, r3)):
        assert "账号已创建" in _flash(client, r)
    # Nothing of the stored record changed, nothing is attached, nothing of it is shown.
    stored = db.session.scalar(select(Person).where(Person.id_number == on_file["id_number"]))
    assert stored.user_id is None and stored.phone == "13811112222" and stored.organization_id == world["college"].id
    page = c1.get("/me").get_data(as_text=True)
    assert on_file["id_number"] not in page and "13811112222" not in page and "电工" not in page
    assert "领取码" in page
    # Nor through the API: the registration and the withdrawal stay out of reach (H4).
    claimer = db.session.scalar(select(User).where(User.username == "claimer"))
    api = api_as(claimer)
    assert api.get(f"/registrations/{reg['id']}").status_code == 404
    assert api.post(f"/registrations/{reg['id']}/withdraw").status_code == 403
    assert api.get("/me/registrations").get_json()["total"] == 0
    r = api.post(f"/events/{world['event'].id}/registrations", json={"person": on_file})
    assert r.status_code == 403
    assert db.session.get(Registration, reg["id"]).status == "submitted"


def test_the_claim_code_links_the_account_once(app, world, api_as, login):
    on_file = person("达娃")
    api_as(world["contact"]).post(f"/events/{world['event'].id}/registrations", json={"person": on_file})
    stored = db.session.scalar(select(Person).where(Person.id_number == on_file["id_number"]))
    code = claim_code(stored)
    # The contact sees the code to hand over; so does the organizer on the registration page.
    assert code in login(world["contact"]).get("/org/registrations").get_data(as_text=True)
    client, r = _signup(app, "达娃", on_file["id_number"], "dawa")
    page = client.get("/me")
    token = csrf_from(page.data)
    wrong = client.post("/me/claim", data={"csrf_token": token, "code": "AAAAA-BBBBB"})
    assert "领取码与您的信息不符" in _flash(client, wrong)
    assert db.session.get(Person, stored.id).user_id is None
    ok = client.post("/me/claim", data={"csrf_token": token, "code": code.lower().replace("-", " ")})
    assert "已关联" in _flash(client, ok)
    db.session.expire_all()
    assert db.session.get(Person, stored.id).user_id == db.session.scalar(select(User.id).where(User.username == "dawa"))
    assert "电工" in client.get("/me").get_data(as_text=True) and on_file["id_number"] in client.get("/me").get_data(as_text=True)
    # The code is one-time: it changed with its use.
    assert claim_code(db.session.get(Person, stored.id)) != code


def test_a_wrong_code_answers_like_no_record_at_all(app, world, api_as):
    client, _r = _signup(app, "新来的", resident_id(), "fresh_one")
    fresh = db.session.scalar(select(User).where(User.username == "fresh_one"))
    assert db.session.scalar(select(PersonClaim).where(PersonClaim.user_id == fresh.id)) is None
    on_file = person("索朗")
    api_as(world["contact"]).post(f"/events/{world['event'].id}/registrations", json={"person": on_file})
    _signup(app, "索朗", on_file["id_number"], "suolang")
    claimer = db.session.scalar(select(User).where(User.username == "suolang"))
    for user in (claimer, fresh):  # a claim with a wrong code, and an account with no claim at all
        r = api_as(user).post("/me/claim", json={"code": "AAAAA-BBBBB"})
        assert r.status_code == 422
        assert r.get_json()["error"]["fields"] == {"code": [
            "领取码与您的信息不符。请向所在单位联络员核对，或查看准考证。"]}


def test_the_contact_approves_or_rejects_a_claim(app, world, api_as):
    on_file = person("旺姆")
    api_as(world["contact"]).post(f"/events/{world['event'].id}/registrations", json={"person": on_file})
    _signup(app, "旺姆", on_file["id_number"], "wangmu")
    _signup(app, "旺姆", on_file["id_number"], "wangmu_twin")
    contact = api_as(world["contact"])
    pending = contact.get("/claims").get_json()
    assert pending["total"] == 2 and all("*" in c["person"]["id_number"] for c in pending["items"])
    # Another organization's contact does not see or decide them.
    other = api_as(world["contact_other"])
    assert other.get("/claims").get_json()["total"] == 0
    first = pending["items"][0]["id"]
    assert other.post(f"/claims/{first}/decision", json={"decision": "approve"}).status_code == 404
    assert contact.post(f"/claims/{pending['items'][1]['id']}/decision", json={"decision": "reject"}).status_code == 422
    r = contact.post(f"/claims/{first}/decision", json={"decision": "approve", "reason": "已核验身份证"})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    stored = db.session.scalar(select(Person).where(Person.id_number == on_file["id_number"]))
    assert stored.user.username == "wangmu"
    # The twin's claim is closed with it; the record belongs to one account.
    assert contact.get("/claims").get_json()["total"] == 0
    assert db.session.scalar(select(PersonClaim.status).where(PersonClaim.id == pending["items"][1]["id"])) == "rejected"


def test_the_admission_ticket_carries_the_claim_code(drawn, api_as):
    from tests.scenarios import pdf_text
    reg = drawn["entries"][0]
    db.session.refresh(reg)
    r = api_as(drawn["organizer"]).get(f"/registrations/{reg.id}/admission-ticket.pdf")
    assert r.status_code == 200
    text = pdf_text(r.data)
    assert "账号领取码" in text and claim_code(reg.person) in text
