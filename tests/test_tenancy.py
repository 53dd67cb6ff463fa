"""Tenancy, as the security review reproduced its breaches (H1–H3, M2, L5, L7): another province's
organizer, contact or supervisor reaches nothing of a competition they have no part in; a
competition is hosted by its creator's organization, within that organization's region."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import User
from app.competitions.models import Competition
from app.extensions import db
from app.people.models import Organization, Person
from app.selection.models import Entitlement
from tests import tenancy_world
from tests.conftest import competition_payload


@pytest.fixture
def two(db):
    """The two tenants' world (tests/tenancy_world.py; the access matrix's scenario snapshot)."""
    from tests import snapshots
    users, params, _overrides, _sentinels = snapshots.scenario("world", tenancy_world.build)
    return users, params


def test_another_provinces_organizer_reads_and_changes_no_person_of_ours(two, api_as, login):
    """H1: organizer_gx read full ID numbers and phones of every Tibetan contestant and changed one."""
    users, params = two
    gx = api_as(users["organizer_other"])
    listed = gx.get("/people?per_page=500").get_json()
    assert all(not p["id_number"] or not p["id_number"].startswith("54") for p in listed["items"])
    assert gx.get(f"/people/{params['person_id']}").status_code == 404
    assert gx.patch(f"/people/{params['person_id']}", json={"phone": "13900000000"}).status_code == 404
    assert gx.get(f"/people/{params['person_id']}/record").status_code == 404
    web = login(users["organizer_other"])
    assert web.get(f"/manage/people/{params['person_id']}/edit").status_code == 404
    assert web.get(f"/manage/people/{params['person_id']}/record").status_code == 404
    assert tenancy_world.CANDIDATE_NAME not in web.get("/manage/people").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, params["person_id"]).phone == tenancy_world.CANDIDATE_PHONE
    # The host's own organizer sees her in full, through its competitions.
    mine = api_as(users["organizer"]).get(f"/people/{params['person_id']}").get_json()
    assert mine["id_number"] and mine["phone"] == tenancy_world.CANDIDATE_PHONE


def test_entitlements_are_listed_and_changed_only_by_the_granting_host(two, api_as):
    """H2: organizer_gx listed all Tibet entitlements, exported the roster and confirmed one."""
    users, params = two
    gx = api_as(users["organizer_other"])
    assert gx.get("/entitlements").get_json()["total"] == 0
    roster = load_workbook(io.BytesIO(gx.get("/entitlements.xlsx").data)).active
    assert roster.max_row == 1  # the header only
    r = gx.post(f"/entitlements/{params['entitlement_id']}/status", json={"status": "confirmed", "note": "x"})
    assert r.status_code == 404
    xz = api_as(users["organizer"])
    assert xz.get("/entitlements").get_json()["total"] >= 1
    r = xz.post(f"/entitlements/{params['entitlement_id']}/status", json={"status": "confirmed"})
    assert r.status_code == 422 and "note" in r.get_json()["error"]["fields"]  # a note is required
    r = xz.post(f"/entitlements/{params['entitlement_id']}/status", json={"status": "confirmed", "note": "拉萨职院招聘"})
    assert r.status_code == 200
    assert db.session.get(Entitlement, params["entitlement_id"]).status == "confirmed"


def test_organizers_grant_only_their_own_organizations_accounts_and_roles(two, api_as, login):
    """H3: organizer_gx minted a supervisor who reopened a final Tibet event, and a contact of a
    Tibet college. Now: only judge, chief judge and contact roles, only of their own organization;
    supervisors act on the competitions they are assigned to."""
    users, params = two
    gx = api_as(users["organizer_other"])
    body = {"username": "gx_sup", "password": "Xq7-long-pass-2026", "name": "监督甲", "roles": ["supervisor"]}
    r = gx.post("/users", json=body)
    assert r.status_code == 422 and "roles" in r.get_json()["error"]["fields"]
    tibet_college = db.session.scalar(select(Organization).where(Organization.name == "拉萨职业技术学院"))
    r = gx.post("/users", json={**body, "roles": ["org_contact"], "organization_id": tibet_college.id})
    assert r.status_code == 422 and "organization_id" in r.get_json()["error"]["fields"]
    r = gx.post("/users", json={**body, "roles": ["judge"]})
    assert r.status_code == 201 and r.get_json()["organization_id"] == users["organizer_other"].organization_id
    # Users of their own organization only, in the list and for edits.
    names = {u["username"] for u in gx.get("/users?per_page=500").get_json()["items"]}
    assert "m_judge" not in names and "gx_sup" in names
    assert gx.patch(f"/users/{users['judge'].id}", json={"name": "改名"}).status_code == 404
    # Tenant B's supervisor cannot reopen tenant A's final event.
    final_event = db.session.scalar(select(Competition).where(Competition.status == "final")).events[0]
    sup = api_as(users["supervisor_other"])
    assert sup.post(f"/events/{final_event.id}/final-corrections", json={"reason": "按仲裁决定更正"}).status_code == 403
    assert sup.get("/appeals").get_json()["total"] == 0
    assert api_as(users["supervisor"]).get("/appeals").get_json()["total"] == 1
    # Only an admin grants organizer (and admin).
    r = api_as(users["organizer"]).post("/users", json={**body, "username": "xz_org", "roles": ["organizer"]})
    assert r.status_code == 422


def test_organizations_are_edited_by_admins_or_their_own_organizer(two, api_as, login):
    """M2: organizer_gx renamed the Tibet host (the issuing body printed on certificates)."""
    users, params = two
    host = db.session.get(Organization, params["org_id"])
    r = api_as(users["organizer_other"]).patch(f"/organizations/{host.id}", json={"name": "西藏人社厅（GX改）"})
    assert r.status_code == 403
    assert api_as(users["organizer"]).patch(f"/organizations/{host.id}", json={"name": "西藏自治区人社厅"}).status_code == 200
    # Organizations an organizer enters lie within their own jurisdiction.
    r = api_as(users["organizer_other"]).post("/organizations", json={"name": "某藏区企业", "kind": "enterprise",
                                                                      "region_code": "540100"})
    assert r.status_code == 422 and "region_code" in r.get_json()["error"]["fields"]


def test_a_competition_is_hosted_by_its_creators_organization_within_its_region(api_as, make_user, make_org):
    xz = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    gx = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    ministry = make_org("人力资源和社会保障部职业技能鉴定中心", kind="government", region_code="000000")
    organizer = api_as(make_user("organizer", organization=xz))
    r = organizer.post("/competitions", json=competition_payload(host_organization_id=gx.id))
    assert r.status_code == 422 and "host_organization_id" in r.get_json()["error"]["fields"]
    r = organizer.post("/competitions", json=competition_payload(jurisdiction="CN-GX"))
    assert r.status_code == 422 and "jurisdiction" in r.get_json()["error"]["fields"]
    r = organizer.post("/competitions", json=competition_payload(level="national_1", jurisdiction="CN"))
    assert r.status_code == 422  # a provincial body files its own province only
    r = organizer.post("/competitions", json=competition_payload())
    assert r.status_code == 201 and r.get_json()["host_organization_id"] == xz.id
    national = api_as(make_user("organizer", organization=ministry))
    assert national.post("/competitions", json=competition_payload(level="national_1", jurisdiction="CN")).status_code == 201
    r = national.post("/competitions", json=competition_payload(level="national_1", jurisdiction="CN-XZ"))
    assert r.status_code == 422  # level and jurisdiction agree
    # An organizer without an organization creates nothing; a competition without host is admins'.
    loose = make_user("organizer")
    loose.organization_id = None
    db.session.commit()
    assert api_as(loose).post("/competitions", json=competition_payload()).status_code == 403
    admin = api_as(make_user("admin"))
    orphan = admin.post("/competitions", json=competition_payload(name="无主办单位的竞赛")).get_json()
    assert orphan["host_organization_id"] is None
    assert organizer.get(f"/competitions/{orphan['id']}").status_code == 403
    assert admin.get(f"/competitions/{orphan['id']}").status_code == 200


def test_contacts_register_only_their_own_organizations_people(two, api_as):
    """L5: contact_lasa entered a Guangxi company's employee under the Lhasa college."""
    users, params = two
    guangxi_person = db.session.scalar(select(Person).where(Person.name == "覃海燕"))
    r = api_as(users["org_contact"]).post(f"/events/{params['event_id']}/registrations", json={
        "person": {"name": guangxi_person.name, "id_type": "resident_id", "id_number": guangxi_person.id_number}})
    assert r.status_code in (409, 422)
    assert db.session.scalar(select(Person).where(Person.id == guangxi_person.id)).organization_id != \
        users["org_contact"].organization_id


def test_the_panel_sees_codes_and_counts_not_registration_ids(two, api_as):
    """L7: the panel's coverage warnings mapped codes to sequential registration ids."""
    users, params = two
    body = api_as(users["judge"]).get(f"/events/{params['event_id']}/panel").get_json()
    assert all("registration_id" not in w for w in body["coverage_warnings"])


def test_judges_come_from_organizations_in_the_jurisdiction_and_belong_to_one(two, api_as):
    users, params = two
    xz = api_as(users["organizer"])
    r = xz.post(f"/events/{params['event_id']}/panel", json={"user_id": users["judge_other"].id, "role": "judge"})
    assert r.status_code == 422  # a Guangxi judge: an admin invites them
    r = api_as(users["admin"]).post(f"/events/{params['event_id']}/panel",
                                    json={"user_id": users["judge_other"].id, "role": "judge"})
    assert r.status_code in (201, 409)
    r = xz.post("/users", json={"username": "no_org_judge", "password": "Xq7-long-pass-2026", "name": "无单位",
                                "roles": ["judge"]})
    assert r.status_code == 201 and r.get_json()["organization_id"] == users["organizer"].organization_id
    admin = api_as(users["admin"])
    r = admin.post("/users", json={"username": "loose_judge", "password": "Xq7-long-pass-2026", "name": "无单位",
                                   "roles": ["judge"]})
    assert r.status_code == 422 and "organization_id" in r.get_json()["error"]["fields"]
    assert db.session.scalar(select(User).where(User.username == "loose_judge")) is None
