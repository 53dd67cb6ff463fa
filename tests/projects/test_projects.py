"""Contests of projects (issue 21 part 2): an entrepreneurship contest's entries carry a project
(name, sector, team led by the captain), its business plan and pitch deck (typed by content), and
its winners' follow-up support (funding, incubator places, loans) with dates and amounts."""
import io

from app.competitions.models import Competition
from app.extensions import db
from app.registration.models import Registration
from app.results.models import Result
from tests.conftest import csrf_from

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _entrepreneurship(final):
    comp = db.session.get(Competition, final["comp"].id)
    comp.kind = "entrepreneurship"
    db.session.commit()
    ranked = db.session.query(Result).filter(Result.competition_id == comp.id).order_by(Result.rank).all()
    return comp, ranked


def test_projects_files_and_the_winners_support(final, api_as, make_user, make_org):
    comp, ranked = _entrepreneurship(final)
    api = api_as(final["organizer"])
    winner, last = ranked[0].registration_id, ranked[-1].registration_id
    r = api.put(f"/registrations/{winner}/project", json={"name": "藏香非遗工坊", "sector": "文化创意",
                                                          "summary": "以合作社带动农牧民就业。"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["team"][0]["leads"] is True and r.get_json()["award"] is not None
    assert api.put(f"/registrations/{winner}/project", json={"name": "", "sector": ""}).status_code == 422
    r = api.post(f"/registrations/{winner}/project/files", data={"kind": "business_plan",
                                                                 "file": (io.BytesIO(PDF), "商业计划书.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    fid = r.get_json()["id"]
    r = api.post(f"/registrations/{winner}/project/files", data={"kind": "pitch_deck",
                                                                 "file": (io.BytesIO(b"PK\x03\x04pptx"), "路演.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    assert api.get(f"/project-files/{fid}").data == PDF
    r = api.post(f"/registrations/{winner}/project/support", json={"kind": "funding", "provider": "自治区创业扶持资金",
                                                                   "amount": "100000", "granted_on": "2026-10-01"})
    assert r.status_code == 201, r.get_json()
    assert api.post(f"/registrations/{winner}/project/support", json={"kind": "loan", "provider": "银行",
                                                                      "granted_on": "2026-10-01"}).status_code == 422
    # A project without an award gets no winners' support.
    api.put(f"/registrations/{last}/project", json={"name": "牦牛奶制品", "sector": "农牧业"})
    r = api.post(f"/registrations/{last}/project/support", json={"kind": "incubator", "provider": "拉萨创业园",
                                                                 "granted_on": "2026-10-01"})
    assert r.status_code == 409
    listing = api.get(f"/competitions/{comp.id}/projects").get_json()
    assert listing["total"] == 2 and listing["items"][0]["support"][0]["amount"] == "100000.00"
    # Another tenant sees none of it.
    gx = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    other = api_as(make_user("organizer", organization=gx, username="org_gx_p"))
    assert other.get(f"/competitions/{comp.id}/projects").status_code == 403
    assert other.get(f"/project-files/{fid}").status_code == 404
    assert other.put(f"/registrations/{winner}/project", json={"name": "x", "sector": "y"}).status_code in (403, 404)


def test_a_skills_competition_has_no_projects_and_the_page_works(final, api_as, login):
    reg = db.session.query(Registration).filter(Registration.competition_id == final["comp"].id).first()
    r = api_as(final["organizer"]).put(f"/registrations/{reg.id}/project", json={"name": "x", "sector": "y"})
    assert r.status_code == 409
    comp, ranked = _entrepreneurship(final)
    client = login(final["organizer"])
    page = client.get(f"/manage/competitions/{comp.id}/projects").get_data(as_text=True)
    r = client.post(f"/manage/registrations/{ranked[0].registration_id}/project",
                    data={"csrf_token": csrf_from(page), "name": "高原光伏运维", "sector": "新能源"})
    assert r.status_code == 302
    page = client.get(f"/manage/competitions/{comp.id}/projects").get_data(as_text=True)
    assert "高原光伏运维" in page
    r = client.post(f"/manage/registrations/{ranked[0].registration_id}/project/support",
                    data={"csrf_token": csrf_from(page), "kind": "incubator", "provider": "拉萨创业孵化园",
                          "granted_on": "2026-11-01"})
    assert r.status_code == 302
    assert "拉萨创业孵化园" in client.get(f"/manage/competitions/{comp.id}/projects").get_data(as_text=True)
