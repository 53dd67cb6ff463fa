"""The policy sets and what the engine reads and gives: rules, sets, a person's facts, grants (see
the package docstring)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ENTITLEMENT_KINDS = ("teacher_eligibility", "reward", "title", "grade_promotion", "grade_exception")
AWARDS = ("first", "second", "third", "gold", "silver", "bronze", "merit")
# Competition kinds that are 职业技能竞赛 (DESIGN.md §6).
SKILLS_KINDS = ("skills", "college_skills", "workplace", "traditional", "arts_crafts")
# For these levels the regional set is the contestant's own province's, not the competition's.
NATIONAL_LEVELS = ("world", "national_1", "national_2")


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
