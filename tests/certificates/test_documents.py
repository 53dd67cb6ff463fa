"""Documents as users expect them (issue 18): a person's Tibetan-script name beside the Chinese one
in forms, lookup, certificates (a 藏汉双语 template), bulletin and roster; the admission ticket's
photo (uploaded, checked by content) in a clean box; the 成绩公示表 linked where organizers and the
public look; the certificate settings shown before the move to final; the QR address warning."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from app.certificates.models import Certificate, CertificateSettings
from app.domain.names import InvalidName, clean_tibetan_name
from app.extensions import db
from app.registration.models import Registration, RegistrationMember
from tests.scenarios import pdf_text
from tests.conftest import csrf_from, new_client
from tests import scenarios

BO = "ཚེ་རིང་དོན་གྲུབ"


def test_a_tibetan_script_name_is_tibetan_letters_only():
    assert clean_tibetan_name("  ཚེ་རིང་དོན་གྲུབ་  ") == "ཚེ་རིང་དོན་གྲུབ"   # the closing tsheg is trimmed
    assert clean_tibetan_name("") is None and clean_tibetan_name(None) is None and clean_tibetan_name("་") is None
    for bad in ("次仁顿珠", "Tsering", "ཚེ་རིང\u200b", "ཚེ་རིང1", "ཚེ་རིང·"):
        with pytest.raises(InvalidName):
            clean_tibetan_name(bad)


def test_people_carry_both_names_through_the_api_and_the_lookup(final, api_as, app):  # noqa: F811
    org = api_as(final["organizer"])
    reg = db.session.scalar(select(Registration).where(Registration.code == final["codes"][1]))
    person = reg.person
    r = org.patch(f"/people/{person.id}", json={"name_bo": "Tsering"})
    assert r.status_code == 422 and "name_bo" in r.get_json()["error"]["fields"]
    r = org.patch(f"/people/{person.id}", json={"name_bo": BO})
    assert r.status_code == 200 and r.get_json()["name_bo"] == BO
    anon = new_client(app)
    by_chinese = anon.post("/api/v1/public/lookup", json={"name": person.name, "id_number": person.id_number}).get_json()
    by_tibetan = anon.post("/api/v1/public/lookup", json={"name": BO + "་", "id_number": person.id_number}).get_json()
    assert by_chinese["results"] and by_chinese["results"] == by_tibetan["results"]
    wrong = anon.post("/api/v1/public/lookup", json={"name": "ཚེ་རིང", "id_number": person.id_number})
    assert wrong.status_code == 404


@pytest.fixture
def bilingual_final(drawn, api_as):
    """The judged event with bilingual certificate settings; the winner has a Tibetan-script name."""
    codes = scenarios.setup_scores(drawn)
    winner = db.session.scalar(select(Registration).where(Registration.code == codes[0]))
    winner.person.name_bo = BO
    db.session.add(CertificateSettings(competition_id=drawn["comp"].id, template="bilingual",
                                       serial_pattern="{region}{year}-{competition:03d}-{seq:05d}",
                                       issuing_body="西藏自治区人力资源和社会保障厅"))
    db.session.commit()
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    drawn["codes"], drawn["winner"] = codes, winner
    return drawn


def test_the_bilingual_certificate_prints_tibetan_wording_and_both_names(bilingual_final, api_as, app):
    cert = db.session.scalar(select(Certificate).order_by(Certificate.seq))
    assert cert.name_bo == BO and cert.design.template == "bilingual"
    data = api_as(bilingual_final["organizer"]).get(f"/registrations/{cert.registration_id}/certificate.pdf").data
    text = pdf_text(data)
    assert "荣誉证书" in text and "一等奖" in text and cert.serial in text and cert.name in text
    for tibetan in ("ཆེ་མཐོང", "བྱ་དགའ", "རིམ་པ་དང་པོ", "ཚེ་རིང"):   # the title, 奖项, 一等奖 and the name
        assert tibetan in text, tibetan
    # The QR payload carries both names masked; the verify page shows them.
    page = new_client(app).get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "ཚེ་*་*་གྲུབ" in page and BO not in page
    # The bulletin and the roster print both names.
    bulletin = pdf_text(api_as(bilingual_final["organizer"]).get(f"/events/{bilingual_final['event'].id}/results.pdf").data)
    assert "ཚེ་རིང" in bulletin and cert.name in bulletin


def _jpeg(size=(600, 800), color=(180, 150, 120)) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make: must not survive
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_admission_ticket_carries_the_uploaded_photo_in_a_clean_box(drawn, api_as, make_user, login, tmp_path):
    reg = drawn["entries"][0]
    cand = make_user("candidate", username="photo")
    reg.person.user_id = cand.id
    comp = reg.event.competition
    comp.status = "registration_closed"   # photos change until judging begins
    db.session.commit()
    web = login(cand)
    token = csrf_from(web.get("/me").data)

    def upload(data, name="p.jpg"):
        return web.post(f"/registrations/{reg.id}/photo", data={"csrf_token": token, "photo": (io.BytesIO(data), name)},
                        content_type="multipart/form-data", follow_redirects=True)
    blank = api_as(cand).get(f"/registrations/{reg.id}/admission-ticket.pdf").data
    assert "贴照片处" in pdf_text(blank) and "一寸免冠" in pdf_text(blank)
    refused = upload(b"<?php echo 1; ?>" + b"0" * 100, "photo.jpg")
    assert "JPEG" in refused.get_data(as_text=True) and db.session.get(RegistrationMember, reg.members[0].id).photo_sha is None
    assert upload(_jpeg()).status_code == 200
    member = db.session.scalar(select(RegistrationMember).where(RegistrationMember.registration_id == reg.id))
    db.session.refresh(member)
    assert member.photo_sha and b"CameraMaker" not in member.photo   # re-encoded: metadata gone
    ticket = api_as(cand).get(f"/registrations/{reg.id}/admission-ticket.pdf").data
    assert "贴照片处" not in pdf_text(ticket)
    path = tmp_path / "t.pdf"
    path.write_bytes(ticket)
    import subprocess
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout
    assert " jpeg " in images   # the photo is in the document
    assert web.get(f"/registrations/{reg.id}/photo.jpg").mimetype == "image/jpeg"
    other = make_user("candidate", username="notmine")
    assert login(other).get(f"/registrations/{reg.id}/photo.jpg").status_code == 404
    # Once judging begins the photo is fixed.
    comp.status = "judging"
    db.session.commit()
    assert "评判" in upload(_jpeg(color=(1, 2, 3))).get_data(as_text=True)
    db.session.refresh(member)
    assert member.photo_sha is not None


def test_the_bulletin_is_linked_for_organizers_and_the_public_with_masked_names(final, login, app):  # noqa: F811
    event = final["event"]
    page = login(final["organizer"]).get(f"/manage/competitions/{final['comp'].id}/results").get_data(as_text=True)
    assert f"/manage/events/{event.id}/results.pdf" in page
    public_page = new_client(app).get(f"/results/{final['comp'].id}").get_data(as_text=True)
    assert f"/results/events/{event.id}/bulletin.pdf" in public_page
    r = new_client(app).get(f"/results/events/{event.id}/bulletin.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert f'filename="results-bulletin-{event.id}.pdf"' in r.headers["Content-Disposition"]
    text = pdf_text(r.data)
    reg = db.session.scalar(select(Registration).where(Registration.code == final["codes"][1]))
    assert "成绩" in text and reg.person.name not in text and "*" in text
    assert reg.person.id_number not in text


def test_the_move_to_final_shows_the_certificate_settings_it_will_use(drawn, api_as, login, app, monkeypatch):
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    comp = drawn["comp"]
    comp.publicity_days = 0
    db.session.commit()
    client = login(drawn["organizer"])
    page = client.get(f"/manage/competitions/{comp.id}").get_data(as_text=True)
    assert "定榜时颁发的证书" in page and "证书设置从未保存" in page
    assert "{region}{year}-{competition:03d}-{seq:05d}" in page and f"XZ{comp.year}-{comp.id:03d}-00001" in page
    assert f"/manage/competitions/{comp.id}/certificates/preview.pdf" in page
    assert db.session.get(CertificateSettings, comp.id) is None   # showing them creates nothing
    # The QR would print the loopback address of the test server: said before the move.
    assert "PUBLIC_BASE_URL" in page
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://jx.example.cn")
    page = client.get(f"/manage/competitions/{comp.id}").get_data(as_text=True)
    assert "PUBLIC_BASE_URL" not in page and "https://jx.example.cn/verify/" in page


def test_the_certificates_page_warns_about_a_loopback_address(final, login, app, monkeypatch):  # noqa: F811
    url = f"/manage/competitions/{final['comp'].id}/certificates"
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    page = login(final["organizer"]).get(url).get_data(as_text=True)
    assert "address-warning" in page and "回环" in page
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://jx.example.cn")
    assert "address-warning" not in login(final["organizer"]).get(url).get_data(as_text=True)
