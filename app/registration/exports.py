"""Registration exports (.xlsx), formula injection neutralized."""
from __future__ import annotations

from ..competitions.models import Event
from ..downloads import ascii_fallback, attachment  # noqa: F401  (callers name them here too)
from ..domain.refdata import EDUCATION, GENDERS, ID_TYPES, SKILL_GRADES, ethnic_groups
from ..domain.refdata import REGISTRATION_STATUS_ZH as STATUS_ZH
from ..extensions import db
from ..i18n import label
from ..spreadsheets import write_xlsx
from .. import timeutil
from .queries import registrations_query


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
