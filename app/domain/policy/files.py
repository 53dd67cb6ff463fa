"""The policy files (app/policies/*.yaml): parsed and validated; a bad file is refused with its line
and reason."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from ..refdata import JURISDICTIONS, KINDS, LEVELS, SKILL_GRADES, TRACKS
from .model import AWARDS, ENTITLEMENT_KINDS, SKILLS_KINDS, PolicyError, PolicySet, Rule

CONDITION_KEYS = {"level", "kind", "kind_not", "track", "rank_max", "award", "award_any", "person"}
ENTITLEMENT_KEYS = {"kind", "title", "title_from_competition", "grade_target"}
SOURCE_KEYS = {"document", "clause", "text", "practice"}
SET_KEYS = {"jurisdiction", "name", "version", "effective_from", "effective_to", "continued", "note", "rules"}
RULE_KEYS = {"id", "condition", "entitlement", "source", "note"}
POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"

# A document is named by its title; these look like where a text sits, not what it is.
_FILE_LIKE = re.compile(r"(\.(txt|ya?ml|pdf|docx?|html?)$)|(^\d{3}_[0-9a-f]{6,})|[/\\]", re.IGNORECASE)


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
