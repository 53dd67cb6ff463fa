"""Policy sets (YAML files in app/policies/, several versions per jurisdiction) and the entitlement
engine (DESIGN.md §6).

A set: jurisdiction, name (the document's title), version, effective_from, effective_to (null: no
end), continued (true: after its end it still applies until a successor version of the same
jurisdiction starts — measures that continue in practice), an optional note, and rules.
Periods of one jurisdiction's versions may not overlap.

A rule grants an entitlement when every condition holds:
  kind (required): the competition kinds the rule covers — every rule names them, so that a rule
    about skills competitions (职业技能竞赛) can never leak into entrepreneurship or title contests
  level / track: the competition's level, the event's track, in the listed set
  rank_max: the final rank within the event is at most N (ranks of the final stage)
  award: the award is in the listed set;  award_any: some award was won
  person.frontline_worker: the person works on the front line
Entitlement kinds: teacher_eligibility, reward, title (a fixed title, or the competition's own
with title_from_competition), grade_promotion (grade_target: see `promoted`), grade_exception
(exceptional or skip-level grade assessment).
A rule's source names the document by its title (`document`), the `clause`, and `text`: the
quoted words of the document and nothing else. A rule taken from practice rather than from a
document says so (`practice: true`, no text) and explains itself in `note`. Editorial remarks go
in the rule's `note`, never in `text`.

Which sets apply (`applicable`): the national set (CN) always, plus one regional set — for world
and national competitions the contestant's own province's (`regional_jurisdiction`), otherwise the
competition's jurisdiction's — each as in force on the day (`select`). The loader refuses a bad
file with its line and reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from .refdata import JURISDICTIONS, KINDS, LEVELS, SKILL_GRADES, TRACKS, province_jurisdiction

ENTITLEMENT_KINDS = ("teacher_eligibility", "reward", "title", "grade_promotion", "grade_exception")
AWARDS = ("first", "second", "third", "gold", "silver", "bronze", "merit")
# Competition kinds that are 职业技能竞赛 (DESIGN.md §6).
SKILLS_KINDS = ("skills", "college_skills", "workplace", "traditional", "arts_crafts")
# For these levels the regional set is the contestant's own province's, not the competition's.
NATIONAL_LEVELS = ("world", "national_1", "national_2")
CONDITION_KEYS = {"level", "kind", "kind_not", "track", "rank_max", "award", "award_any", "person"}
ENTITLEMENT_KEYS = {"kind", "title", "title_from_competition", "grade_target"}
SOURCE_KEYS = {"document", "clause", "text", "practice"}
SET_KEYS = {"jurisdiction", "name", "version", "effective_from", "effective_to", "continued", "note", "rules"}
RULE_KEYS = {"id", "condition", "entitlement", "source", "note"}
POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
# A document is named by its title; these look like where a text sits, not what it is.
_FILE_LIKE = re.compile(r"(\.(txt|ya?ml|pdf|docx?|html?)$)|(^\d{3}_[0-9a-f]{6,})|[/\\]", re.IGNORECASE)


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
    note: str | None = None
    line: int = 0

    @property
    def citation(self) -> str:
        """The document's title and the clause, as printed everywhere."""
        return f"{self.source['document']} {self.source['clause']}"

    @property
    def practice(self) -> bool:
        return bool(self.source.get("practice"))


@dataclass(frozen=True)
class PolicySet:
    jurisdiction: str
    name: str
    version: str
    effective_from: date
    effective_to: date | None
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    continued: bool = False
    note: str | None = None
    file: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def period_text(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "—"
        return f"{self.effective_from.isoformat()} 至 {end}"


@dataclass(frozen=True)
class Applied:
    """A set chosen for a day; `continued` when the day is after its period (按原政策延续执行)."""
    policy: PolicySet
    continued: bool = False

    @property
    def continuation_note(self) -> str | None:
        if not self.continued:
            return None
        return f"按原政策延续执行（原政策有效期 {self.policy.period_text()}）"


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
    note: str | None = None  # the continuation of an ended set and/or the rule's note


@dataclass(frozen=True)
class Selection:
    """Why a jurisdiction has (or has not) a set on a day: `applied`, or `reason` with `policy`
    (the set concerned, if any): no_set (no file for it), not_yet (starts later), ended (ended,
    not continued), no_region (the contestant's province is unknown)."""
    jurisdiction: str | None
    applied: Applied | None
    reason: str | None = None
    policy: PolicySet | None = None


def _node_line(node) -> int:
    return node.start_mark.line + 1


def _plain(node):
    return yaml.safe_load(yaml.serialize(node))


def _text(value) -> str | None:
    return None if value is None else str(value).strip() or None


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
    extra = set(top) - SET_KEYS
    if extra:
        key = sorted(extra)[0]
        raise PolicyError(filename, _node_line(next(k for k, _v in root.value if k.value == key)),
                          f"unknown field {key!r}")
    data = _plain(root)
    if data["jurisdiction"] not in JURISDICTIONS:
        raise PolicyError(filename, _node_line(top["jurisdiction"]), f"unknown jurisdiction {data['jurisdiction']!r}")
    if not isinstance(data["effective_from"], date):
        raise PolicyError(filename, _node_line(top["effective_from"]), "effective_from must be a date (YYYY-MM-DD)")
    to = data.get("effective_to")
    if to is not None and (not isinstance(to, date) or to < data["effective_from"]):
        raise PolicyError(filename, _node_line(top["effective_to"]), "effective_to must be a date after effective_from")
    continued = data.get("continued", False)
    if not isinstance(continued, bool):
        raise PolicyError(filename, _node_line(top["continued"]), "continued must be true or false")
    if continued and to is None:
        raise PolicyError(filename, _node_line(top["continued"]),
                          "continued applies to a set whose period ends: give effective_to")
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
                     tuple(rules), continued, _text(data.get("note")), filename)


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
    extra = set(data) - RULE_KEYS
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
        if key in cond and (not isinstance(cond[key], list) or not cond[key]
                            or any(v not in allowed for v in cond[key])):
            raise PolicyError(filename, cline, f"{where}: {key} must be a list of {', '.join(allowed)}")
    if "kind" not in cond:
        raise PolicyError(filename, cline, f"{where}: the condition must name the competition kinds it covers "
                                           f"(kind: [...]; skills competitions are {', '.join(SKILLS_KINDS)})")
    if "rank_max" in cond and (not isinstance(cond["rank_max"], int) or isinstance(cond["rank_max"], bool)
                               or cond["rank_max"] < 1):
        raise PolicyError(filename, cline, f"{where}: rank_max must be a whole number of at least 1")
    if "award_any" in cond and not isinstance(cond["award_any"], bool):
        raise PolicyError(filename, cline, f"{where}: award_any must be true or false")
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
    if "file" in src:
        raise PolicyError(filename, sline, f"{where}: 'file' is not a citation: name the document by its title "
                                           "in 'document' (keep the file name as a comment if needed)")
    if set(src) - SOURCE_KEYS:
        raise PolicyError(filename, sline, f"{where}: unknown source field {sorted(set(src) - SOURCE_KEYS)[0]!r}")
    practice = src.get("practice", False)
    if not isinstance(practice, bool):
        raise PolicyError(filename, sline, f"{where}: practice must be true or false")
    document, clause, text = _text(src.get("document")), _text(src.get("clause")), _text(src.get("text"))
    if not document or not clause:
        raise PolicyError(filename, sline, f"{where}: source needs document (the document's title) and clause")
    if _FILE_LIKE.search(document):
        raise PolicyError(filename, sline, f"{where}: document {document!r} looks like a file name; "
                                           "name the document by its title")
    note = _text(data.get("note"))
    if practice:
        if text:
            raise PolicyError(filename, sline, f"{where}: a rule from practice quotes no document: "
                                               "leave out text and explain the practice in note")
        if not note:
            raise PolicyError(filename, line, f"{where}: a rule from practice needs a note saying what the practice is")
    elif not text:
        raise PolicyError(filename, sline, f"{where}: source needs the quoted text of the clause")
    source = {"document": document, "clause": clause, "text": text or "", "practice": practice}
    return Rule(rid, cond, ent, source, note, line)


def check_periods(sets: list[PolicySet]) -> None:
    """Versions of one jurisdiction may not overlap in time (a successor starts after its
    predecessor's end); PolicyError names the later file."""
    by_j: dict[str, list[PolicySet]] = {}
    for s in sets:
        by_j.setdefault(s.jurisdiction, []).append(s)
    for versions in by_j.values():
        versions.sort(key=lambda s: s.effective_from)
        for before, after in zip(versions, versions[1:]):
            if before.effective_to is None or after.effective_from <= before.effective_to:
                raise PolicyError(after.file, 1, f"its period overlaps {before.file} ({before.jurisdiction} "
                                                 f"{before.period_text()}): end the earlier version before "
                                                 f"{after.effective_from.isoformat()}")


def load_all(directory: Path = POLICY_DIR) -> list[PolicySet]:
    """Every set of the directory, validated, sorted by jurisdiction and start."""
    sets = [load_text(path.read_text(encoding="utf-8"), path.name) for path in sorted(directory.glob("*.yaml"))]
    check_periods(sets)
    return sorted(sets, key=lambda s: (s.jurisdiction != "CN", s.jurisdiction, s.effective_from))


def select(sets: list[PolicySet], jurisdiction: str | None, day: date) -> Selection:
    """The set of `jurisdiction` for `day`: the version in force; else the latest ended version if
    it is continued (no successor has started by then, or the successor would be the latest
    ended one); else none, with the reason."""
    if jurisdiction is None:
        return Selection(None, None, "no_region")
    versions = [s for s in sets if s.jurisdiction == jurisdiction]
    if not versions:
        return Selection(jurisdiction, None, "no_set")
    for s in versions:
        if s.in_force(day):
            return Selection(jurisdiction, Applied(s))
    ended = [s for s in versions if s.effective_to is not None and s.effective_to < day]
    if not ended:
        return Selection(jurisdiction, None, "not_yet", min(versions, key=lambda s: s.effective_from))
    latest = max(ended, key=lambda s: s.effective_to)
    if latest.continued:
        return Selection(jurisdiction, Applied(latest, continued=True))
    return Selection(jurisdiction, None, "ended", latest)


def regional_jurisdiction(level: str, competition_jurisdiction: str, registration_region: str | None,
                          person_region: str | None = None) -> str | None:
    """Whose regional set applies. For world and national competitions: the contestant's own
    province — from the registering organization's region code, else the person's organization's
    — or none when neither is known; for every other level, the competition's jurisdiction (none
    for a competition filed under CN)."""
    if level in NATIONAL_LEVELS:
        for region in (registration_region, person_region):
            code = province_jurisdiction(region)
            if code:
                return code
        return None
    return None if competition_jurisdiction == "CN" else competition_jurisdiction


def applicable(sets: list[PolicySet], jurisdiction: str | None, day: date) -> list[Applied]:
    """The national set and the regional set of `jurisdiction` (see regional_jurisdiction), each
    as selected for `day`."""
    chosen = [select(sets, "CN", day)]
    if jurisdiction and jurisdiction != "CN":
        chosen.append(select(sets, jurisdiction, day))
    return [c.applied for c in chosen if c.applied is not None]


def matches(rule: Rule, facts: Facts) -> bool:
    c = rule.condition
    if facts.kind not in c["kind"]:
        return False
    if "kind_not" in c and facts.kind in c["kind_not"]:
        return False
    if "level" in c and facts.level not in c["level"]:
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
    """Grade numbers: 5 junior … 1 senior technician. As the promotion clauses read ("晋升X；已具有X
    职业技能等级的，晋升X的上一级"): below the target (or no grade) → the target; at the target → one
    grade up; above the target → nothing (None). The grant never exceeds the grade above the target."""
    if current is None or current > target:
        return target
    if current == target and target > 1:
        return target - 1
    return None


def grants(facts: Facts, applied: list[Applied]) -> list[Grant]:
    out = []
    for chosen in applied:
        policy = chosen.policy
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
            note = "；".join(n for n in (chosen.continuation_note, rule.note) if n) or None
            out.append(Grant(rule.id, ent["kind"], policy.jurisdiction, policy.version, rule.citation,
                             rule.source["text"], title, grade_from, grade_to, note))
    return out
