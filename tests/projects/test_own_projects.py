"""The entry's own side submits its project (issue 21 part 2): the team's members (their candidate
accounts) and the contacts of the organization that entered it enter the project and upload its
business plan and pitch deck themselves — typed by content and size-limited like the organizer's
upload — until the registration deadline; after it the materials are locked for judging (the
organizers may still correct them). Never another entry's project."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import uow
from app.competitions import operations as comps
from app.competitions.models import Competition
from app.extensions import db
from app.projects.models import ProjectFile
from app.registration import operations as regs
from tests.conftest import csrf_from, event_payload
from tests.scenarios import person

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def contest(make_user, make_org, make_competition):
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    other_org = make_org("日喀则市职业技术学校", kind="college", region_code="540200")
    organizer = make_user("organizer", organization=host, username="p_organizer")
    comp = make_competition(organizer, events=0, name="2026年西藏创业大赛", kind="entrepreneurship")
    event = comps.create_event(comp, event_payload(name="创业组", max_entrants=None), organizer)
    comps.change_status(comp, "registration_open", organizer)
    lead = make_user("candidate", username="p_lead")
    mine = regs.register(event, {"person": person("次仁"), "organization_id": college.id}, organizer, "organizer")
    mine.person.user_id = lead.id
    theirs = regs.register(event, {"person": person("格桑"), "organization_id": other_org.id}, organizer, "organizer")
    uow.commit()
    return {"comp": comp, "event": event, "organizer": organizer, "lead": lead, "mine": mine, "theirs": theirs,
            "contact": make_user("org_contact", organization=college, username="p_contact"),
            "contact_other": make_user("org_contact", organization=other_org, username="p_contact_other"),
            "stranger": make_user("candidate", username="p_stranger")}


def _upload(api, reg_id, content=PDF, kind="business_plan", name="商业计划书.pdf"):
    return api.post(f"/registrations/{reg_id}/project/files", data={"kind": kind, "file": (io.BytesIO(content), name)},
                    content_type="multipart/form-data")


def test_the_team_and_its_contact_submit_their_own_project(contest, api_as, app, monkeypatch):
    lead, contact = api_as(contest["lead"]), api_as(contest["contact"])
    rid = contest["mine"].id
    assert _upload(lead, rid).status_code == 409  # the project first
    r = lead.put(f"/registrations/{rid}/project", json={"name": "藏香非遗工坊", "sector": "文化创意"})
    assert r.status_code == 200, r.get_json()
    r = _upload(lead, rid)
    assert r.status_code == 201, r.get_json()
    fid = r.get_json()["id"]
    r = _upload(contact, rid, kind="pitch_deck", name="路演.pdf")
    assert r.status_code == 201
    # Typed by content, size-limited: the same checks as the organizer's upload.
    r = _upload(contact, rid, content=b"PK\x03\x04pptx", kind="pitch_deck", name="路演.pdf")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    assert _upload(lead, rid, content=PDF[:-7] + b"%" * 5000 + b"\n%%EOF\n").status_code == 413
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    # They read their project and files; the organizer sees what they submitted.
    assert lead.get(f"/registrations/{rid}/project").get_json()["name"] == "藏香非遗工坊"
    assert contact.get(f"/project-files/{fid}").data == PDF
    assert api_as(contest["organizer"]).get(f"/project-files/{fid}").data == PDF
    assert len(db.session.scalars(select(ProjectFile)).all()) == 2


def test_never_another_entrys_project(contest, api_as):
    rid, theirs = contest["mine"].id, contest["theirs"].id
    api_as(contest["lead"]).put(f"/registrations/{rid}/project", json={"name": "藏香非遗工坊", "sector": "文化创意"})
    fid = _upload(api_as(contest["lead"]), rid).get_json()["id"]
    for who in ("contact_other", "stranger"):
        api = api_as(contest[who])
        assert api.get(f"/registrations/{rid}/project").status_code == 404
        assert api.put(f"/registrations/{rid}/project", json={"name": "x", "sector": "y"}).status_code == 404
        assert _upload(api, rid).status_code == 404
        assert api.get(f"/project-files/{fid}").status_code == 404
    # The lead cannot write the other entry's project either.
    assert api_as(contest["lead"]).put(f"/registrations/{theirs}/project", json={"name": "x", "sector": "y"}).status_code == 404


def test_after_the_deadline_the_materials_are_locked(contest, api_as):
    rid = contest["mine"].id
    lead = api_as(contest["lead"])
    lead.put(f"/registrations/{rid}/project", json={"name": "藏香非遗工坊", "sector": "文化创意"})
    comp = db.session.get(Competition, contest["comp"].id)
    comp.registration_closes_at = comp.registration_opens_at + timedelta(seconds=1)
    uow.commit()
    r = _upload(lead, rid)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "wrong_state"
    assert lead.put(f"/registrations/{rid}/project", json={"name": "改名", "sector": "y"}).status_code == 409
    # The organizers can still correct them.
    assert _upload(api_as(contest["organizer"]), rid).status_code == 201


def test_web_page_for_the_team(contest, login):
    rid = contest["mine"].id
    web = login(contest["lead"])
    assert "/registrations/%d/project" % rid in web.get("/me").get_data(as_text=True)
    page = web.get(f"/registrations/{rid}/project")
    assert page.status_code == 200
    r = web.post(f"/registrations/{rid}/project", data={"csrf_token": csrf_from(page.data), "name": "高原光伏运维",
                                                        "sector": "新能源"})
    assert r.status_code == 302
    page = web.get(f"/registrations/{rid}/project")
    r = web.post(f"/registrations/{rid}/project/files", data={"csrf_token": csrf_from(page.data), "kind": "business_plan",
                                                              "file": (io.BytesIO(PDF), "计划书.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 302
    text = web.get(f"/registrations/{rid}/project").get_data(as_text=True)
    assert "高原光伏运维" in text and "计划书.pdf" in text
    fid = db.session.scalars(select(ProjectFile)).one().id
    assert web.get(f"/project-files/{fid}").data == PDF
    other = login(contest["contact_other"])
    assert other.get(f"/registrations/{rid}/project").status_code == 404
    assert other.get(f"/project-files/{fid}").status_code == 404
    contact = login(contest["contact"])
    assert "/registrations/%d/project" % rid in contact.get("/org/registrations").get_data(as_text=True)
    assert contact.get(f"/registrations/{rid}/project").status_code == 200
