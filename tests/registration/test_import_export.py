"""Import (xlsx and CSV in UTF-8/GB18030): every bad row reported, nothing written on any error;
template with text ID columns and lists; export with formula injection neutralized."""
import io
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.people.models import Person
from app.registration.models import Registration
from tests.scenarios import person, resident_id

HEADER = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "手机号码", "文化程度", "职业技能等级", "单位"]


def xlsx(rows, header=HEADER, numeric_ids=False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    if numeric_ids:
        for cell in ws["C"][1:]:
            if isinstance(cell.value, str) and cell.value.isdigit():
                cell.value = int(cell.value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, encoding="utf-8", header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(api, event_id, data, name="报名.xlsx"):
    return api.client.post(f"/api/v1/events/{event_id}/registrations/import", headers=api._headers(),
                           data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def good_row(name, org="拉萨职业技术学院"):
    return [name, "居民身份证", resident_id(), "", "", "藏族", "13800000000", "大专", "三级（高级工）", org]


def test_good_xlsx_is_imported_in_one_go(api_as, world):
    api = api_as(world["organizer"])
    r = upload(api, world["event"].id, xlsx([good_row("次仁"), good_row("བཀྲ་ཤིས་དོན་གྲུབ"), good_row("央金")]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"created": 3, "skipped": []}
    regs = db.session.scalars(select(Registration)).all()
    assert [reg.source for reg in regs] == ["import"] * 3
    people = {p.name: p for p in db.session.scalars(select(Person))}
    assert people["央金"].ethnicity == "04" and people["央金"].skill_grade == 3 and people["央金"].education == "associate"
    assert people["次仁"].organization_id == world["college"].id


def test_mixed_file_reports_every_bad_row_and_writes_nothing(api_as, world):
    api = api_as(world["organizer"])
    dup = resident_id()
    valid = resident_id()
    bad_checksum = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    rows = [
        good_row("次仁"),                                                                     # line 2: fine
        ["扎西", "居民身份证", bad_checksum, "", "", "", "", "", "", ""],                   # 3: checksum
        ["", "居民身份证", resident_id(), "", "", "", "", "", "", ""],                      # 4: no name
        ["格桑", "居民身份证", dup, "", "", "火星族", "", "", "", "不存在的单位"],              # 5: ethnicity, org
        ["卓玛", "居民身份证", dup, "", "", "", "", "", "", ""],                            # 6: duplicate of 5
        ["Mary", "护照", "P123", "", "", "", "", "", "", ""],                              # 7: passport format etc.
    ]
    r = upload(api, world["event"].id, xlsx(rows))
    assert r.status_code == 422
    body = r.get_json()["error"]
    found = {(p["row"], p["field"]) for p in body["rows"]}
    assert {(3, "id_number"), (4, "name"), (5, "ethnicity"), (5, "organization"), (6, "id_number"),
            (7, "id_number"), (7, "gender"), (7, "birth_date")} <= found
    assert not any(p["row"] == 2 for p in body["rows"])
    assert all(p["column"] for p in body["rows"])
    dup_msg = [p["message"] for p in body["rows"] if p["row"] == 6][0]
    assert "第 5 行" in dup_msg
    assert count(Registration) == 0 and count(Person) == 0


def test_numeric_id_numbers_are_refused_with_a_clear_message(api_as, world):
    api = api_as(world["organizer"])
    number = next(n for n in (resident_id() for _ in range(50)) if n[-1] != "X")
    row = good_row("次仁")
    row[2] = number
    r = upload(api, world["event"].id, xlsx([row], numeric_ids=True))
    assert r.status_code == 422
    assert "文本" in r.get_json()["error"]["rows"][0]["message"]


def test_gb18030_and_utf8_csv(api_as, world):
    api = api_as(world["organizer"])
    rows = [good_row("次仁"), good_row("欧阳娜娜", org="柳州五菱汽车工业有限公司")]
    r = upload(api, world["event"].id, csv_bytes(rows, "gb18030"), "报名.csv")
    assert r.status_code == 201, r.get_json()
    names = {p.name for p in db.session.scalars(select(Person))}
    assert names == {"次仁", "欧阳娜娜"}
    r = upload(api, world["event"].id, csv_bytes([good_row("拉巴")], "utf-8-sig"), "x.csv")
    assert r.status_code == 201


def test_duplicates_against_the_database(api_as, world):
    api = api_as(world["organizer"])
    p = person("旦增")
    api.post(f"/events/{world['event'].id}/registrations", json={"person": p})
    r = upload(api, world["event"].id, xlsx([[p["name"], "居民身份证", p["id_number"], "", "", "", "", "", "", ""],
                                              ["冒名", "居民身份证", p["id_number"], "", "", "", "", "", "", ""]]))
    rows = r.get_json()["error"]["rows"]
    assert any(x["row"] == 2 and "已报名本赛项" in x["message"] for x in rows)
    assert any(x["row"] == 3 for x in rows)
    assert count(Registration) == 1


def test_missing_columns_and_wrong_files(api_as, world):
    api = api_as(world["organizer"])
    r = upload(api, world["event"].id, xlsx([["次仁"]], header=["姓名"]))
    assert r.status_code == 422 and r.get_json()["error"]["rows"][0]["column"] == "证件号码"
    for data, name in [(b"", "x.xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls"),
                       (b"PK\x03\x04broken", "x.xlsx"), (b"\x89PNG\r\n\x1a\n\0\0", "x.csv"),
                       ("姓名,证件号码\n".encode("utf-16"), "x.csv")]:
        r = upload(api, world["event"].id, data, name)
        assert r.status_code == 422, (name, r.get_json())
        assert r.get_json()["error"]["message"]
    assert count(Registration) == 0


def test_capacity_counts_the_whole_file(api_as, world):
    api = api_as(world["organizer"])
    r = upload(api, world["event"].id, xlsx([good_row(n) for n in ["甲", "乙", "丙", "丁", "戊", "己"]]))
    assert r.status_code == 422 and "剩余名额 5 个" in r.get_json()["error"]["rows"][0]["message"]


def test_team_import_groups_rows_by_team_name(api_as, world):
    api = api_as(world["organizer"])
    header = HEADER + ["团队名称"]
    rows = [good_row(n) + [team] for n, team in [("甲", "一队"), ("乙", "一队"), ("丙", "一队"), ("丁", "二队")]]
    r = upload(api, world["team_event"].id, xlsx(rows, header=header))
    assert r.status_code == 422
    assert {x["row"] for x in r.get_json()["error"]["rows"]} == {5}
    rows = rows[:3]
    r = upload(api, world["team_event"].id, xlsx(rows, header=header))
    assert r.status_code == 201
    reg = db.session.scalar(select(Registration))
    assert reg.team_name == "一队" and len(reg.members) == 3


def test_template_has_text_id_column_and_lists(api_as, world):
    api = api_as(world["organizer"])
    r = api.get(f"/events/{world['event'].id}/registrations/template.xlsx")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[0] == "报名表" and wb.active.title == "报名表"
    ws = wb["报名表"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["姓名", "证件类型", "证件号码"] and "团队名称" not in headers
    assert ws["C2"].number_format == "@" and ws["C500"].number_format == "@"
    validations = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("选项" in f for f in validations) and len(validations) >= 6
    assert wb["选项"].sheet_state == "hidden"


def test_template_data_sheet_has_no_sample_and_the_instructions_sheet_carries_it(api_as, world):
    api = api_as(world["organizer"])
    r = api.get(f"/events/{world['event'].id}/registrations/template.xlsx")
    wb = load_workbook(io.BytesIO(r.data))
    data = wb["报名表"]
    assert [[c.value for c in row] for row in data.iter_rows(min_row=2) if any(c.value for c in row)] == []
    guide = wb["填写说明"]
    assert guide.sheet_state == "visible" and wb.sheetnames.index("填写说明") > wb.sheetnames.index("报名表")
    text = [c.value for row in guide.iter_rows() for c in row if c.value]
    assert "扎西顿珠" in text and "540102199806010174" in text
    assert any("证件号码" == v for v in text) and any("必填" == v for v in text)
    # Uploaded as downloaded, the template has no data rows: nothing is imported.
    bare = upload(api, world["event"].id, r.data)
    assert bare.status_code == 422 and count(Person) == 0


def _filled_template(api, event_id, rows) -> bytes:
    wb = load_workbook(io.BytesIO(api.get(f"/events/{event_id}/registrations/template.xlsx").data))
    ws = wb["报名表"]
    for r, row in enumerate(rows, start=2):   # typed below the header, as a person does in Excel
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_template_filled_below_the_header_imports_exactly_the_typed_rows(api_as, world):
    api = api_as(world["organizer"])
    rows = [good_row("次仁"), good_row("央金")]
    r = upload(api, world["event"].id, _filled_template(api, world["event"].id, rows))
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"created": 2, "skipped": []}
    assert sorted(p.name for p in db.session.scalars(select(Person))) == ["央金", "次仁"]


def test_the_copied_example_row_is_skipped_with_a_note(api_as, world, login):
    api = api_as(world["organizer"])
    example = ["扎西顿珠", "居民身份证", "540102199806010174", "男", "1998-06-01", "藏族", "13800000000", "大专",
               "三级（高级工）", ""]
    r = upload(api, world["event"].id, _filled_template(api, world["event"].id, [example, good_row("次仁")]))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["created"] == 1 and [s["row"] for s in body["skipped"]] == [2]
    assert "示例" in body["skipped"][0]["message"] and "扎西顿珠" in body["skipped"][0]["message"]
    assert [p.name for p in db.session.scalars(select(Person))] == ["次仁"]
    # The example alone: refused, saying why, nothing written.
    r = upload(api, world["event"].id, _filled_template(api, world["event"].id, [example]))
    assert r.status_code == 422 and "示例" in str(r.get_json()) and count(Registration) == 1
    # The web page says so too.
    client = login(world["organizer"])
    from tests.conftest import csrf_from
    page = client.get(f"/manage/events/{world['event'].id}/import")
    r = client.post(f"/manage/events/{world['event'].id}/import", data={
        "csrf_token": csrf_from(page.data),
        "file": (io.BytesIO(_filled_template(api, world["event"].id, [example, good_row("央金")])), "a.xlsx")},
        content_type="multipart/form-data", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "第 2 行是模板中的示例" in text and count(Registration) == 2


def test_export_neutralizes_formulas(api_as, world):
    api = api_as(world["organizer"])
    api.post(f"/events/{world['event'].id}/registrations", json={"person": person("次仁")})
    reg = api.post(f"/events/{world['event'].id}/registrations", json={"person": person("达瓦")}).get_json()
    api.post(f"/registrations/{reg['id']}/review", json={"decision": "reject", "reason": "=HYPERLINK(\"http://x\")"})
    r = api.get(f"/events/{world['event'].id}/registrations/export.xlsx")
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values
    formulas = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert ws.cell(row=1, column=1).value == "报名编号" and ws.max_row == 3


def test_bulk_write_links_each_row_fills_defaults_and_audits_the_file_once(api_as, world):
    """The set-based write (COPY on PostgreSQL, multi-row INSERTs elsewhere): a person already on
    file is reused, new people get their ids in the rows' order, every column default is filled,
    teams' members point at their own registration, and one audit record names the file's rows
    and SHA-256."""
    import hashlib

    from app.audit.models import AuditEvent
    from app.registration.models import RegistrationMember
    known = Person(name="旦增", id_type="resident_id", id_number=resident_id())
    db.session.add(known)
    db.session.commit()
    header = HEADER + ["团队名称"]
    rows = [good_row(n) + [team] for n, team in [("甲", "一队"), ("乙", "二队"), ("丙", "一队"), ("丁", "二队"),
                                                 ("戊", "二队"), ("己", "一队")]]
    rows[4][2] = known.id_number
    rows[4][0] = known.name
    data = xlsx(rows, header=header)
    api = api_as(world["organizer"])
    r = upload(api, world["team_event"].id, data)
    assert r.status_code == 201, r.get_json()
    db.session.expire_all()
    regs = {reg.team_name: reg for reg in db.session.scalars(select(Registration))}
    assert set(regs) == {"一队", "二队"}
    for team, names in [("一队", ["甲", "丙", "己"]), ("二队", ["乙", "丁", "旦增"])]:
        reg = regs[team]
        assert [m.person.name for m in reg.members] == names
        assert [m.position for m in reg.members] == [0, 1, 2]
        assert reg.person.name == names[0] and reg.submitted_at is not None and reg.version == 1
        assert all(m.event_id == reg.event_id and m.competition_id == reg.competition_id and m.is_active
                   for m in reg.members)
    people = {p.name: p for p in db.session.scalars(select(Person))}
    assert people["旦增"].id == known.id and count(Person) == 6
    assert all(p.created_at is not None and p.claim_nonce == 0 for p in people.values())
    assert people["甲"].id_number == rows[0][2] and people["己"].id_number == rows[5][2]
    assert count(RegistrationMember) == 6
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "registration.import")).all()
    assert len(audits) == 1
    assert audits[0].after["created"] == 2 and audits[0].after["new_people"] == 5
    assert audits[0].after["sha256"] == hashlib.sha256(data).hexdigest()
