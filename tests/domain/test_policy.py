"""Every rule of the three policy sets, table-driven, with the boundary ranks; the loader refuses
bad files with the line and the reason; which sets apply."""
from datetime import date

import pytest

from app.domain.policy import Facts, PolicyError, applicable, grants, load_all, load_text, promoted

SETS = load_all()
DAY = date(2026, 6, 1)


def rules_for(jurisdiction, **facts):
    base = {"level": "provincial_1", "kind": "skills", "track": "staff", "rank": 9, "award": None}
    base.update(facts)
    return sorted(g.rule_id for g in grants(Facts(**base), applicable(SETS, jurisdiction, DAY)))


@pytest.mark.parametrize("jurisdiction, facts, expected", [
    # Tibet: regional class-1 — rank 2 is teacher-eligible, rank 3 is not but is still rewarded.
    ("CN-XZ", {"rank": 1, "award": "first"}, ["xz-reward-regional", "xz-teacher-regional"]),
    ("CN-XZ", {"rank": 2, "award": "second"}, ["xz-reward-regional", "xz-teacher-regional"]),
    ("CN-XZ", {"rank": 3, "award": "second"}, ["xz-reward-regional"]),
    ("CN-XZ", {"rank": 4, "award": "third"}, []),
    # Tibet: national class-1 — top 3 teacher-eligible; an award is rewarded; national titles too.
    ("CN-XZ", {"level": "national_1", "rank": 3, "award": "bronze"},
     ["cn-grade-medal", "cn-national-expert", "xz-reward-national", "xz-teacher-national"]),
    ("CN-XZ", {"level": "national_1", "rank": 4, "award": "merit"},
     ["cn-grade-merit", "cn-national-expert", "xz-reward-national"]),
    ("CN-XZ", {"level": "national_1", "rank": 6, "award": "merit"}, ["cn-grade-merit", "xz-reward-national"]),
    ("CN-XZ", {"level": "national_1", "rank": 5, "award": None, "track": "student"}, []),
    ("CN-XZ", {"level": "world", "rank": 1, "award": "gold"}, ["xz-reward-national"]),
    # Traditional crafts: the competition's own title.
    ("CN-XZ", {"kind": "traditional", "level": "municipal", "rank": 1, "award": "first", "competition_title": "技能大师"},
     ["xz-traditional-title"]),
    ("CN-XZ", {"kind": "traditional", "level": "municipal", "rank": 1, "award": "first"}, []),  # no title named
    # Guangxi: exceptional grade assessment for front-line workers with a prize at provincial_1 or higher.
    ("CN-GX", {"rank": 3, "award": "third", "frontline_worker": True}, ["gx-grade-exception"]),
    ("CN-GX", {"rank": 3, "award": "third", "frontline_worker": False}, []),
    ("CN-GX", {"level": "provincial_2", "rank": 1, "award": "first", "frontline_worker": True}, []),
    ("CN-GX", {"kind": "entrepreneurship", "level": "municipal", "rank": 1, "award": "first"}, ["gx-entrepreneurship"]),
    ("CN-GX", {"kind": "trainer", "level": "municipal", "rank": 8, "award": "third"}, ["gx-entrepreneurship"]),
    # A competition outside any regional set: the national rules only.
    ("CN-BJ", {"rank": 1, "award": "first"}, []),
    ("CN-BJ", {"level": "national_1", "rank": 2, "award": "silver"}, ["cn-grade-medal", "cn-national-expert"]),
])
def test_rules(jurisdiction, facts, expected):
    assert rules_for(jurisdiction, **facts) == expected


def test_shared_ranks_entitle_everyone_sharing_them():
    # Two contestants sharing rank 2 in a regional class-1 final are both teacher-eligible.
    assert "xz-teacher-regional" in rules_for("CN-XZ", rank=2) and rules_for("CN-XZ", rank=2) == rules_for("CN-XZ", rank=2)


def test_grade_promotion_steps():
    assert promoted(None, 2) == 2 and promoted(4, 2) == 2 and promoted(2, 2) == 1 and promoted(1, 2) is None
    assert promoted(3, 3) == 2 and promoted(5, 3) == 3
    g = grants(Facts("national_1", "skills", "staff", 2, "silver", skill_grade=2), applicable(SETS, "CN", DAY))
    promo = [x for x in g if x.kind == "grade_promotion"][0]
    assert (promo.grade_from, promo.grade_to) == (2, 1)


def test_every_grant_cites_its_clause_and_version():
    g = grants(Facts("provincial_1", "skills", "staff", 1, "first"), applicable(SETS, "CN-XZ", DAY))
    teacher = [x for x in g if x.kind == "teacher_eligibility"][0]
    assert teacher.citation == "004_a7db381a6254c19b.txt 五(三)" and "前三名、前二名" in teacher.quote
    assert teacher.policy_version == "2019-08-09"


def test_sets_apply_only_while_in_force():
    assert [s.jurisdiction for s in applicable(SETS, "CN-XZ", date(2019, 8, 8))] == ["CN"]
    assert [s.jurisdiction for s in applicable(SETS, "CN-XZ", date(2019, 8, 9))] == ["CN", "CN-XZ"]


GOOD = """jurisdiction: CN-XZ
name: test
version: "1"
effective_from: 2020-01-01
rules:
  - id: a
    condition:
      level: [provincial_1]
      rank_max: 2
    entitlement:
      kind: reward
    source:
      file: f.txt
      clause: 一
      text: 原文
"""


@pytest.mark.parametrize("change, line, reason", [
    (("level: [provincial_1]", "level: [provincial1]"), 8, "level must be a list"),
    (("rank_max: 2", "rank_max: zero"), 8, "rank_max"),
    (("kind: reward", "kind: money"), 11, "entitlement kind"),
    (("      text: 原文\n", ""), 13, "source needs"),
    (("jurisdiction: CN-XZ", "jurisdiction: XZ"), 1, "unknown jurisdiction"),
    (("effective_from: 2020-01-01", "effective_from: soon"), 4, "effective_from"),
    (("  - id: a", "  - id: a\n    id2: b"), 6, None),
    (("      rank_max: 2", "      rank_max: 2\n      shoe_size: 42"), 8, "unknown condition"),
    (("rules:", "rules: [\n"), 6, "not valid YAML"),
])
def test_a_bad_policy_file_is_refused_with_line_and_reason(change, line, reason):
    text = GOOD.replace(*change)
    with pytest.raises(PolicyError) as err:
        load_text(text, "CN-XZ.yaml")
    if reason:
        assert reason in err.value.reason
    assert err.value.line >= 1 and str(err.value).startswith("CN-XZ.yaml line ")
    if change[0] in ("level: [provincial_1]", "rank_max: 2", "kind: reward"):
        assert err.value.line == line


def test_duplicate_rule_ids_are_refused():
    text = GOOD + GOOD[GOOD.index("  - id: a"):]
    with pytest.raises(PolicyError) as err:
        load_text(text, "x.yaml")
    assert "used twice" in err.value.reason
