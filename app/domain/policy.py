"""Policy sets (one YAML file per jurisdiction) and the entitlement engine (DESIGN.md §6).

A rule grants an entitlement when every condition holds:
  level / kind / track: the competition's level and kind, the event's track, in the listed set
  kind_not: the competition's kind is none of the listed (e.g. rules about competition ranks
    that a title selection's ranking must not trigger)
  rank_max: the final rank within the event is at most N (ranks of the final stage)
  award: the award is in the listed set;  award_any: some award was won
  person.frontline_worker: the person works on the front line
Entitlement kinds: teacher_eligibility, reward, title (a fixed title, or the competition's own
with title_from_competition), grade_promotion (grade_target: below it → the target; at or above
it → one grade up), grade_exception (exceptional or skip-level grade assessment).
Which sets apply: the national set (CN) always, plus the set of the competition's jurisdiction,
each only if in force on the final date. The loader refuses a bad file with its line and reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from .refdata import JURISDICTIONS, KINDS, LEVELS, SKILL_GRADES, TRACKS

ENTITLEMENT_KINDS = ("teacher_eligibility", "reward", "title", "grade_promotion", "grade_exception")
AWARDS = ("first", "second", "third", "gold", "silver", "bronze", "merit")
CONDITION_KEYS = {"level", "kind", "kind_not", "track", "rank_max", "award", "award_any", "person"}
ENTITLEMENT_KEYS = {"kind", "title", "title_from_competition", "grade_target"}
POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"


class PolicyError(ValueError):
    def __init__(self, file: str, line: int, reason: str):
        super().__init__(f"{file} line {line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


@dataclass(frozen=True)
class Rule:
    id: str
    condition: dict
    entitlement: dict
    source: dict
    line: int = 0


@dataclass(frozen=True)
class PolicySet:
    jurisdiction: str
    name: str
    version: str
    effective_from: date
    effective_to: date | None
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Facts:
    """What the engine looks at: one person's final result in one event."""
    level: str
    kind: str
    track: str
    rank: int
    award: str | None
    frontline_worker: bool = False
    skill_grade: int | None = None
    competition_title: str | None = None


@dataclass(frozen=True)
class Grant:
    rule_id: str
    kind: str
    jurisdiction: str
    policy_version: str
    citation: str
    quote: str
    title: str | None = None
    grade_from: int | None = None
    grade_to: int | None = None


def _node_line(node) -> int:
    return node.start_mark.line + 1


def _plain(node):
    return yaml.safe_load(yaml.serialize(node))


def load_text(text: str, filename: str) -> PolicySet:
    """Parse and validate one policy file; PolicyError names the line and the reason."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(filename, (mark.line + 1) if mark else 1, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(root, yaml.MappingNode):
        raise PolicyError(filename, 1, "the file must be a mapping with jurisdiction, version and rules")
    top = {k.value: v for k, v in root.value}
    for required in ("jurisdiction", "name", "version", "effective_from", "rules"):
        if required not in top:
            raise PolicyError(filename, 1, f"'{required}' is missing")
    data = _plain(root)
    if data["jurisdiction"] not in JURISDICTIONS:
        raise PolicyError(filename, _node_line(top["jurisdiction"]), f"unknown jurisdiction {data['jurisdiction']!r}")
    if not isinstance(data["effective_from"], date):
        raise PolicyError(filename, _node_line(top["effective_from"]), "effective_from must be a date (YYYY-MM-DD)")
    to = data.get("effective_to")
    if to is not None and (not isinstance(to, date) or to < data["effective_from"]):
        raise PolicyError(filename, _node_line(top["effective_to"]), "effective_to must be a date after effective_from")
    rules_node = top["rules"]
    if not isinstance(rules_node, yaml.SequenceNode) or not rules_node.value:
        raise PolicyError(filename, _node_line(rules_node), "rules must be a non-empty list")
    rules, seen = [], set()
    for node in rules_node.value:
        rule = _rule(node, filename)
        if rule.id in seen:
            raise PolicyError(filename, rule.line, f"rule id {rule.id!r} is used twice")
        seen.add(rule.id)
        rules.append(rule)
    return PolicySet(data["jurisdiction"], str(data["name"]), str(data["version"]), data["effective_from"], to,
                     tuple(rules))


def _rule(node, filename: str) -> Rule:
    line = _node_line(node)
    if not isinstance(node, yaml.MappingNode):
        raise PolicyError(filename, line, "each rule must be a mapping")
    fields = {k.value: v for k, v in node.value}
    data = _plain(node)
    rid = data.get("id")
    if not rid or not isinstance(rid, str):
        raise PolicyError(filename, line, "a rule needs an id")
    where = f"rule {rid}"
    extra = set(data) - {"id", "condition", "entitlement", "source"}
    if extra:
        raise PolicyError(filename, line, f"{where}: unknown field {sorted(extra)[0]!r}")
    for part in ("condition", "entitlement", "source"):
        if not isinstance(data.get(part), dict):
            raise PolicyError(filename, line, f"{where}: '{part}' must be a mapping")
    cond, ent, src = data["condition"], data["entitlement"], data["source"]
    cline = _node_line(fields["condition"])
    unknown = set(cond) - CONDITION_KEYS
    if unknown:
        raise PolicyError(filename, cline, f"{where}: unknown condition {sorted(unknown)[0]!r}")
    for key, allowed in (("level", LEVELS), ("kind", KINDS), ("kind_not", KINDS), ("track", TRACKS),
                         ("award", AWARDS)):
        if key in cond and (not isinstance(cond[key], list) or any(v not in allowed for v in cond[key])):
            raise PolicyError(filename, cline, f"{where}: {key} must be a list of {', '.join(allowed)}")
    if "rank_max" in cond and (not isinstance(cond["rank_max"], int) or cond["rank_max"] < 1):
        raise PolicyError(filename, cline, f"{where}: rank_max must be a whole number of at least 1")
    if "person" in cond and (not isinstance(cond["person"], dict) or set(cond["person"]) - {"frontline_worker"}):
        raise PolicyError(filename, cline, f"{where}: person may only state frontline_worker")
    eline = _node_line(fields["entitlement"])
    if set(ent) - ENTITLEMENT_KEYS:
        raise PolicyError(filename, eline, f"{where}: unknown entitlement field {sorted(set(ent) - ENTITLEMENT_KEYS)[0]!r}")
    if ent.get("kind") not in ENTITLEMENT_KINDS:
        raise PolicyError(filename, eline, f"{where}: entitlement kind must be one of {', '.join(ENTITLEMENT_KINDS)}")
    if ent["kind"] == "title" and not (ent.get("title") or ent.get("title_from_competition")):
        raise PolicyError(filename, eline, f"{where}: a title needs 'title' or 'title_from_competition: true'")
    if ent["kind"] == "grade_promotion" and ent.get("grade_target") not in SKILL_GRADES:
        raise PolicyError(filename, eline, f"{where}: grade_promotion needs grade_target 1–5")
    sline = _node_line(fields["source"])
    for key in ("file", "clause", "text"):
        if not src.get(key):
            raise PolicyError(filename, sline, f"{where}: source needs file, clause and the quoted text")
    return Rule(rid, cond, ent, {k: str(src[k]) for k in ("file", "clause", "text")}, line)


def load_all(directory: Path = POLICY_DIR) -> dict[str, PolicySet]:
    sets = {}
    for path in sorted(directory.glob("*.yaml")):
        policy = load_text(path.read_text(encoding="utf-8"), path.name)
        sets[policy.jurisdiction] = policy
    return sets


def applicable(sets: dict[str, PolicySet], jurisdiction: str, day: date) -> list[PolicySet]:
    """The national set always, and the competition's jurisdiction's set, if in force that day."""
    chosen = [sets.get("CN")]
    if jurisdiction != "CN":
        chosen.append(sets.get(jurisdiction))
    return [s for s in chosen if s is not None and s.in_force(day)]


def matches(rule: Rule, facts: Facts) -> bool:
    c = rule.condition
    if "level" in c and facts.level not in c["level"]:
        return False
    if "kind" in c and facts.kind not in c["kind"]:
        return False
    if "kind_not" in c and facts.kind in c["kind_not"]:
        return False
    if "track" in c and facts.track not in c["track"]:
        return False
    if "rank_max" in c and not (facts.rank <= c["rank_max"]):
        return False
    if "award" in c and facts.award not in c["award"]:
        return False
    if c.get("award_any") and not facts.award:
        return False
    if c.get("person", {}).get("frontline_worker") and not facts.frontline_worker:
        return False
    return True


def promoted(current: int | None, target: int) -> int | None:
    """Grade numbers: 5 junior … 1 senior technician. Below the target → the target; at or above
    it → one grade up; already at grade 1 → no change (None)."""
    if current is None or current > target:
        return target
    return current - 1 if current > 1 else None


def grants(facts: Facts, sets: list[PolicySet]) -> list[Grant]:
    out = []
    for policy in sets:
        for rule in policy.rules:
            if not matches(rule, facts):
                continue
            ent = rule.entitlement
            title = ent.get("title")
            if ent.get("title_from_competition"):
                title = facts.competition_title
                if not title:
                    continue  # the competition names no title: nothing to grant
            grade_from = grade_to = None
            if ent["kind"] == "grade_promotion":
                grade_from, grade_to = facts.skill_grade, promoted(facts.skill_grade, ent["grade_target"])
                if grade_to is None:
                    continue
            out.append(Grant(rule.id, ent["kind"], policy.jurisdiction, policy.version,
                             f"{rule.source['file']} {rule.source['clause']}", rule.source["text"], title,
                             grade_from, grade_to))
    return out
