"""A winner's name that no certificate font can print holds that certificate for review at final
(serial and code assigned; not valid, not rendered, not batch-printed, not downloadable; verifies
as pending review). The organizer releases it with a printed name that prints, or as it is after
confirming; a post-final correction supersedes a held certificate like a valid one."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.extensions import db
from app.jobs import runner
from app.registration.models import Registration
from tests.scenarios import pdf_text
from tests.conftest import csrf_from, new_client
from tests import scenarios

RARE = "王𠀀明"      # U+20000: in no certificate font (app.pdf.fonts.missing_glyphs)
RARE_2 = "李𪚥"      # U+2A6A5


@pytest.fixture
def held_final(drawn, api_as):
    """The judged event taken to final; the second-ranked winner is 王𠀀明, the third 李𪚥."""
    codes = scenarios.setup_scores(drawn)
    regs = {r.code: r for r in db.session.scalars(select(Registration))}
    regs[codes[1]].person.name = RARE
    regs[codes[2]].person.name = RARE_2
    db.session.commit()
    scenarios.publish(drawn)
    scenarios.finalize(drawn)
    drawn["codes"] = codes
    return drawn


def _cert(code):
    return db.session.scalar(select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
                             .where(Registration.code == code, Certificate.status != "revoked"))


def test_a_name_no_font_can_print_holds_its_certificate_at_final(held_final):
    codes = held_final["codes"]
    certs = {c.registration.code: c for c in db.session.scalars(select(Certificate))}
    assert len(certs) == 4
    assert certs[codes[1]].status == "held" and certs[codes[2]].status == "held"
    assert certs[codes[0]].status == "valid" and certs[codes[3]].status == "valid"
    held = certs[codes[1]]
    assert held.serial and len(held.code) == 21 and held.printed_name is None
    issue = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.issue"))
    assert sorted(issue.after["held"]) == sorted([certs[codes[1]].serial, certs[codes[2]].serial])


def test_a_held_certificate_verifies_as_pending_review_not_valid_nor_unknown(held_final, app):
    cert = _cert(held_final["codes"][1])
    anon = new_client(app)
    r = anon.get(f"/api/v1/public/certificates/{cert.code}")
    assert r.status_code == 200 and r.get_json()["status"] == "held" and "待组织方审核" in r.get_json()["message"]
    page = anon.get(f"/verify/{cert.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "待组织方审核" in text
    assert "真实有效" not in text and "已被撤销" not in text and "没有此验证码" not in text


def test_a_held_certificate_is_not_rendered_downloaded_or_batch_printed(held_final, api_as, make_user, login, app):
    cert = _cert(held_final["codes"][1])
    owner = make_user("candidate", username="owner")
    cert.person.user_id = owner.id
    db.session.commit()
    url = f"/registrations/{cert.registration_id}/certificate.pdf"
    assert api_as(owner).get(url).status_code == 404
    assert login(owner).get(url).status_code == 404
    assert url not in login(owner).get("/me").get_data(as_text=True)
    org_web = login(held_final["organizer"])
    r = org_web.get(f"/manage/certificates/{cert.code}.pdf")
    assert r.status_code == 409 and not r.data.startswith(b"%PDF")
    # The lookup offers no certificate code for it.
    anon = new_client(app)
    found = anon.post("/api/v1/public/lookup", json={"name": RARE, "id_number": cert.person.id_number}).get_json()
    assert found["results"][0]["certificate_code"] is None
    # The batch prints the two valid certificates only.
    org = api_as(held_final["organizer"])
    job_id = org.post(f"/competitions/{held_final['comp'].id}/certificates").get_json()["job_id"]
    runner.wait(job_id)
    body = org.get(f"/jobs/{job_id}").get_json()
    assert body["status"] == "done" and body["total"] == 2, body
    [zip_file] = [f["name"] for f in body["files"] if f["kind"] == "zip"]
    with zipfile.ZipFile(io.BytesIO(org.get(f"/jobs/{job_id}/files/{zip_file}").data)) as zf:
        assert sorted(m[:-4] for m in zf.namelist()) == sorted(
            c.serial for c in db.session.scalars(select(Certificate).where(Certificate.status == "valid")))
        assert cert.serial + ".pdf" not in zf.namelist()


def test_the_certificates_page_and_api_list_held_certificates_with_their_missing_characters(held_final, api_as, login):
    comp = held_final["comp"]
    items = api_as(held_final["organizer"]).get(f"/competitions/{comp.id}/certificates").get_json()["items"]
    by_name = {i["name"]: i for i in items}
    assert by_name[RARE]["status"] == "held" and by_name[RARE]["missing_characters"] == ["𠀀"]
    assert by_name[RARE_2]["missing_characters"] == ["𪚥"]
    page = login(held_final["organizer"]).get(f"/manage/competitions/{comp.id}/certificates").get_data(as_text=True)
    assert 'id="held"' in page and "U+20000" in page and "U+2A6A5" in page
    assert f"/manage/certificates/{by_name[RARE]['code']}/release" in page
    assert f"/manage/certificates/{by_name[RARE]['code']}.pdf" not in page


def test_release_with_a_printed_name_that_prints_makes_it_valid_and_printable(held_final, api_as, app):
    cert = _cert(held_final["codes"][1])
    org = api_as(held_final["organizer"])
    r = org.post(f"/certificates/{cert.code}/release", json={"printed_name": "王𪚥明", "reason": "与本人核实"})
    assert r.status_code == 422 and "printed_name" in r.get_json()["error"]["fields"]
    assert "𪚥" in r.get_json()["error"]["fields"]["printed_name"][0]
    r = org.post(f"/certificates/{cert.code}/release", json={"printed_name": "王晓明"})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    r = org.post(f"/certificates/{cert.code}/release", json={"printed_name": "王<b>明", "reason": "与本人核实"})
    assert r.status_code == 422 and "printed_name" in r.get_json()["error"]["fields"]
    r = org.post(f"/certificates/{cert.code}/release", json={"printed_name": " 王晓明 ", "reason": "与本人核实，用“晓”代替"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "valid" and r.get_json()["printed_name"] == "王晓明"
    assert r.get_json()["name"] == RARE  # the name on record stays as typed
    assert new_client(app).get(f"/api/v1/public/certificates/{cert.code}").get_json()["status"] == "valid"
    ev = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.release"))
    assert ev.reason == "与本人核实，用“晓”代替" and ev.before["status"] == "held" and ev.after["printed_name"] == "王晓明"
    pdf = org.get(f"/registrations/{cert.registration_id}/certificate.pdf")
    assert pdf.status_code == 200 and "王晓明" in pdf_text(pdf.data)
    # Released once: not again.
    assert org.post(f"/certificates/{cert.code}/release", json={"reason": "再次放行"}).status_code == 409


def test_release_as_is_needs_the_organizers_confirmation(held_final, api_as, login):
    cert = _cert(held_final["codes"][2])
    org = api_as(held_final["organizer"])
    r = org.post(f"/certificates/{cert.code}/release", json={"reason": "本人确认"})
    assert r.status_code == 422 and "𪚥" in r.get_json()["error"]["fields"]["printed_name"][0]
    client = login(held_final["organizer"])
    page = client.get(f"/manage/competitions/{held_final['comp'].id}/certificates")
    r = client.post(f"/manage/certificates/{cert.code}/release", data={
        "csrf_token": csrf_from(page.data), "reason": "本人确认按原样打印", "print_as_is": "y"})
    assert r.status_code == 302
    db.session.refresh(cert)
    assert cert.status == "valid" and cert.printed_name is None
    ev = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.release"))
    assert ev.after["printed_as_is"] == ["𪚥"]


def test_an_organizer_of_another_host_cannot_release(held_final, api_as, make_user, make_org, login):
    cert = _cert(held_final["codes"][1])
    other = make_user("organizer", organization=make_org("另一个单位"), username="other_org")
    r = api_as(other).post(f"/certificates/{cert.code}/release", json={"printed_name": "王晓明", "reason": "越权放行"})
    assert r.status_code == 403
    client = login(other)
    page = client.get("/account/password")
    r = client.post(f"/manage/certificates/{cert.code}/release",
                    data={"csrf_token": csrf_from(page.data), "printed_name": "王晓明", "reason": "越权放行"})
    assert r.status_code == 403
    db.session.refresh(cert)
    assert cert.status == "held"


def test_a_correction_after_final_supersedes_held_certificates_and_keeps_a_chosen_printed_name(held_final, api_as):
    codes, event = held_final["codes"], held_final["event"]
    held = _cert(codes[1])                        # stays held: rank 2 → 3
    released = _cert(codes[2])                    # released with a printed name: rank 3 → 4
    org = api_as(held_final["organizer"])
    assert org.post(f"/certificates/{released.code}/release",
                    json={"printed_name": "李晶", "reason": "本人确认"}).status_code == 200
    sup, chief = api_as(held_final["supervisor"]), api_as(held_final["chief"])
    r = sup.post(f"/events/{event.id}/final-corrections", json={"reason": "仲裁委员会裁决书〔2026〕5号：第五名实操成绩漏计"})
    assert r.status_code == 201, r.get_json()
    for s in [s for s in chief.get(f"/events/{event.id}/sheets").get_json()["items"] if s["code"] == codes[4]]:
        r = chief.put(f"/events/{event.id}/sheets/{codes[4]}?judge_id={s['judge_id']}",
                      json={"scores": {"P1": "3", "P2": "20", "P3": "10"}, "version": s["version"], "reason": "按裁决更正"})
        assert r.status_code == 200, r.get_json()
    assert chief.post(f"/events/{event.id}/lock").status_code == 200
    db.session.expire_all()
    old_held, old_released = db.session.get(Certificate, held.id), db.session.get(Certificate, released.id)
    assert old_held.status == "revoked" and "裁决书" in old_held.revoke_reason
    assert old_released.status == "revoked"
    new_held, new_released = _cert(codes[1]), _cert(codes[2])
    assert new_held.id != held.id and new_held.status == "held" and new_held.rank == 3
    assert new_released.id != released.id and new_released.rank == 4
    assert new_released.status == "valid" and new_released.printed_name == "李晶"
    # One live certificate per winner, never two.
    live = db.session.scalars(select(Certificate).where(Certificate.status.in_(("valid", "held")))).all()
    assert len(live) == len({(c.registration_id, c.person_id) for c in live})
