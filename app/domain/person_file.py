"""The person's electronic record (电子档案) as pure rules: grades per occupation (职业/工种) with their
source, exceptional and skip-level assessment (破格/越级), titles and the 技能大师工作室 they open,
training records. Fields are checked the same way from a form (text) or the API (JSON values).

Sources: 桂政发〔2019〕16号 (八) (electronic training records), (十) (front-line workers may be
assessed 破格 or 越级 without limits of age, schooling, seniority or identity); 西藏自治区职业技能提升
行动实施方案（2019－2021年）四(五) (西藏技术能手, 西藏工匠, 西藏工艺美术大师 and 非物质文化遗产传承人 may
apply to set up a 技能大师工作室), 五(二) (a training record linked to assessment and employment).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import N_, Collector
from .fields import text as _text
from .refdata import SKILL_GRADES

GRADE_SOURCES = {"assessment": N_("Assessment"), "promotion": N_("Promotion by a rule"),
                 "exception": N_("Exceptional or skip-level assessment")}
APPLICATION_KINDS = {"exceptional": N_("Exceptional (破格)"), "skip_level": N_("Skip-level (越级)")}
APPLICATION_STATUSES = ("submitted", "approved", "rejected")
TRAINING_KINDS = {"employment": N_("Employment skills training"), "upskilling": N_("On-the-job upskilling"),
                  "entrepreneurship": N_("Entrepreneurship training"), "apprenticeship": N_("Apprenticeship"),
                  "high_skill": N_("High-skill training"), "other": N_("Other")}
GRADE_ZH = {5: "初级工", 4: "中级工", 3: "高级工", 2: "技师", 1: "高级技师"}
SOURCE_ZH = {"assessment": "等级认定", "promotion": "按规则晋升", "exception": "破格/越级考评"}
KIND_ZH = {"exceptional": "破格", "skip_level": "越级"}
TRAINING_KIND_ZH = {"employment": "就业技能培训", "upskilling": "岗位技能提升培训", "entrepreneurship": "创业创新培训",
                    "apprenticeship": "学徒制培训", "high_skill": "高技能人才培训", "other": "其他"}

# 004 四(五): the titles whose holders may apply to set up a 技能大师工作室 (with the names they go by).
STUDIO_TITLES = {"西藏技术能手": "西藏技术能手", "西藏工匠": "西藏工匠", "西藏工艺美术大师": "西藏工艺美术大师",
                 "非物质文化遗产传承人": "非物质文化遗产传承人", "非遗传承人": "非物质文化遗产传承人"}
STUDIO_CITATION = "《西藏自治区职业技能提升行动实施方案（2019－2021年）》四（五）"
STUDIO_QUOTE = "支持西藏技术能手、西藏工匠、西藏工艺美术大师、非物质文化遗产传承人申报建设技能大师工作室。"
EXCEPTION_CITATION = "《广西壮族自治区人民政府关于推行终身职业技能培训制度的实施意见》（桂政发〔2019〕16号）（十）"
EXCEPTION_QUOTE = ("打破技能人才评价中年龄、学历、资历、身份和比例等限制，在企业生产一线工作并掌握高超技能、业绩突出的"
                   "技术工人，可破格或越级参加职业资格等级考评。")
DECISIONS = ("approve", "reject")


def _grade(value, errors: Collector, key: str, *, optional: bool = False) -> int | None:
    if optional and value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in SKILL_GRADES:
        errors.add(key, N_("Choose a skill grade from 5 (junior worker) to 1 (senior technician)."))
        return None
    return value


def _date(data: dict, key: str, errors: Collector, today: date, *, required: str | None = None) -> date | None:
    raw = data.get(key)
    if raw in (None, ""):
        if required:
            errors.add(key, required)
        return None
    try:
        value = date.fromisoformat(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        errors.add(key, N_("Enter a date (YYYY-MM-DD)."))
        return None
    if value > today:
        errors.add(key, N_("The date cannot be in the future."))
    elif value.year < 1950:
        errors.add(key, N_("Enter a date (YYYY-MM-DD)."))
    return value


def parse_grade(data: dict, today: date) -> dict:
    """A grade recorded by an organizer (from an assessment: 职业技能等级认定 or a qualification)."""
    errors = Collector()
    out = {"occupation": _text(data, "occupation", 200, errors, required=N_("Name the occupation (职业/工种).")),
           "grade": _grade(data.get("grade"), errors, "grade"),
           "awarded_on": _date(data, "awarded_on", errors, today, required=N_("Enter the date the grade was awarded.")),
           "certificate_number": _text(data, "certificate_number", 64, errors),
           "note": _text(data, "note", 500, errors)}
    errors.raise_if_any()
    return out


def parse_title(data: dict, today: date) -> dict:
    errors = Collector()
    out = {"title": _text(data, "title", 64, errors, required=N_("Name the title.")),
           "conferred_by": _text(data, "conferred_by", 200, errors, required=N_("Name the body that conferred it.")),
           "conferred_on": _date(data, "conferred_on", errors, today, required=N_("Enter the date it was conferred.")),
           "certificate_number": _text(data, "certificate_number", 64, errors)}
    errors.raise_if_any()
    return out


def parse_training(data: dict, today: date) -> dict:
    errors = Collector()
    kind = data.get("kind") or "other"
    if not isinstance(kind, str) or kind not in TRAINING_KINDS:
        errors.add("kind", N_("Choose the kind of training."))
        kind = None
    out = {"program": _text(data, "program", 200, errors, required=N_("Name the training programme.")),
           "provider": _text(data, "provider", 200, errors, required=N_("Name the training provider.")),
           "occupation": _text(data, "occupation", 200, errors), "kind": kind,
           "started_on": _date(data, "started_on", errors, today, required=N_("Enter the first day of the training.")),
           "ended_on": _date(data, "ended_on", errors, today),
           "certificate_number": _text(data, "certificate_number", 64, errors)}
    hours = data.get("hours")
    out["hours"] = None
    if hours not in (None, ""):
        try:
            value = Decimal(str(hours).strip()) if not isinstance(hours, bool) and isinstance(hours, (int, str)) \
                else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0 or value > 10000 or value != value.quantize(Decimal("0.1")):
            errors.add("hours", N_("Enter the hours as a number between 0.1 and 10000 (one decimal)."))
        else:
            out["hours"] = value
    if out["started_on"] and out["ended_on"] and out["ended_on"] < out["started_on"]:
        errors.add("ended_on", N_("The last day cannot come before the first day."))
    errors.raise_if_any()
    return out


def skip_needed(kind: str, current: int | None, target: int) -> str | None:
    """Why `target` is not a valid aim for this kind of application from `current` (grade numbers
    fall as grades rise: 5 初级工 … 1 高级技师), or None when it is.
    - exceptional (破格): a higher grade than the current one, the usual seniority and schooling
      conditions waived; with no grade yet, any grade.
    - skip-level (越级): at least two grades above the current one (with no grade yet: 中级工 or higher)."""
    base = current if current is not None else 6
    if target >= base:
        return N_("The grade applied for must be higher than the current grade in this occupation.")
    if kind == "skip_level" and base - target < 2:
        return N_("A skip-level assessment skips at least one grade: choose a grade two or more above the current one.")
    return None


def parse_application(data: dict, current: int | None) -> dict:
    errors = Collector()
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in APPLICATION_KINDS:
        errors.add("kind", N_("Choose exceptional (破格) or skip-level (越级)."))
        kind = None
    out = {"occupation": _text(data, "occupation", 200, errors, required=N_("Name the occupation (职业/工种).")),
           "kind": kind, "grade_to": _grade(data.get("grade_to"), errors, "grade_to"),
           "reason": _text(data, "reason", 4000, errors, multiline=True,
                                required=N_("Describe the achievements that justify the application.")),
           "entitlement_id": None}
    ent = data.get("entitlement_id")
    if ent not in (None, ""):
        if isinstance(ent, str) and ent.strip().isdigit():
            ent = int(ent.strip())
        if isinstance(ent, bool) or not isinstance(ent, int) or not (1 <= ent <= 2**31 - 1):
            errors.add("entitlement_id", N_("Choose an entitlement of this person."))
        else:
            out["entitlement_id"] = ent
    if kind and out["grade_to"] is not None:
        why = skip_needed(kind, current, out["grade_to"])
        if why:
            errors.add("grade_to", why)
    errors.raise_if_any()
    return out


def parse_decision(data: dict) -> tuple[str, str]:
    errors = Collector()
    decision = data.get("decision")
    if decision not in DECISIONS:
        errors.add("decision", N_("Approve or reject."))
    note = _text(data, "note", 2000, errors, multiline=True, required=N_("Say what was checked (a note is required)."))
    errors.raise_if_any()
    return decision, note


def studio_title(title: str | None) -> str | None:
    """The 004 四(五) title this title is (normalized), or None."""
    if not title:
        return None
    return STUDIO_TITLES.get(title.strip())


def studio_eligibility(titles: list[str]) -> dict | None:
    """技能大师工作室 eligibility: which of the person's titles open it, with the clause; None if none."""
    opening = sorted({studio_title(t) for t in titles if studio_title(t)})
    if not opening:
        return None
    return {"titles": opening, "citation": STUDIO_CITATION, "quote": STUDIO_QUOTE}


def current_grades(rows) -> dict[str, object]:
    """The current grade per occupation from grade rows (valid ones: the highest grade, then the
    latest). `rows` have occupation, grade, awarded_on, id, status."""
    best: dict[str, object] = {}
    for r in rows:
        if r.status != "valid":
            continue
        have = best.get(r.occupation)
        if have is None or (r.grade, -_ordinal(r.awarded_on), -r.id) < (have.grade, -_ordinal(have.awarded_on), -have.id):
            best[r.occupation] = r
    return best


def _ordinal(d: date | None) -> int:
    return d.toordinal() if d else 0
