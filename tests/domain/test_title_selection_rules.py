"""Pure rules of title selections: the dossier's fields and upload sniffing, and the policy rules
that turn a title selection's award winners into the title (and nothing else)."""
from datetime import date

import pytest

from app.domain import dossier
from app.domain.errors import Collector
from app.domain.policy import Facts, PolicyError, applicable, grants, load_all, load_text

SETS = load_all()
DAY = date(2026, 6, 1)
XZ_75 = "西藏自治区职业技能提升行动实施方案（2019－2021年） 七(五)"
GX_10 = "广西壮族自治区人民政府关于推行终身职业技能培训制度的实施意见（桂政发〔2019〕16号） (十)"


def title_grants(jurisdiction, **facts):
    base = {"level": "provincial_1", "kind": "title_selection", "track": "staff", "rank": 1, "award": "first",
            "competition_title": "西藏工匠"}
    base.update(facts)
    return [(g.rule_id, g.kind, g.title, g.citation) for g in grants(Facts(**base), applicable(SETS, jurisdiction, DAY))]


@pytest.mark.parametrize("jurisdiction, facts, expected", [
    ("CN-XZ", {}, [("xz-title-selection", "title", "西藏工匠", XZ_75)]),
    ("CN-XZ", {"rank": 2, "award": "first", "frontline_worker": True},
     [("xz-title-selection", "title", "西藏工匠", XZ_75)]),
    ("CN-XZ", {"rank": 3, "award": None}, []),                      # not among the winners
    ("CN-XZ", {"competition_title": None}, []),                     # no title named: nothing to grant
    ("CN-XZ", {"level": "national_1", "rank": 1, "award": "gold"},  # national ranks do not leak in
     [("xz-title-selection", "title", "西藏工匠", XZ_75)]),
    ("CN-GX", {"competition_title": "广西技术能手", "frontline_worker": True},
     [("gx-title-selection", "title", "广西技术能手", GX_10)]),
    ("CN-BJ", {}, []),                                               # outside any regional set
])
def test_title_selection_winners_get_the_competition_title_only(jurisdiction, facts, expected):
    assert title_grants(jurisdiction, **facts) == expected


def test_the_same_ranks_in_a_skills_competition_still_grant_what_they_did():
    ids = sorted(g.rule_id for g in grants(Facts("provincial_1", "skills", "staff", 1, "first"),
                                           applicable(SETS, "CN-XZ", DAY)))
    assert ids == ["xz-reward-regional", "xz-teacher-regional"]


def test_title_rules_quote_the_seed_and_say_what_it_does_not_state_in_a_note():
    rules = {r.id: r for s in SETS for r in s.rules}
    rule = rules["xz-title-selection"]
    assert "西藏工匠" in rule.source["text"] and "未写明" not in rule.source["text"] and "未写明" in rule.note
    rule = rules["gx-title-selection"]
    assert rule.source["text"] == "定期开展广西高技能领军人才、广西工匠、广西技术能手评选活动。" and "未写明" in rule.note


def test_kind_not_is_validated_like_kind():
    text = """jurisdiction: CN-XZ
name: t
version: "1"
effective_from: 2020-01-01
rules:
  - id: a
    condition:
      kind: [skills]
      kind_not: [contest]
    entitlement:
      kind: reward
    source: {document: 测试方案, clause: 一, text: 原文}
"""
    with pytest.raises(PolicyError) as err:
        load_text(text, "x.yaml")
    assert "kind_not must be a list" in err.value.reason and err.value.line == 8


def test_dossier_fields_name_the_field_in_every_error():
    errors = Collector()
    out = dossier.parse_fields({"achievements": "", "innovations": "x" * 3001, "honours": 5}, errors)
    assert [(e.field, e.params.get("field")) for e in errors.errors] == [
        ("achievements", "Main achievements"), ("innovations", "Technical innovations"),
        ("honours", "Honours and awards")]
    assert out["apprentices"] is None
    errors = Collector()
    assert dossier.parse_fields({"honours": " 二等奖\r\n "}, errors, partial=True) == {"honours": "二等奖"}
    assert not errors.errors


@pytest.mark.parametrize("content, kind", [
    (b"%PDF-1.7\n...", "application/pdf"), (b"\x89PNG\r\n\x1a\n....", "image/png"), (b"\xff\xd8\xff\xe0..", "image/jpeg"),
    (b"GIF89a", None), (b"PK\x03\x04", None), (b"MZ\x90", None), (b"  %PDF-1.4", None), (b"", None),
])
def test_types_come_from_the_bytes(content, kind):
    assert dossier.sniff_type(content) == kind


def test_a_display_name_keeps_no_path_and_gets_the_real_extension():
    assert dossier.clean_filename("../../etc/passwd", "application/pdf") == "passwd.pdf"
    assert dossier.clean_filename('C:\\材料\\证书 "1".jpeg', "image/png") == "证书 1.png"
    assert dossier.clean_filename(None, "image/jpeg") == "file.jpg"
    assert len(dossier.clean_filename("a" * 500 + ".pdf", "application/pdf")) <= dossier.FILENAME_MAX
