"""Awards to units (e.g. 高技能人才培养突出贡献奖): an organization nominates an organization; the
registration's person is the nomination's contact person. Same dossier, review, judging and
tenancy as a person's nomination; a judge of the nominated organization is recused."""
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.nominations.models import Dossier
from tests.conftest import csrf_from
from tests.nominations.conftest import DOSSIER, PDF, upload
from tests.scenarios import person

UNIT_DOSSIER = {**DOSSIER, "achievements": "建立唐卡技艺传承基地，十年培养高技能人才一百二十名。"}


def _nominate_unit(api, event_id, org_id, **over):
    body = {"person": person("联系人卓玛"), "nominee_organization_id": org_id, "dossier": UNIT_DOSSIER}
    body.update(over)
    return api.post(f"/events/{event_id}/nominations", json=body)


def test_an_organization_nominates_an_organization(tworld, api_as, login):
    b = api_as(tworld["contact_b"])
    r = _nominate_unit(b, tworld["event"].id, tworld["org_a"].id)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["organization_id"] == tworld["org_b"].id  # the nominating organization
    assert body["team_name"] == "拉萨市城关区唐卡画院"  # results and bulletins name the unit, not the contact
    assert body["dossier"]["nominee"] == {"kind": "organization", "id": tworld["org_a"].id, "name": "拉萨市城关区唐卡画院"}
    rid = body["id"]
    assert upload(b, rid, PDF, "基地简介.pdf").status_code == 201
    # The nominating side and the organizers read it, listed with its nominee.
    items = api_as(tworld["organizer"]).get(f"/events/{tworld['event'].id}/nominations").get_json()["items"]
    assert [i["nominee"]["kind"] for i in items] == ["organization"]
    page = login(tworld["contact_b"]).get(f"/nominations/{rid}").get_data(as_text=True)
    assert "拉萨市城关区唐卡画院" in page and "联系人卓玛" in page
    # Audited with the nominated organization.
    ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.create")).one()
    assert ev.after["nominee_organization_id"] == tworld["org_a"].id
    # Another organization's contact (even the nominated unit's) does not reach the nomination.
    a = api_as(tworld["contact_a"])
    assert a.get(f"/registrations/{rid}/dossier").status_code == 403
    assert a.get(f"/events/{tworld['event'].id}/nominations").get_json()["items"] == []
    # A person's nomination says so.
    r = api_as(tworld["contact_a"]).post(f"/events/{tworld['event'].id}/nominations",
                                         json={"person": person("次仁多吉"), "dossier": DOSSIER})
    assert r.get_json()["dossier"]["nominee"]["kind"] == "person"


def test_an_unknown_organization_is_refused_and_nothing_written(tworld, api_as):
    b = api_as(tworld["contact_b"])
    for bad in (999999, "x", True):
        r = _nominate_unit(b, tworld["event"].id, bad)
        assert r.status_code == 422, (bad, r.get_json())
        assert "nominee_organization_id" in r.get_json()["error"]["fields"]
    assert db.session.scalars(select(Dossier)).all() == []


def test_a_judge_of_the_nominated_organization_is_recused(tworld, api_as):
    event = tworld["event"]
    rid = _nominate_unit(api_as(tworld["contact_b"]), event.id, tworld["org_a"].id).get_json()["id"]
    org = api_as(tworld["organizer"])
    assert org.post(f"/registrations/{rid}/review", json={"decision": "approve"}).status_code == 200
    assert org.post(f"/competitions/{tworld['comp'].id}/status", json={"status": "registration_closed"}).status_code == 200
    for j in ("judge_a", "judge_x", "judge_y"):
        assert org.post(f"/events/{event.id}/panel", json={"user_id": tworld[j].id, "role": "judge"}).status_code == 201
    assert org.post(f"/events/{event.id}/draw", json={"seed": "unit"}).get_json() == {"drawn": 1}
    assert api_as(tworld["judge_a"]).get(f"/events/{event.id}/sheets").get_json()["items"] == []
    assert len(api_as(tworld["judge_x"]).get(f"/events/{event.id}/sheets").get_json()["items"]) == 1


def test_web_form_nominates_an_organization(tworld, login):
    web = login(tworld["contact_b"])
    page = web.get(f"/events/{tworld['event'].id}/nominate")
    assert "拉萨市城关区唐卡画院" in page.get_data(as_text=True)
    r = web.post(f"/events/{tworld['event'].id}/nominate", data={
        "csrf_token": csrf_from(page.data), **person("联系人卓玛"), "nominee_organization_id": tworld["org_a"].id,
        **UNIT_DOSSIER})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    dossier = db.session.scalars(select(Dossier)).one()
    assert dossier.nominee_organization_id == tworld["org_a"].id and dossier.nominee_name == "拉萨市城关区唐卡画院"


def test_the_unit_s_certificate_names_the_unit_not_its_contact(tworld, api_as):
    """To final and certificates: the unit's entry is ranked under the unit's name and its
    certificate is made out to the unit; a person's nomination keeps the person's name."""
    from app.certificates.models import Certificate
    event, comp = tworld["event"], tworld["comp"]
    unit = _nominate_unit(api_as(tworld["contact_b"]), event.id, tworld["org_a"].id).get_json()["id"]
    one = api_as(tworld["contact_a"]).post(f"/events/{event.id}/nominations",
                                           json={"person": person("次仁多吉"), "dossier": DOSSIER}).get_json()["id"]
    assert upload(api_as(tworld["contact_b"]), unit, PDF, "基地简介.pdf").status_code == 201
    assert upload(api_as(tworld["contact_a"]), one, PDF, "次仁多吉.pdf").status_code == 201
    org = api_as(tworld["organizer"])
    for rid in (unit, one):
        assert org.post(f"/registrations/{rid}/review", json={"decision": "approve"}).status_code == 200
    assert org.post(f"/competitions/{comp.id}/status", json={"status": "registration_closed"}).status_code == 200
    for j in ("judge_a", "judge_x", "judge_y"):
        assert org.post(f"/events/{event.id}/panel", json={"user_id": tworld[j].id, "role": "judge"}).status_code == 201
    assert org.post(f"/events/{event.id}/panel", json={"user_id": tworld["chief"].id, "role": "chief_judge"}).status_code == 201
    assert org.post(f"/events/{event.id}/draw", json={"seed": "unit-2026"}).get_json() == {"drawn": 2}
    assert org.post(f"/competitions/{comp.id}/status", json={"status": "judging"}).status_code == 200
    for j in ("judge_a", "judge_x", "judge_y"):
        api = api_as(tworld[j])
        for sheet in api.get(f"/events/{event.id}/sheets").get_json()["items"]:
            marks = ("38", "27", "28")  # a tie: both ranked first, both awarded
            r = api.put(f"/events/{event.id}/sheets/{sheet['code']}",
                        json={"scores": dict(zip(("D1", "D2", "D3"), marks)), "version": sheet["version"]})
            assert r.status_code == 200, r.get_json()
            assert api.post(f"/events/{event.id}/sheets/{sheet['code']}/submit").status_code == 200
    assert api_as(tworld["chief"]).post(f"/events/{event.id}/lock").status_code == 200
    for status in ("publicity", "final"):
        assert org.post(f"/competitions/{comp.id}/status", json={"status": status}).status_code == 200
    r = org.post(f"/competitions/{comp.id}/certificates")
    assert r.status_code in (200, 201, 202), r.get_json()
    certs = {c.registration_id: c for c in db.session.scalars(select(Certificate))}
    assert certs[unit].name == "拉萨市城关区唐卡画院" and certs[unit].team_name is None
    assert certs[one].name == "次仁多吉"
    # The title is the person's; the unit's contact gets no entitlement from the unit's award.
    from app.selection.models import Entitlement
    assert {(e.registration_id, e.kind) for e in db.session.scalars(select(Entitlement))} == {(one, "title")}
