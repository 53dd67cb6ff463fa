"""The registration import template (.xlsx): a data sheet 报名表 with the header row alone (lists
for enumerations, ID columns as text) and an instruction sheet 填写说明 with the rules per column and
an example row for reading, which the importer skips if it is copied over."""
from __future__ import annotations

import io

from sqlalchemy import select

from ..competitions.models import Event
from ..domain.refdata import ethnic_groups
from ..extensions import db
from ..people.models import Organization
from ..spreadsheets import safe_cell
from .importer import COLUMNS, DATA_SHEET, ID_TYPE_LABELS, INSTRUCTIONS_SHEET, SAMPLE_ID_NUMBER, SAMPLE_NAME

# Per column of the template: required?, the rule, and the example's value.
COLUMN_RULES = {
    "name": (True, "与证件一致；汉字、藏文或拉丁字母。姓名中间的点用“·”。"),
    "id_type": (False, "从下拉列表中选择；不填按居民身份证。"),
    "id_number": (True, "居民身份证 18 位（末位 X 可大写或小写）；本列为文本格式，请勿改成数字格式。"),
    "gender": (False, "男或女；居民身份证可不填，按证件号码识别。"),
    "birth_date": (False, "格式 YYYY-MM-DD；居民身份证可不填，按证件号码识别。"),
    "ethnicity": (False, "从下拉列表中选择。"),
    "phone": (False, "11 位手机号码。"),
    "education": (False, "从下拉列表中选择。"),
    "skill_grade": (False, "从下拉列表中选择；报名条件有等级要求时必填。"),
    "organization": (False, "从下拉列表中选择已登记的单位；名称须完全一致。"),
    "team_name": (True, "团体赛项：同一团队的成员填写相同的团队名称。"),
    "is_frontline_worker": (False, "是或否。"),
}


def _sample_values() -> dict:
    return {
        "name": SAMPLE_NAME, "id_type": "居民身份证", "id_number": SAMPLE_ID_NUMBER,
        "gender": "男", "birth_date": "1998-06-01", "ethnicity": "藏族", "phone": "13800000000",
        "education": "大专", "skill_grade": "三级（高级工）", "organization": "", "team_name": "示例团队",
        "is_frontline_worker": "是",
    }


def _instructions_sheet(wb, columns, bold, header_fill) -> None:
    """填写说明: where to type, the rules per column, and the example row (for reading, not copying)."""
    from openpyxl.styles import Alignment, Font

    sheet = wb.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append(["填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"请在“{DATA_SHEET}”工作表第 2 行起逐行填写，每行一人；本页仅供参考，导入时不读取。"])
    sheet.append([f"下方示例行只用于说明格式，请勿复制到“{DATA_SHEET}”；如果复制了，导入时会跳过示例行并提示。"])
    sheet.append([])
    sheet.append(["列名", "是否必填", "填写规则", "示例"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = bold, header_fill
    sample = _sample_values()
    for fname, zh, _en in columns:
        required, rule = COLUMN_RULES[fname]
        sheet.append([zh, "必填" if required else "选填", rule, safe_cell(sample[fname])])
    sheet.append([])
    sheet.append(["示例行（格式参考，请勿复制）"])
    sheet[f"A{sheet.max_row}"].font = bold
    sheet.append([zh for _, zh, _ in columns])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = bold, header_fill
    sheet.append([sample[f] for f, _, _ in columns])
    for cell in sheet[sheet.max_row]:
        cell.number_format = "@"
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 22
    for row in sheet.iter_rows(min_row=6, max_col=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")


def template_xlsx(event: Event) -> bytes:
    """The import template. Its data sheet 报名表 (first, the only one read) holds the header row
    alone, with lists for enumerations and the ID columns as text; the sheet 填写说明 carries the
    rules per column and an example row (which the importer skips if it is copied over)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    columns = [c for c in COLUMNS if c[0] != "team_name" or event.team_size > 1]
    ws.append([zh for _, zh, _ in columns])
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="F2DCDB")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = header_fill
    _instructions_sheet(wb, columns, bold, header_fill)
    lists = wb.create_sheet("选项")
    options = {
        "id_type": list(ID_TYPE_LABELS)[:4], "gender": ["男", "女"],
        "ethnicity": list(ethnic_groups().values()),
        "education": ["小学", "初中", "高中或中专", "大专", "本科", "硕士研究生及以上"],
        "skill_grade": ["五级（初级工）", "四级（中级工）", "三级（高级工）", "二级（技师）", "一级（高级技师）"],
        "is_frontline_worker": ["是", "否"],
    }
    orgs = [o.name for o in db.session.scalars(select(Organization).order_by(Organization.name))]
    if orgs:
        options["organization"] = orgs
    for col_index, (fname, values) in enumerate(options.items(), start=1):
        letter = lists.cell(row=1, column=col_index).column_letter
        for r, value in enumerate(values, start=1):
            lists.cell(row=r, column=col_index, value=safe_cell(value))  # organization names are user text
        if fname not in [c[0] for c in columns]:
            continue
        target = [c[0] for c in columns].index(fname) + 1
        target_letter = ws.cell(row=1, column=target).column_letter
        dv = DataValidation(type="list", formula1=f"='选项'!${letter}$1:${letter}${len(values)}", allow_blank=True,
                            showErrorMessage=True, errorTitle="无效选项", error="请从下拉列表中选择")
        ws.add_data_validation(dv)
        dv.add(f"{target_letter}2:{target_letter}5000")
    lists.sheet_state = "hidden"
    # ID numbers and phones as text: an 18-digit number typed into a numeric cell loses digits.
    for fname in ("id_number", "phone", "birth_date"):
        idx = [c[0] for c in columns].index(fname) + 1
        letter = ws.cell(row=1, column=idx).column_letter
        for r in range(2, 5001):
            ws[f"{letter}{r}"].number_format = "@"
        ws.column_dimensions[letter].width = 22
    ws.column_dimensions["A"].width = 16
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
