"""The entitlement engine: which sets apply on a day, which rules a result meets, what they grant."""
from __future__ import annotations

from datetime import date

from ..refdata import province_jurisdiction
from .model import NATIONAL_LEVELS, Applied, Facts, Grant, PolicySet, Rule, Selection

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
