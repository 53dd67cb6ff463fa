"""Lists that scale (issue 23): registrations, people, users, audit and certificates are searched,
filtered and paged in the page and the API alike; the API keeps its list envelope."""
from __future__ import annotations

from sqlalchemy import select

from app.certificates.models import Certificate
from app.extensions import db
from tests.scenarios import person


def _register(api, event, names_orgs):
    ids = []
    for name, org in names_orgs:
        r = api.post(f"/events/{event.id}/registrations", json={"person": person(name), "organization_id": org.id})
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
    return ids


def test_registrations_search_in_the_api_and_the_contacts_page(world, api_as, login):
    api = api_as(world["organizer"])
    _register(api, world["event"], [("次仁多吉", world["college"]), ("次仁央宗", world["company"]),
                                    ("格桑", world["college"])])
    url = f"/events/{world['event'].id}/registrations"
    body = api.get(url, query_string={"q": "次仁"}).get_json()
    assert {i["person"]["name"] for i in body["items"]} == {"次仁多吉", "次仁央宗"}
    assert set(body) >= {"items", "page", "per_page", "total"} and body["total"] == 2
    body = api.get(url, query_string={"q": "次仁", "organization_id": world["company"].id}).get_json()
    assert [i["person"]["name"] for i in body["items"]] == ["次仁央宗"]
    body = api.get(url, query_string={"per_page": 1, "page": 2}).get_json()
    assert body["total"] == 3 and len(body["items"]) == 1 and body["page"] == 2
    # A contact lists their own organization's only, whatever organization they ask for.
    contact = api_as(world["contact"])
    body = contact.get(url, query_string={"organization_id": world["company"].id}).get_json()
    assert {i["person"]["name"] for i in body["items"]} == {"次仁多吉", "格桑"}
    page = login(world["contact"]).get("/org/registrations?q=格桑").get_data(as_text=True)
    assert "格桑" in page and "次仁多吉" not in page


def test_people_and_users_are_searched_and_paged(world, api_as, login, make_user):
    api = api_as(world["organizer"])
    _register(api, world["event"], [("白玛曲珍", world["college"]), ("旦增", world["college"])])
    body = api.get("/people", query_string={"q": "白玛"}).get_json()
    assert [p["name"] for p in body["items"]] == ["白玛曲珍"] and body["total"] == 1
    admin = make_user("admin")
    for i, tail in enumerate("甲乙丙"):
        make_user("judge", username=f"pingcuo{i}", name=f"平措{tail}")
    body = api_as(admin).get("/users", query_string={"q": "平措", "per_page": 2}).get_json()
    assert body["total"] == 3 and len(body["items"]) == 2
    body = api_as(admin).get("/users", query_string={"q": "pingcuo1"}).get_json()
    assert [u["username"] for u in body["items"]] == ["pingcuo1"]
    page = login(admin).get("/manage/users?q=平措").get_data(as_text=True)
    assert "pingcuo0" in page and "pingcuo2" in page and "<td>contact_other</td>" not in page
    page = login(admin).get("/manage/users?q=平措&role=organizer").get_data(as_text=True)
    assert "pingcuo0" not in page


def test_audit_api_filters_by_what_was_done(world, api_as, make_user):
    api = api_as(make_user("admin"))
    body = api.get("/audit", query_string={"action": "registration."}).get_json()
    assert all(i["action"].startswith("registration.") for i in body["items"])
    everything = api.get("/audit").get_json()["total"]
    body = api.get("/audit", query_string={"action": "competition."}).get_json()
    assert 0 < body["total"] < everything and all(i["action"].startswith("competition.") for i in body["items"])


def test_certificates_are_searched_filtered_and_paged(final, api_as, login):
    comp = final["comp"]
    certs = db.session.scalars(select(Certificate).where(Certificate.competition_id == comp.id)).all()
    assert len(certs) >= 2
    api = api_as(final["organizer"])
    body = api.get(f"/competitions/{comp.id}/certificates").get_json()
    assert body["total"] == len(certs) and len(body["items"]) == len(certs)  # all by default, as before
    one = certs[0]
    body = api.get(f"/competitions/{comp.id}/certificates", query_string={"q": one.serial}).get_json()
    assert [c["serial"] for c in body["items"]] == [one.serial]
    body = api.get(f"/competitions/{comp.id}/certificates", query_string={"status": "revoked"}).get_json()
    assert body["total"] == 0
    body = api.get(f"/competitions/{comp.id}/certificates", query_string={"per_page": 1, "page": 2}).get_json()
    assert len(body["items"]) == 1 and body["items"][0]["serial"] == certs[1].serial
    assert api.get(f"/competitions/{comp.id}/certificates", query_string={"status": "lost"}).status_code == 422
    client = login(final["organizer"])
    page = client.get(f"/manage/competitions/{comp.id}/certificates?q={one.serial}").get_data(as_text=True)
    assert one.serial in page and certs[1].serial not in page
