"""Registration exports (.xlsx), formula injection neutralized."""
from __future__ import annotations

import re
from urllib.parse import quote

from ..competitions.models import Event
from ..domain.refdata import EDUCATION, GENDERS, ID_TYPES, SKILL_GRADES, ethnic_groups
from ..extensions import db
from ..i18n import label
from ..spreadsheets import write_xlsx
from .. import timeutil
from .queries import registrations_query

STATUS_ZH = {"submitted": "待审核", "approved": "已通过", "rejected": "未通过", "withdrawn": "已撤回"}


# The plain `filename=` a client that ignores `filename*` saves the file under, by extension.
ASCII_FALLBACKS = {".pdf": "document.pdf", ".xlsx": "export.xlsx", ".zip": "files.zip", ".csv": "export.csv"}
_ASCII_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.[A-Za-z0-9]+")


def ascii_fallback(filename: str, ascii_name: str | None = None) -> str:
    """An ASCII name that fits the file: the name itself when it is plain ASCII (a serial such as
    XZ2026-001-00001.pdf), else `ascii_name`, else a generic name for its extension."""
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    for candidate in (filename, ascii_name):
        if candidate and _ASCII_SAFE.fullmatch(candidate) and len(candidate) <= 100 and \
                (not ext or candidate.lower().endswith(ext)):
            return candidate
    return ASCII_FALLBACKS.get(ext, "download" + (ext if re.fullmatch(r"\.[a-z0-9]{1,8}", ext) else ""))


def attachment(filename: str, ascii_name: str | None = None, disposition: str = "attachment") -> str:
    """Content-Disposition with a UTF-8 file name (RFC 6266) and an ASCII fallback that fits the
    file (its extension, and `ascii_name` when the real name is not plain ASCII)."""
    return (f"{disposition}; filename=\"{ascii_fallback(filename, ascii_name)}\"; "
            f"filename*=UTF-8''{quote(filename)}")


def registrations_xlsx(event: Event) -> bytes:
    headers = ["报名编号", "状态", "团队名称", "姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "手机号码",
               "文化程度", "职业技能等级", "单位", "提交时间", "审核意见"]
    groups = ethnic_groups()

    def rows():
        for reg in db.session.scalars(registrations_query(event_id=event.id)).yield_per(500):
            for m in reg.members:
                p = m.person
                yield [reg.id, STATUS_ZH.get(reg.status, reg.status), reg.team_name or "", p.name,
                       label(ID_TYPES, p.id_type), p.id_number, label(GENDERS, p.gender),
                       p.birth_date.isoformat() if p.birth_date else "", groups.get(p.ethnicity, ""),
                       p.phone or "", label(EDUCATION, p.education), label(SKILL_GRADES, p.skill_grade),
                       reg.organization.name if reg.organization else "", timeutil.local_text(reg.submitted_at),
                       reg.review_reason or ""]
    return write_xlsx(headers, rows(), sheet_title=event.name)
