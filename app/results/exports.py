"""Result tables as .xlsx (formula injection neutralized) and the organizer's statistics."""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from ..competitions.models import Event
from ..domain.refdata import AWARD_ZH, regions
from ..spreadsheets import write_xlsx

ATTENDANCE_ZH = {"absent": "缺考", "disqualified": "取消成绩"}


def results_xlsx(event: Event, rows: list[dict], regs: dict, excluded: list | None = None) -> bytes:
    """Ranked rows, then the entries marked absent or disqualified (without rank or total)."""
    comp_keys = [c["key"] for c in event.scheme["components"]]
    comp_names = [c["name"] for c in event.scheme["components"]]
    headers = ["名次", "参赛编号", "姓名", "单位"] + comp_names + ["总分", "奖项", "标准分"]

    def gen():
        for row in rows:
            reg = regs[row["registration_id"]]
            yield ([row["rank"], row["code"], reg.team_name or reg.person.name,
                    reg.organization.name if reg.organization else ""]
                   + [row["components"].get(k, "") for k in comp_keys]
                   + [str(row["total"]), AWARD_ZH.get(row["award"], row["award"]), row["standardized"] or ""])
        for reg in excluded or []:
            yield ([ATTENDANCE_ZH.get(reg.attendance, ""), reg.code, reg.team_name or reg.person.name,
                    reg.organization.name if reg.organization else ""]
                   + ["" for _k in comp_keys] + ["", "", ""])
    return write_xlsx(headers, gen(), sheet_title=event.name)


def histogram(rows: list[dict], bins: int = 10) -> list[dict]:
    """Counts of totals in bins of 100 / bins points: [{label, count, height%}]."""
    width = Decimal(100) / bins
    counts = [0] * bins
    for row in rows:
        index = min(int(Decimal(row["total"]) / width), bins - 1)
        counts[index] += 1
    peak = max(counts) or 1
    return [{"label": f"{int(i * width)}–{int((i + 1) * width)}", "count": c, "height": round(c * 100 / peak)}
            for i, c in enumerate(counts)]


def award_counts(rows_by_event: dict[Event, list[dict]], regs: dict) -> dict:
    """Award counts per event, per organization and per region (prefecture)."""
    by_event, by_org, by_region = {}, defaultdict(Counter), defaultdict(Counter)
    names = regions()
    for event, rows in rows_by_event.items():
        by_event[event.name] = Counter(r["award"] for r in rows if r["award"])
        for r in rows:
            if not r["award"]:
                continue
            reg = regs[r["registration_id"]]
            org = reg.organization
            by_org[org.name if org else "—"][r["award"]] += 1
            code = (org.region_code[:4] + "00") if org else None
            by_region[names.get(code, {}).get("name") or names.get(org.region_code if org else "", {}).get("name") or (code or "—")][r["award"]] += 1
    return {"event": by_event, "organization": dict(by_org), "region": dict(by_region)}
