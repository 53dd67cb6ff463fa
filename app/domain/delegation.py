"""Delegations (参赛队/集训队) for outside competitions (national, WorldSkills) as pure rules: the
selection from published results (top N, a minimum total, a quota per event), the squad's ranking
by the internal assessments of the training camp (集训), and the nomination (名单).

Sources: 桂政发〔2019〕16号 (十) (a competition system led by WorldSkills and national class-1
competitions, with selection mechanisms); 西藏自治区职业技能提升行动实施方案 四(四)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import N_, Collector
from .fields import text as _text

TARGET_LEVELS = ("world", "national_1", "national_2")
STATUSES = ("forming", "training", "nominated")
ATHLETE_ROLES = ("member", "reserve")
STAFF_ROLES = ("leader", "coach", "expert")
ROLES = {"member": N_("Member"), "reserve": N_("Reserve"), "leader": N_("Team leader"), "coach": N_("Coach"),
         "expert": N_("Expert")}
ROLE_ZH = {"member": "正式队员", "reserve": "替补队员", "leader": "领队", "coach": "教练", "expert": "专家"}
SOURCES = ("selection", "manual")
SESSION_KINDS = {"training": N_("Training"), "assessment": N_("Internal assessment")}
HUNDRED = Decimal(100)


def _int(value, errors, key, low, high, message, optional=False):
    if optional and value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
        errors.add(key, message)
        return None
    return value


def _decimal(value, errors, key, message, optional=True, low=Decimal(0), high=Decimal(1000)):
    if optional and value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or d < low or d > high or d != d.quantize(Decimal("0.01")):
        errors.add(key, message)
        return None
    return d


def parse_delegation(data: dict) -> dict:
    errors = Collector()
    out = {"name": _text(data, "name", 200, errors, N_("Name the delegation.")),
           "target_competition": _text(data, "target_competition", 200, errors,
                                       N_("Name the competition the delegation goes to.")),
           "occupation": _text(data, "occupation", 200, errors)}
    level = data.get("target_level")
    if not isinstance(level, str) or level not in TARGET_LEVELS:
        errors.add("target_level", N_("Choose the level of the competition (world, national class 1 or 2)."))
    out["target_level"] = level if isinstance(level, str) and level in TARGET_LEVELS else None
    out["year"] = _int(data.get("year"), errors, "year", 2000, 2100, N_("Enter the year of the competition."))
    out["members_quota"] = _int(data.get("members_quota"), errors, "members_quota", 1, 200,
                                N_("The number of members is a whole number from 1 to 200."))
    errors.raise_if_any()
    return out


@dataclass(frozen=True)
class EventRule:
    event_id: int
    top_n: int | None
    min_total: Decimal | None
    quota: int | None


def parse_selection(data: dict) -> list[EventRule]:
    """{"events": [{"event_id", "top_n", "min_total", "quota"}, ...]} (form: the same keys, one event)."""
    errors = Collector()
    raw = data.get("events")
    if raw is None and "event_id" in data:
        raw = [data]
    if not isinstance(raw, list) or not raw or len(raw) > 50:
        errors.add("events", N_("Choose one or more events whose published results to select from."))
        errors.raise_if_any()
    rules = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            errors.add(f"events[{i}]", N_("This field must be an object."))
            continue
        ev = _int(item.get("event_id"), errors, f"events[{i}].event_id", 1, 2**31 - 1, N_("Choose an event."))
        top = _int(item.get("top_n"), errors, f"events[{i}].top_n", 1, 1000, N_("Top N is a whole number from 1 to 1000."),
                   optional=True)
        quota = _int(item.get("quota"), errors, f"events[{i}].quota", 1, 1000,
                     N_("The quota is a whole number from 1 to 1000."), optional=True)
        minimum = _decimal(item.get("min_total"), errors, f"events[{i}].min_total",
                           N_("The minimum total is a number from 0 to 1000 with at most two decimals."))
        if top is None and quota is None and minimum is None and ev is not None \
                and not errors.has(f"events[{i}].top_n") and not errors.has(f"events[{i}].quota"):
            errors.add(f"events[{i}].top_n", N_("Give top N, a minimum total or a quota (else the whole field would be selected)."))
        if ev is not None:
            rules.append(EventRule(ev, top, minimum, quota))
    errors.raise_if_any()
    return rules


def pick(rule: EventRule, ranked: list[tuple[int, int, Decimal]]) -> list[tuple[int, int, Decimal]]:
    """From (key, rank, total) in rank order: those within top N and at or above the minimum total,
    at most `quota` of them."""
    out = []
    for key, rank, total in ranked:
        if rule.top_n is not None and rank > rule.top_n:
            continue
        if rule.min_total is not None and total < rule.min_total:
            continue
        out.append((key, rank, total))
        if rule.quota is not None and len(out) >= rule.quota:
            break
    return out


def parse_session(data: dict, today: date) -> dict:
    errors = Collector()
    out = {"title": _text(data, "title", 200, errors, N_("Name the session."))}
    kind = data.get("kind") or "training"
    if not isinstance(kind, str) or kind not in SESSION_KINDS:
        errors.add("kind", N_("Choose training or internal assessment."))
    out["kind"] = kind if isinstance(kind, str) and kind in SESSION_KINDS else None
    raw = data.get("held_on")
    try:
        out["held_on"] = date.fromisoformat(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        out["held_on"] = None
    if out["held_on"] is None:
        errors.add("held_on", N_("Enter the date of the session (YYYY-MM-DD)."))
    out["max_score"] = None
    if kind == "assessment":
        out["max_score"] = _decimal(data.get("max_score"), errors, "max_score",
                                    N_("The maximum score is a number above 0 and at most 1000."), optional=False,
                                    low=Decimal("0.01"))
    errors.raise_if_any()
    return out


def ranking(athletes: list[int], sessions: list, marks: dict) -> list[dict]:
    """The squad ranked by the mean of their internal assessment scores (each as a percentage of the
    session's maximum; an absence counts 0), then by attendance over all sessions, then by id.
    sessions: objects with id, kind, max_score; marks: {(session_id, person_id): (present, score)}."""
    assessments = [s for s in sessions if s.kind == "assessment"]
    rows = []
    for pid in athletes:
        pcts = []
        for s in assessments:
            present, score = marks.get((s.id, pid), (False, None))
            pcts.append((score or Decimal(0)) / s.max_score * HUNDRED if present and s.max_score else Decimal(0))
        attended = sum(1 for s in sessions if marks.get((s.id, pid), (False, None))[0])
        mean = (sum(pcts, Decimal(0)) / len(pcts)).quantize(Decimal("0.01")) if pcts else None
        rows.append({"person_id": pid, "score": mean, "attended": attended, "sessions": len(sessions)})
    rows.sort(key=lambda r: (-(r["score"] if r["score"] is not None else Decimal(-1)), -r["attended"], r["person_id"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def parse_marks(data: dict, athletes: set[int], max_score: Decimal | None) -> dict[int, tuple[bool, Decimal | None]]:
    """{"marks": [{"person_id", "present", "score"}]} → {person_id: (present, score)}."""
    errors = Collector()
    raw = data.get("marks")
    if not isinstance(raw, list):
        errors.add("marks", N_("Send the marks as a list."))
        errors.raise_if_any()
    out = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            errors.add(f"marks[{i}]", N_("This field must be an object."))
            continue
        pid = item.get("person_id")
        if isinstance(pid, str) and pid.isdigit():
            pid = int(pid)
        if not isinstance(pid, int) or isinstance(pid, bool) or pid not in athletes:
            errors.add(f"marks[{i}].person_id", N_("Not a member or reserve of this delegation."))
            continue
        present = item.get("present")
        present = present if isinstance(present, bool) else (str(present).lower() in ("1", "true", "on", "yes"))
        score = None
        if max_score is not None and item.get("score") not in (None, ""):
            score = _decimal(item.get("score"), errors, f"marks[{i}].score",
                             N_("The score is a number from 0 to the session's maximum."), high=max_score)
            if score is not None and not present:
                errors.add(f"marks[{i}].score", N_("An absent member has no score."))
        out[pid] = (present, score)
    errors.raise_if_any()
    return out
