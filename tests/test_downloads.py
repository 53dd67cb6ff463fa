"""Every download's plain `filename=` (for clients that ignore `filename*`) is an ASCII name that
fits the file: its extension, never export.xlsx for a PDF or a zip."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.certificates.models import Certificate
from app.extensions import db
from app.jobs import runner
from app.registration.exports import ascii_fallback, attachment


@pytest.mark.parametrize("name, ascii_name, expected", [
    ("报名模板-电工.xlsx", "registration-template.xlsx", "registration-template.xlsx"),
    ("XZ2026-001-00001.pdf", "certificate.pdf", "XZ2026-001-00001.pdf"),  # plain ASCII: kept
    ("XZ/2026/001.pdf", "certificate.pdf", "certificate.pdf"),
    ("电工-成绩公示表.pdf", None, "document.pdf"),
    ("证书.zip", None, "files.zip"),
    ("成绩.xlsx", "results.pdf", "export.xlsx"),   # an ASCII name of another type is not used
    ('a"b.pdf', None, "document.pdf"),
    ("名册", None, "download"),
])
def test_the_ascii_fallback_fits_the_file(name, ascii_name, expected):
    assert ascii_fallback(name, ascii_name) == expected


def test_attachment_header_carries_both_names_and_the_disposition():
    header = attachment("成绩-电工.xlsx", "results.xlsx")
    assert header == "attachment; filename=\"results.xlsx\"; filename*=UTF-8''%E6%88%90%E7%BB%A9-%E7%94%B5%E5%B7%A5.xlsx"
    assert attachment("证书.pdf", "certificate.pdf", "inline").startswith('inline; filename="certificate.pdf";')


def _fallback(response) -> str:
    m = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])
    assert m, response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    return m.group(1)


def test_every_download_names_an_ascii_file_of_its_own_type(final, api_as, login):  # noqa: F811
    comp, event = final["comp"], final["event"]
    cert = db.session.scalar(select(Certificate).order_by(Certificate.seq))
    org_web, org_api = login(final["organizer"]), api_as(final["organizer"])
    downloads = {
        "template": (org_web.get(f"/manage/events/{event.id}/registrations/template.xlsx"), ".xlsx"),
        "registrations": (org_api.get(f"/events/{event.id}/registrations/export.xlsx"), ".xlsx"),
        "results": (org_web.get(f"/manage/events/{event.id}/results.xlsx"), ".xlsx"),
        "bulletin (web)": (org_web.get(f"/manage/events/{event.id}/results.pdf"), ".pdf"),
        "bulletin (api)": (org_api.get(f"/events/{event.id}/results.pdf"), ".pdf"),
        "certificate (web)": (org_web.get(f"/manage/certificates/{cert.code}.pdf"), ".pdf"),
        "certificate (api)": (org_api.get(f"/registrations/{cert.registration_id}/certificate.pdf"), ".pdf"),
        "admission ticket": (org_api.get(f"/registrations/{cert.registration_id}/admission-ticket.pdf"), ".pdf"),
        "specimen": (org_web.get(f"/manage/competitions/{comp.id}/certificates/preview.pdf"), ".pdf"),
        "roster (xlsx)": (org_api.get("/entitlements.xlsx"), ".xlsx"),
        "roster (pdf)": (org_api.get("/entitlements.pdf"), ".pdf"),
        "credential (web)": (org_web.get(f"/manage/certificates/{cert.code}/credential.json"), ".json"),
        "credential (api)": (org_api.get(f"/registrations/{cert.registration_id}/credential.json"
                                         f"?person_id={cert.person_id}"), ".json"),
        "public bulletin": (org_web.get(f"/results/events/{event.id}/bulletin.pdf"), ".pdf"),
    }
    job_id = org_api.post(f"/competitions/{comp.id}/certificates").get_json()["job_id"]
    runner.wait(job_id)
    stem = f"certificates-c{comp.id}-{job_id[:8]}"
    downloads["batch zip"] = (org_api.get(f"/jobs/{job_id}/files/{stem}.zip"), ".zip")
    downloads["print file"] = (org_web.get(f"/manage/jobs/{job_id}/files/{stem}-print-01.pdf"), ".pdf")
    for what, (response, ext) in downloads.items():
        assert response.status_code == 200, (what, response.status_code)
        name = _fallback(response)
        assert name.isascii() and name.endswith(ext), (what, name)
    assert _fallback(downloads["certificate (api)"][0]) == f"{cert.serial}.pdf"
    assert _fallback(downloads["results"][0]) == "results.xlsx"
    assert _fallback(downloads["template"][0]) == "registration-template.xlsx"
    assert _fallback(downloads["bulletin (web)"][0]) == "results-bulletin.pdf"
    assert _fallback(downloads["credential (api)"][0]) == f"{cert.serial}.credential.json"
    assert downloads["credential (api)"][0].mimetype == "application/vc"
    assert _fallback(downloads["public bulletin"][0]) == f"results-bulletin-{event.id}.pdf"
