"""Reading uploaded sheets (.xlsx via python-calamine, .csv in UTF-8 or GB18030) and writing
.xlsx exports with formula injection neutralized. Types are judged by content, never by name."""
from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from .domain.errors import N_, DomainError

MAX_ROWS = 50_000
MAX_COLUMNS = 200  # a sheet whose used range is wider is refused before it is read (memory)
# An .xlsx that would hold a worker for seconds is refused before anything is inflated: more than
# 64 MB unpacked (50,000 real rows stay well below), or packed more than 100 times over once it
# is past 8 MB (real sheets compress 5–15 times; a zip bomb a thousand times).
MAX_UNZIPPED = 64 * 1024 * 1024
MAX_RATIO, RATIO_FLOOR = 100, 8 * 1024 * 1024
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


# Signatures of files that are certainly not sheets (images, PDF, programs, archives).
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"MZ", b"\x7fELF", b"7z\xbc\xaf",
                 b"Rar!", b"\x1f\x8b", b"BM", b"II*\x00", b"MM\x00*", b"{\\rtf")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def sniff(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if data[:2] in _UTF16_BOMS:
        return "csv-utf16"  # Excel's "Unicode text": UTF-16 with a byte-order mark
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]:
        return "binary"
    return "csv"


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise BadUpload(N_("This file is not an Excel workbook (.xlsx)."))
            unpacked = sum(i.file_size for i in zf.infolist())
            if unpacked > MAX_UNZIPPED or (unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * len(data)):
                raise BadUpload(N_("The workbook is too large once unpacked."))
    except zipfile.BadZipFile:
        raise BadUpload(N_("The workbook is damaged and cannot be read.")) from None


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from the workbook and its relationships."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace") if "xl/_rels/workbook.xml.rels" in zf.namelist() else ""
    targets = {m.group(1): m.group(2) for m in re.finditer(
        r'<(?:\w+:)?Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        r'<(?:\w+:)?Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = m.group(1)
        name = re.search(r'\bname="([^"]*)"', attrs)
        rid = re.search(r'\br:id="([^"]+)"', attrs) or re.search(r'\b\w+:id="([^"]+)"', attrs)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            out[_unescape(name.group(1))] = target if target.startswith("xl/") else "xl/" + target
    return out


def _unescape(text: str) -> str:
    import html
    return html.unescape(text)


def formula_cells(data: bytes, sheet_name: str) -> list[tuple[int, str]]:
    """(line, column letters) of every cell of this sheet that holds a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        part = _sheet_paths(zf).get(sheet_name)
        if part is None or part not in zf.namelist():
            return []
        xml = zf.read(part)
    if not _FORMULA.search(xml):
        return []  # the usual case, decided in one scan
    found = []
    for m in _CELL.finditer(xml):
        if m.group(2) and _FORMULA.search(m.group(2)):
            ref = _REF.search(m.group(1))
            if ref:
                found.append((int(ref.group(2)), ref.group(1).decode()))
    return found


def _read_xlsx(data: bytes, skip_sheets: tuple[str, ...] = ()) -> list[list]:
    _check_zip(data)
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # The first sheet a person sees: hidden sheets (lists for drop-downs, leftovers) are skipped.
        visible = [m for m in wb.sheets_metadata if "hidden" not in str(m.visible).lower()
                   and "chart" not in str(m.typ).lower() and m.name not in skip_sheets]
        if not visible:
            raise BadUpload(N_("The workbook has no visible sheet."))
        sheet = wb.get_sheet_by_name(visible[0].name)
        if sheet.total_height > MAX_ROWS + 1:
            raise BadUpload(N_("The file has more than %(n)d rows; split it into several files."), n=MAX_ROWS)
        if sheet.total_width > MAX_COLUMNS:
            raise BadUpload(N_("The sheet has more than %(n)d columns; delete the unused ones."), n=MAX_COLUMNS)
        rows = sheet.to_python(skip_empty_area=False)
    except BadUpload:
        raise
    except Exception:  # calamine raises its own error types for damaged files
        raise BadUpload(N_("The workbook is damaged and cannot be read.")) from None
    try:
        formulas = formula_cells(data, visible[0].name)
    except (zipfile.BadZipFile, KeyError, OSError):
        raise BadUpload(N_("The workbook is damaged and cannot be read.")) from None
    if formulas:
        # Refused: a formula's value is whatever Excel last computed, or nothing when another
        # program wrote the file.
        raise ImportRejected([Problem(line, None, N_("A formula is not accepted; paste the value instead."),
                                      column=f"{col}{line}") for line, col in formulas[:200]])
    return rows


def _read_csv(data: bytes, utf16: bool) -> list[list]:
    text = None
    for encoding in (("utf-16",) if utf16 else ("utf-8-sig", "gb18030")):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise BadUpload(N_("The CSV file is neither UTF-8 nor GB18030 text."))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise BadUpload(N_("The file has more than %(n)d rows; split it into several files."), n=MAX_ROWS)
    except csv.Error as exc:
        raise BadUpload(N_("Line %(line)d of the CSV file cannot be read (%(reason)s)."),
                        line=len(rows) + 1, reason=str(exc)[:100]) from None
    if any(len(r) > MAX_COLUMNS for r in rows):
        raise BadUpload(N_("The sheet has more than %(n)d columns; delete the unused ones."), n=MAX_COLUMNS)
    return rows


def read_table(data: bytes, skip_sheets: tuple[str, ...] = ()) -> list[list]:
    """All rows of the first visible sheet (or the CSV) as lists of cell values; sheets named in
    `skip_sheets` (a template's instructions) are never the one read, wherever they were moved."""
    if not data:
        raise BadUpload(N_("The file is empty."))
    kind = sniff(data)
    if kind == "xls":
        raise BadUpload(N_("Old .xls workbooks are not supported; save the file as .xlsx or CSV."))
    if kind == "binary":
        raise BadUpload(N_("Upload an .xlsx workbook or a CSV file."))
    rows = _read_xlsx(data, skip_sheets) if kind == "xlsx" else _read_csv(data, kind == "csv-utf16")
    if len(rows) > MAX_ROWS + 1:
        raise BadUpload(N_("The file has more than %(n)d rows; split it into several files."), n=MAX_ROWS)
    _refuse_duplicate_headers(rows)
    return rows


def _refuse_duplicate_headers(rows: list[list]) -> None:
    if not rows:
        return
    seen: dict[str, int] = {}
    for i, raw in enumerate(rows[0]):
        name = cell_text(raw)
        if not name:
            continue
        if name.lower() in seen:
            raise ImportRejected([Problem(1, None, N_("The column %(column)s appears twice (columns %(first)d and %(second)d)."),
                                          {"column": name[:100], "first": seen[name.lower()] + 1, "second": i + 1},
                                          column=name[:100])])
        seen[name.lower()] = i


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


def sheet_title_safe(title: str) -> str:
    """Excel refuses [ ] : * ? / \\ in sheet titles, a leading or trailing apostrophe and more than 31
    characters; user text (an event's name) is cleaned rather than failing the export."""
    cleaned = re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", title or "").strip().strip("'").strip()
    return cleaned[:31] or "Sheet1"


def write_xlsx(headers: list[str], rows, sheet_title: str = "Sheet1") -> bytes:
    """A plain .xlsx (write-only, fast) whose text cells can never be formulas."""
    return write_workbook([(sheet_title, headers, rows)])


def write_workbook(sheets) -> bytes:
    """An .xlsx of several sheets, [(title, headers, rows)], with the same guarantees as
    write_xlsx: text cells stored as strings, formula triggers neutralized, control characters
    dropped, titles cleaned (a repeated title gets a number)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for sheet_title, headers, rows in sheets:
        title = sheet_title_safe(sheet_title)
        n = 2
        while title.lower() in used:
            suffix = f" ({n})"
            title = sheet_title_safe(sheet_title)[:31 - len(suffix)] + suffix
            n += 1
        used.add(title.lower())
        ws = wb.create_sheet(title)
        for row in itertools.chain([headers], rows):  # headers too: they may hold user text (scheme names)
            out = []
            for value in row:
                value = safe_cell(value)
                if isinstance(value, str):
                    # Control characters XML cannot hold (user text, e.g. an issuer "\x0c") are dropped,
                    # not a failed export (a 500 the fuzz found on statistics.xlsx).
                    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                    cell.data_type = "s"  # stored as a string even if it looks like a formula
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
