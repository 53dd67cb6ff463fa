"""Title selections end to end: nominations with a dossier by organizations, bad uploads refused
with nothing written, the judge access matrix (assigned / not assigned / recused same-org), other
organizations kept out (IDOR), scoring → ranking → final → the title as an entitlement."""
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.nominations import operations as nom_ops
from app.nominations.models import Dossier, DossierAttachment
from app.registration.models import Registration
from app.selection.models import Entitlement
from tests.conftest import csrf_from
from tests.nominations.conftest import DOSSIER, PDF, PNG, upload
from tests.scenarios import person


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _nominate(api, event_id, name, **over):
    body = {"person": person(name), "dossier": {**DOSSIER, "achievements": f"{name}：{DOSSIER['achievements']}"}}
    body.update(over)
    return api.post(f"/events/{event_id}/nominations", json=body)


def test_an_organization_nominates_with_a_dossier_and_edits_it_until_registration_closes(tworld, api_as):
    event = tworld["event"]
    api = api_as(tworld["contact_a"])
    r = _nominate(api, event.id, "次仁多吉")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["source"] == "nomination" and body["organization_id"] == tworld["org_a"].id
    assert body["dossier"]["innovations"] == DOSSIER["innovations"] and body["dossier"]["version"] == 1
    rid = body["id"]
    # The ordinary registration route is closed to a title selection.
    r = api.post(f"/events/{event.id}/registrations", json={"person": person("白玛")})
    assert r.status_code == 409 and "提名" in r.get_json()["error"]["message"]
    # A contact nominates for their own organization only.
    assert _nominate(api, event.id, "白玛", organization_id=tworld["org_b"].id).status_code == 403
    # Edits carry the version read; a stale one is refused.
    r = api.put(f"/registrations/{rid}/dossier", json={"honours": "2025年全国技术能手", "version": 1})
    assert r.status_code == 200 and r.get_json()["honours"] == "2025年全国技术能手" and r.get_json()["version"] == 2
    assert api.put(f"/registrations/{rid}/dossier", json={"honours": "x", "version": 1}).status_code == 409
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("dossier.%"))
                              .order_by(AuditEvent.seq)).all() == [
        "dossier.create", "dossier.update"]
    # Once registration closes the dossier is frozen.
    org = api_as(tworld["organizer"])
    assert org.post(f"/competitions/{tworld['comp'].id}/status", json={"status": "registration_closed"}).status_code == 200
    r = api.put(f"/registrations/{rid}/dossier", json={"honours": "迟到的修改", "version": 2})
    assert r.status_code == 409
    assert upload(api, rid, PDF).status_code == 409
    assert api.get(f"/registrations/{rid}/dossier").get_json()["editable"] is False


def test_dossier_validation_names_each_field_and_writes_nothing(tworld, api_as):
    api = api_as(tworld["contact_a"])
    before = (_count(Registration), _count(Dossier))
    r = api.post(f"/events/{tworld['event'].id}/nominations", json={
        "person": person("次仁"), "dossier": {"achievements": "  ", "innovations": "创" * 3001, "secret": "x"}})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert fields["dossier.achievements"] == ["主要事迹为必填项。"]
    assert "技术创新" in fields["dossier.innovations"][0] and "3000" in fields["dossier.innovations"][0]
    assert "dossier.secret" in fields
    r = api.post(f"/events/{tworld['event'].id}/nominations", json={"person": {"name": "x"}, "dossier": DOSSIER})
    assert r.status_code == 422 and "person.id_number" in r.get_json()["error"]["fields"]
    en = api.post(f"/events/{tworld['event'].id}/nominations", headers={"Accept-Language": "en"},
                  json={"person": person("次仁"), "dossier": {"achievements": ""}})
    assert en.get_json()["error"]["fields"]["dossier.achievements"] == ["Main achievements is required."]
    assert (_count(Registration), _count(Dossier)) == before


def test_uploads_are_typed_by_content_and_limited_in_size_with_nothing_written_on_refusal(tworld, api_as, app, monkeypatch):
    api = api_as(tworld["contact_a"])
    rid = _nominate(api, tworld["event"].id, "次仁多吉").get_json()["id"]
    r = upload(api, rid, PDF, "唐卡修复报告.pdf")
    assert r.status_code == 201 and r.get_json()["content_type"] == "application/pdf"
    r = upload(api, rid, PNG, "获奖证书.JPG")  # the name lies; the bytes are a PNG and it is stored as one
    assert r.status_code == 201 and r.get_json()["content_type"] == "image/png" and r.get_json()["filename"] == "获奖证书.png"
    audit_before, files_before = _count(AuditEvent), _count(DossierAttachment)
    for content, name in [(b"MZ\x90\x00 this is an executable", "evil.pdf"), (b"<html><script>", "page.pdf"),
                          (b"%PDF-1.4 truncated", "cut.pdf"), (b"", "empty.pdf")]:
        r = upload(api, rid, content, name)
        assert r.status_code == 422, name
        assert list(r.get_json()["error"]["fields"]) == ["file"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    big = PDF[:-7] + b"%" * 5000 + b"\n%%EOF\n"
    assert upload(api, rid, big).status_code == 413
    # The operation enforces the same limit by itself (a call that does not come through a request).
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    reg = db.session.get(Registration, rid)
    try:
        monkeypatch.setattr(nom_ops, "max_upload_bytes", lambda: 1000)
        nom_ops.add_attachment(reg, "big.pdf", big, tworld["contact_a"])
        raise AssertionError("a file above the limit was accepted")
    except nom_ops.ValidationFailed as exc:
        assert exc.errors[0].field == "file" and "MB" in exc.errors[0].message
    db.session.rollback()
    assert (_count(AuditEvent), _count(DossierAttachment)) == (audit_before, files_before)
    # List, download (typed by the stored kind, never inline) and delete.
    items = api.get(f"/registrations/{rid}/dossier/attachments").get_json()["items"]
    assert [i["filename"] for i in items] == ["唐卡修复报告.pdf", "获奖证书.png"]
    r = api.get(f"/registrations/{rid}/dossier/attachments/{items[0]['id']}")
    assert r.status_code == 200 and r.data == PDF and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert api.delete(f"/registrations/{rid}/dossier/attachments/{items[1]['id']}").status_code == 204
    assert len(api.get(f"/registrations/{rid}/dossier/attachments").get_json()["items"]) == 1
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("dossier.attachment%"))
                              .order_by(AuditEvent.seq)).all() == [
        "dossier.attachment_add", "dossier.attachment_add", "dossier.attachment_delete"]


def test_another_organization_cannot_see_or_change_a_dossier(tworld, api_as, login):
    a = api_as(tworld["contact_a"])
    rid = _nominate(a, tworld["event"].id, "次仁多吉").get_json()["id"]
    att = upload(a, rid, PDF).get_json()["id"]
    _nominate(api_as(tworld["contact_b"]), tworld["event"].id, "白玛")
    b = api_as(tworld["contact_b"])
    assert b.get(f"/registrations/{rid}/dossier").status_code == 403
    assert b.put(f"/registrations/{rid}/dossier", json={"honours": "x", "version": 1}).status_code == 403
    assert b.get(f"/registrations/{rid}/dossier/attachments").status_code == 403
    assert b.get(f"/registrations/{rid}/dossier/attachments/{att}").status_code == 403
    assert b.delete(f"/registrations/{rid}/dossier/attachments/{att}").status_code == 403
    assert upload(b, rid, PDF).status_code == 403
    listed = b.get(f"/events/{tworld['event'].id}/nominations").get_json()["items"]
    assert [i["person"]["name"] for i in listed] == ["白玛"]
    web = login(tworld["contact_b"])
    for path in (f"/nominations/{rid}", f"/nominations/{rid}/edit", f"/nominations/{rid}/attachments/{att}"):
        assert web.get(path).status_code == 403, path
    token = csrf_from(web.get("/org/registrations").data)
    assert web.post(f"/nominations/{rid}/attachments/{att}/delete", data={"csrf_token": token}).status_code == 403
    # A judge cannot reach a dossier by its registration id, only through a sheet.
    assert api_as(tworld["judge_x"]).get(f"/registrations/{rid}/dossier").status_code == 403
    assert db.session.get(Dossier, 1).honours == DOSSIER["honours"] and _count(DossierAttachment) == 1


def test_web_nomination_form_names_the_field_and_then_saves(tworld, login):
    web = login(tworld["contact_a"])
    page = web.get(f"/events/{tworld['event'].id}/nominate")
    assert page.status_code == 200 and "事迹材料" in page.get_data(as_text=True)
    data = {"csrf_token": csrf_from(page.data), **person("次仁多吉"), "achievements": "", "innovations": "创" * 3001}
    r = web.post(f"/events/{tworld['event'].id}/nominate", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "主要事迹为必填项。" in html and "技术创新过长" in html
    data.update(achievements=DOSSIER["achievements"], innovations="")
    r = web.post(f"/events/{tworld['event'].id}/nominate", data=data)
    assert r.status_code == 302
    rid = db.session.scalar(select(Registration.id))
    page = web.get(f"/nominations/{rid}/edit")
    r = web.post(f"/nominations/{rid}/attachments", data={"csrf_token": csrf_from(page.data),
                                                          "file": (__import__("io").BytesIO(b"GIF89a..."), "a.png")},
                 content_type="multipart/form-data", follow_redirects=True)
    assert "只接受 PDF、JPEG 和 PNG 文件" in r.get_data(as_text=True) and _count(DossierAttachment) == 0
    r = web.post(f"/nominations/{rid}/attachments", data={"csrf_token": csrf_from(page.data),
                                                          "file": (__import__("io").BytesIO(PDF), "报告.pdf")},
                 content_type="multipart/form-data", follow_redirects=True)
    assert "报告.pdf" in r.get_data(as_text=True) and _count(DossierAttachment) == 1
    # The org contact's list links to the dossier; the organizer's detail page too.
    assert f"/nominations/{rid}/edit" in web.get("/org/registrations").get_data(as_text=True)
    assert f"/nominations/{rid}" in login(tworld["organizer"]).get(f"/manage/registrations/{rid}").get_data(as_text=True)


def _to_judging(tworld, api_as):
    """Nominate A (workshop A) and B1, B2 (workshop B) with a PDF each; approve, close, panel, draw."""
    event = tworld["event"]
    ids = {}
    for contact, name in [("contact_a", "次仁多吉"), ("contact_b", "白玛"), ("contact_b", "格桑")]:
        api = api_as(tworld[contact])
        ids[name] = _nominate(api, event.id, name).get_json()["id"]
        assert upload(api, ids[name], PDF, f"{name}.pdf").status_code == 201
    org = api_as(tworld["organizer"])
    for rid in ids.values():
        assert org.post(f"/registrations/{rid}/review", json={"decision": "approve"}).status_code == 200
    assert org.post(f"/competitions/{tworld['comp'].id}/status", json={"status": "registration_closed"}).status_code == 200
    for j in ("judge_a", "judge_x", "judge_y"):
        assert org.post(f"/events/{event.id}/panel", json={"user_id": tworld[j].id, "role": "judge"}).status_code == 201
    assert org.post(f"/events/{event.id}/panel", json={"user_id": tworld["chief"].id, "role": "chief_judge"}).status_code == 201
    assert org.post(f"/events/{event.id}/draw", json={"seed": "xz-2026"}).get_json() == {"drawn": 3}
    assert org.post(f"/competitions/{tworld['comp'].id}/status", json={"status": "judging"}).status_code == 200
    codes = {name: db.session.get(Registration, rid).code for name, rid in ids.items()}
    return ids, codes


def _attachments(ids: dict) -> dict:
    """nominee name → the id of their dossier's one file."""
    return {name: db.session.scalar(select(DossierAttachment.id).join(Dossier).where(Dossier.registration_id == rid))
            for name, rid in ids.items()}


def test_judges_read_dossiers_only_from_their_own_sheets(tworld, api_as, login):
    ids, codes = _to_judging(tworld, api_as)
    eid = tworld["event"].id
    att = _attachments(ids)
    x = api_as(tworld["judge_x"])
    r = x.get(f"/events/{eid}/sheets/{codes['次仁多吉']}/dossier")
    assert r.status_code == 200
    body = r.get_json()
    assert body["code"] == codes["次仁多吉"] and body["achievements"].endswith(DOSSIER["achievements"])
    assert "person" not in body and "registration_id" not in body and "organization" not in body
    r = x.get(f"/events/{eid}/sheets/{codes['次仁多吉']}/dossier/attachments/{att['次仁多吉']}")
    assert r.status_code == 200 and r.data == PDF
    # An attachment of another nomination is not reachable through this sheet.
    assert x.get(f"/events/{eid}/sheets/{codes['次仁多吉']}/dossier/attachments/{att['白玛']}").status_code == 404
    # Recused (same organization): neither the dossier nor its files; the other entries are fine.
    a = api_as(tworld["judge_a"])
    assert a.get(f"/events/{eid}/sheets/{codes['次仁多吉']}/dossier").status_code == 403
    assert a.get(f"/events/{eid}/sheets/{codes['次仁多吉']}/dossier/attachments/{att['次仁多吉']}").status_code == 403
    assert a.get(f"/events/{eid}/sheets/{codes['白玛']}/dossier").status_code == 200
    # Not on the panel; the chief judge (no sheets); unknown code.
    off = api_as(tworld["judge_off"])
    assert off.get(f"/events/{eid}/sheets/{codes['白玛']}/dossier").status_code == 403
    assert off.get(f"/events/{eid}/sheets/{codes['白玛']}/dossier/attachments/{att['白玛']}").status_code == 403
    assert api_as(tworld["chief"]).get(f"/events/{eid}/sheets/{codes['白玛']}/dossier").status_code == 403
    assert x.get(f"/events/{eid}/sheets/Z999/dossier").status_code == 403
    # The same on the web pages; the sheet links to the dossier; no name before lock.
    web_x = login(tworld["judge_x"])
    assert "/dossier" in web_x.get(f"/judge/events/{eid}/sheets/{codes['白玛']}").get_data(as_text=True)
    page = web_x.get(f"/judge/events/{eid}/sheets/{codes['白玛']}/dossier").get_data(as_text=True)
    assert "带徒二十三人" in page and "白玛.pdf" in page and "日喀则市藏毯厂" not in page
    assert "白玛：" in page  # the dossier's own words are shown as written
    web_a = login(tworld["judge_a"])
    assert web_a.get(f"/judge/events/{eid}/sheets/{codes['次仁多吉']}/dossier").status_code == 403
    assert web_a.get(f"/judge/events/{eid}/sheets/{codes['次仁多吉']}/dossier/attachments/{att['次仁多吉']}").status_code == 403
    assert login(tworld["judge_off"]).get(f"/judge/events/{eid}/sheets/{codes['白玛']}/dossier").status_code == 403


def test_scoring_ranking_final_grants_the_title_with_rule_and_clause(tworld, api_as):
    ids, codes = _to_judging(tworld, api_as)
    eid, comp = tworld["event"].id, tworld["comp"]
    marks = {"次仁多吉": ("38", "27", "28"), "白玛": ("30", "20", "25"), "格桑": ("25", "15", "10")}
    by_code = {codes[n]: m for n, m in marks.items()}
    for j in ("judge_a", "judge_x", "judge_y"):
        api = api_as(tworld[j])
        for sheet in api.get(f"/events/{eid}/sheets").get_json()["items"]:
            d1, d2, d3 = by_code[sheet["code"]]
            r = api.put(f"/events/{eid}/sheets/{sheet['code']}", json={"scores": {"D1": d1, "D2": d2, "D3": d3},
                                                                       "version": sheet["version"]})
            assert r.status_code == 200, r.get_json()
            assert api.post(f"/events/{eid}/sheets/{sheet['code']}/submit").status_code == 200
    # The recused judge had no sheet for workshop A's nominee.
    assert {s["code"] for s in api_as(tworld["judge_a"]).get(f"/events/{eid}/sheets").get_json()["items"]} == {
        codes["白玛"], codes["格桑"]}
    assert api_as(tworld["chief"]).post(f"/events/{eid}/lock").status_code == 200
    org = api_as(tworld["organizer"])
    items = org.get(f"/events/{eid}/results").get_json()["items"]
    assert [(i["code"], i["total"], i["rank"], i["award"]) for i in items] == [
        (codes["次仁多吉"], "93.00", 1, "first"), (codes["白玛"], "75.00", 2, "first"), (codes["格桑"], "50.00", 3, None)]
    assert org.post(f"/competitions/{comp.id}/status", json={"status": "publicity"}).status_code == 200
    r = org.post(f"/competitions/{comp.id}/status", json={"status": "final"})
    assert r.status_code == 200, r.get_json()
    ents = db.session.scalars(select(Entitlement).where(Entitlement.status != "superseded")
                              .order_by(Entitlement.rank)).all()
    # Only the title: a provincial class-1 title selection's ranks are no teacher eligibility or reward.
    assert [(e.registration_id, e.kind, e.title, e.rule_id) for e in ents] == [
        (ids["次仁多吉"], "title", "西藏工匠", "xz-title-selection"), (ids["白玛"], "title", "西藏工匠", "xz-title-selection")]
    assert ents[0].citation == "西藏自治区职业技能提升行动实施方案（2019－2021年） 七(五)" and "西藏工匠" in ents[0].quote
    assert "未写明" in ents[0].policy_note and "未写明" not in ents[0].quote
    body = org.get(f"/entitlements?kind=title&competition_id={comp.id}").get_json()
    assert body["total"] == 2 and body["items"][0]["rule_id"] == "xz-title-selection"
    record = org.get(f"/people/{ents[0].person_id}/record").get_json()
    assert any(e["title"] == "西藏工匠" for e in record["entitlements"])


def test_the_nominee_reads_their_own_dossier_and_changes_nothing(tworld, api_as, login, make_user):
    a = api_as(tworld["contact_a"])
    rid = _nominate(a, tworld["event"].id, "次仁多吉").get_json()["id"]
    att = upload(a, rid, PDF).get_json()["id"]
    nominee = make_user("candidate", username="nominee")
    reg = db.session.get(Registration, rid)
    reg.person.user_id = nominee.id
    db.session.commit()
    other = make_user("candidate", username="other_candidate")
    me = api_as(nominee)
    assert me.get(f"/registrations/{rid}/dossier").get_json()["achievements"].startswith("次仁多吉")
    assert [i["id"] for i in me.get(f"/registrations/{rid}/dossier/attachments").get_json()["items"]] == [att]
    assert me.get(f"/registrations/{rid}/dossier/attachments/{att}").data == PDF
    # Read only: the nominating organization writes the dossier.
    assert me.put(f"/registrations/{rid}/dossier", json={"honours": "自己改的", "version": 1}).status_code == 403
    assert upload(me, rid, PNG).status_code == 403
    assert me.delete(f"/registrations/{rid}/dossier/attachments/{att}").status_code == 403
    assert me.get(f"/events/{tworld['event'].id}/nominations").status_code == 403
    # Another candidate sees nothing of it.
    them = api_as(other)
    assert them.get(f"/registrations/{rid}/dossier").status_code == 403
    assert them.get(f"/registrations/{rid}/dossier/attachments/{att}").status_code == 403
    web = login(nominee)
    assert f"/nominations/{rid}" in web.get("/me").get_data(as_text=True)  # linked from My registrations
    page = web.get(f"/nominations/{rid}")
    assert page.status_code == 200 and "次仁多吉" in page.get_data(as_text=True)
    assert f"/nominations/{rid}/edit" not in page.get_data(as_text=True)
    assert web.get(f"/nominations/{rid}/attachments/{att}").data == PDF
    assert web.get(f"/nominations/{rid}/edit").status_code == 403
    assert login(other).get(f"/nominations/{rid}").status_code == 403
    assert db.session.get(Dossier, 1).honours == DOSSIER["honours"] and _count(DossierAttachment) == 1


def test_the_chief_judge_reads_dossiers_by_code_except_own_organizations(tworld, api_as, login):
    ids, codes = _to_judging(tworld, api_as)
    eid = tworld["event"].id
    att = _attachments(ids)
    chief = login(tworld["chief"])
    overview = chief.get(f"/judge/events/{eid}").get_data(as_text=True)
    assert f"/judge/events/{eid}/entries/{codes['白玛']}/dossier" in overview  # linked beside each code
    page = chief.get(f"/judge/events/{eid}/entries/{codes['白玛']}/dossier")
    assert page.status_code == 200 and "带徒二十三人" in page.get_data(as_text=True)
    assert "白玛.pdf" in page.get_data(as_text=True) and "日喀则市藏毯厂" not in page.get_data(as_text=True)
    assert chief.get(f"/judge/events/{eid}/entries/{codes['白玛']}/dossier/attachments/{att['白玛']}").data == PDF
    # Another entry's file through this code, an unknown code: refused.
    assert chief.get(f"/judge/events/{eid}/entries/{codes['白玛']}/dossier/attachments/{att['格桑']}").status_code == 404
    assert chief.get(f"/judge/events/{eid}/entries/Z999/dossier").status_code == 403
    # A judge (not the chief) reaches dossiers through their own sheets only.
    assert login(tworld["judge_x"]).get(f"/judge/events/{eid}/entries/{codes['白玛']}/dossier").status_code == 403
    # A chief judge of the nominee's own organization is recused from that dossier.
    tworld["chief"].organization_id = tworld["org_a"].id
    db.session.commit()
    assert chief.get(f"/judge/events/{eid}/entries/{codes['次仁多吉']}/dossier").status_code == 403
    assert chief.get(f"/judge/events/{eid}/entries/{codes['次仁多吉']}/dossier/attachments/{att['次仁多吉']}").status_code == 403
    assert chief.get(f"/judge/events/{eid}/entries/{codes['白玛']}/dossier").status_code == 200
