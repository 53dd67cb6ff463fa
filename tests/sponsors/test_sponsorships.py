"""Sponsors and donations per competition (issue 21 part 3, 桂政发〔2019〕16号 (十六)): recorded with
kind, amount or value, purpose and agreement file (typed by content), totals per competition and in
the year statistics, acknowledgements printed on bulletins on request; host's organizers only."""
import io

from pypdf import PdfReader

from app.extensions import db
from app.sponsors.models import Sponsorship
from tests.conftest import csrf_from

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _comp_id(drawn):
    return drawn["comp"].id


def test_sponsorships_are_recorded_totalled_and_refused_with_named_fields(drawn, api_as, make_user, make_org):
    api, cid = api_as(drawn["organizer"]), _comp_id(drawn)
    r = api.post(f"/competitions/{cid}/sponsorships", json={
        "sponsor_name": "西藏高争建材集团", "kind": "money", "amount": "200000.50", "purpose": "决赛场地与耗材",
        "acknowledgement": "感谢西藏高争建材集团", "print_on_bulletin": True})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["amount"] == "200000.50" and r.get_json()["agreement"] is None
    r = api.post(f"/competitions/{cid}/sponsorships", data={
        "sponsor_name": "拉萨汽修设备公司", "kind": "goods", "amount": "35000", "description": "举升机两台",
        "purpose": "汽修赛项设备", "agreement": (io.BytesIO(PDF), "赞助协议.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    assert r.get_json()["agreement"]["content_type"] == "application/pdf"
    listing = api.get(f"/competitions/{cid}/sponsorships").get_json()
    assert listing["totals"] == {"money": "200000.50", "goods": "35000.00", "services": "0.00", "total": "235000.50"}
    got = api.get(f"/sponsorships/{sid}/agreement")
    assert got.status_code == 200 and got.data == PDF and got.headers["Content-Disposition"].startswith("attachment")
    # Fields named; goods need a description; an acknowledgement to print needs its text; files by content.
    r = api.post(f"/competitions/{cid}/sponsorships", json={"sponsor_name": "", "kind": "goods", "amount": "-1",
                                                            "purpose": "", "print_on_bulletin": True})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"sponsor_name", "amount", "purpose", "description", "acknowledgement"}
    r = api.post(f"/competitions/{cid}/sponsorships", data={
        "sponsor_name": "某公司", "kind": "money", "amount": "100", "purpose": "奖金",
        "agreement": (io.BytesIO(b"GIF89a....."), "协议.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "agreement" in r.get_json()["error"]["fields"]
    assert api.post(f"/competitions/{cid}/sponsorships", json={"sponsor_name": "x", "kind": "money",
                                                               "amount": 12.5, "purpose": "y"}).status_code == 201
    # Another tenant's organizer neither lists, records, downloads nor removes.
    gx = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    other = api_as(make_user("organizer", organization=gx, username="org_gx_s"))
    assert other.get(f"/competitions/{cid}/sponsorships").status_code == 403
    assert other.get(f"/sponsorships/{sid}/agreement").status_code == 404
    assert other.delete(f"/sponsorships/{sid}").status_code == 404
    assert api.delete(f"/sponsorships/{sid}").status_code == 204
    assert db.session.get(Sponsorship, sid) is None


def test_the_bulletin_prints_the_acknowledgements_asked_for(final, api_as):
    api, cid = api_as(final["organizer"]), final["comp"].id
    api.post(f"/competitions/{cid}/sponsorships", json={
        "sponsor_name": "西藏高争建材集团", "kind": "money", "amount": "1000", "purpose": "奖金",
        "acknowledgement": "感谢西藏高争建材集团鼎力支持", "print_on_bulletin": True})
    api.post(f"/competitions/{cid}/sponsorships", json={
        "sponsor_name": "匿名捐赠者", "kind": "money", "amount": "500", "purpose": "奖金",
        "acknowledgement": "不印此行", "print_on_bulletin": False})
    r = api.get(f"/events/{final['event'].id}/results.pdf")
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "感谢西藏高争建材集团鼎力支持" in text and "不印此行" not in text


def test_the_sponsors_page_and_the_year_statistics(final, login, api_as):
    cid = final["comp"].id
    client = login(final["organizer"])
    page = client.get(f"/manage/competitions/{cid}/sponsors").get_data(as_text=True)
    r = client.post(f"/manage/competitions/{cid}/sponsors", data={
        "csrf_token": csrf_from(page), "sponsor_name": "日喀则青稞酒业", "kind": "services", "amount": "8000",
        "description": "赛事直播", "purpose": "宣传", "agreement": (io.BytesIO(PDF), "协议.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    page = client.get(f"/manage/competitions/{cid}/sponsors").get_data(as_text=True)
    assert "日喀则青稞酒业" in page and "8000.00" in page
    row = db.session.query(Sponsorship).one()
    assert client.get(f"/manage/sponsorships/{row.id}/agreement").data == PDF
    year = final["comp"].year
    stats = client.get(f"/analytics/statistics?period={year}").get_data(as_text=True)
    assert 'data-total="sponsorship">8000.00<' in stats
    r = client.post(f"/manage/sponsorships/{row.id}/delete", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302 and db.session.query(Sponsorship).count() == 0
