"""The shipped policy sets as the seeds write them: every rule × every competition kind, × level,
× whose regional set (contestant's province for national levels, the competition's otherwise),
× award preset (prizes read as medals at national class-1); promotions never exceed the quoted
text; periods (in force, continued after the end, superseded by a successor file); the loader
refuses bad files with the line and the reason."""
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.policy import (SKILLS_KINDS, Facts, PolicyError, applicable, check_periods,
                               grants, load_all, load_text, promoted, regional_jurisdiction, select)
from app.domain.refdata import KINDS, LEVELS, PROVINCE_CODES, PROVINCE_ISO, JURISDICTIONS, province_jurisdiction

SETS = load_all()
DAY = date(2026, 6, 1)      # after the Tibet plan's period: the set applies as continued
IN_PERIOD = date(2020, 6, 1)
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SKILLS = set(SKILLS_KINDS)


def granted(region, day=DAY, **facts):
    base = {"level": "provincial_1", "kind": "skills", "track": "staff", "rank": 9, "award": None}
    base.update(facts)
    return sorted(g.rule_id for g in grants(Facts(**base), applicable(SETS, region, day)))


# rule → (regional set, facts that meet every condition but the kind, the kinds that grant)
RULES = {
    "xz-teacher-national": ("CN-XZ", {"level": "national_1", "rank": 3}, SKILLS),
    "xz-teacher-regional": ("CN-XZ", {"level": "provincial_1", "rank": 2}, SKILLS),
    "xz-reward-regional": ("CN-XZ", {"level": "provincial_1", "rank": 3}, SKILLS),
    "xz-reward-national": ("CN-XZ", {"level": "world", "rank": 12, "award": "merit"}, SKILLS),
    "xz-traditional-title": ("CN-XZ", {"level": "municipal", "rank": 1, "award": "first",
                                       "competition_title": "技能大师"}, {"traditional"}),
    "xz-traditional-reward": ("CN-XZ", {"level": "municipal", "rank": 1, "award": "first"}, {"traditional"}),
    "xz-competition-title": ("CN-XZ", {"level": "provincial_1", "rank": 1, "award": "first",
                                       "competition_title": "西藏工匠"}, {"craftsman_selection", "arts_crafts"}),
    "xz-title-selection": ("CN-XZ", {"level": "provincial_1", "rank": 1, "award": "first",
                                     "competition_title": "西藏工匠"}, {"title_selection"}),
    "gx-grade-exception": ("CN-GX", {"level": "municipal", "rank": 7, "award": "third", "frontline_worker": True},
                           SKILLS),
    "gx-entrepreneurship": ("CN-GX", {"level": "municipal", "rank": 1, "award": "first"},
                            {"entrepreneurship", "trainer"}),
    "gx-title-selection": ("CN-GX", {"level": "provincial_1", "rank": 1, "award": "first",
                                     "competition_title": "广西工匠"}, {"title_selection"}),
    "cn-national-expert": ("CN-XZ", {"level": "national_1", "rank": 5}, SKILLS),
    "cn-grade-medal": ("CN-XZ", {"level": "national_1", "rank": 2, "award": "silver", "skill_grade": 4}, SKILLS),
    "cn-grade-merit": ("CN-XZ", {"level": "national_1", "rank": 6, "award": "merit", "skill_grade": 4}, SKILLS),
}

# rule → the levels at which its facts grant (every other condition met)
RULE_LEVELS = {
    "xz-teacher-national": {"national_1"}, "xz-teacher-regional": {"provincial_1"},
    "xz-reward-regional": {"provincial_1"}, "xz-reward-national": {"world", "national_1"},
    "cn-national-expert": {"national_1"}, "cn-grade-medal": {"national_1"}, "cn-grade-merit": {"national_1"},
}


def test_the_table_covers_every_shipped_rule():
    assert set(RULES) == {r.id for s in SETS for r in s.rules}


@pytest.mark.parametrize("rule_id, kind", [(r, k) for r in RULES for k in KINDS])
def test_each_rule_covers_exactly_the_kinds_it_names(rule_id, kind):
    region, facts, kinds = RULES[rule_id]
    assert (rule_id in granted(region, kind=kind, **facts)) == (kind in kinds)


@pytest.mark.parametrize("rule_id, level", [(r, lv) for r in RULES for lv in LEVELS])
def test_each_rule_covers_exactly_its_levels(rule_id, level):
    region, facts, kinds = RULES[rule_id]
    expected = level in RULE_LEVELS.get(rule_id, set(LEVELS))
    assert (rule_id in granted(region, **{**facts, "kind": sorted(kinds)[0], "level": level})) == expected


def test_no_shipped_rule_leaves_its_kinds_implicit():
    for s in SETS:
        for r in s.rules:
            assert r.condition["kind"] and "kind_not" not in r.condition, r.id


@pytest.mark.parametrize("region, facts, expected", [
    # Tibet: regional class-1 — rank 2 is teacher-eligible, rank 3 is not but is still rewarded.
    ("CN-XZ", {"rank": 1, "award": "first"}, ["xz-reward-regional", "xz-teacher-regional"]),
    ("CN-XZ", {"rank": 2, "award": "second"}, ["xz-reward-regional", "xz-teacher-regional"]),
    ("CN-XZ", {"rank": 3, "award": "second"}, ["xz-reward-regional"]),
    ("CN-XZ", {"rank": 4, "award": "third"}, []),
    # Entrepreneurship and trainer contests in Tibet: no teacher eligibility, no skills reward.
    ("CN-XZ", {"kind": "entrepreneurship", "rank": 1, "award": "first"}, []),
    ("CN-XZ", {"kind": "trainer", "level": "national_1", "rank": 1, "award": "gold"}, []),
    # National class-1 of a Tibetan contestant: top 3 teacher-eligible, awards rewarded, national titles.
    ("CN-XZ", {"level": "national_1", "rank": 3, "award": "bronze"},
     ["cn-grade-medal", "cn-national-expert", "xz-reward-national", "xz-teacher-national"]),
    ("CN-XZ", {"level": "national_1", "rank": 4, "award": "merit"},
     ["cn-grade-merit", "cn-national-expert", "xz-reward-national"]),
    ("CN-XZ", {"level": "national_1", "rank": 6, "award": "merit"}, ["cn-grade-merit", "xz-reward-national"]),
    ("CN-XZ", {"level": "national_1", "rank": 5, "award": None, "track": "student"}, []),
    ("CN-XZ", {"level": "world", "rank": 1, "award": "gold"}, ["xz-reward-national"]),
    # An entrepreneurship gold at national class-1: nothing of the skills rules.
    ("CN-XZ", {"kind": "entrepreneurship", "level": "national_1", "rank": 1, "award": "gold"}, []),
    # Traditional contests: the competition's title and the material reward; without a title, the reward.
    ("CN-XZ", {"kind": "traditional", "level": "municipal", "rank": 1, "award": "first", "competition_title": "技能大师"},
     ["xz-traditional-reward", "xz-traditional-title"]),
    ("CN-XZ", {"kind": "traditional", "level": "municipal", "rank": 1, "award": "first"}, ["xz-traditional-reward"]),
    ("CN-XZ", {"kind": "traditional", "level": "municipal", "rank": 5, "award": None, "competition_title": "技能大师"}, []),
    # Craftsman selection and arts-and-crafts contests: the title as the competition sets it.
    ("CN-XZ", {"kind": "craftsman_selection", "rank": 1, "award": "first", "competition_title": "西藏工匠"},
     ["xz-competition-title"]),
    ("CN-XZ", {"kind": "arts_crafts", "level": "municipal", "rank": 2, "award": "second",
               "competition_title": "西藏工艺美术大师"}, ["xz-competition-title"]),
    ("CN-XZ", {"kind": "craftsman_selection", "rank": 1, "award": "first"}, []),  # no title set
    # Guangxi: exceptional assessment for front-line prize winners of skills competitions, any level.
    ("CN-GX", {"rank": 3, "award": "third", "frontline_worker": True}, ["gx-grade-exception"]),
    ("CN-GX", {"level": "provincial_2", "rank": 1, "award": "first", "frontline_worker": True}, ["gx-grade-exception"]),
    ("CN-GX", {"level": "enterprise", "kind": "workplace", "rank": 1, "award": "first", "frontline_worker": True},
     ["gx-grade-exception"]),
    ("CN-GX", {"rank": 3, "award": "third", "frontline_worker": False}, []),
    ("CN-GX", {"kind": "entrepreneurship", "rank": 1, "award": "first", "frontline_worker": True},
     ["gx-entrepreneurship"]),
    ("CN-GX", {"kind": "trainer", "level": "municipal", "rank": 8, "award": "third"}, ["gx-entrepreneurship"]),
    # A jurisdiction without a regional set: the national rules only.
    ("CN-BJ", {"rank": 1, "award": "first"}, []),
    ("CN-BJ", {"level": "national_1", "rank": 2, "award": "silver"}, ["cn-grade-medal", "cn-national-expert"]),
    (None, {"level": "national_1", "rank": 2, "award": "silver"}, ["cn-grade-medal", "cn-national-expert"]),
])
def test_rules(region, facts, expected):
    assert granted(region, **facts) == expected


# ---- whose regional set ---------------------------------------------------------------------

@pytest.mark.parametrize("level, comp_j, reg_region, person_region, expected", [
    ("national_1", "CN", "540102", None, "CN-XZ"),        # a Tibetan unit's contestant at a CN-filed national
    ("national_1", "CN-XZ", "450100", None, "CN-GX"),     # a Guangxi contestant at a CN-XZ-filed national
    ("world", "CN", None, "540100", "CN-XZ"),             # no registering unit: the person's organization
    ("national_2", "CN", "450100", "540100", "CN-GX"),    # the registering organization first
    ("national_1", "CN", None, None, None),                # neither known: no regional set
    ("national_1", "CN", "910000", None, None),            # no province (foreign nationals' code)
    ("provincial_1", "CN-XZ", "450100", "450100", "CN-XZ"),  # provincial: the competition's jurisdiction
    ("municipal", "CN-GX", "540100", None, "CN-GX"),
    ("provincial_1", "CN", "540100", None, None),          # filed under CN: national rules only
])
def test_whose_regional_set(level, comp_j, reg_region, person_region, expected):
    assert regional_jurisdiction(level, comp_j, reg_region, person_region) == expected


def test_every_province_code_maps_to_a_known_jurisdiction():
    assert set(PROVINCE_ISO) <= PROVINCE_CODES and set(PROVINCE_ISO.values()) <= set(JURISDICTIONS)
    assert set(JURISDICTIONS) - {"CN"} == set(PROVINCE_ISO.values())
    assert province_jurisdiction("540102") == "CN-XZ" and province_jurisdiction("450000") == "CN-GX"
    assert province_jurisdiction("91") is None and province_jurisdiction(None) is None and province_jurisdiction("") is None


@pytest.mark.parametrize("level, comp_j, region, tibet_rules", [
    ("national_1", "CN", "540102", ["xz-reward-national", "xz-teacher-national"]),
    ("national_1", "CN-XZ", "450100", []),
    ("provincial_1", "CN-XZ", "450100", ["xz-reward-regional", "xz-teacher-regional"]),
    ("provincial_1", "CN-GX", "540100", []),
])
def test_the_choice_decides_the_rules(level, comp_j, region, tibet_rules):
    chosen = regional_jurisdiction(level, comp_j, region)
    ids = granted(chosen, level=level, rank=1, award="first")
    assert [i for i in ids if i.startswith("xz-")] == tibet_rules


# ---- award presets at national class-1 --------------------------------------------------------

@pytest.mark.parametrize("award, rule", [
    ("gold", "cn-grade-medal"), ("silver", "cn-grade-medal"), ("bronze", "cn-grade-medal"),
    ("first", "cn-grade-medal"), ("second", "cn-grade-medal"), ("third", "cn-grade-medal"),  # prizes read as medals
    ("merit", "cn-grade-merit"), (None, None),
])
def test_national_class_1_promotions_for_both_presets(award, rule):
    ids = [i for i in granted("CN-BJ", level="national_1", rank=9, award=award, skill_grade=4) if "grade" in i]
    assert ids == ([rule] if rule else [])


def test_the_prize_to_medal_mapping_is_data_with_its_explanation():
    medal = next(r for s in SETS for r in s.rules if r.id == "cn-grade-medal")
    assert medal.condition["award"] == ["gold", "silver", "bronze", "first", "second", "third"]
    assert "一等奖、二等奖、三等奖分别按金牌、银牌、铜牌对待" in medal.note and medal.practice


# ---- promotions as written --------------------------------------------------------------------

GRADES = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@given(current=GRADES, target=st.sampled_from([2, 3]))
def test_a_promotion_never_exceeds_what_the_clause_grants(current, target):
    new = promoted(current, target)
    if current is None or current > target:
        assert new == target                   # below the target: the target
    elif current == target:
        assert new == target - 1               # at the target: one grade up
    else:
        assert new is None                     # above the target: nothing
    assert new is None or (new in (target, target - 1) and (current is None or new < current))


@given(current=GRADES)
def test_merit_and_medal_grants_through_the_engine(current):
    merit = [g for g in grants(Facts("national_1", "skills", "staff", 8, "merit", skill_grade=current),
                               applicable(SETS, None, DAY)) if g.kind == "grade_promotion"]
    medal = [g for g in grants(Facts("national_1", "skills", "staff", 1, "gold", skill_grade=current),
                               applicable(SETS, None, DAY)) if g.kind == "grade_promotion"]
    # merit: below 高级工 → 高级工; 高级工 → 技师; 技师 or above → nothing
    assert [(g.grade_from, g.grade_to) for g in merit] == (
        [(current, 3)] if current is None or current > 3 else [(3, 2)] if current == 3 else [])
    # medals: below 技师 → 技师; 技师 → 高级技师; 高级技师 → nothing
    assert [(g.grade_from, g.grade_to) for g in medal] == (
        [(current, 2)] if current is None or current > 2 else [(2, 1)] if current == 2 else [])


# ---- citations and quotes ---------------------------------------------------------------------

def test_every_grant_cites_the_document_and_clause_never_a_file():
    g = grants(Facts("provincial_1", "skills", "staff", 1, "first"), applicable(SETS, "CN-XZ", IN_PERIOD))
    teacher = [x for x in g if x.kind == "teacher_eligibility"][0]
    assert teacher.citation == "西藏自治区职业技能提升行动实施方案（2019－2021年） 五(三)"
    assert "前三名、前二名" in teacher.quote and teacher.policy_version == "2019-08-09" and teacher.note is None
    for s in SETS:
        for r in s.rules:
            assert not re.search(r"\.txt|\.ya?ml|\d{3}_[0-9a-f]{6}", r.citation), r.id
            assert "（本条" not in r.source["text"] and "按惯例" not in r.source["text"], r.id


def test_national_practice_says_it_is_practice_and_quotes_nothing():
    national = [s for s in SETS if s.jurisdiction == "CN"]
    assert len(national) == 1 and "通行做法" in national[0].name
    for r in national[0].rules:
        assert r.practice and r.source["text"] == "" and "通行做法" in r.source["document"] and r.note
    assert "人社部函" not in str([r.source for r in national[0].rules])


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts sit outside the repository")
def test_every_quote_is_word_for_word_from_its_seed():
    seeds = {"CN-XZ": (SEEDS / "004_a7db381a6254c19b.txt").read_text(encoding="utf-8"),
             "CN-GX": (SEEDS / "000_e1cdfcc74d85af08.txt").read_text(encoding="utf-8")}

    def squeeze(text):  # the seeds carry stray OCR spaces around digits ("前 3名")
        return re.sub(r"\s+", "", text)
    for s in SETS:
        for r in s.rules:
            if not r.practice:
                assert squeeze(r.source["text"]) in squeeze(seeds[s.jurisdiction]), r.id


# ---- periods ----------------------------------------------------------------------------------

def _set(jurisdiction="CN-XZ", start="2019-08-09", end="2021-12-31", continued="true", version="v1", rank=2):
    return f"""jurisdiction: {jurisdiction}
name: 测试方案
version: "{version}"
effective_from: {start}
effective_to: {end}
continued: {continued}
rules:
  - id: r-{version}
    condition:
      kind: [skills]
      level: [provincial_1]
      rank_max: {rank}
    entitlement:
      kind: reward
    source:
      document: 测试方案
      clause: 一
      text: 原文
"""


def test_the_shipped_tibet_set_records_its_period_and_continues():
    xz = [s for s in SETS if s.jurisdiction == "CN-XZ"]
    assert len(xz) == 1 and (xz[0].effective_from, xz[0].effective_to, xz[0].continued) == (
        date(2019, 8, 9), date(2021, 12, 31), True)
    within = grants(Facts("provincial_1", "skills", "staff", 1, "first"), applicable(SETS, "CN-XZ", date(2021, 12, 31)))
    after = grants(Facts("provincial_1", "skills", "staff", 1, "first"), applicable(SETS, "CN-XZ", date(2022, 1, 1)))
    assert all(g.note is None for g in within)
    assert after and all(g.note == "按原政策延续执行（原政策有效期 2019-08-09 至 2021-12-31）" for g in after)


def test_in_force_ended_continued_and_not_continued():
    cont = load_text(_set(), "a.yaml")
    stop = load_text(_set(continued="false"), "b.yaml")
    assert select([cont], "CN-XZ", date(2020, 1, 1)).applied.continued is False
    assert select([cont], "CN-XZ", date(2030, 1, 1)).applied.continued is True
    gone = select([stop], "CN-XZ", date(2030, 1, 1))
    assert gone.applied is None and gone.reason == "ended" and gone.policy is stop
    early = select([cont], "CN-XZ", date(2019, 8, 8))
    assert early.applied is None and early.reason == "not_yet"
    assert select([cont], "CN-BJ", date(2020, 1, 1)).reason == "no_set"
    assert select([cont], None, date(2020, 1, 1)).reason == "no_region"
    facts = Facts("provincial_1", "skills", "staff", 1, "first")
    assert [g.note for g in grants(facts, applicable([cont], "CN-XZ", date(2030, 1, 1)))] == [
        "按原政策延续执行（原政策有效期 2019-08-09 至 2021-12-31）"]
    assert grants(facts, applicable([stop], "CN-XZ", date(2030, 1, 1))) == []


def test_a_successor_file_supersedes_from_its_own_date():
    old = load_text(_set(), "CN-XZ.yaml")
    new = load_text(_set(start="2025-01-01", end="null", continued="false", version="v2", rank=3), "CN-XZ-2025.yaml")
    sets = [old, new]
    check_periods(sets)
    assert select(sets, "CN-XZ", date(2024, 12, 31)).applied == select([old], "CN-XZ", date(2024, 12, 31)).applied
    assert select(sets, "CN-XZ", date(2024, 12, 31)).applied.continued
    chosen = select(sets, "CN-XZ", date(2025, 1, 1)).applied
    assert chosen.policy is new and not chosen.continued
    facts = Facts("provincial_1", "skills", "staff", 3, None)
    assert [g.rule_id for g in grants(facts, applicable(sets, "CN-XZ", date(2025, 6, 1)))] == ["r-v2"]
    assert grants(facts, applicable(sets, "CN-XZ", date(2024, 6, 1))) == []  # rank 3: the old set said 2
    # A successor that itself ended without continuation leaves nothing, although the first continued.
    ended = load_text(_set(start="2025-01-01", end="2025-12-31", continued="false", version="v2"), "x.yaml")
    assert select([old, ended], "CN-XZ", date(2026, 6, 1)).reason == "ended"


def test_overlapping_versions_are_refused():
    old = load_text(_set(end="null", continued="false"), "CN-XZ.yaml")
    new = load_text(_set(start="2025-01-01", end="null", continued="false", version="v2"), "CN-XZ-2025.yaml")
    with pytest.raises(PolicyError) as err:
        check_periods([old, new])
    assert err.value.file == "CN-XZ-2025.yaml" and "overlaps CN-XZ.yaml" in err.value.reason
    other = load_text(_set(jurisdiction="CN-GX", end="null", continued="false", version="g"), "CN-GX.yaml")
    check_periods([old, other])  # other jurisdictions do not collide


def test_the_loader_refuses_overlapping_files_in_a_directory(tmp_path):
    (tmp_path / "a.yaml").write_text(_set(), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_set(start="2021-06-01", end="null", continued="false", version="v2"),
                                     encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_all(tmp_path)
    assert "overlaps a.yaml" in str(err.value)


# ---- the loader -------------------------------------------------------------------------------

GOOD = """jurisdiction: CN-XZ
name: test
version: "1"
effective_from: 2020-01-01
rules:
  - id: a
    condition:
      kind: [skills]
      level: [provincial_1]
      rank_max: 2
    entitlement:
      kind: reward
    source:
      document: 测试方案
      clause: 一
      text: 原文
    note: 说明
"""


def test_the_good_file_loads():
    s = load_text(GOOD, "x.yaml")
    assert s.rules[0].citation == "测试方案 一" and s.rules[0].note == "说明" and not s.continued


@pytest.mark.parametrize("change, line, reason", [
    (("level: [provincial_1]", "level: [provincial1]"), 8, "level must be a list"),
    (("rank_max: 2", "rank_max: zero"), 8, "rank_max"),
    (("kind: reward", "kind: money"), 12, "entitlement kind"),
    (("      text: 原文\n", ""), 14, "quoted text"),
    (("jurisdiction: CN-XZ", "jurisdiction: XZ"), 1, "unknown jurisdiction"),
    (("effective_from: 2020-01-01", "effective_from: soon"), 4, "effective_from"),
    (("  - id: a", "  - id: a\n    id2: b"), 6, "unknown field"),
    (("      rank_max: 2", "      rank_max: 2\n      shoe_size: 42"), 8, "unknown condition"),
    (("rules:", "rules: [\n"), 7, "not valid YAML"),
    # every rule names its kinds
    (("      kind: [skills]\n", ""), 8, "must name the competition kinds"),
    (("kind: [skills]", "kind: []"), 8, "kind must be a list"),
    (("kind: [skills]", "kind: [contest]"), 8, "kind must be a list"),
    # the document is named by its title, never a file
    (("document: 测试方案", "document: 004_a7db381a6254c19b.txt"), 14, "looks like a file name"),
    (("document: 测试方案", "document: policies/CN-XZ.yaml"), 14, "looks like a file name"),
    (("document: 测试方案", "file: f.txt"), 14, "'file' is not a citation"),
    (("      document: 测试方案\n", ""), 14, "source needs document"),
    (("      clause: 一\n", ""), 14, "source needs document"),
    (("      text: 原文\n", "      text: 原文\n      practice: true\n"), 14, "quotes no document"),
    (("      text: 原文\n    note: 说明\n", "      practice: true\n"), 6, "needs a note"),
    (("      text: 原文\n", "      text: 原文\n      page: 3\n"), 14, "unknown source field"),
    # periods
    (("effective_from: 2020-01-01", "effective_from: 2020-01-01\ncontinued: true"), 5, "give effective_to"),
    (("effective_from: 2020-01-01", "effective_from: 2020-01-01\neffective_to: 2019-01-01"), 5, "after effective_from"),
    (("effective_from: 2020-01-01", "effective_from: 2020-01-01\ncontinued: maybe"), 5, "true or false"),
    (("effective_from: 2020-01-01", "effective_from: 2020-01-01\nvalid_until: 2021-01-01"), 5, "unknown field"),
])
def test_a_bad_policy_file_is_refused_with_line_and_reason(change, line, reason):
    assert change[0] in GOOD
    text = GOOD.replace(*change)
    with pytest.raises(PolicyError) as err:
        load_text(text, "CN-XZ.yaml")
    assert reason in err.value.reason, err.value.reason
    assert err.value.line == line, (err.value.line, err.value.reason)
    assert str(err.value).startswith(f"CN-XZ.yaml line {line}: ")


def test_duplicate_rule_ids_are_refused():
    text = GOOD + GOOD[GOOD.index("  - id: a"):]
    with pytest.raises(PolicyError) as err:
        load_text(text, "x.yaml")
    assert "used twice" in err.value.reason


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_national_levels_are_the_ones_using_the_contestants_province(level):
    # Written out by hand: world and national competitions take the contestant's own province
    # (a Guangxi contestant, 450102, in a Tibet-filed competition); every other level the competition's.
    uses_contestants_province = level in {"world", "national_1", "national_2"}
    assert regional_jurisdiction(level, "CN-XZ", "450102") == ("CN-GX" if uses_contestants_province else "CN-XZ")
