"""Reading uploaded sheets (.xlsx via python-calamine, .csv in UTF-8 or GB18030) and writing
.xlsx exports with formula injection neutralized. Types are judged by content, never by name."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from .domain.errors import N_, DomainError

MAX_ROWS = 50_000
MAX_UNZIPPED = 200 * 1024 * 1024  # an .xlsx that inflates past this is refused (zip bomb)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class BadUpload(DomainError):
    status = 422
    code = "bad_upload"


@dataclass
class Problem:
    """One problem of an imported file: line (1 = the header; 0 = the file as a whole), field."""
    row: int
    field: str | None
    message: str
    params: dict = field(default_factory=dict)
    column: str | None = None  # the column's header as the user sees it

    def as_json(self, translate_fn) -> dict:
        return {"row": self.row, "field": self.field, "column": self.column or self.field,
                "message": translate_fn(self.message, self.params)}


class ImportRejected(DomainError):
    """Any bad row: nothing is written, and every problem is listed."""

    status = 422
    code = "import_rejected"

    def __init__(self, problems: list[Problem]):
        rows = len({p.row for p in problems if p.row})
        super().__init__(N_("The file was not imported: %(n)d problems in %(rows)d rows. Nothing was written."),
                         n=len(problems), rows=rows)
        self.problems = sorted(problems, key=lambda p: (p.row, p.field or ""))

    def extra(self, translate_fn) -> dict:
        return {"rows": [p.as_json(translate_fn) for p in self.problems]}


def sniff(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if b"\x00" in data[:4096]:
        return "binary"
    return "csv"


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise BadUpload(N_("This file is not an Excel workbook (.xlsx)."))
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED:
                raise BadUpload(N_("The workbook is too large once unpacked."))
    except zipfile.BadZipFile:
        raise BadUpload(N_("The workbook is damaged and cannot be read.")) from None


def read_table(data: bytes) -> list[list]:
    """All rows of the first sheet (or the CSV) as lists of cell values."""
    if not data:
        raise BadUpload(N_("The file is empty."))
    kind = sniff(data)
    if kind == "xls":
        raise BadUpload(N_("Old .xls workbooks are not supported; save the file as .xlsx or CSV."))
    if kind == "binary":
        raise BadUpload(N_("Upload an .xlsx workbook or a CSV file."))
    if kind == "xlsx":
        _check_zip(data)
        from python_calamine import CalamineWorkbook
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:  # calamine raises its own error types for damaged files
            raise BadUpload(N_("The workbook is damaged and cannot be read.")) from None
    else:
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise BadUpload(N_("The CSV file is neither UTF-8 nor GB18030 text."))
        rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_ROWS + 1:
        raise BadUpload(N_("The file has more than %(n)d rows; split it into several files."), n=MAX_ROWS)
    return rows


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def safe_cell(value):
    """Neutralize text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_xlsx(headers: list[str], rows, sheet_title: str = "Sheet1") -> bytes:
    """A plain .xlsx (write-only, fast) whose text cells can never be formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31])
    ws.append(headers)
    for row in rows:
        out = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # stored as a string even if it looks like a formula
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
