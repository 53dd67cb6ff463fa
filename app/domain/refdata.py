"""Enumerations and reference data (DESIGN.md §3; GB/T 3304 ethnic groups; GB/T 2260 regions).

Labels are message ids marked with N_ and translated at display time.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .errors import N_

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

ROLES = {
    "admin": N_("Administrator"),
    "organizer": N_("Organizer"),
    "judge": N_("Judge"),
    "chief_judge": N_("Chief judge"),
    "supervisor": N_("Supervisor"),
    "org_contact": N_("Organization contact"),
    "candidate": N_("Candidate"),
}

LEVELS = {
    "world": N_("WorldSkills Competition"),
    "national_1": N_("National class-1"),
    "national_2": N_("National class-2"),
    "provincial_1": N_("Provincial class-1"),
    "provincial_2": N_("Provincial class-2"),
    "municipal": N_("Municipal"),
    "industry": N_("Industry"),
    "enterprise": N_("Enterprise"),
    "college": N_("College"),
}

KINDS = {
    "skills": N_("Vocational skills competition"),
    "college_skills": N_("Vocational college skills competition"),
    "craftsman_selection": N_("Craftsman selection"),
    "arts_crafts": N_("Arts and crafts competition"),
    "traditional": N_("Traditional crafts"),
    "entrepreneurship": N_("Entrepreneurship contest"),
    "trainer": N_("Entrepreneurship trainer contest"),
    "workplace": N_("Workplace skills contest"),
    "title_selection": N_("Title selection"),
}

TRACKS = {
    "staff": N_("Staff"),
    "student": N_("Student"),
    "teacher": N_("Teacher"),
}

SKILL_GRADES = {
    5: N_("Grade 5 (junior worker)"),
    4: N_("Grade 4 (intermediate worker)"),
    3: N_("Grade 3 (senior worker)"),
    2: N_("Grade 2 (technician)"),
    1: N_("Grade 1 (senior technician)"),
}

ORG_KINDS = {
    "government": N_("Government department"),
    "enterprise": N_("Enterprise"),
    "college": N_("College or school"),
    "training": N_("Training institution"),
    "association": N_("Association"),
    "other": N_("Other"),
}

ID_TYPES = {
    "resident_id": N_("Resident identity card"),
    "passport": N_("Passport"),
    "hk_macau_permit": N_("Hong Kong/Macau resident permit"),
    "taiwan_permit": N_("Taiwan resident permit"),
}

GENDERS = {"male": N_("Male"), "female": N_("Female")}

EDUCATION = {
    "primary": N_("Primary school"),
    "junior_high": N_("Junior high school"),
    "senior_high": N_("Senior high or vocational school"),
    "associate": N_("Associate degree"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's degree or above"),
}

# Province-level codes (first two digits of a GB 11643 resident ID), GB/T 2260.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83 91".split()
)


@lru_cache
def ethnic_groups() -> dict[str, str]:
    """The 56 ethnic groups, code → Chinese name (GB/T 3304)."""
    with open(DATA_DIR / "ethnic_groups.csv", encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


@lru_cache
def ethnic_groups_en() -> dict[str, str]:
    """The 56 ethnic groups, code → English name (the usage of the State Council Information Office:
    Han, Tibetan, Uygur, Zhuang …; GB/T 3304's romanization differs for a few, e.g. Zang)."""
    with open(DATA_DIR / "ethnic_groups.csv", encoding="utf-8") as fh:
        return {row["code"]: row["name_en"] for row in csv.DictReader(fh)}


@lru_cache
def ethnic_codes_by_name() -> dict[str, str]:
    """Chinese name → code (藏族 → 04)."""
    return {name: code for code, name in ethnic_groups().items()}


@lru_cache
def regions() -> dict[str, dict]:
    """Administrative divisions known to the app, code → {name, parent} (GB/T 2260)."""
    with open(DATA_DIR / "regions.csv", encoding="utf-8") as fh:
        return {row["code"]: {"name": row["name"], "parent": row["parent"] or None}
                for row in csv.DictReader(fh)}


def is_region_code(code: str) -> bool:
    """A 6-digit division code whose province part exists (finer codes than listed are allowed)."""
    return (
        isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()
        and code[:2] in PROVINCE_CODES
    )


# Jurisdictions are ISO 3166-2 codes (API.md). Proper names carry both languages here
# rather than in the message catalogs: code → (Chinese, English).
JURISDICTIONS = {
    "CN": ("全国", "National"),
    "CN-AH": ("安徽省", "Anhui"), "CN-BJ": ("北京市", "Beijing"), "CN-CQ": ("重庆市", "Chongqing"),
    "CN-FJ": ("福建省", "Fujian"), "CN-GD": ("广东省", "Guangdong"), "CN-GS": ("甘肃省", "Gansu"),
    "CN-GX": ("广西壮族自治区", "Guangxi"), "CN-GZ": ("贵州省", "Guizhou"),
    "CN-HA": ("河南省", "Henan"), "CN-HB": ("湖北省", "Hubei"), "CN-HE": ("河北省", "Hebei"),
    "CN-HI": ("海南省", "Hainan"), "CN-HK": ("香港特别行政区", "Hong Kong"),
    "CN-HL": ("黑龙江省", "Heilongjiang"), "CN-HN": ("湖南省", "Hunan"), "CN-JL": ("吉林省", "Jilin"),
    "CN-JS": ("江苏省", "Jiangsu"), "CN-JX": ("江西省", "Jiangxi"), "CN-LN": ("辽宁省", "Liaoning"),
    "CN-MO": ("澳门特别行政区", "Macau"), "CN-NM": ("内蒙古自治区", "Inner Mongolia"),
    "CN-NX": ("宁夏回族自治区", "Ningxia"), "CN-QH": ("青海省", "Qinghai"),
    "CN-SC": ("四川省", "Sichuan"), "CN-SD": ("山东省", "Shandong"), "CN-SH": ("上海市", "Shanghai"),
    "CN-SN": ("陕西省", "Shaanxi"), "CN-SX": ("山西省", "Shanxi"), "CN-TJ": ("天津市", "Tianjin"),
    "CN-TW": ("台湾省", "Taiwan"), "CN-XJ": ("新疆维吾尔自治区", "Xinjiang"),
    "CN-XZ": ("西藏自治区", "Tibet"), "CN-YN": ("云南省", "Yunnan"), "CN-ZJ": ("浙江省", "Zhejiang"),
}


# Province-level division code (GB/T 2260, first two digits) → ISO 3166-2 jurisdiction code.
# 83 (Taiwan residents' permits) is Taiwan's; 91 (foreign nationals) has no province.
PROVINCE_ISO = {
    "11": "CN-BJ", "12": "CN-TJ", "13": "CN-HE", "14": "CN-SX", "15": "CN-NM",
    "21": "CN-LN", "22": "CN-JL", "23": "CN-HL",
    "31": "CN-SH", "32": "CN-JS", "33": "CN-ZJ", "34": "CN-AH", "35": "CN-FJ", "36": "CN-JX", "37": "CN-SD",
    "41": "CN-HA", "42": "CN-HB", "43": "CN-HN", "44": "CN-GD", "45": "CN-GX", "46": "CN-HI",
    "50": "CN-CQ", "51": "CN-SC", "52": "CN-GZ", "53": "CN-YN", "54": "CN-XZ",
    "61": "CN-SN", "62": "CN-GS", "63": "CN-QH", "64": "CN-NX", "65": "CN-XJ",
    "71": "CN-TW", "81": "CN-HK", "82": "CN-MO", "83": "CN-TW",
}


def province_jurisdiction(region_code: str | None) -> str | None:
    """The ISO 3166-2 code of a division code's province (540102 → CN-XZ), or None."""
    if not isinstance(region_code, str) or len(region_code) < 2:
        return None
    return PROVINCE_ISO.get(region_code[:2])


def jurisdiction_name(code: str, locale: str = "zh_CN") -> str:
    names = JURISDICTIONS.get(code)
    if not names:
        return code
    return names[0] if locale.startswith("zh") else names[1]

REGISTRATION_STATUSES = {
    "submitted": N_("Awaiting review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}

SHEET_STATUSES = {"draft": N_("Draft"), "submitted": N_("Submitted"), "locked": N_("Locked")}

AWARD_LABELS = {"first": N_("First prize"), "second": N_("Second prize"), "third": N_("Third prize"),
                "gold": N_("Gold medal"), "silver": N_("Silver medal"), "bronze": N_("Bronze medal"),
                "merit": N_("Merit award")}

ENTITLEMENT_KINDS = {"teacher_eligibility": N_("Teacher eligibility"), "reward": N_("Reward"), "title": N_("Title"),
                     "grade_promotion": N_("Grade promotion"),
                     "grade_exception": N_("Exceptional or skip-level grade assessment")}

ENTITLEMENT_STATUSES = {"eligible": N_("Eligible"), "confirmed": N_("Confirmed"), "used": N_("Used"),
                        "expired": N_("Expired"), "superseded": N_("Superseded")}


# Official Chinese labels for printed documents and exports (certificates, bulletins, rosters,
# spreadsheets): these documents are Chinese whatever the reader's UI language.
AWARD_ZH = {"first": "一等奖", "second": "二等奖", "third": "三等奖", "gold": "金牌", "silver": "银牌",
            "bronze": "铜牌", "merit": "优胜奖", None: ""}
# The awards in Tibetan, printed beside the Chinese on the bilingual certificate (藏汉双语). The
# wording follows the usage of Tibet's official Tibetan-language press (བྱ་དགའ་ prize, རིམ་པ་ grade,
# ལེབ་ medal); have it checked by the region's Tibetan-language editors before a real issue.
AWARD_BO = {"first": "བྱ་དགའ་རིམ་པ་དང་པོ།", "second": "བྱ་དགའ་རིམ་པ་གཉིས་པ།", "third": "བྱ་དགའ་རིམ་པ་གསུམ་པ།",
            "gold": "གསེར་ལེབ།", "silver": "དངུལ་ལེབ།", "bronze": "ཟངས་ལེབ།", "merit": "ལེགས་གྲུབ་བྱ་དགའ།", None: ""}
LEVEL_ZH = {"world": "世界技能大赛", "national_1": "国家级一类", "national_2": "国家级二类",
            "provincial_1": "省级（自治区级）一类", "provincial_2": "省级二类", "municipal": "市级",
            "industry": "行业", "enterprise": "企业", "college": "院校"}
TRACK_ZH = {"staff": "职工组", "student": "学生组", "teacher": "教师组"}
ENTITLEMENT_KIND_ZH = {"teacher_eligibility": "任教资格", "reward": "奖励", "title": "称号",
                       "grade_promotion": "晋升等级", "grade_exception": "破格/越级评价资格"}
ENTITLEMENT_STATUS_ZH = {"eligible": "符合条件", "confirmed": "已确认", "used": "已使用", "expired": "已失效",
                         "superseded": "已被取代"}


# Titles granted by the policies or commonly set by competitions (held as their Chinese names, the
# official ones): Chinese name → English name. A title typed by an organizer that is not listed here
# shows as typed in both languages.
TITLE_EN = {
    "全国技术能手": "National Technical Expert",
    "技术能手": "Technical Expert",
    "技能大师": "Skill Master",
    "工匠": "Craftsman",
    "西藏技术能手": "Tibet Technical Expert",
    "西藏工匠": "Tibet Craftsman",
    "西藏工艺美术大师": "Tibet Master of Arts and Crafts",
    "非物质文化遗产传承人": "Inheritor of Intangible Cultural Heritage",
    "非遗传承人": "Inheritor of Intangible Cultural Heritage",
    "广西工匠": "Guangxi Craftsman",
    "广西技术能手": "Guangxi Technical Expert",
    "广西高技能领军人才": "Guangxi Leading High-Skill Talent",
    "高技能人才培养突出贡献奖": "Award for Outstanding Contribution to High-Skill Talent Training",
}

REGISTRATION_STATUS_ZH = {"submitted": "待审核", "approved": "已通过", "rejected": "未通过", "withdrawn": "已撤回"}
SKILL_GRADE_ZH = {5: "五级（初级工）", 4: "四级（中级工）", 3: "三级（高级工）", 2: "二级（技师）", 1: "一级（高级技师）"}


def _named() -> dict[str, tuple[dict, dict]]:
    return {
        "award": ({k: v for k, v in AWARD_ZH.items() if k is not None}, AWARD_LABELS),
        "level": (LEVEL_ZH, LEVELS),
        "track": (TRACK_ZH, TRACKS),
        "entitlement_kind": (ENTITLEMENT_KIND_ZH, ENTITLEMENT_KINDS),
        "entitlement_status": (ENTITLEMENT_STATUS_ZH, ENTITLEMENT_STATUSES),
        "registration_status": (REGISTRATION_STATUS_ZH, REGISTRATION_STATUSES),
        "skill_grade": (SKILL_GRADE_ZH, SKILL_GRADES),
        "ethnic_group": (ethnic_groups(), ethnic_groups_en()),
        "title": ({zh: zh for zh in TITLE_EN}, TITLE_EN),
    }


NAMED_KINDS = ("award", "level", "track", "entitlement_kind", "entitlement_status", "registration_status",
               "skill_grade", "ethnic_group", "title")


def names(kind: str, locale: str = "zh_CN") -> dict:
    """Every value of a kind of reference data (awards, levels, ethnic groups, titles …) with its name
    in the locale: the official Chinese name, or the English one. Chinese unless the locale is English."""
    zh, en = _named()[kind]
    return dict(en if str(locale).startswith("en") else zh)


def name(kind: str, key, locale: str = "zh_CN") -> str:
    """One value's name in the locale; the value itself when it has none (a title typed by an organizer)."""
    if key is None or key == "":
        return ""
    return names(kind, locale).get(key, str(key))
