"""A contact of a person's own organization reads that person's electronic record (电子档案): the
page, the API and the PDF, read only; never another organization's people."""
from datetime import date

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.people.models import Person
from tests.conftest import csrf_from
from tests.scenarios import resident_id


@pytest.fixture
def rec(make_user, make_org):
    hr = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    factory = make_org("日喀则市藏毯厂", kind="enterprise", region_code="540200")
    person = Person(name="卓嘎", id_type="resident_id", id_number=resident_id(), gender="female",
                    birth_date=date(1996, 5, 4), organization_id=college.id, created_by_organization_id=hr.id)
    stranger = Person(name="格桑", id_type="resident_id", id_number=resident_id(), organization_id=factory.id)
    db.session.add_all([person, stranger])
    db.session.commit()
    return {"organizer": make_user("organizer", organization=hr, username="r_org"),
            "contact": make_user("org_contact", organization=college, username="r_contact"),
            "contact_other": make_user("org_contact", organization=factory, username="r_contact_other"),
            "person": person, "stranger": stranger}


def test_the_contact_reads_the_whole_record_of_their_own_people(rec, api_as, login):
    org, pid = api_as(rec["organizer"]), rec["person"].id
    assert org.post(f"/people/{pid}/grades", json={"occupation": "唐卡制作", "grade": 3,
                                                   "awarded_on": "2024-06-30"}).status_code == 201
    assert org.post(f"/people/{pid}/titles", json={"title": "西藏工匠", "conferred_by": "西藏自治区人民政府",
                                                   "conferred_on": "2025-01-10"}).status_code == 201
    contact = api_as(rec["contact"])
    body = contact.get(f"/people/{pid}/file").get_json()
    assert body["occupations"][0]["occupation"] == "唐卡制作" and body["titles"][0]["title"] == "西藏工匠"
    assert body["person"]["id_number_masked"].count("*") >= 8
    r = contact.get(f"/people/{pid}/file.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    import io
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "唐卡制作" in text
    web = login(rec["contact"])
    page = web.get(f"/org/people/{pid}/record")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "唐卡制作" in html and "西藏工匠" in html
    assert f"/org/people/{pid}/record.pdf" in html and 'action="/manage/people' not in html  # read only
    assert web.get(f"/org/people/{pid}/record.pdf").mimetype == "application/pdf"
    # Read only: the writing routes stay the organizers'.
    assert contact.post(f"/people/{pid}/grades", json={"occupation": "电工", "grade": 4,
                                                       "awarded_on": "2024-06-30"}).status_code == 403
    r = web.post(f"/manage/people/{pid}/grades", data={"csrf_token": csrf_from(page.data), "occupation": "电工",
                                                       "grade": "4", "awarded_on": "2024-06-30"})
    assert r.status_code == 403


def test_never_another_organizations_people(rec, api_as, login):
    pid, sid = rec["person"].id, rec["stranger"].id
    other = api_as(rec["contact_other"])
    assert other.get(f"/people/{pid}/file").status_code == 404
    assert other.get(f"/people/{pid}/file.pdf").status_code == 404
    web = login(rec["contact_other"])
    assert web.get(f"/org/people/{pid}/record").status_code == 404
    assert web.get(f"/org/people/{pid}/record.pdf").status_code == 404
    assert login(rec["contact"]).get(f"/org/people/{sid}/record").status_code == 404
    assert api_as(rec["contact"]).get(f"/people/{sid}/file").status_code == 404


def test_the_contacts_registrations_link_to_their_peoples_records(rec, login, make_competition):
    from app import uow
    from app.competitions import operations as comps
    from app.registration import operations as regs
    comp = make_competition(rec["organizer"])
    comps.change_status(comp, "registration_open", rec["organizer"])
    p = rec["person"]
    regs.register(comp.events[0], {"person": {"name": p.name, "id_type": p.id_type, "id_number": p.id_number}},
                  rec["contact"], "org_contact")
    uow.commit()
    html = login(rec["contact"]).get("/org/registrations").get_data(as_text=True)
    assert f"/org/people/{p.id}/record" in html
