"""Malformed uploads through every import endpoint (registrations and scores, web and API), and
every .xlsx export re-opened: zero formula cells.

Each file of the corpus is generated here (no binaries in the repository). A file is either
refused — a 4xx answer with a message, every row problem naming its line and column — and
nothing is written (rows counted before and after), or accepted because it is legitimately fine
(UTF-16 or BOM-marked CSV, extra columns, a hidden lists sheet, blank lines).
"""
from __future__ import annotations

import functools
import gzip
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.judging.models import ImportedScore
from app.people.models import Organization, Person
from app.registration.models import Registration, RegistrationMember
from app.spreadsheets import MAX_ROWS, MAX_UNZIPPED
from tests.conftest import csrf_from
from tests.scenarios import resident_id
from tests import scenarios

REG_HEADER = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "手机号码", "文化程度", "职业技能等级", "单位"]
SCORE_HEADER = ["参赛编号", "理论考试"]


# ---- file builders ------------------------------------------------------------------------------

def xlsx(header, rows, *, numeric_col=None, formulas=(), hidden_first=False, hidden_lists=False,
         merge=None, extra_cells=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "旧表"
        ws.append(["垃圾", "数据"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("报名表")
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    if numeric_col is not None:
        for cell in list(ws.iter_cols(min_col=numeric_col + 1, max_col=numeric_col + 1, min_row=2))[0]:
            if isinstance(cell.value, str) and cell.value.isdigit():
                cell.value = int(cell.value)
    for ref, formula in formulas:
        ws[ref] = formula  # openpyxl stores a string starting with "=" as a formula
    if merge:
        ws.merge_cells(merge)
    for ref, value in extra_cells:
        ws[ref] = value
    if hidden_lists:
        lists = wb.create_sheet("选项")
        lists.append(["男", "女"])
        lists.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(header, rows, encoding="utf-8", sep=",") -> bytes:
    lines = [sep.join(header)] + [sep.join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, content if item.filename == name else src.read(item.filename))
    return out.getvalue()


@functools.lru_cache(maxsize=None)
def zip_bomb() -> bytes:
    """A real .xlsx skeleton whose sheet inflates past the limit (~210 MB from a few hundred KB)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx(["姓名"], [["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in base.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with dst.open(item.filename, "w") as fh:
                    chunk = b" " * (1024 * 1024)
                    for _ in range(MAX_UNZIPPED // len(chunk) + 10):
                        fh.write(chunk)
            else:
                dst.writestr(item, base.read(item.filename))
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"This program cannot be run in DOS mode." * 10
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512


def docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


# ---- the corpus ---------------------------------------------------------------------------------
# Each case: (id, build(ctx) → (bytes, filename), accepted?: a bool, or the kinds of import that
# accept it). ctx gives good data rows and the header.

class Ctx:
    def __init__(self, kind, good_rows):
        self.kind, self.good = kind, good_rows
        self.header = REG_HEADER if kind == "reg" else SCORE_HEADER
        self.id_col = 2 if kind == "reg" else 1  # the column typed as a number (ID / score)

    def rows(self, n=2):
        return self.good(n)


def _bad_value_rows(ctx, value):
    rows = ctx.rows(2)
    rows[0][ctx.id_col] = value
    return rows


CASES = [
    ("empty-file", lambda c: (b"", "a.xlsx"), False),
    ("png-renamed-xlsx", lambda c: (PNG, "a.xlsx"), False),
    ("pdf-renamed-xlsx", lambda c: (PDF, "a.xlsx"), False),
    ("exe-renamed-xlsx", lambda c: (EXE, "a.xlsx"), False),
    ("jpeg-renamed-csv", lambda c: (JPEG, "a.csv"), False),
    ("gzip-renamed-csv", lambda c: (gzip.compress(csv_bytes(c.header, c.rows())), "a.csv"), False),
    ("legacy-xls", lambda c: (XLS, "a.xls"), False),
    ("docx-renamed-xlsx", lambda c: (docx_like(), "a.xlsx"), False),
    ("zip-signature-garbage", lambda c: (b"PK\x03\x04" + bytes(range(256)) * 8, "a.xlsx"), False),
    ("truncated-xlsx", lambda c: ((lambda d: d[: len(d) // 2])(xlsx(c.header, c.rows())), "a.xlsx"), False),
    ("broken-sheet-xml", lambda c: (replace_member(xlsx(c.header, c.rows()), "xl/worksheets/sheet1.xml",
                                                   b"<worksheet><sheetData><row><c r=\"A1\""), "a.xlsx"), False),
    ("zip-bomb", lambda c: (zip_bomb(), "a.xlsx"), False),
    ("utf16-with-bom-tab-separated", lambda c: (b"\xff\xfe" + csv_bytes(c.header, c.rows(), "utf-16-le", "\t"), "a.txt"), True),
    ("utf16-without-bom", lambda c: (csv_bytes(c.header, c.rows(), "utf-16-le"), "a.csv"), False),
    ("latin1-garbage", lambda c: ("Nom,Prénom,Numéro\r\nMüller,José,ÆØÅ\r\n".encode("latin-1"), "a.csv"), False),
    ("utf8-bom", lambda c: (b"\xef\xbb\xbf" + csv_bytes(c.header, c.rows()), "a.csv"), True),
    ("gb18030", lambda c: (csv_bytes(c.header, c.rows(), "gb18030"), "a.csv"), True),
    ("semicolon-separated", lambda c: (csv_bytes(c.header, c.rows(), sep=";"), "a.csv"), False),
    ("missing-columns", lambda c: (xlsx(c.header[:1], [r[:1] for r in c.rows()]), "a.xlsx"), False),
    ("extra-columns", lambda c: (xlsx(c.header + ["备注", "Extra"], [r + ["x", "y"] for r in c.rows()]), "a.xlsx"), True),
    ("duplicated-header", lambda c: (xlsx(c.header + [c.header[0]], [r + [r[0]] for r in c.rows()]), "a.xlsx"), False),
    ("header-only", lambda c: (xlsx(c.header, []), "a.xlsx"), False),
    ("formula-1+1", lambda c: (xlsx(c.header, c.rows(), formulas=[("A2", "=1+1")]), "a.xlsx"), False),
    ("formula-hyperlink", lambda c: (xlsx(c.header, c.rows(), formulas=[("B3", '=HYPERLINK("http://evil.example","点我")')]), "a.xlsx"), False),
    ("text-that-looks-like-a-formula", lambda c: (csv_bytes(c.header, _bad_value_rows(c, "=cmd|' /C calc'!A0")), "a.csv"), False),
    ("100k-rows-csv", lambda c: (csv_bytes(c.header, c.rows(1) * (MAX_ROWS * 2)), "a.csv"), False),
    ("100k-rows-sparse-xlsx", lambda c: (xlsx(c.header, c.rows(), extra_cells=[("A100001", "x")]), "a.xlsx"), False),
    ("16k-columns-xlsx", lambda c: (xlsx(c.header, c.rows(), extra_cells=[("XFD1", "x")]), "a.xlsx"), False),
    ("300-columns-csv", lambda c: (csv_bytes(c.header + [f"c{i}" for i in range(300)], c.rows()), "a.csv"), False),
    ("number-typed-column", lambda c: (xlsx(c.header, c.rows(), numeric_col=c.id_col), "a.xlsx"), {"score"}),
    ("scientific-notation", lambda c: (csv_bytes(c.header, _bad_value_rows(c, "5.40102E+17" if c.kind == "reg" else "1E+999")), "a.csv"), False),
    ("nan-and-infinity", lambda c: (csv_bytes(c.header, _bad_value_rows(c, "NaN" if c.kind == "reg" else "Infinity")), "a.csv"), False),
    ("merged-cells-over-data", lambda c: (xlsx(c.header, c.rows(), merge="A2:A3"), "a.xlsx"), False),
    ("hidden-first-sheet", lambda c: (xlsx(c.header, c.rows(), hidden_first=True), "a.xlsx"), True),
    ("hidden-lists-sheet", lambda c: (xlsx(c.header, c.rows(), hidden_lists=True), "a.xlsx"), True),
    ("nul-byte-late-in-csv", lambda c: (csv_bytes(c.header, c.rows()) + b" " * 5000 + b"\x00,x\r\n", "a.csv"), False),
    ("unterminated-quote-huge-field", lambda c: (csv_bytes(c.header, c.rows()) + b'"' + b"x" * 200_000, "a.csv"), False),
    ("10k-char-cell", lambda c: (xlsx(c.header, _bad_value_rows(c, "张" * 10_000)), "a.xlsx"), False),
    ("date-typed-id-or-score", lambda c: (xlsx(c.header, _bad_value_rows(c, date(2020, 1, 1))), "a.xlsx"), False),
    ("boolean-cell", lambda c: (xlsx(c.header, _bad_value_rows(c, True)), "a.xlsx"), False),
    ("blank-lines-between", lambda c: (csv_bytes(c.header, [c.rows(2)[0], [""] * len(c.header), [""] * len(c.header)]), "a.csv"), True),
]


# ---- contexts: a registration event, a drawn event with an imported theory component ---------------

def _reg_ctx(world):
    def good(n):
        return [[f"选手{'甲乙丙丁'[i % 4]}", "居民身份证", resident_id(), "", "", "藏族", "13800000000", "大专",
                 "三级（高级工）", "拉萨职业技术学院"] for i in range(n)]
    return Ctx("reg", good)


def _score_ctx(event_id):
    from tests.scenarios import all_codes
    codes = all_codes(event_id)

    def good(n):
        return [[codes[i % len(codes)], 80 + i % 10] for i in range(n)]
    return Ctx("score", good)


def _counts():
    models = (Registration, RegistrationMember, Person, ImportedScore, AuditEvent, Organization)
    db.session.expire_all()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def _check_refusal_json(r, case_id):
    assert 400 <= r.status_code < 500, (case_id, r.status_code, r.data[:300])
    err = r.get_json()["error"]
    assert err["message"], case_id
    for row in err.get("rows", []):
        # Every row problem names its line (0 = the file as a whole) and, on a line, the column.
        assert isinstance(row["row"], int) and row["message"], (case_id, row)
        if row["row"] > 0:
            assert row["column"] or row["field"], (case_id, row)
    return err


def _run(case, ctx, channel, post):
    case_id, build, accepted = case
    accepted = accepted if isinstance(accepted, bool) else ctx.kind in accepted  # by kind of import
    data, filename = build(ctx)
    before = _counts()
    r = post(data, filename)
    after = _counts()
    if channel == "api":
        if accepted:
            assert r.status_code in (200, 201), (case_id, r.get_json())
        else:
            _check_refusal_json(r, case_id)
    else:
        html = r.get_data(as_text=True)
        assert r.status_code < 500, (case_id, r.status_code)
        if accepted:
            assert "flash-success" in html, (case_id, re.findall(r'class="(?:flash[^"]*|error)"[^>]*>([^<]*)', html))
        else:
            assert "flash-error" in html or 'class="error"' in html, case_id
    if accepted:
        assert after != before, case_id
    else:
        assert after == before, (case_id, before, after)  # nothing written, not even an audit event


@pytest.mark.parametrize("channel", ["api", "web"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_registration_import(case, channel, world, api_as, login):
    event = world["event"]
    ctx = _reg_ctx(world)
    if channel == "api":
        api = api_as(world["organizer"])

        def post(data, name):
            return api.client.post(f"/api/v1/events/{event.id}/registrations/import", headers=api._headers(),
                                   data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    else:
        client = login(world["organizer"])
        token = csrf_from(client.get(f"/manage/events/{event.id}/import").data)

        def post(data, name):
            return client.post(f"/manage/events/{event.id}/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data", follow_redirects=True)
    _run(case, ctx, channel, post)


@pytest.mark.parametrize("channel", ["api", "web"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_score_import(case, channel, drawn, api_as, login):
    event = drawn["event"]
    ctx = _score_ctx(event.id)
    if channel == "api":
        api = api_as(drawn["organizer"])

        def post(data, name):
            return api.client.post(f"/api/v1/events/{event.id}/scores/import", headers=api._headers(),
                                   data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    else:
        client = login(drawn["organizer"])
        token = csrf_from(client.get(f"/manage/events/{event.id}/judging").data)

        def post(data, name):
            return client.post(f"/manage/events/{event.id}/scores/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data", follow_redirects=True)
    _run(case, ctx, channel, post)


def test_formula_refusal_names_the_cell(world, api_as):
    api = api_as(world["organizer"])
    data = xlsx(REG_HEADER, _reg_ctx(world).rows(), formulas=[("C3", "=1+1")])
    r = api.client.post(f"/api/v1/events/{world['event'].id}/registrations/import", headers=api._headers(),
                        data={"file": (io.BytesIO(data), "a.xlsx")}, content_type="multipart/form-data")
    rows = _check_refusal_json(r, "formula")["rows"]
    assert [(p["row"], p["column"]) for p in rows] == [(3, "C3")] and "公式" in rows[0]["message"]


def test_duplicated_header_names_the_column(world, api_as):
    api = api_as(world["organizer"])
    data = xlsx(REG_HEADER + ["证件号码"], [r + ["x"] for r in _reg_ctx(world).rows()])
    r = api.client.post(f"/api/v1/events/{world['event'].id}/registrations/import", headers=api._headers(),
                        data={"file": (io.BytesIO(data), "a.xlsx")}, content_type="multipart/form-data")
    rows = _check_refusal_json(r, "dup")["rows"]
    assert rows[0]["row"] == 1 and rows[0]["column"] == "证件号码"


# ---- every export re-opened: zero formula cells ----------------------------------------------

HOSTILE = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\",\"x\")", "\t=1", "\r=1"]


def _formula_cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))  # not read-only: data_type "f" marks formulas
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{ws.title}!{cell.coordinate}={cell.value!r}")
                elif isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    bad.append(f"{ws.title}!{cell.coordinate} starts a formula: {cell.value!r}")
    return bad


def _poison(text_fields):
    """Write hostile text straight into the database (as if it had slipped past every check)."""
    for i, (obj, attr) in enumerate(text_fields):
        setattr(obj, attr, HOSTILE[i % len(HOSTILE)][:20])  # phones are 20 characters at most
    db.session.commit()


def test_every_export_has_zero_formula_cells(drawn, api_as, login):

    scenarios.setup_scores(drawn)
    event, comp = drawn["event"], drawn["comp"]
    regs = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    fields = []
    for reg in regs:
        fields += [(reg.person, "name"), (reg.person, "phone")]
        reg.review_reason = "-已核对"
    fields += [(drawn["college"], "name"), (drawn["company"], "name")]
    _poison(fields)
    # The event's name and a component's name (headers of the results export) are user text too.
    event.name = "=电工/决赛[1]"
    scheme = dict(event.scheme)
    scheme["components"] = [dict(c, name="@" + c["name"]) for c in scheme["components"]]
    event.scheme = scheme
    db.session.commit()

    org_web = login(drawn["organizer"])
    org_api = api_as(drawn["organizer"])
    exports = {
        "registrations (web)": org_web.get(f"/manage/events/{event.id}/registrations/export.xlsx"),
        "registrations (api)": org_api.get(f"/events/{event.id}/registrations/export.xlsx"),
        "template (web)": org_web.get(f"/manage/events/{event.id}/registrations/template.xlsx"),
        "template (api)": org_api.get(f"/events/{event.id}/registrations/template.xlsx"),
        "results (web)": org_web.get(f"/manage/events/{event.id}/results.xlsx"),
        "entitlements (web)": org_web.get("/manage/entitlements.xlsx"),
        "entitlements (api)": org_api.get("/entitlements.xlsx"),
    }
    for name, r in exports.items():
        assert r.status_code == 200, (name, r.status_code, r.data[:300])
        assert r.data[:4] == b"PK\x03\x04", name
        assert _formula_cells(r.data) == [], name
    # The hostile text is there, neutralized (a leading apostrophe), not dropped.
    wb = load_workbook(io.BytesIO(exports["registrations (web)"].data))
    values = {c.value for row in wb.worksheets[0].iter_rows() for c in row}
    assert "'=1+1" in values and "'@SUM(A1)" in values
