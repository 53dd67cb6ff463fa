"""Certificates and documents: issued at final (serial, 104-bit code), rendered with embedded
fonts, Chinese and Tibetan text and a QR code that decodes to the verification page; verified,
revoked and reissued; printed in batches that report progress, survive a failure and a kill -9;
admission tickets, bulletins, rosters; glyph coverage; corrections after final."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.certificates import keys, offline, pades, signing
from app.certificates.models import Certificate, CertificateSettings
from app.extensions import db
from app import storage
from app.certificates import printing
from app.jobs import runner
from app.jobs.models import Job
from app.registration.models import Registration
from app.results.models import Result
from app.selection.models import Entitlement
from tests.conftest import csrf_from, new_client
from tests import scenarios
from tests.scenarios import TIBETAN, pdf_text

ROOT = Path(__file__).resolve().parents[2]


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def qr_payloads(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "q.pdf"
    path.write_bytes(data)
    # 300 dpi: the signed QR code (version ~12 at 30 mm, 0.46 mm a module) is too fine for 200.
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
    return out.stdout.split()


def test_final_issues_one_certificate_per_winner_with_serial_and_code(final):
    certs = db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()
    results = db.session.scalars(select(Result).where(Result.award.is_not(None))).all()
    assert len(certs) == len(results) == 4
    comp = final["comp"]
    assert [c.serial for c in certs] == [f"XZ{comp.year}-{comp.id:03d}-{i:05d}" for i in range(1, 5)]
    assert all(len(c.code) == 21 and c.code.isalnum() for c in certs)   # 104 bits of base32
    assert len({c.code for c in certs}) == 4
    assert [c.award for c in certs] == ["first", "second", "third", "third"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "certificates.issue")) == 1


def test_certificate_pdf_has_the_names_serial_fonts_and_a_qr_code_to_the_verification_page(final, api_as, tmp_path):
    cert = db.session.scalar(select(Certificate).order_by(Certificate.seq))
    r = api_as(final["organizer"]).get(f"/registrations/{cert.registration_id}/certificate.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    data = r.data
    assert len(data) < 500_000
    text = pdf_text(data)
    assert "荣誉证书" in text and "扎西" in text and cert.serial in text and final["comp"].name.replace(" ", "") in text
    assert "一等奖" in text and "电工" in text
    assert "བཀྲ" in text and "ཤིས" in text
    fonts = pdf_fonts(data, tmp_path)
    assert "JX-Serif-SC" in fonts and "Tibetan" in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes " in line, line      # every font embedded and subset
    [qr] = qr_payloads(data, tmp_path)
    # The address of the verification page, and the issuer's signature of the facts appended.
    assert qr.startswith(f"http://localhost/verify/{cert.code}?s=")
    check = offline.verify_text(qr, keys.store().jwks()["keys"])
    assert check.valid and check.fields["serial"] == cert.serial and check.fields["award"] == "first"


def test_verify_shows_valid_then_revoked_and_a_reissue_gets_a_new_serial_and_code(final, api_as, app):
    cert = db.session.scalar(select(Certificate).order_by(Certificate.seq))
    anon = new_client(app)
    body = anon.get(f"/api/v1/public/certificates/{cert.code}").get_json()
    assert body["status"] == "valid" and body["award"] == "first" and body["rank"] == 1
    assert body["name_masked"] != cert.name and "*" in body["name_masked"]
    spaced = "-".join(cert.code[i:i + 4] for i in range(0, 21, 4)).lower()
    page = anon.get(f"/verify/{spaced}")
    assert page.status_code == 200 and "真实有效" in page.get_data(as_text=True) or "genuine" in page.get_data(as_text=True)
    assert anon.get("/api/v1/public/certificates/AAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert anon.get("/verify/AAAAAAAAAAAAAAAAAAAAA").status_code == 404

    org = api_as(final["organizer"])
    r = org.post(f"/certificates/{cert.code}/revoke", json={"reason": ""})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    r = org.post(f"/certificates/{cert.code}/revoke", json={"reason": "姓名有误，按申请更正"})
    assert r.status_code == 200 and r.get_json()["status"] == "revoked"
    body = anon.get(f"/api/v1/public/certificates/{cert.code}").get_json()
    assert body["status"] == "revoked" and body["revoke_reason"] == "姓名有误，按申请更正"
    assert org.post(f"/certificates/{cert.code}/revoke", json={"reason": "再次撤销"}).status_code == 409
    r = org.post(f"/certificates/{cert.code}/reissue", json={"reason": "更正后补发"})
    assert r.status_code == 201
    new = r.get_json()
    assert new["serial"] != cert.serial and new["code"] != cert.code and new["replaces_id"] == cert.id
    assert org.post(f"/certificates/{cert.code}/reissue", json={"reason": "again"}).status_code == 409
    assert anon.get(f"/api/v1/public/certificates/{new['code']}").get_json()["status"] == "valid"
    assert anon.get(f"/api/v1/public/certificates/{cert.code}").get_json()["status"] == "revoked"
    # The lookup returns the valid certificate's code.
    db.session.expire_all()
    person = db.session.get(Certificate, cert.id).person
    found = anon.post("/api/v1/public/lookup", json={"name": person.name, "id_number": person.id_number}).get_json()
    assert found["results"][0]["certificate_code"] == new["code"]
    record = org.get(f"/people/{person.id}/record").get_json()
    assert {c["status"] for c in record["certificates"]} == {"valid", "revoked"}


def test_only_the_people_concerned_download_a_certificate(final, api_as, make_user, make_org, login):
    cert = db.session.scalar(select(Certificate).order_by(Certificate.seq))
    owner = make_user("candidate", username="owner")
    stranger = make_user("candidate", username="stranger")
    other_org = make_org("另一个单位")
    other_organizer = make_user("organizer", organization=other_org, username="other_org")
    cert.person.user_id = owner.id
    db.session.commit()
    url = f"/registrations/{cert.registration_id}/certificate.pdf"
    assert api_as(owner).get(url).status_code == 200
    page = login(owner).get("/me").get_data(as_text=True)
    assert url in page and cert.serial in page
    assert api_as(stranger).get(url).status_code == 404
    assert api_as(final["judges"][1]).get(url).status_code == 404
    assert api_as(other_organizer).get(url).status_code == 404
    assert api_as(other_organizer).post(f"/certificates/{cert.code}/revoke", json={"reason": "越权撤销"}).status_code == 403
    assert api_as(other_organizer).post(f"/competitions/{final['comp'].id}/certificates").status_code == 403
    r = api_as(final["organizer"]).post(f"/competitions/{final['comp'].id}/certificates", json={"event_id": "all"})
    assert r.status_code == 422 and "event_id" in r.get_json()["error"]["fields"]
    loser = db.session.scalar(select(Result).where(Result.award.is_(None)))
    assert api_as(final["organizer"]).get(f"/registrations/{loser.registration_id}/certificate.pdf").status_code == 404


def _wait(job_id, api):
    runner.wait(job_id)
    return api.get(f"/jobs/{job_id}").get_json()


def test_batch_job_reports_progress_and_produces_a_zip_and_print_files(final, api_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_PRINT_PAGES", 3)
    org = api_as(final["organizer"])
    r = org.post(f"/competitions/{final['comp'].id}/certificates")
    assert r.status_code == 202
    job_id = r.get_json()["job_id"]
    body = _wait(job_id, org)
    assert body["status"] == "done" and body["done"] == body["total"] == 4, body
    # Each file is named after the competition and the job (every download has a name of its own).
    stem = f"certificates-c{final['comp'].id}-{job_id[:8]}"
    names = {f["name"]: f for f in body["files"]}
    assert set(names) == {f"{stem}.zip", f"{stem}-print-01.pdf", f"{stem}-print-02.pdf"}
    z = org.get(f"/jobs/{job_id}/files/{stem}.zip")
    assert z.status_code == 200 and z.mimetype == "application/zip"
    assert f'filename="{stem}.zip"' in z.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(z.data)) as zf:
        members = zf.namelist()
        assert len(members) == 4 and all(zf.read(m).startswith(b"%PDF") for m in members)
        # The digital PDFs are signed (PAdES); the print files are not (paper carries the signed QR).
        assert all(pades.check_pdf(zf.read(m), signing.root_certificates())["intact"] for m in members)
    serials = sorted(c.serial for c in db.session.scalars(select(Certificate)))
    assert sorted(m[:-4] for m in members) == serials
    prints = [org.get(f"/jobs/{job_id}/files/{n}") for n in (f"{stem}-print-01.pdf", f"{stem}-print-02.pdf")]
    assert [len(PdfReader(io.BytesIO(p.data)).pages) for p in prints] == [3, 1]
    assert all(p.mimetype == "application/pdf" for p in prints)
    text = pdf_text(prints[0].data)
    assert all(s in text for s in serials[:3])
    assert org.get(f"/jobs/{job_id}/files/..%2Fsecret").status_code == 404
    assert body["download_url"].endswith(f"/{stem}.zip")


def test_a_failed_job_keeps_its_work_and_resumes_without_rendering_twice(final, api_as, monkeypatch):
    org = api_as(final["organizer"])
    real = printing._render_group_task
    calls = []
    monkeypatch.setattr(printing, "GROUP", 1)   # one certificate a group: four groups

    def flaky(task):
        calls.append(task["items"][0]["serial"])
        if len(calls) == 3:
            raise RuntimeError("printer on fire")
        return real(task)
    monkeypatch.setattr(printing, "_render_group_task", flaky)
    job_id = org.post(f"/competitions/{final['comp'].id}/certificates").get_json()["job_id"]
    body = _wait(job_id, org)
    assert body["status"] == "failed" and body["done"] == 2 and "printer on fire" in body["error"]
    r = org.post(f"/jobs/{job_id}/resume")
    assert r.status_code == 202
    body = _wait(job_id, org)
    assert body["status"] == "done" and body["done"] == 4
    assert len(calls) == 5 and len(set(calls)) == 4      # the two finished PDFs were not rendered again
    assert org.post(f"/jobs/{job_id}/resume").status_code == 409


def test_a_job_queued_moments_ago_is_not_resumed_twice(final, api_as):
    """A second click on Resume (or Resume on a job just created) would start a second run of the
    same files: refused while the job was queued less than STALE_AFTER ago; a job queued longer
    (its run was lost) is resumed."""
    from datetime import timedelta
    comp = db.session.get(type(final["comp"]), final["comp"].id)
    job = printing.create_certificate_job(comp, final["organizer"], "http://verify.example.cn")
    db.session.commit()                      # queued, not dispatched
    with pytest.raises(runner.JobStateError, match="waiting to start"):
        runner.resume(job, final["organizer"])
    r = api_as(final["organizer"]).post(f"/jobs/{job.id}/resume")
    assert r.status_code == 409 and "无需恢复" in r.get_json()["error"]["message"], r.get_json()
    job = db.session.get(Job, job.id)
    job.created_at -= timedelta(minutes=3)   # queued three minutes ago and never started
    runner.resume(job, final["organizer"])
    assert job.status == "queued" and job.heartbeat_at is not None
    with pytest.raises(runner.JobStateError):  # … and now queued again, moments ago
        runner.resume(job, final["organizer"])
    db.session.rollback()


def test_a_job_killed_with_sigkill_resumes_to_the_same_files(final, app):
    db.session.expire_all()
    job = printing.create_certificate_job(db.session.get(type(final["comp"]), final["comp"].id), final["organizer"],
                                        "http://verify.example.cn")
    db.session.commit()
    env = dict(os.environ, JIANGXUAN_ENV="testing", FLASK_APP="wsgi.py", TEST_STORAGE=app.config["STORAGE"],
               TEST_STORAGE_DIR=app.config["STORAGE_DIR"], PDF_FONT_DIR=app.config["PDF_FONT_DIR"])
    flask = str(Path(sys.executable).with_name("flask"))
    proc = subprocess.Popen([flask, "run-job", job.id], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    store, pdf_folder = storage.current(), runner.job_folder(job.id, "pdf")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(store.names(pdf_folder)) < 1 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rendered = len(store.names(pdf_folder))
    assert rendered >= 1
    db.session.expire_all()
    killed = db.session.get(Job, job.id)
    assert killed.status in ("running", "done")
    if killed.status == "running":
        runner.run(job.id)
    db.session.expire_all()
    done = db.session.get(Job, job.id)
    assert done.status == "done" and done.done == 4
    [zip_file] = [f["name"] for f in done.files if f["kind"] == "zip"]
    with zipfile.ZipFile(io.BytesIO(store.read(f"{runner.job_folder(job.id)}/{zip_file}"))) as zf:
        assert len(zf.namelist()) == 4
    assert db.session.scalar(select(func.count(func.distinct(Certificate.serial)))) == 4


def test_admission_ticket_after_the_draw_and_the_bulletin_during_publicity(drawn, api_as, make_user, tmp_path):
    reg = drawn["entries"][0]
    cand = make_user("candidate", username="ticket")
    reg.person.user_id = cand.id
    db.session.commit()
    r = api_as(cand).get(f"/registrations/{reg.id}/admission-ticket.pdf")
    assert r.status_code == 200
    text = pdf_text(r.data)
    db.session.refresh(reg)
    # Two-layer encryption (the default): the ticket carries the ticket number, never the judges' code.
    assert reg.ticket_number and reg.ticket_number != reg.code
    assert "准考证" in text and reg.ticket_number in text and reg.code not in text
    assert reg.person.name in text and "电工" in text
    assert reg.code not in r.headers["Content-Disposition"]
    assert api_as(make_user("candidate", username="other")).get(f"/registrations/{reg.id}/admission-ticket.pdf").status_code == 404
    org = api_as(drawn["organizer"])
    assert org.get(f"/events/{drawn['event'].id}/results.pdf").status_code == 409   # not published yet
    codes = scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    r = org.get(f"/events/{drawn['event'].id}/results.pdf")
    assert r.status_code == 200
    text = pdf_text(r.data)
    tickets = {r.code: r.ticket_number for r in db.session.scalars(select(Registration))}
    # The bulletin lists the numbers contestants know (their tickets'), not the judges' codes.
    assert "成绩公示表" in text and "公示期" in text and "83.00" in text
    assert all(tickets[c] in text for c in codes) and not any(c in text for c in codes)


def test_settings_validate_uploads_and_pattern_and_the_preview_is_a_specimen(final, login, tmp_path):
    client = login(final["organizer"])
    url = f"/manage/competitions/{final['comp'].id}/certificates"
    page = client.get(url)
    assert page.status_code == 200
    token = csrf_from(page.data)
    version = db.session.get(CertificateSettings, final["comp"].id).version
    big = io.BytesIO()
    Image.new("RGB", (3508, 2480), (250, 240, 220)).save(big, "PNG")
    r = client.post(url, data={"csrf_token": token, "template": "modern", "issuing_body": "西藏自治区人社厅",
                               "serial_pattern": "{region}{year}-{seq:05d}", "version": str(version),
                               "background": (io.BytesIO(b"not an image"), "bg.png")},
                    content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and ("JPEG" in text)
    r = client.post(url, data={"csrf_token": token, "template": "modern", "issuing_body": "西藏自治区人社厅",
                               "serial_pattern": "{region}{year}-{seq:05d}", "version": str(version),
                               "background": (io.BytesIO(big.getvalue()), "bg.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 200   # certificates exist: the pattern is fixed now
    assert "编号格式不能再修改" in r.get_data(as_text=True)
    settings = db.session.get(CertificateSettings, final["comp"].id)
    db.session.refresh(settings)
    r = client.post(url, data={"csrf_token": token, "template": "modern", "issuing_body": "西藏自治区人社厅",
                               "serial_pattern": settings.serial_pattern, "version": str(settings.version),
                               "background": (io.BytesIO(big.getvalue()), "bg.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.refresh(settings)
    bg = Image.open(io.BytesIO(settings.background))
    assert bg.format == "JPEG" and bg.size == (1754, 1240) and settings.template == "modern"
    pdf = client.get(url + "/preview.pdf")
    text = pdf_text(pdf.data)
    assert pdf.status_code == 200 and ("样张" in text or "张样" in text)   # rotated: extracted in either order


def test_pattern_rules():
    from app.certificates.operations import validate_pattern
    from app.domain.errors import Collector
    for good in ("{region}{year}-{seq:05d}", "JX/{year}/{competition}-{event}-{seq}"):
        c = Collector()
        validate_pattern(good, c)
        assert not c.errors, good
    for bad in ("{year}-0001", "{seq:x}", "{name}{seq}", "{seq", "<b>{seq}</b>", ""):
        c = Collector()
        validate_pattern(bad, c)
        assert c.errors, bad


def test_rare_characters_are_flagged_at_registration_and_review(jworld, api_as, login):
    from app.pdf.fonts import missing_glyphs
    assert missing_glyphs("张三") == [] and missing_glyphs(TIBETAN) == []
    assert missing_glyphs("王𠀀明") == ["𠀀"]
    reg = jworld["entries"][0]
    reg.person.name = "王𠀀明"
    db.session.commit()
    body = api_as(jworld["organizer"]).get(f"/registrations/{reg.id}").get_json()
    assert body["glyph_warnings"] == [{"person_id": reg.person.id, "characters": ["𠀀"]}]
    page = login(jworld["organizer"]).get(f"/manage/registrations/{reg.id}")
    assert "𠀀" in page.get_data(as_text=True) and "glyph-warning" in page.get_data(as_text=True)


def test_roster_pdf_lists_each_entitlement_with_its_clause(final, api_as):
    r = api_as(final["organizer"]).get("/entitlements.pdf?kind=teacher_eligibility")
    assert r.status_code == 200
    text = pdf_text(r.data).replace(" ", "")
    # The printed roster cites the clause; the rule id is an administrator's detail (issue 23).
    assert "任教资格名册" in text and "xz-teacher-regional" not in text and "五(三)" in text


def test_a_correction_after_final_moves_ranks_and_reissues_certificates_and_entitlements(final, api_as):
    codes, event, comp = final["codes"], final["event"], final["comp"]
    before = {c.registration.code: c for c in db.session.scalars(select(Certificate))}
    ents_before = db.session.scalar(select(func.count()).select_from(Entitlement).where(Entitlement.status != "superseded"))
    top = db.session.scalar(select(Entitlement).join(Registration, Registration.id == Entitlement.registration_id)
                            .where(Registration.code == codes[0], Entitlement.kind == "teacher_eligibility"))
    api_as(final["organizer"]).post(f"/entitlements/{top.id}/status", json={"status": "confirmed", "note": "拉萨职院拟聘"})
    third = db.session.scalar(select(Entitlement).join(Registration, Registration.id == Entitlement.registration_id)
                              .where(Registration.code == codes[1], Entitlement.kind == "teacher_eligibility"))
    sup, chief = api_as(final["supervisor"]), api_as(final["chief"])
    assert sup.post(f"/events/{event.id}/final-corrections", json={"reason": "短"}).status_code == 422
    r = sup.post(f"/events/{event.id}/final-corrections", json={"reason": "仲裁委员会裁决书〔2026〕3号：第五名实操成绩漏计"})
    assert r.status_code == 201, r.get_json()
    assert sup.post(f"/events/{event.id}/final-corrections", json={"reason": "重复提交更正"}).status_code == 409
    # The 5th (no award) rises above everyone: P2 20 → 60 marks more is impossible, so give full marks.
    for s in [s for s in chief.get(f"/events/{event.id}/sheets").get_json()["items"] if s["code"] == codes[4]]:
        r = chief.put(f"/events/{event.id}/sheets/{codes[4]}?judge_id={s['judge_id']}",
                      json={"scores": {"P1": "3", "P2": "20", "P3": "10"}, "version": s["version"], "reason": "按裁决更正"})
        assert r.status_code == 200, r.get_json()
    assert chief.post(f"/events/{event.id}/lock").status_code == 200
    db.session.expire_all()
    ranks = {r.registration.code: (r.rank, r.award, r.is_final) for r in db.session.scalars(select(Result))}
    assert all(v[2] for v in ranks.values())
    assert ranks[codes[4]][1] is not None     # now an award winner
    after = db.session.scalars(select(Certificate).where(Certificate.status == "valid")).all()
    assert codes[4] in {c.registration.code for c in after}
    for code, cert in before.items():
        db.session.refresh(cert)
        if ranks[code][:2] != (cert.rank, cert.award):
            assert cert.status == "revoked" and "裁决书" in cert.revoke_reason
    assert len(after) == sum(1 for v in ranks.values() if v[1])
    superseded = db.session.scalars(select(Entitlement).where(Entitlement.status == "superseded")).all()
    assert all("裁决书" in e.note for e in superseded)
    # The old first is second now: still teacher-eligible (top 2), so HR's confirmation stands;
    # the old second is third: its teacher eligibility is superseded, its reward stays.
    db.session.refresh(top)
    db.session.refresh(third)
    assert top.status == "confirmed" and top.rank == 2
    assert third.status == "superseded" and ranks[codes[1]][0] == 3
    new_first = db.session.scalars(select(Entitlement).join(Registration, Registration.id == Entitlement.registration_id)
                                   .where(Registration.code == codes[4], Entitlement.status == "eligible")).all()
    assert {e.kind for e in new_first} == {"teacher_eligibility", "reward"}
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"results.final_correction_open", "results.final_correction_close", "certificate.revoke"} <= actions
    assert ents_before > 0


def test_with_redis_the_batch_runs_on_rq_workers_in_chunks(final, api_as, app, monkeypatch, redis_url):
    import redis
    from rq import Queue, SimpleWorker
    conn = redis.Redis.from_url(redis_url)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setattr(printing, "CHUNK", 3)          # 4 certificates → 2 chunks for 2 workers
    org = api_as(final["organizer"])
    job_id = org.post(f"/competitions/{final['comp'].id}/certificates").get_json()["job_id"]
    queue = Queue(runner.QUEUE, connection=conn)
    assert queue.count == 1 and org.get(f"/jobs/{job_id}").get_json()["status"] == "queued"
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    class Worker(SimpleWorker):
        """Without RQ's command channel (stop/kill commands, unused here): it listens in a
        thread with reads of up to 60 s, and in 2 of about 10 full runs this test took 61 s
        instead of 2 — the only 60-second wait on its path."""
        def subscribe(self):
            pass

        def unsubscribe(self):
            pass
    try:
        Worker([queue], connection=conn).work(burst=True)   # plans: 2 chunks
    finally:
        for sig, handler in handlers.items():  # rq's stop handlers must not outlive the test
            signal.signal(sig, handler)
    body = org.get(f"/jobs/{job_id}").get_json()
    assert body["status"] == "done" and body["done"] == 4, body
    [zip_file] = [f["name"] for f in body["files"] if f["kind"] == "zip"]
    with zipfile.ZipFile(io.BytesIO(org.get(f"/jobs/{job_id}/files/{zip_file}").data)) as zf:
        assert len(zf.namelist()) == 4
    conn.close()


def test_fonts_are_cut_in_two_and_a_less_common_character_uses_the_second_part(tmp_path):
    from app import pdf
    from app.pdf.fonts import cut_charset
    first, second = set(cut_charset(1)), set(cut_charset(2))
    assert not first & second and "王" in first and "鑫" in second and len(first | second) > 7000
    data = pdf.render("roster.html", r={"title": "名册", "subtitle": "王鑫", "rows": [],
                                        "printed_on": __import__("datetime").date(2026, 1, 1)})
    fonts = pdf_fonts(data, tmp_path)
    assert "JX-Sans-SC2" in fonts and "JX-Sans-SC" in fonts and "Noto" not in fonts
    assert "王鑫" in pdf_text(data)
