"""Two tenants for the access matrix, built through the operations (fast, no HTTP).

Tenant A (Tibet): the HR department hosts
- a competition in judging (event J: three drawn entries, two judges and a chief judge, draft sheets),
- a final competition (event F: three ranked entries with results, certificates, entitlements, an
  appeal, a re-check item, a certificate batch job),
- a title selection open for nominations (a nomination with a dossier file);
plus a claim waiting for approval and a result recorded from an outside competition. Its
candidate 卓嘎央金 (a Lhasa college's student) entered J and won F.
Invitations across organizers: one it sent to a national organizer, one it received from it.
Tenant B (Guangxi): the HR department hosts one competition in judging, with its own organizer,
contact, supervisor, judge, chief judge and candidate.
Nothing of tenant A's people may ever reach tenant B's accounts: SENTINELS are strings that
identify A's candidate (her full name, ID number, phone).
"""
from __future__ import annotations

from datetime import date, timedelta

from app.accounts.operations import create_user
from app.competitions import operations as comps
from app.domain.idcard import make_resident_id
from app.extensions import db
from app.judging import operations as judging
from app.judging.models import Recheck, RecheckItem, Sheet
from app.models_base import utcnow
from app.people.models import Person, PersonClaim
from app.people.operations import create_organization
from app.registration import operations as regs
from app.results.models import Appeal
from tests.conftest import PASSWORD, competition_payload, event_payload

CANDIDATE_NAME = "卓嘎央金"
CANDIDATE_PHONE = "13988887777"
SCHEME = {"aggregation": "mean", "min_judges": 2, "components": [
    {"key": "practical", "name": "实操", "weight": "1", "criteria": [
        {"key": "P1", "name": "工艺", "max_score": "60", "kind": "judgement", "step": "0.5"},
        {"key": "P2", "name": "安全", "max_score": "40", "kind": "measurement", "step": "0.5"}]}]}
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
_seq = iter(range(1, 900))


def _id(region: str, year: int = 2000) -> str:
    n = next(_seq)
    return make_resident_id(region, date(year, 1 + n % 12, 1 + n % 27), n * 2 % 998 + 1)


def _user(username, roles, org=None, name="测试用户"):
    return create_user({"username": username, "password": PASSWORD, "name": name, "roles": roles,
                        "organization_id": org.id if org else None})


def _photo(evidence, sheet, judge) -> int:
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buf, "JPEG")
    return evidence.add_photo(sheet, "P1", buf.getvalue(), judge).id


def _entry(person: Person) -> dict:
    return {"name": person.name, "id_type": person.id_type, "id_number": person.id_number}


def _person(name, region, org, user=None, phone=None):
    p = Person(name=name, id_type="resident_id", id_number=_id(region), organization_id=org.id, phone=phone,
               user_id=user.id if user else None)
    from app.domain.idcard import parse_resident_id
    parsed = parse_resident_id(p.id_number)
    p.gender, p.birth_date = parsed.gender, parsed.birth_date
    db.session.add(p)
    db.session.flush()
    return p


def _judged_event(name, organizer, judges, chief, people, org, **comp_over):
    """A competition with one event, the people registered and approved, the panel set, the
    codes drawn, in judging."""
    comp = comps.create_competition(competition_payload(name=name, **comp_over), organizer)
    event = comps.create_event(comp, event_payload(name=f"{name}·赛项", scheme=SCHEME, tiebreak=[],
                                                   max_entrants=None), organizer)
    comps.change_status(comp, "registration_open", organizer)
    entries = []
    for p in people:
        reg = regs.register(event, {"person": _entry(p), "organization_id": org.id}, organizer, "organizer")
        regs.review(reg, "approve", None, organizer)
        entries.append(reg)
    comps.change_status(comp, "registration_closed", organizer)
    for j in judges:
        judging.add_panel_member(event, j, "judge", organizer)
    judging.add_panel_member(event, chief, "chief_judge", organizer)
    judging.draw_codes(event, name, organizer)
    comps.change_status(comp, "judging", organizer)
    return comp, event, entries


def build() -> tuple[dict, dict, dict, tuple[str, ...]]:
    """(users by role, base URL parameters, per-endpoint parameter overrides, the strings that
    identify tenant A's candidate)."""
    # ---- tenant A: Tibet ----------------------------------------------------------------------
    host = create_organization({"name": "西藏自治区人力资源和社会保障厅", "kind": "government", "region_code": "540000"})
    college = create_organization({"name": "拉萨职业技术学院", "kind": "college", "region_code": "540100"})
    indep = create_organization({"name": "日喀则市职业技术学校", "kind": "college", "region_code": "540200"})
    users = {
        "admin": _user("m_admin", ["admin"]),
        "organizer": _user("m_organizer", ["organizer"], host),
        "judge": _user("m_judge", ["judge"], indep, "罗布"),
        "chief_judge": _user("m_chief_judge", ["chief_judge"], indep, "达瓦"),
        "supervisor": _user("m_supervisor", ["supervisor"], host),
        "org_contact": _user("m_org_contact", ["org_contact"], college),
        "candidate": _user("m_candidate", ["candidate"], name=CANDIDATE_NAME),
    }
    second_judge = _user("m_judge2", ["judge"], indep, "扎西")
    reviewer = _user("m_organizer2", ["organizer"], host)
    org = users["organizer"]
    cand = _person(CANDIDATE_NAME, "540102", college, users["candidate"], CANDIDATE_PHONE)
    others = [_person(n, "540103", college) for n in ("次仁", "格桑", "白玛", "普布")]
    judges = [users["judge"], second_judge]

    comp_j, event_j, entries_j = _judged_event("2026年西藏自治区职业技能大赛", org, judges, users["chief_judge"],
                                               [cand, others[0], others[1]], college)
    comp_f, event_f, entries_f = _judged_event("2025年西藏自治区职业技能大赛", org, judges, users["chief_judge"],
                                               [cand, others[2], others[3]], college, publicity_days=0)
    for comp in (comp_j, comp_f):
        comps.assign_supervisor(comp, users["supervisor"], org)
    # Event F: every sheet scored (the candidate best), locked, published, final.
    marks = {entries_f[0].id: ("55", "38"), entries_f[1].id: ("40", "30"), entries_f[2].id: ("30", "20")}
    for sheet in db.session.query(Sheet).filter(Sheet.event_id == event_f.id).all():
        p1, p2 = marks[sheet.registration_id]
        judge = next(j for j in judges if j.id == sheet.judge_id)
        judging.save_sheet(sheet, {"P1": p1, "P2": p2}, sheet.version, judge)
        judging.submit_sheet(sheet, sheet.version, judge)
    judging.lock_event(event_f, users["chief_judge"])
    comps.change_status(comp_f, "publicity", org)
    comps.change_status(comp_f, "final", org)
    recheck = Recheck(event_id=event_f.id, seed="matrix", top_n=1, share="0.00", created_by_id=users["supervisor"].id)
    recheck.items = [RecheckItem(registration_id=entries_f[0].id, reason="top")]
    appeal = Appeal(registration_id=entries_f[0].id, event_id=event_f.id, competition_id=comp_f.id,
                    filed_by_id=users["candidate"].id, reason="对评分有异议，请复核")
    db.session.add_all([recheck, appeal])
    from app.certificates import printing
    job = printing.create_certificate_job(comp_f, org, "http://jx.example", None)

    # A title selection open for nominations, with a nomination and its dossier file.
    comp_t = comps.create_competition(competition_payload(name="2026年西藏工匠评选", kind="title_selection",
                                                          award_title="西藏工匠", publicity_days=0), org)
    event_t = comps.create_event(comp_t, event_payload(name="传统技艺类", scheme=SCHEME, tiebreak=[],
                                                       max_entrants=None), org)
    comps.change_status(comp_t, "registration_open", org)
    comps.assign_supervisor(comp_t, users["supervisor"], org)
    from app.nominations import operations as noms
    nomination = noms.nominate(event_t, {"person": _entry(cand), "organization_id": college.id,
                                         "dossier": {"achievements": "从事唐卡绘制三十年。"}}, users["org_contact"])
    attachment = noms.add_attachment(nomination, "事迹.pdf", PDF, users["org_contact"])

    # A sign-up waiting to be linked to a person of the college, and an outside result.
    claimer = _user("m_claimer", ["candidate"], name="次仁")
    claim = PersonClaim(user_id=claimer.id, person_id=others[0].id, name="次仁")
    db.session.add(claim)
    from app.selection import operations as selection
    external = selection.record_external(cand, {
        "competition_name": "中华人民共和国第二届职业技能大赛", "level": "national_1", "kind": "skills",
        "jurisdiction": "CN-TJ", "occupation": "电工", "track": "student", "result_date": "2023-09-19",
        "rank": "2", "award": "silver", "certificate_number": "GS2023-0457"}, None, org)
    # The electronic record: a grade in an occupation, a title, and a 破格 application waiting.
    from app.records import operations as records
    records.add_grade(cand, {"occupation": "唐卡制作", "grade": "3", "awarded_on": "2024-06-30"}, org)
    records.add_title(cand, {"title": "西藏工匠", "conferred_by": "西藏自治区人民政府", "conferred_on": "2025-01-10"}, org)
    application = records.apply_exception(cand, {"occupation": "唐卡制作", "kind": "exceptional", "grade_to": "2",
                                                 "reason": "从事唐卡绘制三十年。"}, org)
    # A sponsorship of the final competition, with its agreement.
    from app.sponsors import operations as sponsors
    sponsorship = sponsors.add(comp_f, {"sponsor_name": "西藏高争建材集团", "kind": "money", "amount": "50000",
                                        "purpose": "决赛耗材"}, ("协议.pdf", PDF), org)
    # A delegation of the HR department with the candidate selected from event F and a camp session.
    from app.delegations import operations as delegations
    delegation = delegations.create({"name": "西藏代表团", "target_competition": "第三届全国技能大赛",
                                     "target_level": "national_1", "year": "2026", "members_quota": "1"}, org)
    db.session.flush()
    delegations.select_squad(delegation, {"events": [{"event_id": event_f.id, "top_n": 1}]}, org)
    camp = delegations.add_session(delegation, {"title": "内部考核", "kind": "assessment", "held_on": "2026-03-01",
                                                "max_score": "100"}, org)
    # An entrepreneurship contest of the HR department with a project and its business plan.
    comp_p = comps.create_competition(competition_payload(name="2026年西藏创业大赛", kind="entrepreneurship"), org)
    event_p = comps.create_event(comp_p, event_payload(name="创业组", scheme=SCHEME, tiebreak=[], max_entrants=None), org)
    comps.change_status(comp_p, "registration_open", org)
    reg_p = regs.register(event_p, {"person": _entry(others[3]), "organization_id": college.id}, org, "organizer")
    from app.projects import operations as projects
    projects.save_project(reg_p, {"name": "藏香非遗工坊", "sector": "文化创意"}, org)
    project_file = projects.add_file(reg_p, "business_plan", ("商业计划书.pdf", PDF), org)
    db.session.flush()

    # Invitations across organizers (跨主办方晋级) with a national organizer: one the HR department
    # sent (from event F) and one it received (into the entrepreneurship contest's event).
    national = create_organization({"name": "人力资源社会保障部职业技能鉴定中心", "kind": "government",
                                    "region_code": "000000"})
    national_org = _user("m_organizer_national", ["organizer"], national)
    comp_n = comps.create_competition(competition_payload(name="第三届全国技能大赛", level="national_1",
                                                          jurisdiction="CN"), national_org)
    event_n = comps.create_event(comp_n, event_payload(name="电工", scheme=SCHEME, tiebreak=[]), national_org)
    comps.change_status(comp_n, "registration_open", national_org)
    from app.selection.models import Invitation, InvitationEntry
    sent = Invitation(source_event_id=event_f.id, source_organization_id=host.id, target_event_id=event_n.id,
                      target_organization_id=national.id, message="请接收我区第一名", created_by_id=org.id)
    sent.entries = [InvitationEntry(source_registration_id=entries_f[0].id, person_id=cand.id, rank=1)]
    received = Invitation(source_event_id=event_n.id, source_organization_id=national.id, target_event_id=event_p.id,
                          target_organization_id=host.id, message="推荐参赛", created_by_id=national_org.id)
    db.session.add_all([sent, received])
    db.session.flush()

    from app.certificates.models import Certificate
    from app.selection.models import Entitlement
    cert = db.session.query(Certificate).filter(Certificate.registration_id == entries_f[0].id).first()
    entitlement = db.session.query(Entitlement).filter(Entitlement.registration_id == entries_f[0].id).first()
    assert cert is not None and entitlement is not None, "the final event grants a certificate and an entitlement"

    # ---- tenant B: Guangxi --------------------------------------------------------------------
    host_b = create_organization({"name": "广西壮族自治区人力资源和社会保障厅", "kind": "government", "region_code": "450000"})
    company_b = create_organization({"name": "柳州五菱汽车工业有限公司", "kind": "enterprise", "region_code": "450200"})
    indep_b = create_organization({"name": "南宁职业技术学院", "kind": "college", "region_code": "450100"})
    users.update({
        "organizer_other": _user("m_organizer_other", ["organizer"], host_b),
        "contact_other": _user("m_contact_other", ["org_contact"], company_b),
        "supervisor_other": _user("m_supervisor_other", ["supervisor"], host_b),
        "judge_other": _user("m_judge_other", ["judge"], indep_b, "韦丽"),
        "chief_other": _user("m_chief_other", ["chief_judge"], indep_b, "黄海"),
        "candidate_other": _user("m_candidate_other", ["candidate"], name="覃海燕"),
    })
    judge_b2 = _user("m_judge_other2", ["judge"], indep_b, "莫华")
    cand_b = _person("覃海燕", "450203", company_b, users["candidate_other"])
    comp_b, event_b, _entries_b = _judged_event(
        "2026年广西职业技能大赛", users["organizer_other"], [users["judge_other"], judge_b2], users["chief_other"],
        [cand_b, _person("蓝天", "450203", company_b)], company_b, jurisdiction="CN-GX")
    comps.assign_supervisor(comp_b, users["supervisor_other"], users["organizer_other"])
    db.session.commit()

    # A judge's photo of a criterion and a paper marking form, on event J.
    from app.judging import evidence, paper
    sheet_j = db.session.query(Sheet).filter(Sheet.event_id == event_j.id, Sheet.judge_id == users["judge"].id,
                                             Sheet.registration_id == entries_j[0].id).one()
    photo_id = _photo(evidence, sheet_j, users["judge"])
    paper_serial = paper.issue_form(event_j, users["judge"], org).serial
    db.session.commit()

    reg_j = entries_j[0]
    params = {"competition_id": comp_j.id, "event_id": event_j.id, "user_id": users["judge"].id, "org_id": host.id,
              "person_id": cand.id, "code": reg_j.code, "registration_id": reg_j.id, "judge_id": users["judge"].id,
              "item_id": recheck.items[0].id, "appeal_id": appeal.id, "entitlement_id": entitlement.id,
              "attachment_id": attachment.id, "job_id": job.id, "name": "certificates.zip", "claim_id": claim.id,
              "result_id": external.id, "photo_id": photo_id, "serial": paper_serial, "issuer_id": host.id,
              "application_id": application.id, "sponsorship_id": sponsorship.id,
              "delegation_id": delegation.id, "member_id": delegation.members[0].id, "session_id": camp.id,
              "file_id": project_file.id, "invitation_id": received.id}
    cert_params = {"code": cert.code, "registration_id": entries_f[0].id}
    dossier_params = {"registration_id": nomination.id, "attachment_id": attachment.id, "event_id": event_t.id}
    overrides = {
        "certificates.revoke": cert_params, "certificates.reissue": cert_params,
        "certificates.release": cert_params, "certificates.certificate_by_code": cert_params,
        "certificates.verify": cert_params, "certificates.certificate_pdf": cert_params,
        "api.certificate_revoke": cert_params, "api.certificate_reissue": cert_params,
        "api.certificate_release": cert_params, "api.public_certificate": cert_params,
        "api.certificate_pdf": cert_params,
        "certificates.registration_credential": cert_params, "certificates.managed_credential": cert_params,
        "api.registration_credential": cert_params,
        "results.public_page": {"competition_id": comp_f.id},
        "api.public_competition_results": {"competition_id": comp_f.id},
        "nominations.nominate": {"event_id": event_t.id},
        "api.nominations_create": {"event_id": event_t.id}, "api.nominations_list": {"event_id": event_t.id},
    }
    for endpoint in ("selection.invitation_withdraw", "api.invitations_withdraw"):
        overrides[endpoint] = {"invitation_id": sent.id}
    for endpoint in ("nominations.dossier", "nominations.dossier_edit", "nominations.attachment_upload",
                     "nominations.attachment_download", "nominations.attachment_delete", "api.dossier_get",
                     "api.dossier_update", "api.dossier_attachments_list", "api.dossier_attachments_create",
                     "api.dossier_attachment_get", "api.dossier_attachment_delete"):
        overrides[endpoint] = dossier_params
    sentinels = (cand.name, cand.id_number, CANDIDATE_PHONE)
    return users, params, overrides, sentinels

